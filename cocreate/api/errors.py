"""One shape for every API error: ``{"detail": "...", "code": "...", "errors": {field: [...]}}``.

Domain errors raised by services map to the status that means what happened:
ValidationError 400, PermissionDenied 403, Http404 404, Conflict 409, throttling 429.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cocreate.errors import Conflict


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


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(_validation_payload(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        first = next(iter(errors.values()), [""])
        detail = first[0] if isinstance(first, list) and first else str(first)
        response.data = {"detail": str(detail), "code": "invalid", "errors": errors}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {
            "detail": str(data["detail"]),
            "code": getattr(data["detail"], "code", None) or exc.default_code,
        }
    return response
