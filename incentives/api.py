"""Points in the API: a member's wallet and its history, the earning rules (read by members,
published by managers). No endpoint creates or edits entries: points are booked by the
bookkeeping consumer, corrections are reversals."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.pagination import CreatedCursorPagination
from cocreate.api.schema import SLUG_PARAM, error_responses
from communities.api_base import CommunityEndpoint

from . import selectors
from .models import CAUSES, EarningRules, Entry
from .services.rules import MAX_POINTS, rules_publish


class BalanceSerializer(serializers.Serializer):
    posted = serializers.IntegerField(help_text="Points credited minus debited.")
    held = serializers.IntegerField(help_text="Points reserved by pending redemptions.")
    available = serializers.IntegerField(help_text="Points that can be spent now.")


class EntrySerializer(serializers.ModelSerializer):
    points = serializers.IntegerField(
        source="signed", help_text="Positive: earned; negative: spent or taken back."
    )
    memo = serializers.CharField(source="transaction.memo")
    booked_at = serializers.DateTimeField(source="transaction.created_at")
    contribution_id = serializers.SerializerMethodField()
    reversal = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = ["id", "points", "memo", "booked_at", "contribution_id", "reversal"]

    def get_contribution_id(self, entry: Entry) -> int | None:
        return selectors.contribution_of(entry)

    def get_reversal(self, entry: Entry) -> bool:
        return entry.transaction.reverses_id is not None


class RulesSerializer(serializers.ModelSerializer):
    class Meta:
        model = EarningRules
        fields = ["version", *CAUSES, "supports_per_day", "daily_cap", "published_at"]
        read_only_fields = ["version", "published_at"]
        extra_kwargs = {
            name: {"min_value": 0, "max_value": MAX_POINTS, "required": False}
            for name in (*CAUSES, "supports_per_day", "daily_cap")
        }


class NewestFirstPagination(CreatedCursorPagination):
    ordering: tuple[str, ...] = ("-id",)  # type: ignore[assignment]  # entries have no created_at


@extend_schema(parameters=[SLUG_PARAM])
class WalletView(CommunityEndpoint):
    """The caller's points in a community."""

    permissions = {"GET": "incentives.view_wallet"}
    serializer_class = BalanceSerializer

    @extend_schema(
        operation_id="points_wallet_retrieve",
        responses={200: BalanceSerializer, **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Posted, held and available points (one row, however long the history)."""
        balance = selectors.balance_of(user=request.user, community=self.get_community())
        return Response(
            {"posted": balance.posted, "held": balance.held, "available": balance.available}
        )


@extend_schema(parameters=[SLUG_PARAM])
class HistoryView(CommunityEndpoint):
    """Every entry of the caller's wallet, newest first."""

    permissions = {"GET": "incentives.view_wallet"}
    serializer_class = EntrySerializer
    pagination_class = NewestFirstPagination

    def get_queryset(self) -> QuerySet[Entry]:
        if getattr(self, "swagger_fake_view", False):
            return Entry.objects.none()
        return selectors.history(user=self.request.user, community=self.get_community())

    @extend_schema(
        operation_id="points_history_list",
        responses={200: EntrySerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """What each booking was for, with the contribution it rewarded where there is one."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EntrySerializer(page, many=True).data)


@extend_schema(parameters=[SLUG_PARAM])
class RulesView(CommunityEndpoint):
    """How members earn points in a community: members read, managers publish a new version."""

    permissions = {"GET": "incentives.view_wallet", "POST": "incentives.manage_rules"}
    serializer_class = RulesSerializer

    @extend_schema(
        operation_id="points_rules_retrieve",
        responses={200: RulesSerializer, 204: None, **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """The version in force; 204 when the community gives no points yet."""
        rules = selectors.rules_in_force(community=self.get_community())
        if rules is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(RulesSerializer(rules).data)

    @extend_schema(
        operation_id="points_rules_publish",
        request=RulesSerializer,
        responses={201: RulesSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Publish a new version (fields left out keep the current values). It applies from
        now on; points already booked keep the version that booked them."""
        serializer = RulesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rules = rules_publish(
            actor=request.user, community=self.get_community(), **serializer.validated_data
        )
        return Response(RulesSerializer(rules).data, status=status.HTTP_201_CREATED)
