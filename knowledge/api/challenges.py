"""Challenges API: a community's challenges, posed by its managers, and their phases."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.pagination import CreatedCursorPagination
from cocreate.api.schema import SLUG_PARAM, error_responses
from cocreate.dates import displayable_date
from cocreate.errors import ValidationError

from .. import selectors, services
from ..models import Challenge, Toolkit
from .access import KnowledgeView, is_schema_view
from .fields import CHALLENGE_ID, id_field


class ChallengeSerializer(serializers.ModelSerializer):
    toolkits = serializers.SerializerMethodField()
    accepts_contributions = serializers.SerializerMethodField()
    is_locked = serializers.BooleanField(
        source="discussion.is_locked", read_only=True, label=_("Discussion locked")
    )

    class Meta:
        model = Challenge
        fields = (
            "id",
            "title",
            "brief",
            "brief_html",
            "wanted",
            "toolkits",
            "phase",
            "deadline",
            "accepts_contributions",
            "contribution_count",
            "comment_count",
            "is_locked",
            "created_at",
        )
        read_only_fields = fields
        extra_kwargs = {
            "brief_html": {"help_text": _("The brief as sanitized HTML (from Markdown).")}
        }

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_toolkits(self, challenge: Challenge) -> list[int]:
        return [toolkit.pk for toolkit in challenge.toolkits.all()]

    def get_accepts_contributions(self, challenge: Challenge) -> bool:
        return challenge.accepts_contributions()


class ChallengeCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    brief = serializers.CharField(max_length=20000, help_text=_("Markdown."))
    wanted = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    toolkits = serializers.ListField(
        child=id_field(),
        required=False,
        default=list,
        max_length=50,
        help_text=_("Ids of this community's toolkits contributions must use (none: any)."),
    )
    deadline = serializers.DateTimeField(
        required=False, allow_null=True, default=None, validators=[displayable_date]
    )
    phase = serializers.ChoiceField(choices=Challenge.Phase.choices, default=Challenge.Phase.DRAFT)


class PhaseSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Challenge.Phase.choices)


def _with_toolkit_ids(qs: QuerySet[Challenge]) -> QuerySet[Challenge]:
    return qs.prefetch_related(Prefetch("toolkits", queryset=Toolkit.objects.only("id")))


@extend_schema(parameters=[SLUG_PARAM])
class ChallengeListView(KnowledgeView):
    """A community's challenges; its managers pose new ones."""

    permissions = {"POST": "knowledge.pose_challenge"}

    serializer_class = ChallengeSerializer
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> QuerySet[Challenge]:
        if is_schema_view(self):
            return Challenge.objects.none()
        return _with_toolkit_ids(
            selectors.challenges_for(user=self.request.user, community=self.get_community())
        )

    @extend_schema(
        operation_id="knowledge_challenges_list",
        responses={200: ChallengeSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """List challenges, newest first. Drafts are listed for staff only."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ChallengeSerializer(page, many=True).data)

    @extend_schema(
        operation_id="knowledge_challenges_create",
        request=ChallengeCreateSerializer,
        responses={201: ChallengeSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Pose a challenge (managers), as a draft or open straight away. An open challenge
        needs a deadline in the future (or none)."""
        community = self.get_community()
        serializer = ChallengeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ids = set(data.pop("toolkits"))
        toolkits = list(
            selectors.toolkits_for(user=request.user, community=community, active_only=False)
            .filter(pk__in=ids)
            .select_related(None)
        )
        if len(toolkits) != len(ids):
            raise ValidationError({"toolkits": _("Choose toolkits of this community.")})
        challenge = services.challenge_create(
            actor=request.user, community=community, toolkits=toolkits, **data
        )
        return Response(ChallengeSerializer(challenge).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG_PARAM, CHALLENGE_ID])
class ChallengeDetailView(KnowledgeView):
    """One challenge."""

    serializer_class = ChallengeSerializer

    @extend_schema(
        operation_id="knowledge_challenges_retrieve",
        responses={200: ChallengeSerializer, **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str, challenge_id: int) -> Response:
        """Return a challenge (a draft one only to staff)."""
        return Response(ChallengeSerializer(self.get_challenge()).data)


@extend_schema(parameters=[SLUG_PARAM, CHALLENGE_ID])
class ChallengePhaseView(KnowledgeView):
    """Move a challenge between its phases (managers)."""

    permissions = {"POST": "knowledge.manage"}

    serializer_class = PhaseSerializer

    @extend_schema(
        operation_id="knowledge_challenges_set_phase",
        request=PhaseSerializer,
        responses={200: ChallengeSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, challenge_id: int) -> Response:
        """Set the phase: draft, open, evaluation or closed. Opening needs the deadline (if
        any) in the future: otherwise 400 on ``deadline``."""
        challenge = self.get_challenge()
        serializer = PhaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = services.challenge_set_phase(
            actor=request.user, challenge=challenge, phase=serializer.validated_data["phase"]
        )
        return Response(ChallengeSerializer(challenge).data)
