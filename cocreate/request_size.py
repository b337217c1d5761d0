"""Bodies larger than any request of this site are refused before a view reads them, and
answered so the client can read the answer.

No form or API operation here takes a file, so every body is bounded by
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's limit for form data; DRF's parsers read a body
without it). A larger ``Content-Length`` is answered 413, as JSON under ``/api/`` and as the
site's page elsewhere (``cocreate.error_pages``). A server that answers and closes while the
client is still sending makes the client's TCP stack see a reset instead of the answer (that
is what a 10 MB body got), so the body is first read and dropped, up to ``DRAIN_LIMIT``;
beyond that the answer says ``Connection: close`` and the client may see a reset — such a
client is not one a person drives.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .error_pages import body_too_large

DRAIN_LIMIT = 32 * 1024 * 1024  # bytes read and dropped so the client can read the 413
_CHUNK = 256 * 1024


def declared_length(request: HttpRequest) -> int:
    """The body's declared length (0 when absent or malformed; Django reads no more then)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def drain(request: HttpRequest, length: int) -> None:
    """Read and drop up to ``length`` bytes of the body (a client that sends less is done)."""
    left = length
    while left > 0:
        chunk = request.read(min(_CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = declared_length(request)
        if limit is None or length <= limit:
            return self.get_response(request)
        response = body_too_large(request, limit)
        if length <= DRAIN_LIMIT:
            drain(request, length)
        else:
            response["Connection"] = "close"
        return response
