"""REST API for knowledge (under /api/v1/): toolkits, challenges, contributions and their
lifecycle, dialogue, supports, follows, evaluations, search and the staff triage board.

Reads go through ``knowledge.selectors``, which authorize as they fetch: a community's
knowledge answers 404 to anyone who is not inside it (the same 404 as for a missing id), and
drafts are seen by their author and staff only. Moderation applies the same way: hidden and held
contributions answer 404 to anyone but their author and the community's moderators, and a
hidden comment reads ``removed: true`` (no body, no author) to everyone else. Every state
change is an explicit view that checks the caller's right first (so a forbidden request never
reads as 400), validates the body, and calls one service in ``knowledge.services``. Lists are
cursor-paginated.
"""

from .challenges import ChallengeDetailView, ChallengeListView, ChallengePhaseView
from .contributions import (
    ContributionDetailView,
    ContributionListView,
    ContributionSubmitView,
    StatusView,
    SupportView,
)
from .dialogue import (
    ChallengeCommentsView,
    CommentHelpfulView,
    CommentRepliesView,
    CommentView,
    ContributionCommentsView,
    FollowView,
    LockView,
)
from .evaluation import EvaluationsView, ScorecardListView, TriageView
from .search import SearchView
from .toolkits import ToolkitDetailView, ToolkitListView

__all__ = [
    "ChallengeCommentsView",
    "ChallengeDetailView",
    "ChallengeListView",
    "ChallengePhaseView",
    "CommentHelpfulView",
    "CommentRepliesView",
    "CommentView",
    "ContributionCommentsView",
    "ContributionDetailView",
    "ContributionListView",
    "ContributionSubmitView",
    "EvaluationsView",
    "FollowView",
    "LockView",
    "ScorecardListView",
    "SearchView",
    "StatusView",
    "SupportView",
    "ToolkitDetailView",
    "ToolkitListView",
    "TriageView",
]
