"""Who may do what with knowledge. Contributions are visible to a community's members only.

| action                         | outsider | member | moderator | manager | org staff | admin |
|--------------------------------|----------|--------|-----------|---------|-----------|-------|
| view_knowledge (feed, items)   |          | ✓      | ✓         | ✓       | ✓         | ✓     |
| contribute, comment, support   |          | ✓ (1)  | ✓         | ✓       |           |       |
| support one's own contribution |          |        |           |         |           |       |
| view a draft (2)               |          | author | author    | author  | author    | author |
| view hidden / held content (3) |          | author | ✓         | ✓       | ✓         | ✓     |
| edit a contribution            |          | author | author    | author  |           |       |
| official response, evaluate,   |          |        | ✓         | ✓       | ✓         | ✓     |
|   move status, lock threads    |          |        |           |         |           |       |
| manage toolkits, challenges,   |          |        |           | ✓       | ✓         | ✓     |
|   scorecards                   |          |        |           |         |           |       |

(1) active members; suspended members read but do not write.
(2) a draft is its author's alone until they submit it: not shared yet, so no one else
    (moderators, managers, firm staff, platform admins) reads it, in the feed, by its
    address or through the API; triage and evaluation start at submission.
(3) a contribution or comment a moderator hid, or one waiting for review (pre-moderation or
    reports): its author and the community's moderators open it, with the reason; to anyone
    else a contribution answers 404 and a hidden comment reads "Removed by a moderator.".

Each permission is declared with the words a refused person reads (``cocreate.permissions``);
several name one predicate under different actions so that each refusal says what was refused.
"""

import rules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cocreate.permissions import rule
from communities.rules import (
    can_manage_community,
    can_moderate_community,
    is_member,
    is_member_in_good_or_suspended_standing,
    is_org_staff,
    is_platform_admin,
    standing_refusal,
)

from .models import Comment, Contribution, Discussion, ModerationState

can_view_knowledge = is_member_in_good_or_suspended_standing | is_org_staff | is_platform_admin
can_participate = is_member
is_knowledge_staff = can_moderate_community


@rules.predicate
def is_author(user, contribution: Contribution) -> bool:
    return contribution is not None and user.is_authenticated and contribution.author_id == user.pk


def _on_community(predicate):
    @rules.predicate(name=f"community_of_{predicate.name}")
    def check(user, obj) -> bool:
        return predicate.test(user, obj.community)

    return check


@rules.predicate
def is_published(user, contribution: Contribution) -> bool:
    return contribution is not None and contribution.status != Contribution.Status.DRAFT


@rules.predicate
def is_moderation_visible(user, item) -> bool:
    """Not hidden by a moderator and not waiting for review."""
    return item is not None and item.moderation_state == ModerationState.VISIBLE


can_view_contribution = _on_community(can_view_knowledge) & (
    is_author | (is_published & (is_moderation_visible | _on_community(is_knowledge_staff)))
)
EDITABLE_STATUSES = (
    Contribution.Status.DRAFT,
    Contribution.Status.SUBMITTED,
    Contribution.Status.UNDER_REVIEW,
)


@rules.predicate
def is_editable_status(user, contribution: Contribution) -> bool:
    return contribution.status in EDITABLE_STATUSES


def _comment_community(comment: Comment):
    return comment.discussion.owner.community


@rules.predicate
def is_comment_author(user, comment: Comment) -> bool:
    return comment is not None and user.is_authenticated and comment.author_id == user.pk


@rules.predicate
def is_author_of_commented_contribution(user, comment: Comment) -> bool:
    if comment is None or not user.is_authenticated:
        return False
    owner = comment.discussion.owner
    return isinstance(owner, Contribution) and owner.author_id == user.pk


@rules.predicate
def can_view_discussion(user, discussion: Discussion) -> bool:
    """Whoever may see its owner: a contribution as ``view_contribution`` says, a challenge's
    thread whoever reads the community's knowledge."""
    owner = discussion.owner
    if isinstance(owner, Contribution):
        return can_view_contribution.test(user, owner)
    return can_view_knowledge.test(user, owner.community)


def _on_comment_community(predicate):
    @rules.predicate(name=f"comment_community_of_{predicate.name}")
    def check(user, comment) -> bool:
        return predicate.test(user, _comment_community(comment))

    return check


def _participation_refusal(user, community) -> str:
    return standing_refusal(user, community)


def _support_refusal(user, contribution) -> str:
    if is_author.test(user, contribution):
        return _(
            "You can't support your own idea: it counts as yours already. "
            "Supports come from other members."
        )
    return standing_refusal(user, contribution.community)


def _comment_edit_refusal(user, comment) -> str:
    if not is_comment_author.test(user, comment):
        return _("Only the author can edit a comment.")
    return standing_refusal(user, _comment_community(comment))


rule(
    "knowledge.view_knowledge",
    can_view_knowledge,
    _lazy("Only members can see this community's knowledge."),
)
rule("knowledge.follow", can_view_knowledge, _lazy("Only members can follow."))
# Posting, commenting, supporting: the refusal says why (suspended until when, banned, ...).
rule("knowledge.contribute", can_participate, _participation_refusal)
rule("knowledge.staff", is_knowledge_staff, _lazy("Only staff can do this."))
rule(
    "knowledge.respond_officially",
    is_knowledge_staff,
    _lazy("Only staff can give an official response."),
)
rule("knowledge.move_status", is_knowledge_staff, _lazy("Only staff can change the status."))
rule("knowledge.lock_discussion", is_knowledge_staff, _lazy("Only staff can lock discussions."))
rule("knowledge.evaluate", is_knowledge_staff, _lazy("Only staff can evaluate."))
rule("knowledge.triage", is_knowledge_staff, _lazy("Only staff can triage."))
rule("knowledge.view_scorecards", is_knowledge_staff, _lazy("Only staff see scorecards."))
rule("knowledge.manage", can_manage_community, _lazy("Only managers can do this."))
rule("knowledge.design_toolkit", can_manage_community, _lazy("Only managers can design toolkits."))
rule("knowledge.edit_toolkit", can_manage_community, _lazy("Only managers can edit toolkits."))
rule("knowledge.pose_challenge", can_manage_community, _lazy("Only managers can pose challenges."))
rule(
    "knowledge.define_scorecard",
    can_manage_community,
    _lazy("Only managers can define scorecards."),
)
rule(
    "knowledge.view_contribution",
    can_view_contribution,
    _lazy("You cannot see this contribution."),
)
rule(
    "knowledge.view_discussion",
    can_view_discussion,
    _lazy("You cannot see this discussion."),
)
rule(
    "knowledge.edit_contribution",
    is_author & _on_community(can_participate) & is_editable_status,
    _lazy("Only the author can edit this contribution, and only before it is decided."),
)
rule(
    "knowledge.submit_contribution",
    is_author & _on_community(can_participate) & is_editable_status,
    _lazy("You cannot submit this."),
)
# One's own idea is implicitly supported: a support is another member's (and earns no points).
rule(
    "knowledge.support_contribution",
    _on_community(can_participate) & ~is_author,
    _support_refusal,
)
rule(
    "knowledge.edit_comment",
    is_comment_author & _on_comment_community(can_participate),
    _comment_edit_refusal,
)
rule(
    "knowledge.mark_helpful",
    is_author_of_commented_contribution | _on_comment_community(is_knowledge_staff),
    _lazy("Only the author of the contribution or staff can do this."),
)
