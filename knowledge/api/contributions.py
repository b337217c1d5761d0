"""Contributions API: the feed, contributing, editing and submitting, supports and the
staff's lifecycle moves."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import public_name
from accounts.types import AuthenticatedRequest
from cocreate.api.pagination import CreatedCursorPagination
from cocreate.api.rendering import datetime_writer
from cocreate.api.schema import RETRY_AFTER_HEADER, SLUG_PARAM, error_responses
from cocreate.caching import cached_api, generations
from cocreate.errors import ValidationError
from cocreate.permissions import allowed, require
from communities.api import PersonSerializer
from communities.models import Community

from .. import selectors, services
from ..access import access_contribution
from ..limits import check_post_rate
from ..models import Contribution, Kind, ModerationState, StatusChange
from .access import KnowledgeView, is_schema_view, require_participation
from .fields import CONTRIBUTION_ID, PUBLISHED_STATUSES, id_field


def _has_nul(value: Any) -> bool:
    """True if a JSON value holds a NUL character anywhere (PostgreSQL text and jsonb refuse it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class AnswersField(serializers.DictField):
    """Toolkit answers: an object keyed by field key; the toolkit version validates the values."""

    def to_internal_value(self, data: Any) -> dict:
        value = super().to_internal_value(data)
        if _has_nul(value):
            raise serializers.ValidationError(_("Text may not contain NUL characters."))
        return value


class ChallengeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class ContributionSummarySerializer(serializers.ModelSerializer):
    """A contribution as feeds show it (no body, no answers)."""

    author = PersonSerializer(read_only=True)
    challenge = ChallengeRefSerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_locked = serializers.BooleanField(
        source="discussion.is_locked", read_only=True, label=_("Discussion locked")
    )
    supported = serializers.SerializerMethodField(
        help_text=_("Whether the caller supports this contribution.")
    )

    class Meta:
        model = Contribution
        fields: tuple[str, ...] = (
            "id",
            "title",
            "kind",
            "status",
            "author",
            "challenge",
            "tags",
            "support_count",
            "comment_count",
            "is_locked",
            "created_at",
            "submitted_at",
            "last_activity_at",
            "supported",
        )
        read_only_fields = fields

    def get_supported(self, contribution: Contribution) -> bool:
        return contribution.pk in self.context.get("supported_ids", ())


def _contribution_summary(row: dict, datetime: Callable[[Any], str | None]) -> dict:
    """A ``selectors.contribution_summary_rows`` row as ``ContributionSummarySerializer``
    writes it: a serializer per row cost more than the rest of the list (tests hold the two
    outputs equal)."""
    challenge_id = row["challenge_id"]
    return {
        "id": row["id"],
        "title": row["title"],
        "kind": row["kind"],
        "status": row["status"],
        "author": {
            "id": row["author_id"],
            "public_name": str(public_name(row["author_id"], row["author__display_name"])),
        },
        "challenge": (
            None if challenge_id is None else {"id": challenge_id, "title": row["challenge__title"]}
        ),
        "tags": [str(tag) for tag in row["tags"] or ()],
        "support_count": row["support_count"],
        "comment_count": row["comment_count"],
        "is_locked": row["discussion__is_locked"],
        "created_at": datetime(row["created_at"]),
        "submitted_at": datetime(row["submitted_at"]),
        "last_activity_at": datetime(row["last_activity_at"]),
        "supported": bool(row["viewer_supports"]),
    }


class TimelineEntrySerializer(serializers.ModelSerializer):
    """One step of the lifecycle, with the reason the author and followers see."""

    actor = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = StatusChange
        fields = ("from_status", "to_status", "reason", "actor", "related_to", "created_at")
        read_only_fields = fields


class ToolkitVersionRefSerializer(serializers.Serializer):
    toolkit = serializers.IntegerField(source="toolkit_id", read_only=True)
    number = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class ContributionSerializer(ContributionSummarySerializer):
    """One contribution with its text, answers, the caller's support and follow, and the
    status timeline."""

    toolkit_version = ToolkitVersionRefSerializer(read_only=True)
    fields = serializers.DictField(  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
        read_only=True, help_text=_("Answers keyed by the toolkit version's field keys.")
    )
    following = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    moderation_state = serializers.ChoiceField(
        choices=ModerationState.choices,
        read_only=True,
        help_text=_(
            "visible; or, seen only by the author and moderators, pending (waiting for a "
            "moderator's review) or hidden (by a moderator)."
        ),
    )
    moderation_reason = serializers.SerializerMethodField(
        help_text=_(
            "Why it is hidden or waiting for review: for the author and moderators only (null "
            "for everyone else, and empty when it is visible)."
        )
    )

    class Meta(ContributionSummarySerializer.Meta):
        fields = (
            *ContributionSummarySerializer.Meta.fields,
            "body",
            "body_html",
            "fields",
            "toolkit_version",
            "related_to",
            "updated_at",
            "following",
            "can_edit",
            "timeline",
            "moderation_state",
            "moderation_reason",
        )
        read_only_fields = fields
        extra_kwargs = {
            "body": {"help_text": _("Markdown, as written.")},
            "body_html": {"help_text": _("The body as sanitized HTML.")},
            "related_to": {"help_text": _("The original, for duplicates and merged ones.")},
        }

    def _state(self) -> selectors.ContributionState | None:
        return self.context.get("state")

    def get_supported(self, contribution: Contribution) -> bool:
        state = self._state()
        return bool(state and state.supported)

    def get_following(self, contribution: Contribution) -> bool:
        state = self._state()
        return bool(state and state.following)

    def get_can_edit(self, contribution: Contribution) -> bool:
        request = self.context.get("request")
        return bool(request and allowed(request.user, "knowledge.edit_contribution", contribution))

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, contribution: Contribution) -> list[dict]:
        state = self._state()
        return TimelineEntrySerializer(state.timeline if state else [], many=True).data  # type: ignore[return-value]  # many=True makes a ListSerializer: its data is a list

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_moderation_reason(self, contribution: Contribution) -> str | None:
        request = self.context.get("request")
        user = request.user if request else None
        if user is not None and (
            contribution.author_id == user.pk or selectors.moderates(user, contribution.community)
        ):
            return contribution.moderation_reason
        return None


