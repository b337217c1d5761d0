from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("c/<slug:slug>/ideas/", views.feed, name="feed"),
    path("c/<slug:slug>/search/", views.search, name="search"),
    path("c/<slug:slug>/ideas/new/", views.contribute, name="contribute"),
    path("c/<slug:slug>/ideas/<int:pk>/", views.contribution, name="contribution"),
    path("c/<slug:slug>/ideas/<int:pk>/edit/", views.edit, name="edit"),
    path("c/<slug:slug>/ideas/<int:pk>/submit/", views.submit, name="submit"),
    path("c/<slug:slug>/ideas/<int:pk>/support/", views.support, name="support"),
    path("c/<slug:slug>/ideas/<int:pk>/follow/", views.follow, name="follow"),
    path("c/<slug:slug>/ideas/<int:pk>/status/", views.status, name="status"),
    path("c/<slug:slug>/ideas/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("c/<slug:slug>/ideas/<int:pk>/lock/", views.lock, name="lock"),
    path("c/<slug:slug>/ideas/<int:pk>/comments/", views.comment, name="comment"),
    path("c/<slug:slug>/comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("c/<slug:slug>/comments/<int:pk>/helpful/", views.comment_helpful, name="comment_helpful"),
    path("c/<slug:slug>/comments/<int:pk>/replies/", views.replies, name="replies"),
    path("c/<slug:slug>/challenges/", views.challenges, name="challenges"),
    path("c/<slug:slug>/challenges/new/", views.challenge_new, name="challenge_new"),
    path("c/<slug:slug>/challenges/<int:pk>/", views.challenge, name="challenge"),
    path("c/<slug:slug>/challenges/<int:pk>/edit/", views.challenge_edit, name="challenge_edit"),
    path(
        "c/<slug:slug>/challenges/<int:pk>/comments/",
        views.challenge_comment,
        name="challenge_comment",
    ),
    path(
        "c/<slug:slug>/challenges/<int:pk>/follow/",
        views.challenge_follow,
        name="challenge_follow",
    ),
    path("c/<slug:slug>/challenges/<int:pk>/lock/", views.challenge_lock, name="challenge_lock"),
    path("c/<slug:slug>/toolkits/", views.toolkits, name="toolkits"),
    path("c/<slug:slug>/toolkits/<int:pk>/", views.toolkit_edit, name="toolkit_edit"),
    path("c/<slug:slug>/triage/", views.triage, name="triage"),
    path("c/<slug:slug>/scorecards/", views.scorecards, name="scorecards"),
]
