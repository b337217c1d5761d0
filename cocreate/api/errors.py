"""One shape for every API error: ``{"detail": "...", "code": "...", "errors": {field: [...]}}``.

Domain errors raised by services map to the status that means what happened:
ValidationError 400, PermissionDenied 403, Http404 404, Conflict 409, throttling and
RateLimited 429. A 429 carries ``Retry-After`` (seconds) and, for RateLimited, the same number
as ``retry_after`` in the body: ``{"detail", "code": "rate_limited", "retry_after"}``.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cocreate.errors import Conflict, RateLimited


def _validation_payload(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        first = next(iter(errors.values()))[0] if errors else ""
        return {"detail": first, "code": "invalid", "errors": errors}
    messages = [str(m) for m in exc.messages]
    return {
        "detail": " ".join(messages),
        "code": getattr(exc, "code", None) or "invalid",
        "errors": {"non_field_errors": messages},
    }


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors for lists and nested serializers; the API promises field -> [messages].

    ``{"tags": {0: ["Too long."]}}`` becomes ``{"tags.0": ["Too long."]}``.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        for index, value in enumerate(errors):
            if value:
                flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items = errors if isinstance(errors, list) else [errors]
        flat[prefix or "non_field_errors"] = [str(item) for item in items]
    return flat


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(_validation_payload(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RateLimited):
        return Response(
            {"detail": exc.message, "code": "rate_limited", "retry_after": exc.retry_after},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(data if isinstance(data, dict) else {"non_field_errors": data})
        first = next(iter(errors.values()), [""])
        detail = first[0] if first else ""
        response.data = {"detail": str(detail), "code": "invalid", "errors": errors}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {
            "detail": str(data["detail"]),
            "code": getattr(data["detail"], "code", None) or exc.default_code,
        }
    return response
