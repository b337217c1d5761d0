"""@mentions in comments: which handles a text names, and which of them are members of the
community (they are notified, and their mention becomes a link to the person).

A mention is ``@`` and 2–30 letters, digits or ``_`` (the characters ``accounts`` builds handles
from), not preceded by a letter, digit, ``_`` or ``@`` (so ``ana@example.com`` mentions nobody),
and matched case-insensitively: ``@Maya`` names ``maya``.
"""

import re
from collections.abc import Mapping

from django.urls import reverse

from communities.models import Community, Membership

# ASCII classes on purpose: with re.IGNORECASE, [a-z] would also match "K" (Kelvin) and "ſ".
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{2,30})\b")
# Enough for any real comment; a text naming more people than this links the first ones found.
MAX_MENTIONS = 50


def mentioned_handles(text: str) -> set[str]:
    """The handles ``text`` mentions, lower-cased (handles are stored lower-case)."""
    return {handle.lower() for handle in MENTION_RE.findall(text or "")}


def mention_links(text: str, *, community: Community) -> Mapping[str, str]:
    """Handle -> address of the person's page in ``community``, for each handle ``text``
    mentions that belongs to an active member (one query, none if nothing is mentioned).

    The address names the person by id, so a link stays right if they change their handle
    (its text keeps the handle the author wrote)."""
    handles = mentioned_handles(text)
    if not handles:
        return {}
    rows = Membership.objects.filter(
        community=community, status=Membership.Status.ACTIVE, user__handle__in=handles
    ).values_list("user__handle", "user_id")[:MAX_MENTIONS]
    return {
        handle: reverse("communities:member", args=[community.slug, user_id])
        for handle, user_id in rows
        if handle  # always, as it matched; the column is nullable
    }
