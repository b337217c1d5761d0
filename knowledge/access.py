"""The access boundary for knowledge: a community's knowledge, and its challenges,
contributions and comments, resolved for a viewer (built on ``communities.access``).

Each accessor answers the **same** ``Http404`` for a missing id and for one the viewer may not
see (a draft of someone else, a hidden or held contribution, a comment held for review, any
object of a community whose knowledge they may not read), so ids reveal nothing.
"""

from typing import Any

from django.http import Http404

from cocreate.caching import generations, remembered
from cocreate.permissions import allowed
from communities.access import Standing, access_community
from communities.models import Community
from communities.rules import membership_for

from .models import COMMENT_OWNER, Challenge, Comment, Contribution

# The accessors are built on the selectors' querysets and on their community-level check.
from .selectors import (
    VIEW_KNOWLEDGE,
    challenges_for,
    comment_is_listed,
    present_comments,
)


def access_knowledge(viewer: Any, slug: str, *, need: str | None = None) -> Standing:
    """The community at ``slug`` if the viewer may read its knowledge (members, the firm's
    staff, admins; knowledge is members-only even in a public community): 404 otherwise, but
    403 with the reason for a banned member; ``need`` as in ``access_community``."""
    return access_community(viewer, slug, within=VIEW_KNOWLEDGE, need=need)


def access_challenge(viewer: Any, challenge_id: int, *, community: Community) -> Challenge:
    """A challenge of ``community``: drafts only for its staff; else 404."""
    challenge = challenges_for(user=viewer, community=community).filter(pk=challenge_id).first()
    if challenge is None:
        raise Http404
    challenge.community = community  # keep the rules' membership cache
    return challenge


def access_contribution(
    viewer: Any,
    contribution_id: int,
    *,
    community: Community | None = None,
    shared_read: bool = False,
) -> Contribution:
    """A contribution the viewer may see (drafts: their author only; hidden or held ones: author
    and moderators), of ``community`` when given (else of its own, looked up with it); 404
    otherwise, the same as for a missing id.

    ``shared_read`` (a page that only reads it, with ``community``): the row may be the copy
    read for every viewer, remembered while nothing its page shows changed (the scopes its page
    is cached under); who may see it is decided for this viewer all the same."""
    # No join to ``related_to`` (pages and the API only read its id), nor to the community
    # when the caller holds it: each join cost more planning and compiling than its row was worth.
    qs = Contribution.objects.select_related("author", "challenge", "toolkit_version", "discussion")
    qs = qs.filter(pk=contribution_id, **({"community": community} if community else {}))
    if community is None:
        qs = qs.select_related("community")
        contribution = qs.first()
    elif shared_read:
        # Its author's name, its challenge, toolkit version and discussion lock bump these
        # scopes too (``knowledge.scopes``, ``communities.scopes``).
        scopes = [
            generations.community_setup(community.pk),
            generations.contribution(contribution_id),
        ]
        contribution = remembered(
            "contribution-row", scopes, qs.first, parts=(community.pk, contribution_id)
        )
    else:
        contribution = qs.first()
    if contribution is None:
        raise Http404
    if community is not None:
        contribution.community = community  # keep the rules' membership cache
    if not allowed(viewer, "knowledge.view_contribution", contribution):
        raise Http404
    return contribution


def access_comment(viewer: Any, comment_id: int, *, community: Community | None = None) -> Comment:
    """A comment the viewer may find, in a discussion they may see (of ``community`` when
    given), presented for them (a hidden one reads "removed"); 404 otherwise, also for a
    comment held for review. Its discussion's owner and community come loaded."""
    comment = Comment.objects.select_related("author", *COMMENT_OWNER).filter(pk=comment_id).first()
    if comment is None:
        raise Http404
    owner = comment.discussion.owner
    if community is not None:
        if owner.community_id != community.pk:
            raise Http404
        owner.community = community
    else:
        membership_for(viewer, owner.community)  # one lookup, cached for the checks below
    if not allowed(viewer, "knowledge.view_discussion", comment.discussion):
        raise Http404
    if not comment_is_listed(comment, user=viewer, community=owner.community):
        raise Http404  # held for review: the same 404 as a missing id
    present_comments([comment], user=viewer, community=owner.community)
    return comment
