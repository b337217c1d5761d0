"""How knowledge pages answer: the header context, one page of a list, the redirect after a
POST, and a service's errors as page messages."""

from django.contrib import messages
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from cocreate.pagination import keyset_paginate
from cocreate.redirects import safe_next
from communities.models import Community

from .access import allowed

PAGE_SIZE = 20


def nav(request, community: Community, tab: str = "") -> dict:
    """Context for the knowledge header: what the viewer may do here (no extra queries: the
    membership is cached on the community by ``access_community``)."""
    user = request.user
    return {
        "community": community,
        "tab": tab,
        "can_contribute": allowed(user, "knowledge.contribute", community),
        "can_staff": allowed(user, "knowledge.staff", community),
        "can_manage": allowed(user, "knowledge.manage", community),
    }


def page(request, queryset, ordering, page_size: int = PAGE_SIZE, param: str = "cursor"):
    return keyset_paginate(
        queryset,
        ordering=ordering,
        cursor=request.GET.get(param) or None,
        page_size=page_size,
    )


def back(request, url: str):
    """Redirect after a POST: to a safe ``next`` if given, else ``url``; htmx gets a client
    redirect so a full page is never swapped into a button."""
    target = request.POST.get("next") or request.GET.get("next")
    if not safe_next(request, target):
        target = url
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(target)
    return redirect(target)


def error_messages(request, exc) -> None:
    """A service's ValidationError or Conflict as page messages."""
    if hasattr(exc, "message_dict"):
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    elif hasattr(exc, "messages"):
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.error(request, getattr(exc, "message", str(exc)))
