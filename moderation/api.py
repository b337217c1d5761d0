"""REST API for moderation (under /api/v1/): flags, the queue, actions (one or in bulk) and the
log, appeals, settings and the transparency counts.

Reads go through ``moderation.selectors``, which authorize as they fetch: a community the caller
may not see answers 404; one they see but may not moderate answers 403 before the body is read.
Every state change is an explicit view calling one service in ``moderation.services``.
"""

from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.types import AuthenticatedRequest
from cocreate.api.pagination import CreatedCursorPagination, OldestFirstCursorPagination
from cocreate.api.schema import SLUG_PARAM, error_responses, id_param
from cocreate.api.views import MAX_ID, ApiView, check_id
from cocreate.dates import displayable_date
from communities.api import PersonSerializer
from communities.api_base import CommunityEndpoint
from communities.models import Community, Membership
from knowledge.access import access_comment, access_contribution
from knowledge.models import Contribution, ModerationState

from . import selectors, services
from .models import Appeal, Flag, FlagReason, ModerationAction, ModerationSettings
from .selectors import QUEUE_KINDS, QUEUE_STATES, QueueItem
from .trust import settings_for

K = ModerationAction.Kind


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field documented as a string with a pattern of its values: "kind", "status"
    and "type" name other choice sets in other apps, and the schema's enum components would
    collide (spectacular names enums per field name unless ENUM_NAME_OVERRIDES lists them)."""
    values = [c[0] if isinstance(c, tuple | list) else c for c in choices]
    described = ", ".join(values)

    @extend_schema_field(
        {
            "type": "string",
            "pattern": "^(" + "|".join(values) + ")$",
            "description": f"One of: {described}.",
        }
    )
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, **kwargs)


# --- Serializers ----------------------------------------------------------------------------------


class FlagSerializer(serializers.ModelSerializer):
    """One of the caller's own reports and its outcome (never who decided)."""

    community: "serializers.SlugRelatedField[Community]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    status = _choice(Flag.Status.choices, read_only=True)

    class Meta:
        model = Flag
        fields = (
            "id",
            "community",
            "contribution",
            "comment",
            "reason",
            "note",
            "status",
            "created_at",
            "resolved_at",
        )
        read_only_fields = fields


class FlagCreateSerializer(serializers.Serializer):
    contribution = _id_field(required=False, help_text=_("Id of the contribution to flag."))
    comment = _id_field(required=False, help_text=_("Id of the comment to flag."))
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text=_("Required when the reason is 'other'."),
    )

    def validate(self, attrs):
        if ("contribution" in attrs) == ("comment" in attrs):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give one contribution or one comment.")]}
            )
        return attrs


class StandingSerializer(serializers.Serializer):
    status = serializers.CharField(allow_null=True)
    role = serializers.CharField(allow_null=True)
    joined_at = serializers.DateTimeField(allow_null=True)
    approved_posts = serializers.IntegerField()
    previous_actions = serializers.IntegerField()


class QueueFlagsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    reasons = serializers.DictField(child=serializers.IntegerField())
    notes = serializers.ListField(child=serializers.CharField())


class QueueItemSerializer(serializers.Serializer):
    """An item waiting for a moderator, with its open flags (never who reported) and its
    author's standing."""

    type = _choice(list(QUEUE_KINDS))
    id = serializers.IntegerField()
    state = _choice(ModerationState.choices)
    moderation_reason = serializers.CharField()
    excerpt = serializers.CharField()
    url = serializers.CharField(help_text=_("The post's page."))
    contribution = serializers.IntegerField(allow_null=True)
    author = PersonSerializer()
    author_standing = StandingSerializer()
    flags = QueueFlagsSerializer()
    created_at = serializers.DateTimeField()


class QueuePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = QueueItemSerializer(many=True)


class QueueFilterSerializer(serializers.Serializer):
    kind = _choice(list(QUEUE_KINDS), required=False)
    reason = serializers.ChoiceField(choices=FlagReason.choices, required=False)
    state = _choice(
        list(QUEUE_STATES),
        required=False,
        help_text=_("Default: pending or flagged items."),
    )
    cursor = serializers.CharField(required=False, max_length=500)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class ActionSerializer(serializers.ModelSerializer):
    """One entry of the append-only moderation log."""

    actor = PersonSerializer(read_only=True)
    subject = PersonSerializer(read_only=True)
    kind = _choice(K.choices, read_only=True)

    class Meta:
        model = ModerationAction
        fields = (
            "id",
            "kind",
            "reason",
            "actor",
            "subject",
            "contribution",
            "comment",
            "until",
            "reverses",
            "created_at",
        )
        read_only_fields = fields


