"""Dialogue API: the discussions of contributions and challenges, comments by id, follows
and locking a discussion."""

from collections.abc import Callable
from typing import TypeVar

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.pagination import OldestFirstCursorPagination
from cocreate.api.schema import RETRY_AFTER_HEADER, SLUG_PARAM, error_responses, id_param
from cocreate.api.views import ApiView, check_id
from cocreate.errors import ValidationError
from cocreate.permissions import require
from communities.api import PersonSerializer

from .. import selectors, services
from ..access import access_comment
from ..limits import check_post_rate
from ..models import Challenge, Comment, Contribution, ModerationState
from .access import KnowledgeView, require_participation
from .fields import CHALLENGE_ID, CONTRIBUTION_ID, id_field

COMMENT_ID = id_param("comment_id", "Id of the comment.")
F = TypeVar("F", bound=Callable)


class FollowStateSerializer(serializers.Serializer):
    following = serializers.BooleanField(read_only=True)


class LockSerializer(serializers.Serializer):
    locked = serializers.BooleanField()


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
        fields: tuple[str, ...] = (
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
    parent = id_field(  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
        required=False, allow_null=True, default=None, help_text=_("Reply to this comment.")
    )
    official = serializers.BooleanField(
        default=False, help_text=_("Staff only: the firm's official response.")
    )


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000)


class HelpfulSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()


def _thread_schema(operation_id: str) -> Callable[[F], F]:
    """How every discussion's thread is documented (the docstring says what differs)."""
    return extend_schema(
        operation_id=operation_id,
        responses={200: ThreadCommentSerializer(many=True), **error_responses(404)},
    )


def _comment_schema(operation_id: str) -> Callable[[F], F]:
    """How every discussion's new comments are documented (the docstring says what differs)."""
    return extend_schema(
        operation_id=operation_id,
        request=CommentCreateSerializer,
        parameters=[RETRY_AFTER_HEADER],
        responses={
            201: CommentSerializer,
            **error_responses(400, 403, 404, 409, rate_limited=True),
        },
    )


class DiscussionView(KnowledgeView):
    """The discussion of the challenge or contribution in the path: its thread, a page at a
    time, and new comments and replies."""

    serializer_class = ThreadCommentSerializer
    pagination_class = OldestFirstCursorPagination

    def get_owner(self) -> Contribution | Challenge:
        raise NotImplementedError

    def thread(self) -> Response:
        """A page of top-level comments, each with its first replies."""
        discussion = self.get_owner().discussion
        page = self.paginate_queryset(
            selectors.top_level_comments(user=self.request.user, discussion=discussion)
        )
        assert page is not None  # the view paginates
        selectors.with_first_replies(page, user=self.request.user, community=self.get_community())
        return self.get_paginated_response(ThreadCommentSerializer(page, many=True).data)

    def comment(self, request: AuthenticatedRequest) -> Response:
        """A new comment, or a reply to one of this discussion's comments."""
        community = self.get_community()
        require_participation(request.user, community)
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        discussion = self.get_owner().discussion
        parent = None
        if data["parent"] is not None:
            parent = Comment.objects.filter(pk=data["parent"], discussion=discussion).first()
            if parent is None or not selectors.comment_is_listed(
                parent, user=request.user, community=community
            ):
                raise ValidationError({"parent": _("Reply to a comment in this discussion.")})
        check_post_rate(request, community, body=data["body"], is_reply=parent is not None)
        comment = services.comment_create(
            author=request.user,
            body=data["body"],
            discussion=discussion,
            parent=parent,
            official=data["official"],
        )
        comment.author = request.user
        selectors.present_comments([comment], user=request.user, community=community)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG_PARAM, CHALLENGE_ID])