class ContributionCreateSerializer(serializers.Serializer):
    toolkit = id_field(help_text=_("Id of one of this community's active toolkits."))
    challenge = id_field(
        required=False, allow_null=True, default=None, help_text=_("Id of an open challenge.")
    )
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(
        max_length=50000, required=False, allow_blank=True, default="", help_text=_("Markdown.")
    )
    fields = AnswersField(  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
        required=False,
        default=dict,
        help_text=_("Answers keyed by field key; errors come back keyed field_<key>."),
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, max_length=50
    )
    submit = serializers.BooleanField(
        default=True, help_text=_("Submit now (required fields checked) or keep as a draft.")
    )


class ContributionEditSerializer(serializers.Serializer):
    """What the author may change; fields left out keep their value."""

    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(max_length=50000, required=False, allow_blank=True)
    fields = AnswersField(required=False)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )


class SupportStateSerializer(serializers.Serializer):
    supported = serializers.BooleanField(read_only=True)
    support_count = serializers.IntegerField(read_only=True)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PUBLISHED_STATUSES)
    reason = serializers.CharField(max_length=5000, help_text=_("Shown to the author."))
    related_to = id_field(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The original contribution (for duplicate and merged)."),
    )


class FeedFilterSerializer(serializers.Serializer):
    sort = serializers.ChoiceField(
        choices=list(selectors.FEED_SORTS), default="new", help_text=_("Feed order.")
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    status = serializers.ChoiceField(choices=PUBLISHED_STATUSES, required=False)
    tag = serializers.CharField(max_length=40, required=False, allow_blank=True)
    challenge = id_field(required=False, help_text=_("Only this challenge's contributions."))


# The query parameters the API feed reads (others are built but never cached).
FEED_PARAMS = frozenset({*FeedFilterSerializer._declared_fields, "cursor"})


class FeedCursorPagination(CreatedCursorPagination):
    """Cursor pagination in the feed order the client chose (``sort``, see FEED_SORTS)."""

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        return selectors.FEED_SORTS[getattr(view, "feed_sort", "new")]


@extend_schema(parameters=[SLUG_PARAM])
class ContributionListView(KnowledgeView):
    """The community's feed of published contributions, and contributing."""

    serializer_class = ContributionSummarySerializer
    pagination_class = FeedCursorPagination
    feed_sort = "new"

    def feed_filters(self) -> dict[str, Any]:
        """The feed's filters from the query string (400 for bad ones); sets ``feed_sort``."""
        filters = FeedFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        self.feed_sort = params["sort"]
        return {
            "user": self.request.user,
            "community": self.get_community(),
            "challenge": self.find_challenge(params.get("challenge")),
            "kind": params.get("kind", ""),
            "status": params.get("status", ""),
            "tag": params.get("tag", ""),
        }

    def get_queryset(self) -> QuerySet[Contribution]:
        """The ORM version of the list (the schema's; tests compare ``get``'s rows to it)."""
        if is_schema_view(self):
            return Contribution.objects.none()
        return selectors.contribution_feed(**self.feed_filters())

    @extend_schema(
        operation_id="knowledge_contributions_list",
        parameters=[FeedFilterSerializer],
        responses={200: ContributionSummarySerializer(many=True), **error_responses(400, 404)},
    )
    # Cached per caller and URL while nothing in the community and nothing of the caller's
    # changed: the scopes of the HTML feed, which shows the same rows. The community is
    # resolved (and the caller's access checked) in initial(), before a hit is served.
    @cached_api(
        scopes=lambda view, request, slug: [generations.community(view.get_community().pk)],
        params=FEED_PARAMS,
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """List published contributions (never drafts) in the chosen order: ``new`` (latest
        submitted), ``top`` (most supported), ``discussed`` (most comments) or ``trending``
        (latest activity). The cursor follows the chosen order. Each item says whether the
        caller supports it."""
        rows = selectors.feed_summary_rows(**self.feed_filters())
        page: list[dict] | None = self.paginate_queryset(rows)  # type: ignore[arg-type]  # pages KeysetRows too
        assert page is not None  # the view paginates
        datetime = datetime_writer()
        return self.get_paginated_response([_contribution_summary(row, datetime) for row in page])

    @extend_schema(
        operation_id="knowledge_contributions_create",
        request=ContributionCreateSerializer,
        parameters=[RETRY_AFTER_HEADER],
        responses={
            201: ContributionSerializer,
            **error_responses(400, 403, 404, rate_limited=True),
        },
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Contribute through a toolkit (active members), as a draft (``submit`` false) or
        submitted. On submit every required toolkit field must be answered (errors keyed
        ``field_<key>``) and a challenge must be open with its deadline ahead (400 on
        ``challenge``). Nothing is written when anything is invalid. Submitting is rate
        limited (429 with ``Retry-After``); a new member's submission may start ``pending``
        (``moderation_state``): only they and the moderators see it until it is approved."""
        community = self.get_community()
        require_participation(request.user, community)
        serializer = ContributionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        toolkit = (
            selectors.toolkits_for(user=request.user, community=community, active_only=False)
            .filter(pk=data.pop("toolkit"))
            .first()
        )
        if toolkit is None:
            raise ValidationError({"toolkit": _("Choose one of this community's toolkits.")})
        challenge = self.find_challenge(data.pop("challenge"))
        if data["submit"]:  # drafts are private: only publishing is limited
            check_post_rate(request, community, body=data["body"])
        contribution = services.contribution_create(
            author=request.user, community=community, toolkit=toolkit, challenge=challenge, **data
        )
        return _contribution_response(
            request, community, contribution.pk, status_code=status.HTTP_201_CREATED
        )


def _contribution_response(
    request: Request, community: Community, contribution_id: int, status_code: int = 200
) -> Response:
    contribution = access_contribution(request.user, contribution_id, community=community)
    state = selectors.contribution_state(user=request.user, contribution=contribution)
    data = ContributionSerializer(contribution, context={"request": request, "state": state}).data
    return Response(data, status=status_code)


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class ContributionDetailView(KnowledgeView):
    """One contribution; its author edits it."""

    serializer_class = ContributionSerializer

    @extend_schema(
        operation_id="knowledge_contributions_retrieve",
        responses={200: ContributionSerializer, **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Return a contribution with the caller's support and follow and the status timeline
        (with reasons). A draft answers 404 to everyone but its author and staff."""
        contribution = self.get_contribution()
        return _contribution_response(request, self.get_community(), contribution.pk)

    @extend_schema(
        operation_id="knowledge_contributions_update",
        request=ContributionEditSerializer,
        responses={200: ContributionSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Edit title, body, answers or tags (the author, until a decision); fields left out
        keep their value and the previous text is kept as a revision. Required toolkit fields
        are checked unless it is a draft."""
        contribution = self.get_contribution()
        require(request.user, "knowledge.edit_contribution", contribution)
        serializer = ContributionEditSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {
            "title": contribution.title,
            "body": contribution.body,
            "fields": contribution.fields,
            "tags": contribution.tags,
        }
        values.update(serializer.validated_data)
        services.contribution_edit(editor=request.user, contribution=contribution, **values)
        return _contribution_response(request, self.get_community(), contribution.pk)


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class ContributionSubmitView(KnowledgeView):
    """Submit a draft."""

    serializer_class = ContributionSerializer

    @extend_schema(
        operation_id="knowledge_contributions_submit",
        request=None,
        parameters=[RETRY_AFTER_HEADER],
        responses={
            200: ContributionSerializer,
            **error_responses(400, 403, 404, 409, rate_limited=True),
        },
    )
    def post(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Submit the caller's draft: required fields are checked against the toolkit version
        it was written with (400, keyed ``field_<key>``). 409 if it was already submitted;
        429 with ``Retry-After`` when publishing too often. A new member's submission may start
        ``pending`` (waiting for a moderator's review)."""
        contribution = self.get_contribution()
        community = self.get_community()
        require_participation(request.user, community)
        require(request.user, "knowledge.submit_contribution", contribution)
        if contribution.is_draft:
            check_post_rate(request, community, body=contribution.body)
        services.contribution_submit(author=request.user, contribution=contribution)
        return _contribution_response(request, self.get_community(), contribution.pk)


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class SupportView(KnowledgeView):
    """The caller's support for a contribution."""

    serializer_class = SupportStateSerializer

    def _state(self, contribution: Contribution, supported: bool) -> Response:
        contribution.refresh_from_db(fields=["support_count"])
        return Response({"supported": supported, "support_count": contribution.support_count})

    @extend_schema(
        operation_id="knowledge_contributions_support",
        request=None,
        responses={200: SupportStateSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Support the contribution (active members; once each, repeating is harmless).
        409 for drafts and for hidden or held contributions; 403 (with the reason) for
        suspended members and for the contribution's author (one's own idea counts as theirs
        already)."""
        contribution = self.get_contribution()
        require_participation(request.user, self.get_community())
        services.support_add(user=request.user, contribution=contribution)
        return self._state(contribution, True)

    @extend_schema(
        operation_id="knowledge_contributions_unsupport",
        request=None,
        responses={200: SupportStateSerializer, **error_responses(404)},
    )
    def delete(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Withdraw the caller's support (harmless if there was none)."""
        contribution = self.get_contribution()
        services.support_remove(user=request.user, contribution=contribution)
        return self._state(contribution, False)


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class StatusView(KnowledgeView):
    """Move a contribution through its lifecycle (staff)."""

    permissions = {"POST": "knowledge.move_status"}

    serializer_class = StatusChangeSerializer

    @extend_schema(
        operation_id="knowledge_contributions_set_status",
        request=StatusChangeSerializer,
        responses={200: ContributionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Set the status with a reason the author and followers see. ``duplicate`` and
        ``merged`` need ``related_to`` (the original). 409 for a move the lifecycle does not
        allow (e.g. from ``shipped``, or of a draft)."""
        community = self.get_community()
        contribution = self.get_contribution()
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        related_to = None
        if data["related_to"] is not None:
            try:
                related_to = access_contribution(
                    request.user, data["related_to"], community=community
                )
            except Http404:
                raise ValidationError(
                    {"related_to": _("Link a contribution of this community.")}
                ) from None
        services.contribution_set_status(
            actor=request.user,
            contribution=contribution,
            status=data["status"],
            reason=data["reason"],
            related_to=related_to,
        )
        return _contribution_response(request, community, contribution.pk)
