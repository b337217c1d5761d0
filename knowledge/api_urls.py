"""API routes for knowledge (mounted under /api/v1/): toolkits, challenges, contributions,
dialogue, evaluation, search and triage. Every route is named ``api-knowledge-...``."""

from django.urls import path

from . import api

C = "communities/<slug:slug>"
CONTRIBUTION = f"{C}/contributions/<int:contribution_id>"
CHALLENGE = f"{C}/challenges/<int:challenge_id>"

urlpatterns = [
    # Toolkits
    path(f"{C}/toolkits/", api.ToolkitListView.as_view(), name="api-knowledge-toolkit-list"),
    path(
        f"{C}/toolkits/<int:toolkit_id>/",
        api.ToolkitDetailView.as_view(),
        name="api-knowledge-toolkit-detail",
    ),
    # Challenges
    path(f"{C}/challenges/", api.ChallengeListView.as_view(), name="api-knowledge-challenge-list"),
    path(f"{CHALLENGE}/", api.ChallengeDetailView.as_view(), name="api-knowledge-challenge-detail"),
    path(
        f"{CHALLENGE}/phase/",
        api.ChallengePhaseView.as_view(),
        name="api-knowledge-challenge-phase",
    ),
    path(
        f"{CHALLENGE}/comments/",
        api.ChallengeCommentsView.as_view(),
        name="api-knowledge-challenge-comments",
    ),
    # Contributions
    path(
        f"{C}/contributions/",
        api.ContributionListView.as_view(),
        name="api-knowledge-contribution-list",
    ),
    path(
        f"{CONTRIBUTION}/",
        api.ContributionDetailView.as_view(),
        name="api-knowledge-contribution-detail",
    ),
    path(
        f"{CONTRIBUTION}/submit/",
        api.ContributionSubmitView.as_view(),
        name="api-knowledge-contribution-submit",
    ),
    path(
        f"{CONTRIBUTION}/support/",
        api.SupportView.as_view(),
        name="api-knowledge-contribution-support",
    ),
    path(
        f"{CONTRIBUTION}/follow/",
        api.FollowView.as_view(),
        name="api-knowledge-contribution-follow",
    ),
    path(
        f"{CONTRIBUTION}/status/",
        api.StatusView.as_view(),
        name="api-knowledge-contribution-status",
    ),
    path(f"{CONTRIBUTION}/lock/", api.LockView.as_view(), name="api-knowledge-contribution-lock"),
    path(
        f"{CONTRIBUTION}/comments/",
        api.ContributionCommentsView.as_view(),
        name="api-knowledge-contribution-comments",
    ),
    path(
        f"{CONTRIBUTION}/evaluations/",
        api.EvaluationsView.as_view(),
        name="api-knowledge-contribution-evaluations",
    ),
    # Comments by id
    path("comments/<int:comment_id>/", api.CommentView.as_view(), name="api-knowledge-comment"),
    path(
        "comments/<int:comment_id>/replies/",
        api.CommentRepliesView.as_view(),
        name="api-knowledge-comment-replies",
    ),
    path(
        "comments/<int:comment_id>/helpful/",
        api.CommentHelpfulView.as_view(),
        name="api-knowledge-comment-helpful",
    ),
    # Search, triage, scorecards
    path(f"{C}/search/", api.SearchView.as_view(), name="api-knowledge-search"),
    path(f"{C}/triage/", api.TriageView.as_view(), name="api-knowledge-triage"),
    path(f"{C}/scorecards/", api.ScorecardListView.as_view(), name="api-knowledge-scorecard-list"),
]
