"""Evaluation API (staff): scorecards, evaluations of a contribution and the triage board."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.pagination import CreatedCursorPagination, OldestFirstCursorPagination
from cocreate.api.schema import SLUG_PARAM, error_responses
from cocreate.errors import ValidationError
from communities.api import PersonSerializer

from .. import selectors, services
from ..models import Evaluation, Scorecard
from .access import KnowledgeView
from .contributions import ContributionSummarySerializer
from .fields import CONTRIBUTION_ID, PUBLISHED_STATUSES, S, id_field


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(max_length=120)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    weight = serializers.IntegerField(min_value=1, max_value=100)


class ScorecardSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Scorecard
        fields = ("id", "title", "challenge", "criteria", "created_at")
        read_only_fields = fields


class ScorecardCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    criteria = CriterionSerializer(many=True, help_text=_("Each scored 1-5, weighted."))
    challenge = id_field(required=False, allow_null=True, default=None)


class EvaluationSerializer(serializers.ModelSerializer):
    evaluator = PersonSerializer(read_only=True)
    scores = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Evaluation
        fields = (
            "id",
            "scorecard",
            "evaluator",
            "scores",
            "weighted_score",
            "note",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class EvaluationCreateSerializer(serializers.Serializer):
    scorecard = id_field()
    scores = serializers.DictField(
        help_text=_("Criterion key -> score 1-5; errors come back keyed score_<key>.")
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    def validate_scores(self, value: dict) -> dict:
        # Anything that is not a whole number counts as missing; the service names the
        # criterion (score_<key>) so every score error has the same key.
        cleaned = {}
        for key, raw in value.items():
            try:
                cleaned[str(key)] = int(raw) if isinstance(raw, int | str) else None
            except (TypeError, ValueError):
                cleaned[str(key)] = None
        return cleaned


class TriageItemSerializer(ContributionSummarySerializer):
    avg_score = serializers.DecimalField(
        max_digits=4, decimal_places=2, read_only=True, allow_null=True
    )
    evaluation_count = serializers.IntegerField(read_only=True)

    class Meta(ContributionSummarySerializer.Meta):
        fields = (*ContributionSummarySerializer.Meta.fields, "avg_score", "evaluation_count")
        read_only_fields = fields


class TriageColumnSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PUBLISHED_STATUSES)
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    contributions = TriageItemSerializer(many=True)


class TriageBoardSerializer(serializers.Serializer):
    columns = TriageColumnSerializer(many=True)


class ChallengeFilterSerializer(serializers.Serializer):
    challenge = id_field(required=False, help_text=_("Only this challenge (and general ones)."))


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class EvaluationsView(KnowledgeView):
    """Staff evaluations of a contribution (scores and notes are never shown to members)."""

    permissions = {"POST": "knowledge.evaluate"}

    serializer_class = EvaluationSerializer
    pagination_class = CreatedCursorPagination

    @extend_schema(
        operation_id="knowledge_contributions_evaluations_list",
        responses={200: EvaluationSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """List the evaluations, newest first (staff)."""
        contribution = self.get_contribution()
        qs = selectors.evaluations_for(user=request.user, contribution=contribution)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(EvaluationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="knowledge_contributions_evaluations_create",
        request=EvaluationCreateSerializer,
        responses={201: EvaluationSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Score the contribution on every criterion of a scorecard, 1-5 (staff); replaces
        the caller's earlier scores on that scorecard. 409 for drafts."""
        community = self.get_community()
        contribution = self.get_contribution()
        serializer = EvaluationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        scorecard = (
            selectors.scorecards_for(user=request.user, community=community)
            .filter(pk=data["scorecard"])
            .first()
        )
        if scorecard is None:
            raise ValidationError({"scorecard": _("Choose a scorecard of this community.")})
        evaluation = services.evaluation_submit(
            evaluator=request.user,
            contribution=contribution,
            scorecard=scorecard,
            scores=data["scores"],
            note=data["note"],
        )
        evaluation.evaluator = request.user
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG_PARAM])
class TriageView(KnowledgeView):
    """The staff triage board: published contributions by status, with their scores."""

    permissions = {"GET": "knowledge.triage"}

    serializer_class = TriageBoardSerializer

    @extend_schema(
        operation_id="knowledge_triage",
        parameters=[ChallengeFilterSerializer],
        responses={200: TriageBoardSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """One column per published status (newest first, at most 50 each), every item with
        its average weighted score and number of evaluations (staff)."""
        community = self.get_community()
        params = ChallengeFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        challenge = self.find_challenge(params.validated_data.get("challenge"))
        board = selectors.triage_board(user=request.user, community=community, challenge=challenge)
        columns = [
            {"status": key, "label": S(key).label, "contributions": items}
            for key, items in board.items()
        ]
        return Response(TriageBoardSerializer({"columns": columns}).data)


@extend_schema(parameters=[SLUG_PARAM])
class ScorecardListView(KnowledgeView):
    """The community's evaluation scorecards (staff read; managers define)."""

    permissions = {"GET": "knowledge.view_scorecards", "POST": "knowledge.define_scorecard"}

    serializer_class = ScorecardSerializer
    pagination_class = OldestFirstCursorPagination

    @extend_schema(
        operation_id="knowledge_scorecards_list",
        parameters=[ChallengeFilterSerializer],
        responses={200: ScorecardSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """List scorecards, oldest first (staff); with ``challenge``, that challenge's and the
        general ones."""
        community = self.get_community()
        params = ChallengeFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        challenge = self.find_challenge(params.validated_data.get("challenge"))
        qs = selectors.scorecards_for(user=request.user, community=community, challenge=challenge)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ScorecardSerializer(page, many=True).data)

    @extend_schema(
        operation_id="knowledge_scorecards_create",
        request=ScorecardCreateSerializer,
        responses={201: ScorecardSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Define a scorecard (managers): criteria with labels and weights 1-100, each scored
        1-5 when evaluating; optionally for one challenge."""
        community = self.get_community()
        serializer = ScorecardCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        challenge = self.find_challenge(data.pop("challenge"))
        scorecard = services.scorecard_create(
            actor=request.user,
            community=community,
            title=data["title"],
            criteria=[dict(item) for item in data["criteria"]],
            challenge=challenge,
        )
        return Response(ScorecardSerializer(scorecard).data, status=status.HTTP_201_CREATED)
