"""Schema helpers: the one error shape every endpoint documents, per status code."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .views import MAX_ID

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The request body or parameters are invalid; ``errors`` names each field.",
    401: "Not signed in: send a session cookie or ``Authorization: Token <key>``.",
    403: "Signed in, but this action is not allowed for you.",
    404: "Not found, or not visible to you (a private community answers 404 to outsiders).",
    409: "Valid, but the current state forbids it (already a member, invitation used, ...).",
    429: "Too many requests; retry after the number of seconds in ``Retry-After``.",
}


class ErrorSerializer(serializers.Serializer):
    """``{"detail": "...", "code": "...", "errors": {field: [messages]}}`` (errors: 400 only)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class RateLimitedSerializer(serializers.Serializer):
    """``{"detail": "...", "code": "rate_limited", "retry_after": seconds}``."""

    detail = serializers.CharField()
    code = serializers.CharField()
    retry_after = serializers.IntegerField(
        required=False, min_value=1, help_text="Seconds to wait (also in ``Retry-After``)."
    )


# Documented on operations whose 429 says how long to wait (new posts and comments).
RETRY_AFTER_HEADER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)


def error_responses(*codes: int, rate_limited: bool = False) -> dict[int, OpenApiResponse]:
    """Responses for ``extend_schema(responses=...)``; 401 and 429 are added to every one.

    ``rate_limited``: the operation creates posts under the community's rate limits, so its 429
    says how long to wait (``retry_after``); add ``RETRY_AFTER_HEADER`` to its parameters."""
    wanted = sorted({*codes, 401, 429})
    responses = {
        code: OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in wanted
    }
    if rate_limited:
        responses[429] = OpenApiResponse(
            response=RateLimitedSerializer,
            description=ERROR_DESCRIPTIONS[429]
            + " New posts are limited per member and per address, more tightly for new members.",
        )
    return responses


# Path parameters shared by every app's endpoints.
SLUG_PARAM = OpenApiParameter(
    "slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=r"^[-a-zA-Z0-9_]+$",
    description="The community's address.",
)


def id_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        OpenApiParameter.PATH,
        description=description,
    )
