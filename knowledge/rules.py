"""Who may do what with knowledge. Contributions are visible to a community's members only.

| action                         | outsider | member | moderator | manager | org staff | admin |
|--------------------------------|----------|--------|-----------|---------|-----------|-------|
| view_knowledge (feed, items)   |          | ✓      | ✓         | ✓       | ✓         | ✓     |
| contribute, comment, support   |          | ✓ (1)  | ✓         | ✓       |           |       |
| view a draft                   |          | author | author    | author  | ✓ (2)     | ✓ (2) |
| view hidden / held content (3) |          | author | ✓         | ✓       | ✓         | ✓     |
| edit a contribution            |          | author | author    | author  |           |       |
| official response, evaluate,   |          |        | ✓         | ✓       | ✓         | ✓     |
|   move status, lock threads    |          |        |           |         |           |       |
| manage toolkits, challenges,   |          |        |           | ✓       | ✓         | ✓     |
|   scorecards                   |          |        |           |         |           |       |

(1) active members; suspended members read but do not write.
(2) staff see drafts only through the triage tools, never in the public feed.
(3) a contribution or comment a moderator hid, or one waiting for review (pre-moderation or
    reports): its author and the community's moderators open it, with the reason; to anyone
    else a contribution answers 404 and a hidden comment reads "Removed by a moderator.".
"""

import rules

from communities.rules import (
    can_manage_community,
    can_moderate_community,
    is_member,
    is_member_in_good_or_suspended_standing,
    is_org_staff,
    is_platform_admin,
)

from .models import Contribution, ModerationState

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
    (is_published & is_moderation_visible) | is_author | _on_community(is_knowledge_staff)
)
EDITABLE_STATUSES = (
    Contribution.Status.DRAFT,
    Contribution.Status.SUBMITTED,
    Contribution.Status.UNDER_REVIEW,
)


@rules.predicate
def is_editable_status(user, contribution: Contribution) -> bool:
    return contribution.status in EDITABLE_STATUSES


rules.add_perm("knowledge.view_knowledge", can_view_knowledge)
rules.add_perm("knowledge.contribute", can_participate)
rules.add_perm("knowledge.staff", is_knowledge_staff)
rules.add_perm("knowledge.manage", can_manage_community)
rules.add_perm("knowledge.view_contribution", can_view_contribution)
rules.add_perm(
    "knowledge.edit_contribution",
    is_author & _on_community(can_participate) & is_editable_status,
)
