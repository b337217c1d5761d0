"""Deleting one's account: what stays and what goes, the password, then the erasure."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cocreate.errors import Conflict

from ..forms import EraseForm
from ..services import erasure


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = erasure.account_erase(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except Conflict as refused:
            form.add_error(None, refused.message)
        else:
            logout(request)
            messages.success(
                request,
                _("Your account was deleted. Your posts now appear as “%(name)s”.")
                % {"name": done.pseudonym},
            )
            return redirect("communities:directory")
    return render(request, "trust/erase.html", {"form": form}, status=400 if form.errors else 200)
