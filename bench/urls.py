"""Every production route, plus /bench/bare: a view that touches neither database nor cache,
so its throughput is what the middleware stack and gunicorn alone can do (the baseline)."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("", include("cocreate.urls")),
]
