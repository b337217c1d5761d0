"""``Idempotency-Key`` on every API write: a retried request answers what the first one did.

Every API view (``ApiView``) takes the header on POST, PUT, PATCH and DELETE:

- a first request with a key runs as usual; its response (status, body, ``Content-Type``,
  ``Location`` and the like) is stored with the key, in the same transaction as what the view
  wrote, when it is a 2xx or a 4xx other than 409 and 429;
- the same key again, with the same method, path (and query) and body, from the same user
  (anonymous clients: the same address) answers the stored response without running the view,
  marked ``Idempotent-Replayed: true``; authentication, permissions, throttles and the
  community's access checks still run first;
- the same key with another method, path or body: 422 ``idempotency_key_reused``;
- while a concurrent request with the key is still running, the retry waits for it (up to
  ``IDEMPOTENCY_WAIT`` seconds) and replays its response; still running after that: 409
  ``idempotency_key_in_use`` with ``Retry-After``;
- a 5xx, 409 or 429, an exception or a killed worker stores nothing (the writes of a request
  that failed are rolled back with its key): the client retries with the same key;
- keys are 1 to 255 printable ASCII characters without spaces, else 400
  ``idempotency_key_invalid``; they expire ``IDEMPOTENCY_TTL`` seconds (24 hours) after the
  first request, then the key is new again.

Rows: ``cocreate.idempotency.models.IdempotencyKey``. ``schema_hook`` documents the header on
every write operation of the OpenAPI schema.
"""

import hashlib
import re
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from cocreate.idempotency import services

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_LENGTH = 255
_VALID = re.compile(r"[\x21-\x7e]{1,%d}" % MAX_LENGTH)  # noqa: UP031 — a regex quantifier
# Response headers a replay repeats (Vary and the security headers are set again on the way out).
_KEPT = (
    "Content-Type",
    "Content-Language",
    "Content-Disposition",
    "Location",
    "Link",
    "ETag",
    "Last-Modified",
    "Allow",
)


class InvalidKey(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "idempotency_key_invalid"
    default_detail = _(
        "The Idempotency-Key header must be 1 to 255 printable ASCII characters, without spaces."
    )


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _(
        "This Idempotency-Key was already used for a different request (method, path or body). "
        "Use a new key for a new request."
    )


class KeyInUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_use"
    default_detail = _(
        "A request with this Idempotency-Key is still being processed. Retry in a moment."
    )
    wait = 1  # DRF's exception handler sends it as Retry-After


class _Replay(Exception):  # noqa: N818 — not an error: the answer, found before the view ran
    def __init__(self, response: HttpResponse) -> None:
        super().__init__()
        self.response = response


def replayable(status_code: int) -> bool:
    """Whether a response with this status is stored for replay (2xx, 4xx but 409 and 429)."""
    return 200 <= status_code < 300 or (400 <= status_code < 500 and status_code not in (409, 429))


def _owner(request) -> tuple[str, int | None]:
    user = request.user
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}", user.pk
    ident = BaseThrottle().get_ident(request) or ""
    return "a:" + hashlib.sha256(ident.encode()).hexdigest()[:40], None


def _body(request) -> bytes:
    try:
        return request.body
    except RawPostDataException:
        # A multipart form already parsed (the session's CSRF check reads it): its fields.
        return urlencode(sorted(request._request.POST.lists()), doseq=True).encode()


def _replayed(row) -> HttpResponse:
    response = HttpResponse(bytes(row.response_body), status=row.response_status)
    headers = row.response_headers or {}
    if "Content-Type" not in headers:
        del response["Content-Type"]
    for name, value in headers.items():
        response[name] = value
    response[REPLAYED] = "true"
    return response


class IdempotentWrites(APIView):
    """The ``Idempotency-Key`` behaviour of ``ApiView`` (see the module's docstring).

    A write with the header runs in one transaction: the key's row, what the view writes and
    the stored response commit together. ``claim_idempotency_key`` is called by
    ``ApiView.initial`` once every check of the request has passed, just before the handler.
    """

    _idempotency_claim: int | None = None
    # False for a view whose answers must never be kept or replayed (the header is ignored).
    idempotent_writes: ClassVar[bool] = True

    def dispatch(self, request, *args: Any, **kwargs: Any):
        self._idempotency_claim = None
        if self.idempotent_writes and request.method in WRITES and HEADER in request.headers:
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def claim_idempotency_key(self, request) -> None:
        """Claim the request's key, or raise the stored answer (``_Replay``), 400, 409 or 422."""
        key = request.headers.get(HEADER)
        if not self.idempotent_writes or request.method not in WRITES or key is None:
            return
        if not _VALID.fullmatch(key):
            raise InvalidKey
        owner, user_id = _owner(request)
        try:
            claim = services.api_claim(
                owner=owner,
                user_id=user_id,
                key=key,
                method=request.method,
                path=request.get_full_path(),
                body=_body(request),
            )
        except services.KeyReused:
            raise KeyReused from None
        except services.KeyInUse:
            raise KeyInUse from None
        if claim.replay is not None:
            raise _Replay(_replayed(claim.replay))
        self._idempotency_claim = claim.claimed

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args: Any, **kwargs: Any):
        response = super().finalize_response(request, response, *args, **kwargs)
        claimed, self._idempotency_claim = self._idempotency_claim, None
        if claimed is None:
            return response
        if response.streaming or not replayable(response.status_code):
            services.api_release(claimed=claimed)
            return response
        if hasattr(response, "render"):
            response.render()
        services.api_complete(
            claimed=claimed,
            status=response.status_code,
            headers={name: response[name] for name in _KEPT if response.has_header(name)},
            body=bytes(response.content),
        )
        return response


# --- OpenAPI ------------------------------------------------------------------------------------

PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": r"^[!-~]+$"},
    "description": (
        "Makes a retry safe: the same key with the same method, path and body answers the "
        "first response again (marked `Idempotent-Replayed: true`) without doing it twice. "
        "The same key with another request: 422; while the first is still running: it waits "
        "up to a few seconds, then 409 with `Retry-After`. Only 2xx and 4xx answers (not 409 "
        "or 429) are kept; keys are per user (anonymous: per address) and expire after 24 "
        "hours. 1-255 printable ASCII characters, e.g. a UUID; invalid: 400."
    ),
}
_RESPONSES = {
    "409": "A request with this Idempotency-Key is still being processed; retry after "
    "`Retry-After` seconds (or the current state forbids the action).",
    "422": "The Idempotency-Key was already used for a different request.",
}


def schema_hook(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every write operation lists the header, and its
    409 and 422 answers in the API's error shape."""
    error = {"$ref": "#/components/schemas/Error"}
    has_error = "Error" in result.get("components", {}).get("schemas", {})
    ignored = {
        (path, method.lower())
        for path, _regex, method, view in getattr(generator, "endpoints", None) or ()
        if not getattr(getattr(view, "cls", None), "idempotent_writes", True)
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method.upper() not in WRITES or (path, method) in ignored:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == HEADER and p.get("in") == "header" for p in parameters):
                parameters.append(dict(PARAMETER))
            responses = operation.setdefault("responses", {})
            for code, description in _RESPONSES.items():
                if code not in responses:
                    answer: dict = {"description": description}
                    if has_error:
                        answer["content"] = {"application/json": {"schema": error}}
                    responses[code] = answer
    return result