class ActionCreateSerializer(serializers.Serializer):
    kind = _choice(K.choices)
    reason = serializers.CharField(max_length=2000, help_text=_("Required; the member reads it."))
    contribution = _id_field(required=False, help_text=_("For content actions."))
    comment = _id_field(required=False, help_text=_("For content actions."))
    member = _id_field(required=False, help_text=_("User id, for member actions."))
    duration_hours = serializers.IntegerField(
        required=False, min_value=1, max_value=8760, help_text=_("For a suspension.")
    )

    def validate(self, attrs):
        targets = [k for k in ("contribution", "comment", "member") if k in attrs]
        if len(targets) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give one contribution, comment or member.")]}
            )
        content = attrs["kind"] in services.CONTENT_KINDS
        if content and targets[0] == "member":
            raise serializers.ValidationError({"kind": [_("This action is for a post.")]})
        if not content and targets[0] != "member":
            raise serializers.ValidationError({"kind": [_("This action is for a member.")]})
        if attrs["kind"] == K.SUSPEND and "duration_hours" not in attrs:
            raise serializers.ValidationError({"duration_hours": [_("How long, in hours?")]})
        return attrs


class BulkItemSerializer(serializers.Serializer):
    type = _choice(list(QUEUE_KINDS))
    id = _id_field()


class BulkCreateSerializer(serializers.Serializer):
    kind = _choice([(k, K(k).label) for k in services.BULK_KINDS])
    reason = serializers.CharField(max_length=2000)
    items = BulkItemSerializer(  # type: ignore[call-arg]  # the stubs miss many=True's max_length
        many=True, allow_empty=False, max_length=services.BULK_MAX_ITEMS
    )


class BulkOutcomeSerializer(serializers.Serializer):
    type = _choice(list(QUEUE_KINDS))
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    action = ActionSerializer(allow_null=True)
    detail = serializers.CharField()
    code = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = BulkOutcomeSerializer(many=True)


class LogFilterSerializer(serializers.Serializer):
    kind = _choice(K.choices, required=False)
    actor = _id_field(required=False, help_text=_("User id of the moderator."))
    since = serializers.DateTimeField(
        required=False, help_text=_("From this moment on."), validators=[displayable_date]
    )
    until = serializers.DateTimeField(
        required=False, help_text=_("Before this moment."), validators=[displayable_date]
    )


class AppealSerializer(serializers.ModelSerializer):
    appellant = PersonSerializer(read_only=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)
    action = ActionSerializer(read_only=True)
    status = _choice(Appeal.Status.choices, read_only=True)

    class Meta:
        model = Appeal
        fields = (
            "id",
            "action",
            "appellant",
            "text",
            "status",
            "decided_by",
            "decision_reason",
            "decided_at",
            "created_at",
        )
        read_only_fields = fields


class MyAppealSerializer(serializers.ModelSerializer):
    """The caller's appeal: the decision and its reason, not who decided."""

    status = _choice(Appeal.Status.choices, read_only=True)

    class Meta:
        model = Appeal
        fields = ("id", "text", "status", "decision_reason", "decided_at", "created_at")
        read_only_fields = fields


class MyActionSerializer(serializers.ModelSerializer):
    """An action concerning the caller, with the reason and their appeal."""

    appeal = serializers.SerializerMethodField()
    appealable = serializers.SerializerMethodField()
    kind = _choice(K.choices, read_only=True)

    class Meta:
        model = ModerationAction
        fields = (
            "id",
            "kind",
            "reason",
            "contribution",
            "comment",
            "until",
            "created_at",
            "appealable",
            "appeal",
        )
        read_only_fields = fields

    @extend_schema_field(MyAppealSerializer(allow_null=True))
    def get_appeal(self, action: ModerationAction) -> dict | None:
        appeal = getattr(action, "appeal", None) if hasattr(action, "appeal") else None
        return MyAppealSerializer(appeal).data if appeal else None

    def get_appealable(self, action: ModerationAction) -> bool:
        return action.kind in services.APPEALABLE and not hasattr(action, "appeal")


class AppealCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class AppealFilterSerializer(serializers.Serializer):
    status = _choice([*Appeal.Status.choices, ("all", "all")], required=False, default="open")


class AppealDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["uphold", "overturn"])
    reason = serializers.CharField(max_length=5000)


class SettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModerationSettings
        fields = services.SETTINGS_FIELDS
        extra_kwargs = {
            "flag_threshold": {"min_value": 1, "max_value": 100},
            "established_after_posts": {"max_value": 1000},
            "established_after_days": {"max_value": 3650},
            "new_posts_per_minute": {"min_value": 1, "max_value": 1000},
            "new_replies_per_day": {"min_value": 1, "max_value": 10000},
            "new_links_per_post": {"max_value": 100},
            "posts_per_minute": {"min_value": 1, "max_value": 1000},
        }


class TransparencyPeriodSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class TransparencySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(selectors.PERIODS))
    totals = serializers.DictField(child=serializers.IntegerField())
    periods = TransparencyPeriodSerializer(many=True)
    appeals = serializers.DictField(child=serializers.IntegerField())
    flags = serializers.IntegerField()


class TransparencyFilterSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(selectors.PERIODS), required=False)


# --- Helpers --------------------------------------------------------------------------------------

ACTION_ID = id_param("action_id", "Id of the moderation action.")
APPEAL_ID = id_param("appeal_id", "Id of the appeal.")


def _item_url(community: Community, entry: QueueItem) -> str:
    item = entry.item
    if isinstance(item, Contribution):  # kind "contribution"
        return reverse("knowledge:contribution", args=[community.slug, item.pk])
    return item.get_absolute_url()


def _queue_item(community: Community, entry: QueueItem) -> dict:
    standing = entry.standing
    membership: Membership | None = standing.membership if standing else None
    reasons: dict[str, int] = {}
    for flag in entry.flags:
        reasons[flag.reason] = reasons.get(flag.reason, 0) + 1
    item = entry.item
    return {
        "type": entry.kind,
        "id": item.pk,
        "state": item.moderation_state,
        "moderation_reason": item.moderation_reason,
        "excerpt": entry.excerpt,
        "url": _item_url(community, entry),
        "contribution": entry.contribution.pk if entry.contribution else None,
        "author": {"id": item.author_id, "public_name": item.author.public_name},
        "author_standing": {
            "status": membership.effective_status if membership else None,
            "role": membership.role if membership else None,
            "joined_at": membership.joined_at if membership else None,
            "approved_posts": standing.approved_posts if standing else 0,
            "previous_actions": standing.previous_actions if standing else 0,
        },
        "flags": {"count": len(entry.flags), "reasons": reasons, "notes": entry.notes},
        "created_at": item.created_at,
    }


def _fake(view) -> bool:
    return getattr(view, "swagger_fake_view", False)


# --- Flags ----------------------------------------------------------------------------------------


