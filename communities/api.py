"""REST API for communities, memberships, join requests and invitations (under /api/v1/).

Reads go through ``communities.selectors`` (which authorize as they fetch: a private community
answers 404 to anyone who may not see it); every state change is an explicit view calling one
service in ``communities.services``. Lists are cursor-paginated.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.pagination import CreatedCursorPagination, OldestFirstCursorPagination
from cocreate.api.rendering import datetime_writer
from cocreate.api.schema import SLUG_PARAM, error_responses, id_param
from cocreate.api.views import ApiView, check_id
from cocreate.caching import cached_api, generations
from cocreate.errors import ValidationError
from cocreate.permissions import require

from . import selectors, services
from .api_base import CommunityEndpoint
from .models import Community, Invitation, Membership, Organization

# --- Serializers ------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    """Another person as members see them: never their email address."""

    id = serializers.IntegerField(read_only=True)
    public_name = serializers.CharField(read_only=True)


class OrganizationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ("slug", "name")


class ViewerMembershipSerializer(serializers.ModelSerializer):
    """The requesting person's own place in a community."""

    class Meta:
        model = Membership
        fields = ("role", "status")


class CommunitySerializer(serializers.ModelSerializer):
    """A community, with the viewer's membership in it (``null`` if they have none)."""

    organization = OrganizationSummarySerializer(read_only=True)
    viewer_membership = serializers.SerializerMethodField()

    class Meta:
        model = Community
        fields = (
            "slug",
            "name",
            "tagline",
            "description",
            "visibility",
            "join_policy",
            "application_question",
            "member_count",
            "organization",
            "created_at",
            "viewer_membership",
        )
        read_only_fields = fields

    @extend_schema_field(ViewerMembershipSerializer(allow_null=True))
    def get_viewer_membership(self, community: Community) -> dict | None:
        memberships = self.context.get("memberships")
        if memberships is not None:
            membership = memberships.get(community.pk)
        else:
            membership = getattr(community, "viewer_membership", None)
        if membership is None:
            return None
        # A plain dict: building a serializer per row cost more than the rest of the page.
        return {"role": membership.role, "status": membership.status}


def _community_item(row: dict, datetime: Callable[[Any], str | None]) -> dict:
    """A directory row (``selectors.directory_rows``) as ``CommunitySerializer`` writes it.

    Plain dicts from one values() query: instantiating models and running a serializer per row
    cost most of the list's time. Tests hold the two outputs equal."""
    role, status_ = row["viewer_role"], row["viewer_status"]
    return {
        "slug": row["slug"],
        "name": row["name"],
        "tagline": row["tagline"],
        "description": row["description"],
        "visibility": row["visibility"],
        "join_policy": row["join_policy"],
        "application_question": row["application_question"],
        "member_count": row["member_count"],
        "organization": {"slug": row["organization__slug"], "name": row["organization__name"]},
        "created_at": datetime(row["created_at"]),
        "viewer_membership": None if status_ is None else {"role": role, "status": status_},
    }


class CommunityCreateSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        help_text=_("Slug of the organisation; you must be on its staff."),
    )

    class Meta:
        model = Community
        fields = (
            "organization",
            "name",
            "slug",
            "tagline",
            "description",
            "visibility",
            "join_policy",
            "application_question",
        )
        extra_kwargs = {"slug": {"required": False, "help_text": _("Derived from the name.")}}


class CommunityUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = services.COMMUNITY_EDITABLE_FIELDS
        extra_kwargs = {field: {"required": False} for field in fields}


class DirectoryFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=_("Search name and text.")
    )
    join_policy = serializers.ChoiceField(choices=Community.JoinPolicy.choices, required=False)
    organization = serializers.SlugField(
        required=False, max_length=60, help_text=_("Only this organisation's communities.")
    )
    mine = serializers.BooleanField(
        required=False, default=False, help_text=_("Only communities I belong to.")
    )
    ordering = serializers.ChoiceField(
        choices=list(selectors.DIRECTORY_SORTS), required=False, default="name"
    )


