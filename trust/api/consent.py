"""REST API for trust and consent (under /api/v1/): the caller's consent state and history,
grant and withdraw, the uses of their contributions; a community's purposes (managers create,
draft and publish versions), a contribution's restrictions (its author sets them) and the
community's uses (staff list, managers record).

Reads go through ``trust.selectors``, which authorize as they fetch; a community the caller may
not see answers 404, one they see but may not act in 403 before the body is read. Every state
change is an explicit view calling one service in ``trust.services``; a refused use answers 409
with the reason as ``code`` (``no_consent``, ``withdrawn``, ``outdated``, ``restricted``,
``archived``, ``unpublished``).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.schema import SLUG_PARAM, error_responses, id_param
from cocreate.api.views import MAX_ID, ApiView, check_id
from cocreate.errors import PermissionDenied
from cocreate.permissions import allowed
from communities.api import PersonSerializer
from communities.api_base import CommunityEndpoint
from knowledge.access import access_contribution
from knowledge.models import Contribution

from .. import selectors, services
from ..models import Channel, ConsentEvent, ConsentPurpose, PurposeVersion, UsageRecord

PURPOSE_ID = id_param("purpose_id", "The purpose's id.")
CONTRIBUTION_ID = id_param("contribution_id", "The contribution's id.")


def _fake(view) -> bool:
    return getattr(view, "swagger_fake_view", False)


class EventsFirst(CursorPagination):
    ordering = ("-at", "-id")
    page_size = 50


class UsesFirst(CursorPagination):
    ordering = ("-recorded_at", "-id")
    page_size = 50


# --- Serializers ------------------------------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PurposeVersion
        fields = ("id", "number", "title", "summary", "text", "text_sha256", "published_at")
        read_only_fields = fields


class PurposeSerializer(serializers.ModelSerializer):
    community: "serializers.SlugRelatedField[Any]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    current_version = VersionSerializer(read_only=True)
    # A plain string: "kind" names other choice sets in other apps (one enum name each).
    kind = serializers.CharField(
        read_only=True, help_text="purpose (a community's), terms or privacy (site-wide)."
    )

    class Meta:
        model = ConsentPurpose
        fields = (
            "id",
            "community",
            "kind",
            "key",
            "required",
            "position",
            "archived_at",
            "current_version",
        )
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    """One purpose and the caller's answer to it."""

    purpose = PurposeSerializer(read_only=True)
    state = serializers.SerializerMethodField(
        help_text="granted, withdrawn, awaiting (a new version waits for an answer) or unanswered."
    )
    version_number = serializers.SerializerMethodField(help_text="The version last answered.")
    since = serializers.SerializerMethodField()

    def get_state(self, answer: selectors.PurposeAnswer) -> str:
        if answer.awaiting:
            return "awaiting"
        if answer.granted:
            return "granted"
        return "withdrawn" if answer.state is not None else "unanswered"

    def get_version_number(self, answer: selectors.PurposeAnswer) -> int | None:
        return answer.state.version.number if answer.state is not None else None

    def get_since(self, answer: selectors.PurposeAnswer) -> str | None:
        return answer.state.since.isoformat() if answer.state is not None else None


class EventSerializer(serializers.ModelSerializer):
    version_number = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = ConsentEvent
        fields = (
            "id",
            "purpose",
            "version",
            "version_number",
            "action",
            "channel",
            "at",
            "text_sha256",
        )
        read_only_fields = fields


class GrantSerializer(serializers.Serializer):
    text_sha256 = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=_("SHA-256 of the text shown; a newer version published meanwhile answers 409."),
    )


