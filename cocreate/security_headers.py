"""Headers every dynamic response carries: a Content-Security-Policy (scripts only from this
site, never inline), a Permissions-Policy (no camera, microphone, location, payment...), and
``Cache-Control: private`` — every page and API answer here depends on who asks (their
name in the header, their CSRF token in each form), so no shared cache may keep one.

The policies are settings (``CONTENT_SECURITY_POLICY``, ``PERMISSIONS_POLICY``) so an operator
can extend them (e.g. a reporting endpoint); a view that sets its own headers keeps them.
Static files (WhiteNoise, before this middleware) carry their own long-lived caching headers.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        if self.permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions
        cache_control = response.get("Cache-Control", "")
        if "public" not in cache_control and "private" not in cache_control:
            patch_cache_control(response, private=True)
        return response