class OwnMembershipSerializer(serializers.ModelSerializer):
    """The requesting person's membership, with the community it is in."""

    community = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = (
            "id",
            "community",
            "role",
            "status",
            "application_answer",
            "decision_message",
            "joined_at",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "visibility": {"type": "string", "enum": Community.Visibility.values},
                "organization": {
                    "type": "object",
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
                    "required": ["slug", "name"],
                },
            },
            "required": ["slug", "name", "visibility", "organization"],
        }
    )
    def get_community(self, membership: Membership) -> dict:
        community = membership.community
        return {
            "slug": community.slug,
            "name": community.name,
            "visibility": community.visibility,
            "organization": {
                "slug": community.organization.slug,
                "name": community.organization.name,
            },
        }


class JoinBodySerializer(serializers.Serializer):
    answer = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Answer to the application question (communities that approve requests)."),
    )
    consents = serializers.ListField(
        child=serializers.SlugField(max_length=50),
        required=False,
        help_text=_(
            "Keys of the community's consent purposes you accept (every required one must be "
            "among them; optional ones left out stay unanswered)."
        ),
    )


class MemberSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "user", "role", "status", "joined_at")
        read_only_fields = fields


class MemberFilterSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=_("Search display names.")
    )


class MentionQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=30,
        help_text=_("What follows the @ so far: the start of a handle or of a display name."),
    )


class MentionSuggestionSerializer(serializers.Serializer):
    handle = serializers.CharField(read_only=True, help_text=_("Write @handle to mention them."))
    display_name = serializers.CharField(read_only=True)


class MentionSuggestionsSerializer(serializers.Serializer):
    results = MentionSuggestionSerializer(many=True)


class RoleChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class JoinRequestSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "user", "status", "application_answer", "created_at")
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Shown to the applicant with the decision."),
    )


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as its community's managers see it. The token is never part of it."""

    invited_by = PersonSerializer(read_only=True, allow_null=True)
    state = serializers.ChoiceField(
        choices=["open", "accepted", "revoked", "expired"], read_only=True
    )

    class Meta:
        model = Invitation
        fields = (
            "id",
            "email",
            "role",
            "message",
            "state",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        )
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(
        choices=Membership.Role.choices, default=Membership.Role.MEMBER, required=False
    )
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text=_("The token from the email."))
    consents = serializers.ListField(
        child=serializers.SlugField(max_length=50),
        required=False,
        help_text=_("Keys of the community's consent purposes you accept (as for joining)."),
    )


# --- Pagination -------------------------------------------------------------------------------


# The query parameters the API directory reads (others are built but never cached).
DIRECTORY_PARAMS = frozenset({*DirectoryFilterSerializer._declared_fields, "cursor"})


class DirectoryCursorPagination(CreatedCursorPagination):
    """Cursor pagination in the directory order the client chose (name, popular or new)."""

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        key = request.query_params.get("ordering", "name")
        return selectors.DIRECTORY_SORTS.get(key, selectors.DIRECTORY_SORTS["name"])


# --- Views ------------------------------------------------------------------------------------


MEMBERSHIP_ID = id_param("membership_id", "Id of the membership.")
INVITATION_ID = id_param("invitation_id", "Id of the invitation.")


