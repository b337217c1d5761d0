"""REST API for the signed-in person: their profile and their API token."""

import zoneinfo

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from cocreate.api.schema import error_responses
from cocreate.api.throttling import ScopedRateThrottle
from cocreate.api.views import ApiView

from . import services
from .models import User
from .types import AuthenticatedRequest

PROFILE_FIELDS = ("display_name", "bio", "expertise_tags", "locale", "timezone")


class ProfileSerializer(serializers.ModelSerializer):
    """The signed-in person's own profile. The email address is shown to them only."""

    expertise_tags = serializers.ListField(
        child=serializers.CharField(max_length=services.MAX_TAG_LENGTH),
        max_length=services.MAX_EXPERTISE_TAGS,
        required=False,
        help_text=_("Up to 12 tags; stored lower-case, trimmed and de-duplicated."),
    )
    locale = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    timezone = serializers.CharField(
        max_length=64, required=False, help_text=_("An IANA time zone, e.g. Europe/Berlin.")
    )

    class Meta:
        model = User
        fields = ("id", "email", "public_name", *PROFILE_FIELDS)
        read_only_fields = ("id", "email", "public_name")
        extra_kwargs = {
            "display_name": {"required": False},
            "bio": {"required": False},
        }

    def validate_timezone(self, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(_("Choose a time zone from the list."))
        return value


class MeView(ApiView):
    """The signed-in person's profile."""

    serializer_class = ProfileSerializer

    @extend_schema(
        operation_id="me_retrieve",
        responses={200: ProfileSerializer, **error_responses()},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        """Return the signed-in person's profile."""
        return Response(ProfileSerializer(request.user).data)

    @extend_schema(
        operation_id="me_update",
        request=ProfileSerializer,
        responses={200: ProfileSerializer, **error_responses(400)},
    )
    def patch(self, request: AuthenticatedRequest) -> Response:
        """Change some or all of the profile fields; fields left out keep their value."""
        user = request.user
        serializer = ProfileSerializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {field: getattr(user, field) for field in PROFILE_FIELDS}
        values.update(serializer.validated_data)
        user = services.profile_update(user=user, **values)
        return Response(ProfileSerializer(user).data)


class CredentialsSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(max_length=4096, trim_whitespace=False)

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]._request
        email = attrs["email"].strip().lower()
        # Through allauth's adapter, as the sign-in page does: the same failed-attempt limits
        # (per address, and per account from any address) count both doors.
        try:
            user = get_adapter(request).authenticate(
                request, email=email, password=attrs["password"]
            )
        except DjangoValidationError as refused:
            if getattr(refused, "code", None) == "too_many_login_attempts":
                raise Throttled(
                    detail=_("Too many failed attempts to sign in. Try again in a few minutes.")
                ) from None
            raise
        if user is None or not user.is_active:
            # One message for a wrong email and a wrong password: no account enumeration.
            raise serializers.ValidationError(
                _("The email address and password do not match an account."), code="credentials"
            )
        if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
            raise serializers.ValidationError(
                _("Confirm your email address first; we sent you a link."), code="unverified"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as `Authorization: Token <token>`."))


class TokenView(ApiView):
    """Exchange email and password for an API token, or revoke the caller's token."""

    serializer_class = CredentialsSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    # Its answer is a credential: never kept in the idempotency table nor replayed (a token
    # revoked since would come back). Both operations are idempotent by nature anyway.
    idempotent_writes = False

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_authenticators(self):
        # Credentials are in the body; a stale session must not demand a CSRF token here.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        operation_id="auth_token_create",
        request=CredentialsSerializer,
        responses={200: TokenSerializer, **error_responses(400)},  # 429 too: every operation
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Check email and password and return the person's API token (the same one each time).

        Throttled per client address with the ``token`` rate, and refused (429) while the
        sign-in page refuses the account or the address after too many wrong passwords (the
        same counters, whichever door they were tried at). Unverified email addresses get no
        token.
        """
        serializer = CredentialsSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        key = services.api_token_issue(user=serializer.validated_data["user"])
        return Response({"token": key})

    @extend_schema(
        operation_id="auth_token_destroy",
        request=None,
        responses={204: OpenApiResponse(description="The token is revoked."), **error_responses()},
    )
    def delete(self, request: AuthenticatedRequest) -> Response:
        """Revoke the caller's API token; later requests with it get 401."""
        services.api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
