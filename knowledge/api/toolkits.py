"""Toolkits API: a community's toolkits, designed and revised by its managers."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.pagination import OldestFirstCursorPagination
from cocreate.api.schema import SLUG_PARAM, error_responses, id_param
from cocreate.api.views import check_id
from cocreate.permissions import allowed

from .. import selectors, services
from ..models import FieldType, Kind, Toolkit
from .access import KnowledgeView, is_schema_view

TOOLKIT_ID = id_param("toolkit_id", "Id of the toolkit.")


class ToolkitFieldSerializer(serializers.Serializer):
    """One typed field of a toolkit version."""

    key = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=_("Letters, digits and _; derived from the label when left out."),
    )
    label = serializers.CharField(max_length=120)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    type = serializers.ChoiceField(choices=FieldType.choices)
    required = serializers.BooleanField(default=False)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
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
    fields = ToolkitFieldSerializer(source="current_version.fields", many=True, read_only=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
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
    fields = ToolkitFieldSerializer(many=True, required=False, default=list)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class


class ToolkitReviseSerializer(serializers.Serializer):
    """A new version: what is left out (PATCH) is copied from the current version."""

    title = serializers.CharField(max_length=120)
    guidance = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    fields = ToolkitFieldSerializer(many=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class


@extend_schema(parameters=[SLUG_PARAM])
class ToolkitListView(KnowledgeView):
    """A community's toolkits; its managers design new ones."""

    permissions = {"POST": "knowledge.design_toolkit"}

    serializer_class = ToolkitSerializer
    pagination_class = OldestFirstCursorPagination

    def get_queryset(self) -> QuerySet[Toolkit]:
        if is_schema_view(self):
            return Toolkit.objects.none()
        community = self.get_community()
        manages = allowed(self.request.user, "knowledge.manage", community)
        return selectors.toolkits_for(
            user=self.request.user, community=community, active_only=not manages
        )

    @extend_schema(
        operation_id="knowledge_toolkits_list",
        responses={200: ToolkitSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """List the toolkits members contribute through, oldest first. Managers also see the
        toolkits that no longer accept contributions (``is_active`` false)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ToolkitSerializer(page, many=True).data)

    @extend_schema(
        operation_id="knowledge_toolkits_create",
        request=ToolkitCreateSerializer,
        responses={201: ToolkitSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Design a toolkit (managers): its first version has the given title, guidance and
        typed fields."""
        community = self.get_community()
        serializer = ToolkitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        toolkit = services.toolkit_create(
            actor=request.user, community=community, **serializer.validated_data
        )
        return Response(ToolkitSerializer(toolkit).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG_PARAM, TOOLKIT_ID])
class ToolkitDetailView(KnowledgeView):
    """One toolkit; managers revise it (each revision is a new version)."""

    permissions = {"PUT": "knowledge.edit_toolkit", "PATCH": "knowledge.edit_toolkit"}

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
    def get(self, request: AuthenticatedRequest, slug: str, toolkit_id: int) -> Response:
        """Return a toolkit with its current version's fields."""
        return Response(ToolkitSerializer(self.get_toolkit()).data)

    def _revise(self, request: AuthenticatedRequest, *, partial: bool) -> Response:
        toolkit = self.get_toolkit()
        serializer = ToolkitReviseSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        current = toolkit.current_version
        assert current is not None  # toolkit_create writes the first version
        values = {"title": current.title, "guidance": current.guidance, "fields": current.fields}
        values.update(serializer.validated_data)
        services.toolkit_revise(actor=request.user, toolkit=toolkit, **values)
        return Response(ToolkitSerializer(self.get_toolkit()).data)

    @extend_schema(
        operation_id="knowledge_toolkits_update",
        request=ToolkitReviseSerializer,
        responses={200: ToolkitSerializer, **error_responses(400, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, slug: str, toolkit_id: int) -> Response:
        """Revise a toolkit (managers): title, guidance and fields become a new version.
        Contributions already written keep the version they were written with."""
        return self._revise(request, partial=False)

    @extend_schema(
        operation_id="knowledge_toolkits_partial_update",
        request=ToolkitReviseSerializer,
        responses={200: ToolkitSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: AuthenticatedRequest, slug: str, toolkit_id: int) -> Response:
        """Revise a toolkit (managers); what is left out is copied from the current version.
        Always creates a new version."""
        return self._revise(request, partial=True)