class CommunityListView(ApiView):
    """The community directory, and creating a community."""

    serializer_class = CommunitySerializer
    pagination_class = DirectoryCursorPagination

    def directory_filters(self) -> dict[str, Any]:
        """The directory's filters from the query string (400 for bad ones)."""
        filters = DirectoryFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        return {
            "user": self.request.user,
            "query": params.get("q", ""),
            "join_policy": params.get("join_policy", ""),
            "organization": params.get("organization", ""),
            "mine": params["mine"],
        }

    def get_queryset(self) -> QuerySet[Community]:
        """The ORM version of the list (the schema's; tests compare ``get``'s rows to it)."""
        if getattr(self, "swagger_fake_view", False):
            return Community.objects.none()
        return selectors.community_directory(**self.directory_filters())

    @extend_schema(
        operation_id="communities_list",
        parameters=[DirectoryFilterSerializer],
        responses={200: CommunitySerializer(many=True), **error_responses(400, 404)},
    )
    # Cached per caller and URL while no community, firm or membership of theirs changed.
    @cached_api(scopes=[generations.directory()], params=DIRECTORY_PARAMS)
    def get(self, request: AuthenticatedRequest) -> Response:
        """List the communities the caller may see (public ones, their own, their firm's).

        The API needs a signed-in caller even for public communities (the HTML directory is
        public); each item carries the caller's own membership, fetched in one query per page.
        """
        rows = selectors.directory_page_rows(**self.directory_filters())
        page: list[dict] = self.paginate_queryset(rows) or []  # type: ignore[arg-type]  # pages KeysetRows too
        datetime = datetime_writer()
        return self.get_paginated_response([_community_item(row, datetime) for row in page])

    @extend_schema(
        operation_id="communities_create",
        request=CommunityCreateSerializer,
        responses={201: CommunitySerializer, **error_responses(400, 403)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        """Create a community in an organisation (its staff and platform admins only).

        The creator becomes the community's first manager.
        """
        require(request.user, "communities.create_any_community")
        serializer = CommunityCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        community = services.community_create(actor=request.user, **serializer.validated_data)
        memberships = selectors.membership_map(user=request.user, communities=[community])
        data = CommunitySerializer(community, context={"memberships": memberships}).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG_PARAM])
