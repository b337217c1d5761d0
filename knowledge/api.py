"""REST API for knowledge (under /api/v1/): toolkits, challenges, contributions and their
lifecycle, dialogue, supports, follows, evaluations, search and the staff triage board.

Reads go through ``knowledge.selectors``, which authorize as they fetch: a community's
knowledge answers 404 to anyone who is not inside it (the same 404 as for a missing id), and
drafts are seen by their author and staff only. Moderation applies the same way: hidden and held
contributions answer 404 to anyone but their author and the community's moderators, and a
hidden comment reads ``removed: true`` (no body, no author) to everyone else. Every state
change is an explicit view that checks the caller's right first (so a forbidden request never
reads as 400), validates the body, and calls one service in ``knowledge.services``. Lists are
cursor-paginated.
"""

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from cocreate.api.pagination import CreatedCursorPagination, OldestFirstCursorPagination
from cocreate.api.schema import RETRY_AFTER_HEADER, SLUG_PARAM, error_responses, id_param
from cocreate.api.views import MAX_ID, ApiView, check_id
from cocreate.errors import ValidationError
from communities import selectors as community_selectors
from communities.api import PersonSerializer
from communities.models import Community, Membership
from communities.rules import membership_for

from . import selectors, services
from .limits import check_post_rate
from .models import (
    Challenge,
    Comment,
    Contribution,
    Evaluation,
    FieldType,
    Kind,
    ModerationState,
    Scorecard,
    StatusChange,
    Toolkit,
)

S = Contribution.Status
# Named in the schema through SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (PublishedStatusEnum).
PUBLISHED_STATUSES = [(value, label) for value, label in S.choices if value != S.DRAFT]


# --- Input helpers ----------------------------------------------------------------------------


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


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- Serializers: toolkits --------------------------------------------------------------------


class ToolkitFieldSerializer(serializers.Serializer):
    """One typed field of a toolkit version."""

    key = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=_("Letters, digits and _; derived from the label when left out."),
    )
    label = serializers.CharField(max_length=120)
    type = serializers.ChoiceField(choices=FieldType.choices)
    required = serializers.BooleanField(default=False)
    help = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    choices = serializers.ListField(
        child=serializers.CharField(max_length=120),
        required=False,
        default=list,
        max_length=100,
        help_text=_("Options for choice and multiple_choice fields (at least two)."),
    )


class ToolkitSerializer(serializers.ModelSerializer):
    """A toolkit with its current version's title, guidance and fields."""

    kind_label = serializers.CharField(read_only=True)
    version = serializers.IntegerField(source="current_version.number", read_only=True)
    title = serializers.CharField(source="current_version.title", read_only=True)
    guidance = serializers.CharField(source="current_version.guidance", read_only=True)
    fields = ToolkitFieldSerializer(source="current_version.fields", many=True, read_only=True)
    version_created_at = serializers.DateTimeField(
        source="current_version.created_at", read_only=True
    )

    class Meta:
        model = Toolkit
        fields = (
            "id",
            "kind",
            "kind_label",
            "custom_kind",
            "is_active",
            "version",
            "title",
            "guidance",
            "fields",
            "created_at",
            "version_created_at",
        )
        read_only_fields = fields


class ToolkitCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.IDEA)
    custom_kind = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text=_("For 'other'.")
    )
    guidance = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    fields = ToolkitFieldSerializer(many=True, required=False, default=list)


class ToolkitReviseSerializer(serializers.Serializer):
    """A new version: what is left out (PATCH) is copied from the current version."""

    title = serializers.CharField(max_length=120)
    guidance = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    fields = ToolkitFieldSerializer(many=True)


# --- Serializers: challenges ------------------------------------------------------------------


class ChallengeSerializer(serializers.ModelSerializer):
    toolkits = serializers.SerializerMethodField()
    accepts_contributions = serializers.SerializerMethodField()

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
        child=_id_field(),
        required=False,
        default=list,
        max_length=50,
        help_text=_("Ids of this community's toolkits contributions must use (none: any)."),
    )
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    phase = serializers.ChoiceField(choices=Challenge.Phase.choices, default=Challenge.Phase.DRAFT)


class PhaseSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Challenge.Phase.choices)


# --- Serializers: contributions ---------------------------------------------------------------


class ChallengeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class ContributionSummarySerializer(serializers.ModelSerializer):
    """A contribution as feeds show it (no body, no answers)."""

    author = PersonSerializer(read_only=True)
    challenge = ChallengeRefSerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    supported = serializers.SerializerMethodField(
        help_text=_("Whether the caller supports this contribution.")
    )

    class Meta:
        model = Contribution
        fields = (
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
    fields = serializers.DictField(
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
        return bool(request and _allowed(request.user, "knowledge.edit_contribution", contribution))

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, contribution: Contribution) -> list[dict]:
        state = self._state()
        return TimelineEntrySerializer(state.timeline if state else [], many=True).data

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
    toolkit = _id_field(help_text=_("Id of one of this community's active toolkits."))
    challenge = _id_field(
        required=False, allow_null=True, default=None, help_text=_("Id of an open challenge.")
    )
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(
        max_length=50000, required=False, allow_blank=True, default="", help_text=_("Markdown.")
    )
    fields = AnswersField(
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
    fields = AnswersField(required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )


class SupportStateSerializer(serializers.Serializer):
    supported = serializers.BooleanField(read_only=True)
    support_count = serializers.IntegerField(read_only=True)


class FollowStateSerializer(serializers.Serializer):
    following = serializers.BooleanField(read_only=True)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PUBLISHED_STATUSES)
    reason = serializers.CharField(max_length=5000, help_text=_("Shown to the author."))
    related_to = _id_field(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The original contribution (for duplicate and merged)."),
    )


class LockSerializer(serializers.Serializer):
    locked = serializers.BooleanField()


# --- Serializers: dialogue --------------------------------------------------------------------


class CommentSerializer(serializers.ModelSerializer):
    """A comment as the caller may see it. A comment a moderator hid keeps its place in the
    thread; to anyone but its author and moderators it is ``removed`` with no author and no
    body. Its author and moderators also see ``moderation_state`` and ``moderation_reason``."""

    author = PersonSerializer(read_only=True, allow_null=True, help_text=_("Null when removed."))
    body = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("Markdown, as written; null when removed.")
    )
    body_html = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_("The comment as sanitized HTML; null when removed."),
    )
    removed = serializers.SerializerMethodField(
        help_text=_("Removed by a moderator: the caller sees neither its author nor its text.")
    )
    moderation_state = serializers.ChoiceField(
        choices=ModerationState.choices,
        read_only=True,
        help_text=_("visible, pending (waiting for review: author and moderators only) or hidden."),
    )
    moderation_reason = serializers.SerializerMethodField(
        help_text=_("Why it is hidden or held: for its author and moderators only, else null.")
    )

    class Meta:
        model = Comment
        fields = (
            "id",
            "author",
            "parent",
            "body",
            "body_html",
            "is_official",
            "is_helpful",
            "reply_count",
            "created_at",
            "edited_at",
            "removed",
            "moderation_state",
            "moderation_reason",
        )
        read_only_fields = fields

    def get_removed(self, comment: Comment) -> bool:
        return bool(getattr(comment, "removed", False))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_moderation_reason(self, comment: Comment) -> str | None:
        # Set by selectors.present_comments: only the author and moderators see why.
        return comment.moderation_reason if getattr(comment, "show_moderation", False) else None

    def to_representation(self, comment: Comment) -> dict:
        data = super().to_representation(comment)
        if getattr(comment, "removed", False):
            data.update(author=None, body=None, body_html=None)
        return data


class ThreadCommentSerializer(CommentSerializer):
    """A top-level comment with its first replies (``reply_count`` says how many there are)."""

    replies = CommentSerializer(source="shown_replies", many=True, read_only=True)

    class Meta(CommentSerializer.Meta):
        fields = (*CommentSerializer.Meta.fields, "replies")
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000, help_text=_("Markdown; @handle mentions."))
    parent = _id_field(
        required=False, allow_null=True, default=None, help_text=_("Reply to this comment.")
    )
    official = serializers.BooleanField(
        default=False, help_text=_("Staff only: the firm's official response.")
    )


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000)


class HelpfulSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()


# --- Serializers: evaluation, search, triage --------------------------------------------------


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(max_length=120)
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
    challenge = _id_field(required=False, allow_null=True, default=None)


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
    scorecard = _id_field()
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


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=200,
        allow_blank=True,
        help_text=_('Words to find; on PostgreSQL web-search syntax ("phrase", or, -word).'),
    )


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="contribution.id")
    title = serializers.CharField(source="contribution.title")
    kind = serializers.CharField(source="contribution.kind")
    status = serializers.ChoiceField(choices=S.choices, source="contribution.status")
    author = PersonSerializer(source="contribution.author")
    support_count = serializers.IntegerField(source="contribution.support_count")
    comment_count = serializers.IntegerField(source="contribution.comment_count")
    submitted_at = serializers.DateTimeField(source="contribution.submitted_at", allow_null=True)
    snippet = serializers.CharField(
        help_text=_(
            "HTML: the matching passage with its text escaped and each match wrapped in "
            "<mark>...</mark>; safe to insert as HTML, no other tags appear."
        )
    )


class SearchResultsSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)


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
    label = serializers.CharField()
    contributions = TriageItemSerializer(many=True)


class TriageBoardSerializer(serializers.Serializer):
    columns = TriageColumnSerializer(many=True)


class FeedFilterSerializer(serializers.Serializer):
    sort = serializers.ChoiceField(
        choices=list(selectors.FEED_SORTS), default="new", help_text=_("Feed order.")
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    status = serializers.ChoiceField(choices=PUBLISHED_STATUSES, required=False)
    tag = serializers.CharField(max_length=40, required=False, allow_blank=True)
    challenge = _id_field(required=False, help_text=_("Only this challenge's contributions."))


class ChallengeFilterSerializer(serializers.Serializer):
    challenge = _id_field(required=False, help_text=_("Only this challenge (and general ones)."))


# --- Pagination -------------------------------------------------------------------------------


class FeedCursorPagination(CreatedCursorPagination):
    """Cursor pagination in the feed order the client chose (``sort``, see FEED_SORTS)."""

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        return selectors.FEED_SORTS[getattr(view, "feed_sort", "new")]


# --- Views: shared ----------------------------------------------------------------------------


TOOLKIT_ID = id_param("toolkit_id", "Id of the toolkit.")
CHALLENGE_ID = id_param("challenge_id", "Id of the challenge.")
CONTRIBUTION_ID = id_param("contribution_id", "Id of the contribution.")
COMMENT_ID = id_param("comment_id", "Id of the comment.")


def _allowed(user, perm: str, obj: Any) -> bool:
    # rules.has_perm, as the services use: Django's superuser shortcut in user.has_perm would
    # let a platform admin past checks that the role table in knowledge/rules.py refuses.
    return rules.has_perm(perm, user, obj)


def _require(user, perm: str, obj: Any, message: str) -> None:
    """Refuse with 403 before reading the body, so a forbidden request never reads as 400."""
    if not _allowed(user, perm, obj):
        raise PermissionDenied(message)


def _fake(view: ApiView) -> bool:
    return getattr(view, "swagger_fake_view", False)


class KnowledgeView(ApiView):
    """A view under /communities/{slug}/: the community is fetched once and the caller must be
    allowed to see its knowledge (members, the firm's staff, admins); anyone else gets 404."""

    def get_community(self) -> Community:
        if not hasattr(self, "_community"):
            community = community_selectors.community_get(
                user=self.request.user, slug=self.kwargs["slug"]
            )
            if not _allowed(self.request.user, "knowledge.view_knowledge", community):
                membership = membership_for(self.request.user, community)
                if membership is not None and membership.status == Membership.Status.BANNED:
                    # They know the community (and their ban): say so rather than 404.
                    raise PermissionDenied(
                        selectors.participation_refusal(self.request.user, community)
                    )
                raise Http404
            self._community = community
        return self._community

    def get_challenge(self) -> Challenge:
        return selectors.challenge_get(
            user=self.request.user,
            community=self.get_community(),
            challenge_id=check_id(self.kwargs["challenge_id"]),
        )

    def get_contribution(self) -> Contribution:
        return selectors.contribution_get(
            user=self.request.user,
            community=self.get_community(),
            contribution_id=check_id(self.kwargs["contribution_id"]),
        )

    def find_challenge(
        self, challenge_id: int | None, field: str = "challenge"
    ) -> Challenge | None:
        """A challenge named in a body or filter: missing or invisible ones are a 400 on
        ``field``, not a 404 of the whole request."""
        if challenge_id is None:
            return None
        challenge = (
            selectors.challenges_for(user=self.request.user, community=self.get_community())
            .filter(pk=challenge_id)
            .first()
        )
        if challenge is None:
            raise ValidationError({field: _("Choose a challenge of this community.")})
        return challenge


def _thread_page(view: ApiView, queryset: QuerySet[Comment], community: Community) -> Response:
    page = view.paginate_queryset(queryset)
    selectors.with_first_replies(page, user=view.request.user, community=community)
    return view.get_paginated_response(ThreadCommentSerializer(page, many=True).data)


def _require_participation(user, community: Community) -> None:
    """403 with the reason (suspended until when, banned, not a member) unless the caller may
    post, comment and support; checked before the body is read."""
    refusal = selectors.participation_refusal(user, community)
    if refusal:
        raise PermissionDenied(refusal)


def _comment_create(
    view: KnowledgeView,
    request: Request,
    *,
    contribution: Contribution | None = None,
    challenge: Challenge | None = None,
) -> Response:
    community = view.get_community()
    _require_participation(request.user, community)
    serializer = CommentCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    parent = None
    if data["parent"] is not None:
        target = {"contribution": contribution} if contribution else {"challenge": challenge}
        parent = Comment.objects.filter(pk=data["parent"], **target).first()
        if parent is None or not selectors.comment_is_listed(
            parent, user=request.user, community=community
        ):
            raise ValidationError({"parent": _("Reply to a comment in this discussion.")})
    check_post_rate(request, community, body=data["body"], is_reply=parent is not None)
    comment = services.comment_create(
        author=request.user,
        body=data["body"],
        contribution=contribution,
        challenge=challenge,
        parent=parent,
        official=data["official"],
    )
    comment.author = request.user
    selectors.present_comments([comment], user=request.user, community=community)
    return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


# --- Views: toolkits --------------------------------------------------------------------------


@extend_schema(parameters=[SLUG_PARAM])
class ToolkitListView(KnowledgeView):
    """A community's toolkits; its managers design new ones."""

    serializer_class = ToolkitSerializer
    pagination_class = OldestFirstCursorPagination

    def get_queryset(self) -> QuerySet[Toolkit]:
        if _fake(self):
            return Toolkit.objects.none()
        community = self.get_community()
        manages = _allowed(self.request.user, "knowledge.manage", community)
        return selectors.toolkits_for(
            user=self.request.user, community=community, active_only=not manages
        )

    @extend_schema(
        operation_id="knowledge_toolkits_list",
        responses={200: ToolkitSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """List the toolkits members contribute through, oldest first. Managers also see the
        toolkits that no longer accept contributions (``is_active`` false)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ToolkitSerializer(page, many=True).data)

    @extend_schema(
        operation_id="knowledge_toolkits_create",
        request=ToolkitCreateSerializer,
        responses={201: ToolkitSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Design a toolkit (managers): its first version has the given title, guidance and
        typed fields."""
        community = self.get_community()
        _require(
            request.user, "knowledge.manage", community, _("Only managers can design toolkits.")
        )
        serializer = ToolkitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        toolkit = services.toolkit_create(
            actor=request.user, community=community, **serializer.validated_data
        )
        return Response(ToolkitSerializer(toolkit).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG_PARAM, TOOLKIT_ID])
class ToolkitDetailView(KnowledgeView):
    """One toolkit; managers revise it (each revision is a new version)."""

    serializer_class = ToolkitSerializer

    def get_toolkit(self) -> Toolkit:
        return selectors.toolkit_get(
            user=self.request.user,
            community=self.get_community(),
            toolkit_id=check_id(self.kwargs["toolkit_id"]),
        )

    def get_object(self) -> Toolkit:
        # DRF's OPTIONS metadata calls get_object() on views that accept PUT.
        return self.get_toolkit()

    @extend_schema(
        operation_id="knowledge_toolkits_retrieve",
        responses={200: ToolkitSerializer, **error_responses(404)},
    )
    def get(self, request: Request, slug: str, toolkit_id: int) -> Response:
        """Return a toolkit with its current version's fields."""
        return Response(ToolkitSerializer(self.get_toolkit()).data)

    def _revise(self, request: Request, *, partial: bool) -> Response:
        toolkit = self.get_toolkit()
        _require(
            request.user,
            "knowledge.manage",
            self.get_community(),
            _("Only managers can edit toolkits."),
        )
        serializer = ToolkitReviseSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        current = toolkit.current_version
        values = {"title": current.title, "guidance": current.guidance, "fields": current.fields}
        values.update(serializer.validated_data)
        services.toolkit_revise(actor=request.user, toolkit=toolkit, **values)
        return Response(ToolkitSerializer(self.get_toolkit()).data)

    @extend_schema(
        operation_id="knowledge_toolkits_update",
        request=ToolkitReviseSerializer,
        responses={200: ToolkitSerializer, **error_responses(400, 403, 404)},
    )
    def put(self, request: Request, slug: str, toolkit_id: int) -> Response:
        """Revise a toolkit (managers): title, guidance and fields become a new version.
        Contributions already written keep the version they were written with."""
        return self._revise(request, partial=False)

    @extend_schema(
        operation_id="knowledge_toolkits_partial_update",
        request=ToolkitReviseSerializer,
        responses={200: ToolkitSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, slug: str, toolkit_id: int) -> Response:
        """Revise a toolkit (managers); what is left out is copied from the current version.
        Always creates a new version."""
        return self._revise(request, partial=True)


# --- Views: challenges ------------------------------------------------------------------------


def _with_toolkit_ids(qs: QuerySet[Challenge]) -> QuerySet[Challenge]:
    return qs.prefetch_related(Prefetch("toolkits", queryset=Toolkit.objects.only("id")))


@extend_schema(parameters=[SLUG_PARAM])
class ChallengeListView(KnowledgeView):
    """A community's challenges; its managers pose new ones."""

    serializer_class = ChallengeSerializer
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> QuerySet[Challenge]:
        if _fake(self):
            return Challenge.objects.none()
        return _with_toolkit_ids(
            selectors.challenges_for(user=self.request.user, community=self.get_community())
        )

    @extend_schema(
        operation_id="knowledge_challenges_list",
        responses={200: ChallengeSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """List challenges, newest first. Drafts are listed for staff only."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ChallengeSerializer(page, many=True).data)

    @extend_schema(
        operation_id="knowledge_challenges_create",
        request=ChallengeCreateSerializer,
        responses={201: ChallengeSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Pose a challenge (managers), as a draft or open straight away. An open challenge
        needs a deadline in the future (or none)."""
        community = self.get_community()
        _require(
            request.user, "knowledge.manage", community, _("Only managers can pose challenges.")
        )
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
    def get(self, request: Request, slug: str, challenge_id: int) -> Response:
        """Return a challenge (a draft one only to staff)."""
        return Response(ChallengeSerializer(self.get_challenge()).data)


@extend_schema(parameters=[SLUG_PARAM, CHALLENGE_ID])
class ChallengePhaseView(KnowledgeView):
    """Move a challenge between its phases (managers)."""

    serializer_class = PhaseSerializer

    @extend_schema(
        operation_id="knowledge_challenges_set_phase",
        request=PhaseSerializer,
        responses={200: ChallengeSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, challenge_id: int) -> Response:
        """Set the phase: draft, open, evaluation or closed. Opening needs the deadline (if
        any) in the future: otherwise 400 on ``deadline``."""
        challenge = self.get_challenge()
        _require(
            request.user, "knowledge.manage", self.get_community(), _("Only managers can do this.")
        )
        serializer = PhaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = services.challenge_set_phase(
            actor=request.user, challenge=challenge, phase=serializer.validated_data["phase"]
        )
        return Response(ChallengeSerializer(challenge).data)


@extend_schema(parameters=[SLUG_PARAM, CHALLENGE_ID])
class ChallengeCommentsView(KnowledgeView):
    """The discussion of a challenge."""

    serializer_class = ThreadCommentSerializer
    pagination_class = OldestFirstCursorPagination

    @extend_schema(
        operation_id="knowledge_challenges_comments_list",
        responses={200: ThreadCommentSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str, challenge_id: int) -> Response:
        """List top-level comments, oldest first, each with its first replies."""
        challenge = self.get_challenge()
        return _thread_page(
            self,
            selectors.top_level_comments(user=request.user, challenge=challenge),
            self.get_community(),
        )

    @extend_schema(
        operation_id="knowledge_challenges_comments_create",
        request=CommentCreateSerializer,
        parameters=[RETRY_AFTER_HEADER],
        responses={
            201: CommentSerializer,
            **error_responses(400, 403, 404, 409, rate_limited=True),
        },
    )
    def post(self, request: Request, slug: str, challenge_id: int) -> Response:
        """Comment on the challenge or reply to a comment (active members). 409 when the
        discussion is locked or the challenge is closed; 403 (with the reason) for suspended
        members; 429 with ``Retry-After`` when posting too often. A new member's comment may
        start ``pending`` (waiting for a moderator) and is then seen only by them."""
        return _comment_create(self, request, challenge=self.get_challenge())


# --- Views: contributions ---------------------------------------------------------------------


@extend_schema(parameters=[SLUG_PARAM])
class ContributionListView(KnowledgeView):
    """The community's feed of published contributions, and contributing."""

    serializer_class = ContributionSummarySerializer
    pagination_class = FeedCursorPagination
    feed_sort = "new"

    def get_queryset(self) -> QuerySet[Contribution]:
        if _fake(self):
            return Contribution.objects.none()
        filters = FeedFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        self.feed_sort = params["sort"]
        return selectors.contribution_feed(
            user=self.request.user,
            community=self.get_community(),
            challenge=self.find_challenge(params.get("challenge")),
            kind=params.get("kind", ""),
            status=params.get("status", ""),
            tag=params.get("tag", ""),
        )

    @extend_schema(
        operation_id="knowledge_contributions_list",
        parameters=[FeedFilterSerializer],
        responses={200: ContributionSummarySerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """List published contributions (never drafts) in the chosen order: ``new`` (latest
        submitted), ``top`` (most supported), ``discussed`` (most comments) or ``trending``
        (latest activity). The cursor follows the chosen order. Each item says whether the
        caller supports it."""
        page = self.paginate_queryset(self.get_queryset())
        supported = selectors.supported_ids(user=request.user, contributions=page)
        data = ContributionSummarySerializer(
            page, many=True, context={"supported_ids": supported}
        ).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="knowledge_contributions_create",
        request=ContributionCreateSerializer,
        parameters=[RETRY_AFTER_HEADER],
        responses={
            201: ContributionSerializer,
            **error_responses(400, 403, 404, rate_limited=True),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        """Contribute through a toolkit (active members), as a draft (``submit`` false) or
        submitted. On submit every required toolkit field must be answered (errors keyed
        ``field_<key>``) and a challenge must be open with its deadline ahead (400 on
        ``challenge``). Nothing is written when anything is invalid. Submitting is rate
        limited (429 with ``Retry-After``); a new member's submission may start ``pending``
        (``moderation_state``): only they and the moderators see it until it is approved."""
        community = self.get_community()
        _require_participation(request.user, community)
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
    contribution = selectors.contribution_get(
        user=request.user, community=community, contribution_id=contribution_id
    )
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
    def get(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Return a contribution with the caller's support and follow and the status timeline
        (with reasons). A draft answers 404 to everyone but its author and staff."""
        contribution = self.get_contribution()
        return _contribution_response(request, self.get_community(), contribution.pk)

    @extend_schema(
        operation_id="knowledge_contributions_update",
        request=ContributionEditSerializer,
        responses={200: ContributionSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Edit title, body, answers or tags (the author, until a decision); fields left out
        keep their value and the previous text is kept as a revision. Required toolkit fields
        are checked unless it is a draft."""
        contribution = self.get_contribution()
        _require(
            request.user,
            "knowledge.edit_contribution",
            contribution,
            _("Only the author can edit this contribution, and only before it is decided."),
        )
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
    def post(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Submit the caller's draft: required fields are checked against the toolkit version
        it was written with (400, keyed ``field_<key>``). 409 if it was already submitted;
        429 with ``Retry-After`` when publishing too often. A new member's submission may start
        ``pending`` (waiting for a moderator's review)."""
        contribution = self.get_contribution()
        community = self.get_community()
        _require_participation(request.user, community)
        _require(
            request.user,
            "knowledge.edit_contribution",
            contribution,
            _("Only the author can submit this."),
        )
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
    def post(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Support the contribution (active members; once each, repeating is harmless).
        409 for drafts and for hidden or held contributions; 403 (with the reason) for
        suspended members."""
        contribution = self.get_contribution()
        _require_participation(request.user, self.get_community())
        services.support_add(user=request.user, contribution=contribution)
        return self._state(contribution, True)

    @extend_schema(
        operation_id="knowledge_contributions_unsupport",
        request=None,
        responses={200: SupportStateSerializer, **error_responses(404)},
    )
    def delete(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Withdraw the caller's support (harmless if there was none)."""
        contribution = self.get_contribution()
        services.support_remove(user=request.user, contribution=contribution)
        return self._state(contribution, False)


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class FollowView(KnowledgeView):
    """Whether the caller follows a contribution (and hears of its replies and status)."""

    serializer_class = FollowStateSerializer

    @extend_schema(
        operation_id="knowledge_contributions_follow",
        request=None,
        responses={200: FollowStateSerializer, **error_responses(403, 404)},
    )
    def post(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Follow the contribution."""
        contribution = self.get_contribution()
        following = services.follow_set(
            user=request.user, following=True, contribution=contribution
        )
        return Response({"following": following})

    @extend_schema(
        operation_id="knowledge_contributions_unfollow",
        request=None,
        responses={200: FollowStateSerializer, **error_responses(403, 404)},
    )
    def delete(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Stop following the contribution."""
        contribution = self.get_contribution()
        following = services.follow_set(
            user=request.user, following=False, contribution=contribution
        )
        return Response({"following": following})


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class StatusView(KnowledgeView):
    """Move a contribution through its lifecycle (staff)."""

    serializer_class = StatusChangeSerializer

    @extend_schema(
        operation_id="knowledge_contributions_set_status",
        request=StatusChangeSerializer,
        responses={200: ContributionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Set the status with a reason the author and followers see. ``duplicate`` and
        ``merged`` need ``related_to`` (the original). 409 for a move the lifecycle does not
        allow (e.g. from ``shipped``, or of a draft)."""
        community = self.get_community()
        contribution = self.get_contribution()
        _require(request.user, "knowledge.staff", community, _("Only staff can change the status."))
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        related_to = None
        if data["related_to"] is not None:
            try:
                related_to = selectors.contribution_get(
                    user=request.user, community=community, contribution_id=data["related_to"]
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


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class LockView(KnowledgeView):
    """Lock or unlock a contribution's discussion (staff)."""

    serializer_class = LockSerializer

    @extend_schema(
        operation_id="knowledge_contributions_lock",
        request=LockSerializer,
        responses={200: LockSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Lock (``locked`` true) or reopen the discussion. New comments on a locked
        discussion answer 409."""
        contribution = self.get_contribution()
        _require(
            request.user,
            "knowledge.staff",
            self.get_community(),
            _("Only staff can lock discussions."),
        )
        serializer = LockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        locked = serializer.validated_data["locked"]
        services.discussion_set_locked(actor=request.user, locked=locked, contribution=contribution)
        return Response({"locked": locked})


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class ContributionCommentsView(KnowledgeView):
    """The discussion of a contribution."""

    serializer_class = ThreadCommentSerializer
    pagination_class = OldestFirstCursorPagination

    @extend_schema(
        operation_id="knowledge_contributions_comments_list",
        responses={200: ThreadCommentSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str, contribution_id: int) -> Response:
        """List top-level comments, oldest first, each with its first three replies (the rest
        from /comments/{id}/replies/)."""
        contribution = self.get_contribution()
        return _thread_page(
            self,
            selectors.top_level_comments(user=request.user, contribution=contribution),
            self.get_community(),
        )

    @extend_schema(
        operation_id="knowledge_contributions_comments_create",
        request=CommentCreateSerializer,
        parameters=[RETRY_AFTER_HEADER],
        responses={
            201: CommentSerializer,
            **error_responses(400, 403, 404, 409, rate_limited=True),
        },
    )
    def post(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Comment or reply (active members); ``official`` marks a staff reply as the firm's
        official response (403 for others). 409 on drafts, locked discussions and hidden or
        held posts; 403 (with the reason) for suspended members; 429 with ``Retry-After`` when
        posting too often. A new member's comment may start ``pending`` (waiting for a
        moderator) and is then seen only by them and the moderators."""
        return _comment_create(self, request, contribution=self.get_contribution())


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class EvaluationsView(KnowledgeView):
    """Staff evaluations of a contribution (scores and notes are never shown to members)."""

    serializer_class = EvaluationSerializer
    pagination_class = CreatedCursorPagination

    @extend_schema(
        operation_id="knowledge_contributions_evaluations_list",
        responses={200: EvaluationSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str, contribution_id: int) -> Response:
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
    def post(self, request: Request, slug: str, contribution_id: int) -> Response:
        """Score the contribution on every criterion of a scorecard, 1-5 (staff); replaces
        the caller's earlier scores on that scorecard. 409 for drafts."""
        community = self.get_community()
        contribution = self.get_contribution()
        _require(request.user, "knowledge.staff", community, _("Only staff can evaluate."))
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


# --- Views: comments --------------------------------------------------------------------------


@extend_schema(parameters=[COMMENT_ID])
class CommentView(ApiView):
    """A comment anywhere the caller may read; its author edits it."""

    serializer_class = CommentSerializer

    def get_comment(self) -> Comment:
        return selectors.comment_get(
            user=self.request.user, comment_id=check_id(self.kwargs["comment_id"])
        )

    @extend_schema(
        operation_id="knowledge_comments_retrieve",
        responses={200: CommentSerializer, **error_responses(404)},
    )
    def get(self, request: Request, comment_id: int) -> Response:
        """Return one comment (404 unless the caller may read its discussion)."""
        return Response(CommentSerializer(self.get_comment()).data)

    @extend_schema(
        operation_id="knowledge_comments_update",
        request=CommentEditSerializer,
        responses={200: CommentSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: Request, comment_id: int) -> Response:
        """Edit the caller's own comment; the previous text is kept. 409 when the discussion
        is locked."""
        comment = self.get_comment()
        if comment.author_id != request.user.pk:
            raise PermissionDenied(_("Only the author can edit a comment."))
        serializer = CommentEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.comment_edit(
            editor=request.user, comment=comment, body=serializer.validated_data["body"]
        )
        return Response(CommentSerializer(self.get_comment()).data)


@extend_schema(parameters=[COMMENT_ID])
class CommentRepliesView(ApiView):
    """All replies to a top-level comment."""

    serializer_class = CommentSerializer
    pagination_class = OldestFirstCursorPagination

    @extend_schema(
        operation_id="knowledge_comments_replies_list",
        responses={200: CommentSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, comment_id: int) -> Response:
        """List the replies, oldest first."""
        parent = selectors.comment_get(user=request.user, comment_id=check_id(comment_id))
        page = self.paginate_queryset(selectors.comment_replies(user=request.user, parent=parent))
        selectors.present_comments(
            page, user=request.user, community=(parent.contribution or parent.challenge).community
        )
        return self.get_paginated_response(CommentSerializer(page, many=True).data)


@extend_schema(parameters=[COMMENT_ID])
class CommentHelpfulView(ApiView):
    """Mark a comment helpful (the contribution's author, or staff)."""

    serializer_class = HelpfulSerializer

    @extend_schema(
        operation_id="knowledge_comments_helpful",
        request=HelpfulSerializer,
        responses={200: CommentSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, comment_id: int) -> Response:
        """Mark (``helpful`` true) or unmark the comment as helpful."""
        comment = selectors.comment_get(user=request.user, comment_id=check_id(comment_id))
        serializer = HelpfulSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_mark_helpful(
            actor=request.user, comment=comment, helpful=serializer.validated_data["helpful"]
        )
        comment = selectors.comment_get(user=request.user, comment_id=comment.pk)
        return Response(CommentSerializer(comment).data)


# --- Views: search, triage, scorecards --------------------------------------------------------


@extend_schema(parameters=[SLUG_PARAM])
class SearchView(KnowledgeView):
    """Full-text search over a community's published contributions."""

    serializer_class = SearchResultsSerializer

    @extend_schema(
        operation_id="knowledge_search",
        parameters=[SearchQuerySerializer],
        responses={200: SearchResultsSerializer, **error_responses(400, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """Up to 20 published contributions matching ``q``, best first.

        ``snippet`` is HTML: the matching passage with its text HTML-escaped and every match
        wrapped in ``<mark>``; no other markup appears, so clients may insert it as HTML.
        On PostgreSQL results are ranked by relevance (title above body); elsewhere they are
        substring matches, newest first.
        """
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        hits = selectors.search_contributions(
            user=request.user, community=self.get_community(), query=params.validated_data["q"]
        )
        return Response(SearchResultsSerializer({"results": hits}).data)


@extend_schema(parameters=[SLUG_PARAM])
class TriageView(KnowledgeView):
    """The staff triage board: published contributions by status, with their scores."""

    serializer_class = TriageBoardSerializer

    @extend_schema(
        operation_id="knowledge_triage",
        parameters=[ChallengeFilterSerializer],
        responses={200: TriageBoardSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """One column per published status (newest first, at most 50 each), every item with
        its average weighted score and number of evaluations (staff)."""
        community = self.get_community()
        _require(request.user, "knowledge.staff", community, _("Only staff can triage."))
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

    serializer_class = ScorecardSerializer
    pagination_class = OldestFirstCursorPagination

    @extend_schema(
        operation_id="knowledge_scorecards_list",
        parameters=[ChallengeFilterSerializer],
        responses={200: ScorecardSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """List scorecards, oldest first (staff); with ``challenge``, that challenge's and the
        general ones."""
        community = self.get_community()
        _require(request.user, "knowledge.staff", community, _("Only staff see scorecards."))
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
    def post(self, request: Request, slug: str) -> Response:
        """Define a scorecard (managers): criteria with labels and weights 1-100, each scored
        1-5 when evaluating; optionally for one challenge."""
        community = self.get_community()
        _require(request.user, "knowledge.manage", community, _("Only managers define scorecards."))
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