class ChallengeCommentsView(DiscussionView):
    """The discussion of a challenge."""

    def get_owner(self) -> Challenge:
        return self.get_challenge()

    @_thread_schema("knowledge_challenges_comments_list")
    def get(self, request: AuthenticatedRequest, slug: str, challenge_id: int) -> Response:
        """List top-level comments, oldest first, each with its first replies."""
        return self.thread()

    @_comment_schema("knowledge_challenges_comments_create")
    def post(self, request: AuthenticatedRequest, slug: str, challenge_id: int) -> Response:
        """Comment on the challenge or reply to a comment (active members). 409 when the
        discussion is locked or the challenge is closed; 403 (with the reason) for suspended
        members; 429 with ``Retry-After`` when posting too often. A new member's comment may
        start ``pending`` (waiting for a moderator) and is then seen only by them."""
        return self.comment(request)


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class FollowView(KnowledgeView):
    """Whether the caller follows a contribution (and hears of its replies and status)."""

    serializer_class = FollowStateSerializer

    @extend_schema(
        operation_id="knowledge_contributions_follow",
        request=None,
        responses={200: FollowStateSerializer, **error_responses(403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Follow the contribution."""
        return self._follow(request, following=True)

    @extend_schema(
        operation_id="knowledge_contributions_unfollow",
        request=None,
        responses={200: FollowStateSerializer, **error_responses(403, 404)},
    )
    def delete(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Stop following the contribution."""
        return self._follow(request, following=False)

    def _follow(self, request: AuthenticatedRequest, *, following: bool) -> Response:
        discussion = self.get_contribution().discussion
        state = services.follow_set(user=request.user, discussion=discussion, following=following)
        return Response({"following": state})


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class LockView(KnowledgeView):
    """Lock or unlock a contribution's discussion (staff)."""

    permissions = {"POST": "knowledge.lock_discussion"}

    serializer_class = LockSerializer

    @extend_schema(
        operation_id="knowledge_contributions_lock",
        request=LockSerializer,
        responses={200: LockSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Lock (``locked`` true) or reopen the discussion. New comments on a locked
        discussion answer 409."""
        discussion = self.get_contribution().discussion
        serializer = LockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        locked = serializer.validated_data["locked"]
        services.discussion_set_locked(actor=request.user, discussion=discussion, locked=locked)
        return Response({"locked": locked})


@extend_schema(parameters=[SLUG_PARAM, CONTRIBUTION_ID])
class ContributionCommentsView(DiscussionView):
    """The discussion of a contribution."""

    def get_owner(self) -> Contribution:
        return self.get_contribution()

    @_thread_schema("knowledge_contributions_comments_list")
    def get(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """List top-level comments, oldest first, each with its first three replies (the rest
        from /comments/{id}/replies/)."""
        return self.thread()

    @_comment_schema("knowledge_contributions_comments_create")
    def post(self, request: AuthenticatedRequest, slug: str, contribution_id: int) -> Response:
        """Comment or reply (active members); ``official`` marks a staff reply as the firm's
        official response (403 for others). 409 on drafts, locked discussions and hidden or
        held posts; 403 (with the reason) for suspended members; 429 with ``Retry-After`` when
        posting too often. A new member's comment may start ``pending`` (waiting for a
        moderator) and is then seen only by them and the moderators."""
        return self.comment(request)


@extend_schema(parameters=[COMMENT_ID])
class CommentView(ApiView):
    """A comment anywhere the caller may read; its author edits it."""

    serializer_class = CommentSerializer

    def get_comment(self) -> Comment:
        return access_comment(self.request.user, check_id(self.kwargs["comment_id"]))

    @extend_schema(
        operation_id="knowledge_comments_retrieve",
        responses={200: CommentSerializer, **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, comment_id: int) -> Response:
        """Return one comment (404 unless the caller may read its discussion)."""
        return Response(CommentSerializer(self.get_comment()).data)

    @extend_schema(
        operation_id="knowledge_comments_update",
        request=CommentEditSerializer,
        responses={200: CommentSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: AuthenticatedRequest, comment_id: int) -> Response:
        """Edit the caller's own comment; the previous text is kept. 409 when the discussion
        is locked."""
        comment = self.get_comment()
        require(request.user, "knowledge.edit_comment", comment)
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
    def get(self, request: AuthenticatedRequest, comment_id: int) -> Response:
        """List the replies, oldest first."""
        parent = access_comment(request.user, check_id(comment_id))
        page = self.paginate_queryset(selectors.comment_replies(user=request.user, parent=parent))
        assert page is not None  # the view paginates
        community = parent.discussion.owner.community
        selectors.present_comments(page, user=request.user, community=community)
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
    def post(self, request: AuthenticatedRequest, comment_id: int) -> Response:
        """Mark (``helpful`` true) or unmark the comment as helpful."""
        comment = access_comment(request.user, check_id(comment_id))
        serializer = HelpfulSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_mark_helpful(
            actor=request.user, comment=comment, helpful=serializer.validated_data["helpful"]
        )
        comment = access_comment(request.user, comment.pk)
        return Response(CommentSerializer(comment).data)
