"""Whole responses cached per viewer and URL, served while the data behind them is unchanged.

A busy page is read far more often than what it shows changes. Each cached response records
the generation tokens (see ``cocreate.generations``) of the scopes it was built from — the
community, the viewer, the directory — and is served only while every one of them is still
current; any committed change to that data replaces the token, so the very next request builds
the page afresh. A hit costs one or two cache round trips and no database query.

The key holds everything else a page depends on: the viewer (user id, or anonymous), the full
URL, language, time zone, URL prefix and the deployed templates. The CSRF token is a
placeholder in the cached copy and each response gets its viewer's own (which also sets the
CSRF cookie, as rendering the token does). Responses carrying a one-time message, htmx
partials, anything but a 200, any non-GET request and URLs with query parameters the page does
not read are never cached. Values live minutes, not hours: that bounds "x minutes ago" texts
and a bump lost to a cache outage.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpResponse
from django.middleware.csrf import get_token

from . import generations

TIMEOUT = 120
CSRF_PLACEHOLDER = "__cocreate-csrf-token-placeholder__"


def key_for(request, *parts: Any) -> str:
    """The cache key of what ``request``'s viewer gets at this URL (plus ``parts``): built
    like a fragment's key, so language, time zone, URL prefix and deployed templates count."""
    from communities.views_fragments import fragment_key

    user = getattr(request, "user", None)
    viewer = user.pk if user is not None and user.is_authenticated else 0
    return fragment_key((), ("page", viewer, request.get_full_path(), parts))


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


def page(
    request,
    *,
    scopes: Iterable[str] | Callable[[], Iterable[str]],
    build: Callable[[], HttpResponse],
    known: Iterable[str] = (),
):
    """``build()``'s response, or the copy cached for this viewer and URL while its scopes
    (see ``cached``; the viewer's own is added) are unchanged. ``build`` must render through
    the request (``render``) so the CSRF token comes from the context processor this module
    steers to a placeholder. ``known`` names the query parameters the page reads besides
    ``cursor``; a request with any other is built but not cached."""
    if not may_cache(request, {*known, "cursor"}):
        return fill_csrf(request, build())

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
            # Built with the placeholder: put this viewer's token in before it leaves.
            return response, False
        return (response.content.decode(), response["Content-Type"]), True

    # Every page shows its viewer (name, bell, memberships): their scope always counts.
    user = getattr(request, "user", None)
    viewer = [generations.user(user.pk)] if user is not None and user.is_authenticated else []
    if callable(scopes):
        result = cached(key_for(request), lambda: [*scopes(), *viewer], render)
    else:
        result = cached(key_for(request), [*scopes, *viewer], render)
    if isinstance(result, HttpResponse):  # built, not stored: its placeholders filled here
        return fill_csrf(request, result)
    body, content_type = result
    return HttpResponse(
        body.replace(CSRF_PLACEHOLDER, get_token(request)), content_type=content_type
    )


def fill_csrf(request, response):
    """Put this viewer's CSRF token where cached fragments left the placeholder — unless the
    response is being built to be cached (then ``page`` fills it in on every response)."""
    if getattr(request, "cocreate_csrf_placeholder", False) or response.streaming:
        return response
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in response.content:
        response.content = response.content.replace(placeholder, get_token(request).encode())
    return response


def csrf_placeholder(request) -> dict:
    """Context processor: while ``page`` builds a response to cache, templates render the
    CSRF placeholder instead of this viewer's token (listed after Django's own ``csrf``)."""
    if getattr(request, "cocreate_csrf_placeholder", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}
