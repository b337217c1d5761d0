"""Who may see and do what on knowledge pages: the community gate (``knowledge.access``),
refusals with their reason, and the permission helper (``cocreate.permissions``: the rules
table with each refusal's words, without Django's superuser shortcut)."""

from typing import NoReturn

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from cocreate import permissions
from cocreate.permissions import allowed
from communities.models import Community

from ..access import access_knowledge

__all__ = ["allowed", "knowledge_community", "refuse", "require", "require_participation"]


def knowledge_community(request, slug: str) -> Community:
    """The community if the user may see its knowledge: 404 otherwise, as for a missing one
    (knowledge is members-only even in a public community); 403 with the reason when banned."""
    try:
        return access_knowledge(request.user, slug).community
    except PermissionDenied as exc:
        refuse(request, str(exc))


def refuse(request, message: str) -> NoReturn:
    """Refuse with 403 and say why on the error page (a message, since the page is generic)."""
    messages.error(request, message)
    raise PermissionDenied(message)


def require_participation(request, community: Community) -> None:
    """403 with the reason (suspended until when, banned, not a member) unless the user may
    post, comment and support here. A change of standing counts on the very next request."""
    refusal = permissions.refusal(request.user, "knowledge.contribute", community)
    if refusal:
        refuse(request, refusal)


def require(request, perm: str, obj) -> None:
    """403 with the rule's message unless ``perm`` allows the user on ``obj``."""
    permissions.require(request.user, perm, obj)
