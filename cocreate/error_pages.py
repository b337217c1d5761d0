"""What Django itself answers when a request fails outside a view's own handling (a body too
large, a URL nothing matches, a CSRF failure, an unhandled exception): the site's pages for
people, and under ``/api/`` the API's one error shape (``{"detail", "code"}``, see
``cocreate.api.errors``) instead of an HTML page a client cannot read."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def body_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """413: the body is larger than ``limit`` bytes (``cocreate.request_size``)."""
    detail = _("The request body is too large (at most %(limit)s bytes).") % {"limit": limit}
    if _api(request):
        return _json(detail, "request_too_large", 413)
    # Standalone (not base.html): the request is answered before sessions and sign-in ran.
    return render(request, "413.html", {"detail": detail}, status=413)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return body_too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    if _api(request):
        return _json(
            _("The request could not be read (too large or malformed)."), "bad_request", 400
        )
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _json(_("You do not have permission to do this."), "permission_denied", 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _json(_("Not found."), "not_found", 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _api(request):
        return _json(_("Something went wrong on our side; it was logged."), "server_error", 500)
    return defaults.server_error(request)
