from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import ProfileForm


@login_required
def profile_edit(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.profile_update(user=user, **form.cleaned_data)
            messages.success(request, _("Your profile was saved."))
            return redirect("profile_edit")
    else:
        form = ProfileForm(
            initial={
                "display_name": user.display_name,
                "bio": user.bio,
                "expertise_tags": ", ".join(user.expertise_tags),
                "locale": user.locale,
                "timezone": user.timezone,
            }
        )
    return render(request, "accounts/profile_edit.html", {"form": form})