class UseSerializer(serializers.ModelSerializer):
    recorded_by = PersonSerializer(read_only=True)
    purpose_key = serializers.CharField(source="purpose.key", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    contribution_title = serializers.CharField(source="contribution.title", read_only=True)

    class Meta:
        model = UsageRecord
        fields = (
            "id",
            "contribution",
            "contribution_title",
            "purpose",
            "purpose_key",
            "version",
            "version_number",
            "what",
            "where",
            "recorded_by",
            "recorded_at",
        )
        read_only_fields = fields


class UseCreateSerializer(serializers.Serializer):
    contribution = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    purpose = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    what = serializers.CharField(max_length=300)
    where = serializers.CharField(max_length=300)


class PurposeCreateSerializer(serializers.Serializer):
    key = serializers.SlugField(max_length=50, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=1000)
    text = serializers.CharField(max_length=50000)
    # DRF's metaclass takes declared fields off the class, so this does not shadow
    # ``Field.required``; mypy sees only the class attribute.
    required = serializers.BooleanField(required=False, default=False)  # type: ignore[assignment]


class DraftSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=1000)
    text = serializers.CharField(max_length=50000)


class RestrictionSerializer(serializers.Serializer):
    purpose = serializers.IntegerField(read_only=True, source="purpose.pk")
    purpose_key = serializers.CharField(read_only=True, source="purpose.key")
    restricted = serializers.BooleanField(read_only=True)
    usable = serializers.SerializerMethodField(
        help_text="Staff only: whether it may be used for the purpose now (null for its author)."
    )
    refusal = serializers.SerializerMethodField(help_text="Staff only: why not, when not.")

    def get_usable(self, row: selectors.PurposeUse) -> bool | None:
        return row.usable if self.context.get("staff") else None

    def get_refusal(self, row: selectors.PurposeUse) -> str | None:
        return row.refusal if self.context.get("staff") else None


class RestrictionSetSerializer(serializers.Serializer):
    purpose = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    restricted = serializers.BooleanField()


# --- The caller's own consent -------------------------------------------------------------------


