"""REST API for notifications (under /api/v1/): the member's notifications (cursor list, unread
count, mark one or all read) and their preferences (a channel per topic, muted communities).

Everything here is about the signed-in member only: another member's notification answers 404,
the same as a missing id. State changes are explicit views that call one service.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.pagination import CreatedCursorPagination
from cocreate.api.schema import error_responses
from cocreate.api.views import ApiView, check_id
from cocreate.permissions import allowed
from communities.models import Community

from . import selectors, services
from .models import Channel, Notification
from .selectors import UNREAD_CAP
from .topics import TOPICS, topic_for

TOPIC_CHOICES = [(t.key, str(t.label)) for t in TOPICS.values()]


class NotificationSerializer(serializers.ModelSerializer):
    topic = serializers.SerializerMethodField(help_text="The preference topic it belongs to.")
    is_read = serializers.SerializerMethodField()
    url = serializers.CharField(
        read_only=True, help_text="Site path of what it is about (may carry a #anchor)."
    )

    class Meta:
        model = Notification
        fields = (
            "id",
            "kind",
            "topic",
            "text",
            "url",
            "community_id",
            "created_at",
            "read_at",
            "is_read",
        )
        read_only_fields = fields

    def get_topic(self, obj: Notification) -> str | None:
        return topic_for(obj.kind)

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(
        help_text=f"Unread notifications, counted up to {UNREAD_CAP}."
    )
    capped = serializers.BooleanField(help_text="True when there are at least that many.")


class ReadAllSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were marked read.")


class TopicPreferenceSerializer(serializers.Serializer):
    topic = serializers.ChoiceField(choices=TOPIC_CHOICES)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    channel = serializers.ChoiceField(choices=Channel.choices)
    default = serializers.CharField(
        read_only=True, help_text="The topic's default channel (one of the channel values)."
    )


class MutedCommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ("id", "slug", "name")
        read_only_fields = fields


class PreferencesSerializer(serializers.Serializer):
    topics = TopicPreferenceSerializer(many=True)
    muted_communities = MutedCommunitySerializer(many=True)


class PreferencesUpdateSerializer(serializers.Serializer):
    topics = TopicPreferenceSerializer(
        many=True,
        required=False,
        help_text="Channels per topic. PUT: topics left out return to their default. "
        "PATCH: only the topics given change.",
    )
    muted_communities = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        max_length=500,
        help_text="Slugs of the communities to mute; replaces the muted set when given.",
    )

    def validate_topics(self, value: list[dict]) -> list[dict]:
        keys = [item["topic"] for item in value]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError("Name each topic once.")
        return value


NOTIFICATION_ID = OpenApiParameter("notification_id", int, OpenApiParameter.PATH)


class NotificationListView(ApiView):
    """The signed-in member's notifications, newest first."""

    serializer_class = NotificationSerializer
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        user = self.request.user
        assert user.is_authenticated  # IsAuthenticated has run
        return selectors.notifications_for(user=user)

    @extend_schema(
        operation_id="notifications_list",
        parameters=[
            OpenApiParameter(
                "unread", bool, OpenApiParameter.QUERY, description="Only unread ones."
            )
        ],
        responses={200: NotificationSerializer(many=True), **error_responses()},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        """List your notifications, newest first (cursor pagination)."""
        qs = self.get_queryset()
        if request.query_params.get("unread") in ("1", "true", "True"):
            qs = qs.filter(read_at__isnull=True)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class UnreadCountView(ApiView):
    serializer_class = UnreadCountSerializer

    @extend_schema(
        operation_id="notifications_unread_count",
        responses={200: UnreadCountSerializer, **error_responses()},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        """How many of your notifications are unread (what the bell shows)."""
        count = selectors.unread_count(user=request.user)
        return Response({"unread": count, "capped": count >= UNREAD_CAP})


class NotificationReadView(ApiView):
    serializer_class = NotificationSerializer

    @extend_schema(
        operation_id="notifications_read",
        parameters=[NOTIFICATION_ID],
        request=None,
        responses={200: NotificationSerializer, **error_responses(404)},
    )
    def post(self, request: AuthenticatedRequest, notification_id: int) -> Response:
        """Mark one of your notifications read (repeating it changes nothing)."""
        found = selectors.notification_get(
            user=request.user, notification_id=check_id(notification_id)
        )
        services.notification_mark_read(user=request.user, notification_id=found.pk)
        found.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(found).data)


class ReadAllView(ApiView):
    serializer_class = ReadAllSerializer

    @extend_schema(
        operation_id="notifications_read_all",
        request=None,
        responses={200: ReadAllSerializer, **error_responses()},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        """Mark all your notifications read."""
        return Response({"updated": services.notification_mark_read(user=request.user)})


def _preferences(user) -> dict:
    return {
        "topics": [
            {"topic": c.key, "label": c.label, "channel": c.channel, "default": c.default}
            for c in selectors.preferences_for(user=user)
        ],
        "muted_communities": MutedCommunitySerializer(
            selectors.muted_communities(user=user), many=True
        ).data,
    }


class PreferencesView(ApiView):
    serializer_class = PreferencesSerializer

    @extend_schema(
        operation_id="notification_preferences_get",
        responses={200: PreferencesSerializer, **error_responses()},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        """Your channel for every topic (your choice or its default) and your muted
        communities."""
        return Response(_preferences(request.user))

    @extend_schema(
        operation_id="notification_preferences_replace",
        request=PreferencesUpdateSerializer,
        responses={200: PreferencesSerializer, **error_responses(400)},
    )
    def put(self, request: AuthenticatedRequest) -> Response:
        """Replace your preferences: topics left out return to their default; the muted set is
        replaced when ``muted_communities`` is given."""
        return self._update(request, partial=False)

    @extend_schema(
        operation_id="notification_preferences_update",
        request=PreferencesUpdateSerializer,
        responses={200: PreferencesSerializer, **error_responses(400)},
    )
    def patch(self, request: AuthenticatedRequest) -> Response:
        """Change the channel of the topics given (and the muted set, when given)."""
        return self._update(request, partial=True)

    def _update(self, request: AuthenticatedRequest, *, partial: bool) -> Response:
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        community_ids = None
        if "muted_communities" in data:
            slugs = set(data["muted_communities"])
            found = {
                c.slug: c
                for c in Community.objects.select_related("organization").filter(slug__in=slugs)
                if allowed(request.user, "communities.view_community", c)
            }
            unknown = sorted(slugs - set(found))
            if unknown:
                raise serializers.ValidationError(
                    {"muted_communities": [f"No such community: {s}." for s in unknown]}
                )
            community_ids = [c.pk for c in found.values()]
        if "topics" in data or not partial:
            services.preferences_update(
                user=request.user,
                channels={item["topic"]: item["channel"] for item in data.get("topics", [])},
                reset_missing=not partial,
            )
        if community_ids is not None:
            services.community_mutes_replace(user=request.user, community_ids=community_ids)
        return Response(_preferences(request.user), status=status.HTTP_200_OK)
