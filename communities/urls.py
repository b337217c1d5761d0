from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("communities/", views.directory, name="directory"),
    path("communities/new/", views.create, name="create"),
    path("me/communities/", views.mine, name="mine"),
    path("c/<slug:slug>/", views.home, name="home"),
    path("c/<slug:slug>/join/", views.join, name="join"),
    path("c/<slug:slug>/leave/", views.leave, name="leave"),
    path("c/<slug:slug>/members/", views.members, name="members"),
    path("c/<slug:slug>/members/<int:person_id>/", views.member, name="member"),
    path("c/<slug:slug>/manage/requests/", views.requests, name="requests"),
    path(
        "c/<slug:slug>/manage/requests/<int:pk>/",
        views.request_decide,
        name="request_decide",
    ),
    path(
        "c/<slug:slug>/manage/members/<int:pk>/role/",
        views.member_role,
        name="member_role",
    ),
    path("c/<slug:slug>/manage/invitations/", views.invitations, name="invitations"),
    path(
        "c/<slug:slug>/manage/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("c/<slug:slug>/manage/settings/", views.community_settings, name="settings"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
