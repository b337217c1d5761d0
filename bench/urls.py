"""Every production route, plus /bench/bare: a view that touches neither database nor cache,
so its throughput is what the middleware stack and gunicorn alone can do (the baseline)."""

from django.http import HttpResponse
from django.urls import include, path

from cocreate.urls import handler400, handler403, handler404, handler500  # noqa: F401 — as served


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("", include("cocreate.urls")),
]
