from django.http import HttpResponse

from . import selectors


def directory(request):
    return HttpResponse("directory")


def mine(request):
    return HttpResponse("mine")


def home(request, slug):
    community = selectors.community_get(user=request.user, slug=slug)
    return HttpResponse(community.name)


def invitation(request, token):
    return HttpResponse("invitation")
