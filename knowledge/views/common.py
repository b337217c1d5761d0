"""What every knowledge page shares: the community gate, the navigation context, redirects."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from cocreate.pagination import keyset_paginate
from communities.models import Community, Membership
from communities.rules import membership_for
from communities.selectors import community_get

from .. import selectors

PAGE_SIZE = 20


def knowledge_community(request, slug: str) -> Community:
    """The community if the user may see its knowledge: 404 otherwise, as for a missing one
    (knowledge is members-only even in a public community)."""
    community = community_get(user=request.user, slug=slug)
    if not request.user.has_perm("knowledge.view_knowledge", community):
        membership = membership_for(request.user, community)
        if membership is not None and membership.status == Membership.Status.BANNED:
            # They know the community (and their ban): say so rather than "not found".
            refuse(request, selectors.participation_refusal(request.user, community))
        raise Http404
    return community


def refuse(request, message: str):
    """Refuse with 403 and say why on the error page (a message, since the page is generic)."""
    messages.error(request, message)
    raise PermissionDenied(message)


def require_participation(request, community: Community) -> None:
    """403 with the reason (suspended until when, banned, not a member) unless the user may
    post, comment and support here. A change of standing counts on the very next request."""
    refusal = selectors.participation_refusal(request.user, community)
    if refusal:
        refuse(request, refusal)


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
