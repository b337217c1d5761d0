from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("communities/", views.directory, name="directory"),
    path("me/communities/", views.mine, name="mine"),
    path("c/<slug:slug>/", views.home, name="home"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
