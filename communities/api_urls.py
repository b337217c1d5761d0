"""API routes for communities, memberships, join requests and invitations (under /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("communities/", api.CommunityListView.as_view(), name="api-community-list"),
    path(
        "communities/<slug:slug>/",
        api.CommunityDetailView.as_view(),
        name="api-community-detail",
    ),
    path(
        "communities/<slug:slug>/join/",
        api.CommunityJoinView.as_view(),
        name="api-community-join",
    ),
    path(
        "communities/<slug:slug>/leave/",
        api.CommunityLeaveView.as_view(),
        name="api-community-leave",
    ),
    path(
        "communities/<slug:slug>/members/",
        api.MemberListView.as_view(),
        name="api-member-list",
    ),
    path(
        "communities/<slug:slug>/members/<int:membership_id>/",
        api.MemberDetailView.as_view(),
        name="api-member-detail",
    ),
    path(
        "communities/<slug:slug>/mentions/",
        api.MentionSuggestionsView.as_view(),
        name="api-mention-suggestions",
    ),
    path(
        "communities/<slug:slug>/join-requests/",
        api.JoinRequestListView.as_view(),
        name="api-join-request-list",
    ),
    path(
        "communities/<slug:slug>/join-requests/<int:membership_id>/approve/",
        api.JoinRequestApproveView.as_view(),
        name="api-join-request-approve",
    ),
    path(
        "communities/<slug:slug>/join-requests/<int:membership_id>/decline/",
        api.JoinRequestDeclineView.as_view(),
        name="api-join-request-decline",
    ),
    path(
        "communities/<slug:slug>/invitations/",
        api.InvitationListView.as_view(),
        name="api-invitation-list",
    ),
    path(
        "communities/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        api.InvitationRevokeView.as_view(),
        name="api-invitation-revoke",
    ),
    path(
        "invitations/accept/",
        api.InvitationAcceptView.as_view(),
        name="api-invitation-accept",
    ),
    path("me/memberships/", api.MyMembershipListView.as_view(), name="api-my-memberships"),
]