class FlagListView(ApiView):
    """The caller's own reports; flagging a contribution or comment."""

    serializer_class = FlagSerializer
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> QuerySet[Flag]:
        if _fake(self):
            return Flag.objects.none()
        user = self.request.user
        assert user.is_authenticated  # IsAuthenticated has run
        return selectors.my_flags(user=user)

    @extend_schema(
        operation_id="moderation_flags_list",
        responses={200: FlagSerializer(many=True), **error_responses()},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        """List the caller's reports with their outcome (open, upheld or dismissed)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(FlagSerializer(page, many=True).data)

    @extend_schema(
        operation_id="moderation_flags_create",
        request=FlagCreateSerializer,
        responses={201: FlagSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        """Flag a contribution or a comment, once, with a reason ('other' needs a note).

        404 if the caller cannot see it; 403 for anyone but an active member of its community;
        409 for one's own post or a second flag. The author never learns who reported it.
        """
        serializer = FlagCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        contribution, comment = None, None
        if "contribution" in data:
            contribution = access_contribution(request.user, data["contribution"])
            if contribution.is_draft:
                raise Http404  # a draft cannot be flagged: as if it were not there
        else:
            comment = access_comment(request.user, data["comment"])
        flag = services.flag_create(
            reporter=request.user,
            reason=data["reason"],
            note=data["note"],
            contribution=contribution,
            comment=comment,
        )
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


# --- The queue ------------------------------------------------------------------------------------


@extend_schema(parameters=[SLUG_PARAM])
class QueueView(CommunityEndpoint):
    """Items waiting for a moderator."""

    permissions = {"GET": "moderation.view_queue"}

    serializer_class = QueueItemSerializer

    @extend_schema(
        operation_id="moderation_queue_list",
        parameters=[QueueFilterSerializer],
        responses={200: QueuePageSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Pending (pre-moderated) posts and posts with open flags, oldest first, each with its
        flags' reasons and notes and its author's standing (filters: kind, reason, state).

        Keyset-paginated: follow ``next``; a fixed number of queries per page.
        """
        community = self.get_community()
        filters = QueueFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        page = selectors.moderation_queue(
            user=request.user,
            community=community,
            kind=params.get("kind", ""),
            reason=params.get("reason", ""),
            state=params.get("state", ""),
            cursor=params.get("cursor"),
            page_size=params["page_size"],
        )
        url = request.build_absolute_uri()
        next_url = replace_query_param(url, "cursor", page.next_cursor) if page.has_next else None
        previous_url = None if page.is_first else remove_query_param(url, "cursor")
        return Response(
            {
                "next": next_url,
                "previous": previous_url,
                "results": [_queue_item(community, entry) for entry in page.items],
            }
        )


# --- Actions and the log --------------------------------------------------------------------------


@extend_schema(parameters=[SLUG_PARAM])
class ActionListView(CommunityEndpoint):
    """The moderation log (managers); taking an action (moderators)."""

    permissions = {"GET": "moderation.view_log", "POST": "moderation.moderate"}

    serializer_class = ActionSerializer
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> QuerySet[ModerationAction]:
        if _fake(self):
            return ModerationAction.objects.none()
        community = self.get_community()
        filters = LogFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        return selectors.moderation_log(
            user=self.request.user,
            community=community,
            kind=params.get("kind", ""),
            actor_id=params.get("actor"),
            since=params.get("since"),
            until=params.get("until"),
        )

    @extend_schema(
        operation_id="moderation_actions_list",
        parameters=[LogFilterSerializer],
        responses={200: ActionSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """The community's append-only moderation log, newest first (managers, the firm's
        staff, admins); filters: kind, actor, since, until. The CSV export is on the log page."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ActionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="moderation_actions_create",
        request=ActionCreateSerializer,
        responses={201: ActionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Take one action with a required reason: hide, restore, approve, lock, unlock or
        dismiss_flags on a contribution or comment; warn, suspend (``duration_hours``),
        unsuspend, ban or unban a member. It takes effect at once and is logged; the member
        concerned is told the reason. 409 when the item's state forbids it."""
        community = self.get_community()
        serializer = ActionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        kwargs: dict = {}
        if "contribution" in data:
            kwargs["contribution"] = selectors.contribution_for_moderation(
                user=user, community=community, contribution_id=data["contribution"]
            )
        elif "comment" in data:
            kwargs["comment"] = selectors.comment_for_moderation(
                user=user, community=community, comment_id=data["comment"]
            )
        else:
            membership = selectors.member_for_moderation(
                user=user, community=community, user_id=data["member"]
            )
            kwargs.update(member=membership.user, community=community)
            if "duration_hours" in data:
                kwargs["duration"] = timedelta(hours=data["duration_hours"])
        action = services.moderation_act(
            actor=user, kind=data["kind"], reason=data["reason"], **kwargs
        )
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG_PARAM])
class BulkActionView(CommunityEndpoint):
    """One action with one reason on several posts."""

    permissions = {"POST": "moderation.moderate"}

    serializer_class = BulkCreateSerializer

    @extend_schema(
        operation_id="moderation_actions_bulk",
        request=BulkCreateSerializer,
        responses={200: BulkResultSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Hide, restore (approves pre-moderated posts) or dismiss flags on up to 100 items.

        Each item gets its own logged action; an item that cannot take it is reported in
        ``results`` with ``ok: false``, a ``detail`` and a ``code``, and is left unchanged.
        """
        community = self.get_community()
        serializer = BulkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcomes = services.moderation_bulk_act(
            actor=request.user,
            community=community,
            kind=data["kind"],
            reason=data["reason"],
            items=[(item["type"], item["id"]) for item in data["items"]],
        )
        results = [
            {
                "type": o.type,
                "id": o.id,
                "ok": o.ok,
                "action": ActionSerializer(o.action).data if o.action else None,
                "detail": o.detail,
                "code": o.code,
            }
            for o in outcomes
        ]
        done = sum(1 for o in outcomes if o.ok)
        return Response({"done": done, "failed": len(outcomes) - done, "results": results})


# --- The author's side and appeals ----------------------------------------------------------------


@extend_schema(parameters=[SLUG_PARAM])
class MyActionListView(CommunityEndpoint):
    """Actions concerning the caller in a community."""

    own_standing = True

    serializer_class = MyActionSerializer
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> QuerySet[ModerationAction]:
        if _fake(self):
            return ModerationAction.objects.none()
        community = self.get_community()
        user = self.request.user
        assert user.is_authenticated  # IsAuthenticated has run
        return selectors.my_actions(user=user, community=community)

    @extend_schema(
        operation_id="moderation_my_actions_list",
        responses={200: MyActionSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Every action concerning the caller here, with its reason and the caller's appeal.
        Suspended, banned and departed members still see it."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MyActionSerializer(page, many=True).data)


@extend_schema(parameters=[SLUG_PARAM, ACTION_ID])
class AppealCreateView(CommunityEndpoint):
    """Appeal an action concerning the caller."""

    own_standing = True

    serializer_class = AppealCreateSerializer

    @extend_schema(
        operation_id="moderation_appeals_create",
        request=AppealCreateSerializer,
        responses={201: MyAppealSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, action_id: int) -> Response:
        """Appeal, once, an action (hide, lock, warn, suspend, ban) that concerns the caller;
        a different moderator decides. 404 for actions concerning someone else."""
        community = self.get_community()
        action = selectors.my_action_get(
            user=request.user, community=community, action_id=check_id(action_id)
        )
        serializer = AppealCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = services.appeal_create(
            appellant=request.user, action=action, text=serializer.validated_data["text"]
        )
        return Response(MyAppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG_PARAM])
class AppealListView(CommunityEndpoint):
    """Appeals for the community's moderators."""

    permissions = {"GET": "moderation.view_appeals"}

    serializer_class = AppealSerializer
    pagination_class = OldestFirstCursorPagination

    def get_queryset(self) -> QuerySet[Appeal]:
        if _fake(self):
            return Appeal.objects.none()
        filters = AppealFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.appeals(
            user=self.request.user,
            community=self.get_community(),
            status=filters.validated_data["status"],
        )

    @extend_schema(
        operation_id="moderation_appeals_list",
        parameters=[AppealFilterSerializer],
        responses={200: AppealSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Appeals, oldest first (``status``: open by default, upheld, overturned or all)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AppealSerializer(page, many=True).data)


@extend_schema(parameters=[SLUG_PARAM, APPEAL_ID])
class AppealDecideView(CommunityEndpoint):
    """Decide an appeal."""

    permissions = {"POST": "moderation.decide_appeal"}

    serializer_class = AppealDecisionSerializer

    @extend_schema(
        operation_id="moderation_appeals_decide",
        request=AppealDecisionSerializer,
        responses={200: AppealSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, appeal_id: int) -> Response:
        """Uphold or overturn an appeal with a reason the member reads. Overturning reverses
        the action as a new logged action. 403 for the moderator who took the action; 409 if
        already decided."""
        community = self.get_community()
        appeal = selectors.appeal_get(
            user=request.user, community=community, appeal_id=check_id(appeal_id)
        )
        serializer = AppealDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        decided = services.appeal_decide(
            actor=request.user,
            appeal=appeal,
            overturn=data["decision"] == "overturn",
            reason=data["reason"],
        )
        decided = selectors.appeal_get(user=request.user, community=community, appeal_id=decided.pk)
        return Response(AppealSerializer(decided).data)


# --- Settings and transparency --------------------------------------------------------------------


@extend_schema(parameters=[SLUG_PARAM])
class SettingsView(CommunityEndpoint):
    """A community's moderation settings (managers)."""

    permissions = {"GET": "moderation.configure", "PATCH": "moderation.configure"}

    serializer_class = SettingsSerializer

    @extend_schema(
        operation_id="moderation_settings_retrieve",
        responses={200: SettingsSerializer, **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """The flag threshold, when a member counts as established, pre-moderation and the
        rate limits of new and established members."""
        return Response(SettingsSerializer(settings_for(self.get_community())).data)

    @extend_schema(
        operation_id="moderation_settings_update",
        request=SettingsSerializer(partial=True),
        responses={200: SettingsSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Change some moderation settings."""
        community = self.get_community()
        serializer = SettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        conf = services.settings_update(
            actor=request.user, community=community, **serializer.validated_data
        )
        return Response(SettingsSerializer(conf).data)


@extend_schema(parameters=[SLUG_PARAM])
class TransparencyView(CommunityEndpoint):
    """Moderation in numbers, for anyone who can see the community."""

    serializer_class = TransparencySerializer

    @extend_schema(
        operation_id="moderation_transparency_retrieve",
        parameters=[TransparencyFilterSerializer],
        responses={200: TransparencySerializer, **error_responses(400, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Counts of actions by kind and by ``period`` (week, month or year; the latest 24),
        appeals by outcome and reports received. No names."""
        filters = TransparencyFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        report = selectors.transparency(
            user=request.user,
            community=self.get_community(),
            period=filters.validated_data.get("period", "month"),
        )
        return Response(
            {
                "period": report.period,
                "totals": report.totals,
                "periods": [
                    {"start": start, "counts": counts, "total": total}
                    for start, counts, total in report.rows
                ],
                "appeals": report.appeals,
                "flags": report.flags,
            }
        )