class MyConsentView(ApiView):
    """The caller's answer to every purpose they may answer."""

    serializer_class = AnswerSerializer
    pagination_class = None

    @extend_schema(operation_id="trust_consent_list", responses={200: AnswerSerializer(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """Site documents and the purposes of each community the caller belongs to, each with
        the caller's state (granted, withdrawn, awaiting a new version, unanswered)."""
        answers = [a for g in selectors.consent_overview(user=request.user) for a in g.answers]
        return Response(AnswerSerializer(answers, many=True).data)


class MyHistoryView(ApiView):
    """The caller's consent events, newest first."""

    serializer_class = EventSerializer
    pagination_class = EventsFirst

    def get_queryset(self) -> QuerySet[ConsentEvent]:
        if _fake(self):
            return ConsentEvent.objects.none()
        user = self.request.user
        assert user.is_authenticated
        return selectors.consent_history(user=user)

    @extend_schema(
        operation_id="trust_consent_history", responses={200: EventSerializer(many=True)}
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        """Every grant and withdrawal of the caller (append-only), with the hash of the text
        shown."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EventSerializer(page, many=True).data)


def _answerable(request: Request, purpose_id: int) -> ConsentPurpose:
    purpose = (
        ConsentPurpose.objects.select_related("current_version", "community")
        .filter(pk=check_id(purpose_id))
        .first()
    )
    if purpose is None:
        raise Http404
    return purpose


def _answer_payload(user, purpose: ConsentPurpose) -> dict[str, Any]:
    for group in selectors.consent_overview(user=user):
        for answer in group.answers:
            if answer.purpose.pk == purpose.pk:
                return dict(AnswerSerializer(answer).data)
    raise Http404


@extend_schema(parameters=[PURPOSE_ID])
class GrantView(ApiView):
    """Grant the purpose's current version."""

    serializer_class = GrantSerializer

    @extend_schema(
        operation_id="trust_consent_grant",
        request=GrantSerializer,
        responses={200: AnswerSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, purpose_id: int) -> Response:
        """Grant (channel ``api``). 404 for a purpose of a community the caller is not in; 409
        when ``text_sha256`` is not the current version's, or the purpose is archived."""
        purpose = _answerable(request, purpose_id)
        body = GrantSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.consent_grant(
                user=request.user,
                purpose=purpose,
                channel=Channel.API,
                text_sha256=body.validated_data.get("text_sha256", ""),
            )
        except PermissionDenied:
            raise Http404 from None
        return Response(_answer_payload(request.user, purpose))


@extend_schema(parameters=[PURPOSE_ID])
class WithdrawView(ApiView):
    """Withdraw consent for a purpose."""

    serializer_class = AnswerSerializer

    @extend_schema(
        operation_id="trust_consent_withdraw",
        request=None,
        responses={200: AnswerSerializer, **error_responses(404)},
    )
    def post(self, request: AuthenticatedRequest, purpose_id: int) -> Response:
        """Withdraw (channel ``api``): always allowed for what the caller granted; 404 when
        nothing was granted."""
        purpose = _answerable(request, purpose_id)
        if (
            services.consent_withdraw(user=request.user, purpose=purpose, channel=Channel.API)
            is None
        ):
            raise Http404
        return Response(_answer_payload(request.user, purpose))


class MyUsesView(ApiView):
    """Every use of the caller's contributions, newest first."""

    serializer_class = UseSerializer
    pagination_class = UsesFirst

    def get_queryset(self) -> QuerySet[UsageRecord]:
        if _fake(self):
            return UsageRecord.objects.none()
        user = self.request.user
        assert user.is_authenticated
        return selectors.uses_of_mine(user=user)

    @extend_schema(operation_id="trust_my_uses_list", responses={200: UseSerializer(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """Purpose, what, where, when and by whom, for each use of the caller's contributions."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(UseSerializer(page, many=True).data)


# --- A community's purposes and uses --------------------------------------------------------------


@extend_schema(parameters=[SLUG_PARAM])
class PurposeListView(CommunityEndpoint):
    """A community's consent purposes."""

    permissions = {"POST": "trust.manage_purposes"}
    serializer_class = PurposeSerializer
    pagination_class = None

    @extend_schema(
        operation_id="trust_purposes_list",
        responses={200: PurposeSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """The published, live purposes (what joining asks); managers also see drafts and
        archived ones."""
        community = self.get_community()
        if allowed(request.user, "trust.manage_purposes", community):
            purposes = selectors.community_purposes(viewer=request.user, community=community)
        else:
            purposes = selectors.live_purposes(community=community)
        return Response(PurposeSerializer(purposes, many=True).data)

    @extend_schema(
        operation_id="trust_purposes_create",
        request=PurposeCreateSerializer,
        responses={201: PurposeSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Create a purpose with its first version as a draft (managers)."""
        body = PurposeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        purpose = services.purpose_create(
            actor=request.user, community=self.get_community(), **body.validated_data
        )
        return Response(PurposeSerializer(purpose).data, status=status.HTTP_201_CREATED)


class _PurposeEndpoint(CommunityEndpoint):
    purpose: ConsentPurpose

    def convert_args(self, request: Request, *args: Any, **kwargs: Any) -> None:
        found = (
            ConsentPurpose.objects.select_related("current_version")
            .filter(pk=check_id(kwargs["purpose_id"]), community=self.get_community())
            .first()
        )
        if found is None:
            raise Http404
        self.purpose = found


@extend_schema(parameters=[SLUG_PARAM, PURPOSE_ID])
class PurposeDraftView(_PurposeEndpoint):
    """Write the purpose's next version as a draft."""

    permissions = {"POST": "trust.manage_purposes"}
    serializer_class = DraftSerializer

    @extend_schema(
        operation_id="trust_purposes_draft",
        request=DraftSerializer,
        responses={200: VersionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, purpose_id: int) -> Response:
        """Create or edit the draft of the next version (published versions never change)."""
        body = DraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        draft = services.purpose_draft_save(
            actor=request.user, purpose=self.purpose, **body.validated_data
        )
        return Response(VersionSerializer(draft).data)


@extend_schema(parameters=[SLUG_PARAM, PURPOSE_ID])
class PurposePublishView(_PurposeEndpoint):
    """Publish the purpose's draft."""

    permissions = {"POST": "trust.manage_purposes"}
    serializer_class = VersionSerializer

    @extend_schema(
        operation_id="trust_purposes_publish",
        request=None,
        responses={200: VersionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, purpose_id: int) -> Response:
        """Publish: members who had granted an earlier version are asked again; 409 without a
        draft."""
        version = services.purpose_publish(actor=request.user, purpose=self.purpose)
        return Response(VersionSerializer(version).data)


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class RestrictionsView(CommunityEndpoint):
    """A contribution's restrictions, per purpose."""

    within = "knowledge.view_knowledge"
    serializer_class = RestrictionSerializer
    pagination_class = None
    contribution: Contribution

    def convert_args(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.contribution = access_contribution(
            request.user, check_id(kwargs["contribution_id"]), community=self.get_community()
        )
        is_author = self.contribution.author_id == request.user.pk
        self.staff = allowed(request.user, "trust.view_usage", self.get_community())
        if not (is_author or self.staff):
            raise Http404
        if request.method == "POST" and not is_author:
            raise PermissionDenied(
                _("Only the author of a contribution can restrict how it is used.")
            )

    def _rows(self, request) -> Response:
        if self.staff:
            rows = selectors.contribution_purposes(
                viewer=request.user, contribution=self.contribution
            )
        else:
            rows = selectors.my_restrictions(user=request.user, contribution=self.contribution)
        return Response(RestrictionSerializer(rows, many=True, context={"staff": self.staff}).data)

    @extend_schema(
        operation_id="trust_restrictions_list",
        responses={200: RestrictionSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Each live purpose of the community: restricted or not; for staff, usable now or
        why not."""
        return self._rows(request)

    @extend_schema(
        operation_id="trust_restrictions_set",
        request=RestrictionSetSerializer,
        responses={200: RestrictionSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Restrict the contribution from a purpose, or lift the restriction (its author only)."""
        body = RestrictionSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        purpose = ConsentPurpose.objects.filter(pk=body.validated_data["purpose"]).first()
        if purpose is None:
            raise serializers.ValidationError({"purpose": [_("Unknown purpose.")]})
        change = (
            services.restriction_set
            if body.validated_data["restricted"]
            else services.restriction_clear
        )
        change(user=request.user, contribution=self.contribution, purpose=purpose)
        return self._rows(request)


@extend_schema(parameters=[SLUG_PARAM])
class UseListView(CommunityEndpoint):
    """The uses recorded in a community."""

    permissions = {"GET": "trust.view_usage", "POST": "trust.record_use"}
    serializer_class = UseSerializer
    pagination_class = UsesFirst

    def get_queryset(self) -> QuerySet[UsageRecord]:
        if _fake(self):
            return UsageRecord.objects.none()
        user = self.request.user
        assert user.is_authenticated  # IsAuthenticated has run
        return selectors.community_uses(viewer=user, community=self.get_community())

    @extend_schema(
        operation_id="trust_uses_list",
        responses={200: UseSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Every use in the community, newest first (staff)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(UseSerializer(page, many=True).data)

    @extend_schema(
        operation_id="trust_uses_create",
        request=UseCreateSerializer,
        responses={201: UseSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Record a use (managers). 409 with the reason as ``code`` when consent or a
        restriction does not allow it; the refusal is kept for the staff audit."""
        body = UseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        community = self.get_community()
        try:
            contribution = access_contribution(
                request.user, body.validated_data["contribution"], community=community
            )
        except Http404:
            raise serializers.ValidationError(
                {"contribution": [_("No such contribution here.")]}
            ) from None
        purpose = ConsentPurpose.objects.filter(
            pk=body.validated_data["purpose"], community=community
        ).first()
        if purpose is None:
            raise serializers.ValidationError({"purpose": [_("No such purpose here.")]})
        use = services.usage_record(
            actor=request.user,
            contribution=contribution,
            purpose=purpose,
            what=body.validated_data["what"],
            where=body.validated_data["where"],
        )
        return Response(UseSerializer(use).data, status=status.HTTP_201_CREATED)
