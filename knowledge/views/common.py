"""What every knowledge page shares: the community gate, the navigation context, redirects."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from cocreate.pagination import keyset_paginate
from communities.models import Community
from communities.selectors import community_get

PAGE_SIZE = 20


def knowledge_community(request, slug: str) -> Community:
    """The community if the user may see its knowledge: 404 otherwise, as for a missing one
    (knowledge is members-only even in a public community)."""
    community = community_get(user=request.user, slug=slug)
    if not request.user.has_perm("knowledge.view_knowledge", community):
        raise Http404
    return community


def allowed(user, perm: str, obj) -> bool:
    """The rules table itself (knowledge/rules.py), without Django's superuser shortcut: a
    platform admin moderates and manages, but does not contribute or edit others' work."""
    return rules.has_perm(perm, user, obj)


def require(request, perm: str, obj) -> None:
    if not allowed(request.user, perm, obj):
        raise PermissionDenied


def nav(request, community: Community, tab: str = "") -> dict:
    """Context for the knowledge header: what the viewer may do here (no extra queries: the
    membership is cached on the community by ``community_get``)."""
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
    if not (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
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
