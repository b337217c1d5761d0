"""Whole responses cached per viewer and URL, served while the data behind them is unchanged.

A busy page is read far more often than what it shows changes. A view declares what its page
depends on and nothing else::

    @cached_page(scopes=lambda request, slug: community_scopes(slug), params={"sort"})
    def feed(request, slug): ...

Each cached response records the generation tokens (see ``generations``) of those scopes and
of the viewer's own, and is served only while every one of them is still current; any
committed change to that data replaces a token, so the very next request builds the page
afresh. A hit costs one or two cache round trips and no database query.

The key holds everything else a page depends on: the viewer (user id, or anonymous), the full
URL, language, time zone, URL prefix and the deployed templates. While a page is built to be
cached, templates render a placeholder for the CSRF token (``csrf_placeholder``), and every
response — cached or not — gets its viewer's own (which also sets the CSRF cookie, as
rendering the token does). Responses carrying a one-time message, htmx partials, anything but
a 200, any non-GET request and URLs with query parameters the page does not read are never
cached. Values live minutes, not hours: that bounds "x minutes ago" texts and a bump lost to a
cache outage.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpResponse
from django.middleware.csrf import get_token
from rest_framework.response import Response

from . import generations
from .fragments import CSRF_PLACEHOLDER, fragment_key

TIMEOUT = 120

# A view's scopes: a list known without asking the database (then the page and its tokens
# come in one round trip), or a function of the view's arguments called only when building.
Scopes = Iterable[str] | Callable[..., Iterable[str]]


def key_for(request, *parts: Any) -> str:
    """The cache key of what ``request``'s viewer gets at this URL (plus ``parts``): built
    like a fragment's key, so language, time zone, URL prefix and deployed templates count."""
    return fragment_key((), ("page", _viewer_id(request), request.get_full_path(), parts))


def cached(key: str, scopes, build: Callable[[], tuple[Any, bool]]) -> Any:
    """``generations.cached`` with the page cache's lifetime (see there)."""
    return generations.cached(key, scopes, build, timeout=TIMEOUT)


def may_cache(request, known: Iterable[str] | None = None) -> bool:
    """A GET (or HEAD) of a whole page that no one-time message waits for, whose query string
    holds only parameters the page knows (``known``): made-up parameters would otherwise make
    endless copies of the same page."""
    if request.method not in ("GET", "HEAD") or getattr(request, "htmx", False):
        return False
    if known is not None and not set(request.GET).issubset(known):
        return False
    if "messages" in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return session is None or "_messages" not in session


def cached_page(*, scopes: Scopes, params: Iterable[str] = ()):
    """Serve the decorated view's page from the cache for this viewer and URL while
    ``scopes`` (and the viewer's own scope) are unchanged. ``scopes`` is a list, or a function
    taking the view's arguments (called only when the page is built). ``params`` names the
    query parameters the page reads besides ``cursor``; a request with any other is built but
    not cached. The view renders as usual (through the request, so the CSRF token comes from
    the context processors); it must answer the same to every request with the same URL and
    viewer."""
    known = frozenset({*params, "cursor"})

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not may_cache(request, known):
                return view(request, *args, **kwargs)
            if callable(scopes):
                page_scopes = lambda: scopes(request, *args, **kwargs)  # noqa: E731
            else:
                page_scopes = list(scopes)
            return _page(request, page_scopes, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorate


def _page(request, scopes, build: Callable[[], HttpResponse]) -> HttpResponse:
    def render() -> tuple[Any, bool]:
        request.cocreate_csrf_placeholder = True
        try:
            response = build()
        finally:
            request.cocreate_csrf_placeholder = False
        storable = (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not response.cookies
        )
        if not storable:
            return response, False
        return (response.content.decode(), response["Content-Type"]), True

    viewer = _viewer_scopes(request)
    if callable(scopes):
        result = cached(key_for(request), lambda: [*scopes(), *viewer], render)
    else:
        result = cached(key_for(request), [*scopes, *viewer], render)
    if isinstance(result, HttpResponse):  # built with the placeholder, not stored: fill it
        if not result.streaming:
            placeholder = CSRF_PLACEHOLDER.encode()
            if placeholder in result.content:
                token = get_token(request).encode()
                result.content = result.content.replace(placeholder, token)
        return result
    body, content_type = result
    return HttpResponse(
        body.replace(CSRF_PLACEHOLDER, get_token(request)), content_type=content_type
    )


def cached_api(*, scopes: Scopes, params: Iterable[str] = ()):
    """``cached_page`` for a DRF view method answering a ``Response``: its data is cached per
    caller and URL (links in it carry the scheme and host, so they count) while ``scopes`` and
    the caller's own scope are unchanged; only 200 answers are stored. ``scopes`` is a list or
    a function of the method's arguments (the view, the request, ...)."""
    known = frozenset(params)

    def decorate(method):
        @wraps(method)
        def wrapper(view, request, *args, **kwargs):
            if not set(request.query_params).issubset(known):
                return method(view, request, *args, **kwargs)  # made-up parameters: built

            def build_data() -> tuple[Any, bool]:
                response = method(view, request, *args, **kwargs)
                if response.status_code != 200:
                    return response, False
                return response.data, True

            if callable(scopes):
                api_scopes = lambda: [  # noqa: E731
                    *scopes(view, request, *args, **kwargs),
                    *_viewer_scopes(request),
                ]
            else:
                api_scopes = [*scopes, *_viewer_scopes(request)]
            key = key_for(request, "api", request.scheme, request.get_host())
            result = cached(key, api_scopes, build_data)
            return result if isinstance(result, Response) else Response(result)

        return wrapper

    return decorate


def _viewer_id(request) -> int:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else 0


def _viewer_scopes(request) -> list[str]:
    # Every page shows its viewer (name, bell, memberships): their scope always counts.
    viewer = _viewer_id(request)
    return [generations.user(viewer)] if viewer else []


def csrf_placeholder(request) -> dict:
    """Context processor: while a page is built to be cached, templates render the CSRF
    placeholder instead of this viewer's token (listed after Django's own ``csrf``)."""
    if getattr(request, "cocreate_csrf_placeholder", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}
