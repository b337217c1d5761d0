"""Who may see and do what on knowledge pages: the community gate, refusals with their reason,
and the rules table without Django's superuser shortcut."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404

from communities.models import Community, Membership
from communities.rules import membership_for
from communities.selectors import community_get

from .. import selectors


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