class CommunityDetailView(CommunityEndpoint):
    """One community; its managers change its settings."""

    permissions = {"PATCH": "communities.manage_community"}

    serializer_class = CommunitySerializer

    @extend_schema(
        operation_id="communities_retrieve",
        responses={200: CommunitySerializer, **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Return a community the caller may see (a private one answers 404 to outsiders)."""
        return Response(CommunitySerializer(self.get_community()).data)

    @extend_schema(
        operation_id="communities_update",
        request=CommunityUpdateSerializer,
        responses={200: CommunitySerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Change some of a community's settings (managers, its firm's staff, admins)."""
        community = self.get_community()
        serializer = CommunityUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.community_update(
            actor=request.user, community=community, **serializer.validated_data
        )
        updated.viewer_membership = community.viewer_membership
        return Response(CommunitySerializer(updated).data)


@extend_schema(parameters=[SLUG_PARAM])
class CommunityJoinView(CommunityEndpoint):
    """Join a community, or ask to join one whose managers approve requests."""

    serializer_class = JoinBodySerializer

    @extend_schema(
        operation_id="communities_join",
        request=JoinBodySerializer,
        responses={200: OwnMembershipSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Join an open community (status ``active``) or request to join (status ``pending``).

        409 if already a member or already waiting; 403 for invitation-only communities and
        banned people; 400 if the application question is left unanswered or a required consent
        purpose is missing from ``consents``.
        """
        community = self.get_community()
        serializer = JoinBodySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_join(
            user=request.user,
            community=community,
            answer=serializer.validated_data.get("answer", ""),
            consents=serializer.validated_data.get("consents", []),
            channel="api",
        )
        return Response(OwnMembershipSerializer(membership).data)


@extend_schema(parameters=[SLUG_PARAM])
class CommunityLeaveView(CommunityEndpoint):
    """Leave a community or withdraw a pending request."""

    serializer_class = OwnMembershipSerializer

    @extend_schema(
        operation_id="communities_leave",
        request=None,
        responses={200: OwnMembershipSerializer, **error_responses(404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Leave the community (status ``left``). 409 for non-members, the last manager and
        suspended members."""
        membership = services.membership_leave(user=request.user, community=self.get_community())
        return Response(OwnMembershipSerializer(membership).data)


@extend_schema(parameters=[SLUG_PARAM])
class MemberListView(CommunityEndpoint):
    """The active and suspended members of a community."""

    serializer_class = MemberSerializer
    pagination_class = OldestFirstCursorPagination

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        filters = MemberFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.community_members(
            user=self.request.user,
            community=self.get_community(),
            role=filters.validated_data.get("role", ""),
            query=filters.validated_data.get("q", ""),
        )

    @extend_schema(
        operation_id="communities_members_list",
        parameters=[MemberFilterSerializer],
        responses={200: MemberSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """List members, longest-standing first (members, staff and admins may)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MemberSerializer(page, many=True).data)


@extend_schema(parameters=[SLUG_PARAM])
class MentionSuggestionsView(CommunityEndpoint):
    """Whom a comment may @mention: what the comment box suggests as one types."""

    permissions = {"GET": "communities.view_members"}

    serializer_class = MentionSuggestionsSerializer

    @extend_schema(
        operation_id="communities_mentions_list",
        parameters=[MentionQuerySerializer],
        responses={200: MentionSuggestionsSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Up to 8 active members (not the caller) whose handle or display name starts with
        ``q``, case-insensitively, by name. Members, staff and admins may ask (as for the
        member list)."""
        params = MentionQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        people = selectors.mention_suggestions(
            user=request.user, community=self.get_community(), prefix=params.validated_data["q"]
        )
        rows = [{"handle": p.handle, "display_name": p.display_name} for p in people]
        return Response(MentionSuggestionsSerializer({"results": rows}).data)


@extend_schema(parameters=[SLUG_PARAM, MEMBERSHIP_ID])
class MemberDetailView(CommunityEndpoint):
    """One member of a community; managers change their role."""

    permissions = {"PATCH": "communities.change_role"}

    serializer_class = MemberSerializer

    def get_member(self) -> Membership:
        return selectors.member_get(
            user=self.request.user,
            community=self.get_community(),
            membership_id=check_id(self.kwargs["membership_id"]),
        )

    @extend_schema(
        operation_id="communities_members_retrieve",
        responses={200: MemberSerializer, **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str, membership_id: int) -> Response:
        """Return one member (for those who may see the member list)."""
        return Response(MemberSerializer(self.get_member()).data)

    @extend_schema(
        operation_id="communities_members_update",
        request=RoleChangeSerializer,
        responses={200: MemberSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: AuthenticatedRequest, slug: str, membership_id: int) -> Response:
        """Make a member a member, moderator or manager, with a reason kept in the history.

        409 if the member is not active or it would leave the community without a manager.
        """
        membership = self.get_member()
        serializer = RoleChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            actor=request.user,
            membership=membership,
            role=serializer.validated_data["role"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(MemberSerializer(membership).data)


@extend_schema(parameters=[SLUG_PARAM])
class JoinRequestListView(CommunityEndpoint):
    """Pending requests to join a community, oldest first (managers)."""

    serializer_class = JoinRequestSerializer
    pagination_class = OldestFirstCursorPagination

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return selectors.join_requests(user=self.request.user, community=self.get_community())

    @extend_schema(
        operation_id="communities_join_requests_list",
        responses={200: JoinRequestSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """List pending join requests with the applicants' answers."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(JoinRequestSerializer(page, many=True).data)


@extend_schema(parameters=[SLUG_PARAM, MEMBERSHIP_ID])
class JoinRequestDecideView(CommunityEndpoint):
    """Approve or decline one pending join request (managers)."""

    permissions = {"POST": "communities.decide_join_request"}

    serializer_class = DecisionSerializer
    approve = True

    def post(self, request: AuthenticatedRequest, slug: str, membership_id: int) -> Response:
        community = self.get_community()
        pending = selectors.join_request_get(
            user=request.user, community=community, membership_id=check_id(membership_id)
        )
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.join_request_decide(
            actor=request.user,
            membership=pending,
            approve=self.approve,
            message=serializer.validated_data.get("message", ""),
        )
        return Response(JoinRequestSerializer(membership).data)


class JoinRequestApproveView(JoinRequestDecideView):
    """Approve a pending join request: the applicant becomes an active member."""

    approve = True

    @extend_schema(
        operation_id="communities_join_requests_approve",
        request=DecisionSerializer,
        responses={200: JoinRequestSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, membership_id: int) -> Response:
        """Approve the request; the optional message reaches the applicant."""
        return super().post(request, slug, membership_id)


class JoinRequestDeclineView(JoinRequestDecideView):
    """Decline a pending join request, with a message the applicant sees."""

    approve = False

    @extend_schema(
        operation_id="communities_join_requests_decline",
        request=DecisionSerializer,
        responses={200: JoinRequestSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, membership_id: int) -> Response:
        """Decline the request (status ``declined``); the message reaches the applicant."""
        return super().post(request, slug, membership_id)


@extend_schema(parameters=[SLUG_PARAM])
class InvitationListView(CommunityEndpoint):
    """A community's invitations (managers), and sending a new one."""

    permissions = {"POST": "communities.invite"}

    serializer_class = InvitationSerializer
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return selectors.invitations(user=self.request.user, community=self.get_community())

    @extend_schema(
        operation_id="communities_invitations_list",
        responses={200: InvitationSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """List invitations, newest first, with their state (open, accepted, revoked, expired)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="communities_invitations_create",
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Invite an email address. The token goes only into the email, never the response.

        An open invitation to the same address is revoked and replaced. 409 if that person is
        already a member.
        """
        community = self.get_community()
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, _token = services.invitation_create(
            actor=request.user, community=community, **serializer.validated_data
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG_PARAM, INVITATION_ID])
class InvitationRevokeView(CommunityEndpoint):
    """Withdraw an open invitation (managers)."""

    serializer_class = InvitationSerializer

    @extend_schema(
        operation_id="communities_invitations_revoke",
        request=None,
        responses={200: InvitationSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, slug: str, invitation_id: int) -> Response:
        """Revoke the invitation; its link stops working. 409 unless it is still open."""
        invitation = selectors.invitation_get(
            user=request.user, community=self.get_community(), invitation_id=check_id(invitation_id)
        )
        invitation = services.invitation_revoke(actor=request.user, invitation=invitation)
        return Response(InvitationSerializer(invitation).data)


class InvitationAcceptView(ApiView):
    """Accept an invitation with the token from its email."""

    serializer_class = InvitationAcceptSerializer

    @extend_schema(
        operation_id="invitations_accept",
        request=InvitationAcceptSerializer,
        responses={200: OwnMembershipSerializer, **error_responses(400, 403, 409)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        """Become an active member with the invited role.

        400 for an unknown token; 409 (with a message saying why) for a used, revoked or expired
        one; 403 if the signed-in account's email is not the invited address.
        """
        serializer = InvitationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            membership = services.invitation_accept(
                user=request.user,
                token=serializer.validated_data["token"],
                consents=serializer.validated_data.get("consents", []),
                channel="api",
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"token": exc.messages}) from exc
        return Response(OwnMembershipSerializer(membership).data)


class MyMembershipListView(ApiView):
    """The caller's memberships and join requests."""

    serializer_class = OwnMembershipSerializer
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        user = self.request.user
        assert user.is_authenticated  # IsAuthenticated has run
        return selectors.my_memberships(user=user)

    @extend_schema(
        operation_id="me_memberships_list",
        responses={200: OwnMembershipSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        """List my active, suspended, pending and declined memberships, newest first."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(OwnMembershipSerializer(page, many=True).data)
