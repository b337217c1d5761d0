"""REST API for data exports and account erasure (under /api/v1/).

Everything here is the signed-in member's own. An export is named by its random token; another
member's export, an expired one and a signed-out request for a download all answer 404, the
same as a token that does not exist. State changes are explicit views that call one service.
"""

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.schema import error_responses
from cocreate.api.views import ApiView

from .. import selectors
from ..models import DataExport
from ..services import erasure, export
from ..views.export import archive_response

EXPORT_ID = OpenApiParameter(
    "export_id", str, OpenApiParameter.PATH, description="The export's random token."
)


class DataExportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True, help_text="Progress, 0 to 100.")
    download_url = serializers.SerializerMethodField(
        help_text="Where the archive is downloaded while it is ready (owner only); else null."
    )

    class Meta:
        model = DataExport
        fields = [
            "id",
            "status",
            "done",
            "total",
            "percent",
            "requested_at",
            "ready_at",
            "expires_at",
            "size",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj: DataExport) -> str | None:
        if obj.status != DataExport.Status.READY:
            return None
        return reverse("api-trust-export-download", kwargs={"export_id": obj.pk})


class EraseSerializer(serializers.Serializer):
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, help_text="Your current password."
    )


class ErasedSerializer(serializers.Serializer):
    pseudonym = serializers.CharField(help_text="The name your posts now show.")


class ExportListView(ApiView):
    """Your data exports (the 20 most recent), and requesting a new one."""

    serializer_class = DataExportSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[DataExport]:
        if getattr(self, "swagger_fake_view", False):
            return DataExport.objects.none()
        return selectors.exports_of(user=self.request.user)[: selectors.EXPORT_LIST_LIMIT]

    @extend_schema(
        operation_id="exports_list",
        responses={200: DataExportSerializer(many=True), **error_responses()},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        """List your data exports, newest first."""
        return Response(DataExportSerializer(self.get_queryset(), many=True).data)

    @extend_schema(
        operation_id="exports_request",
        request=None,
        responses={202: DataExportSerializer, **error_responses(409)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        """Request an export of everything about you. It is built in the background: poll the
        export (or watch for the ``export.ready`` notification). One at a time: 409 while
        another is queued or building."""
        created = export.export_request(user=request.user)
        return Response(DataExportSerializer(created).data, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(ApiView):
    serializer_class = DataExportSerializer

    @extend_schema(
        operation_id="exports_get",
        parameters=[EXPORT_ID],
        responses={200: DataExportSerializer, **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, export_id: str) -> Response:
        """One of your exports: its status and progress."""
        found = selectors.export_of(user=request.user, export_id=export_id)
        return Response(DataExportSerializer(found).data)


class ExportDownloadView(ApiView):
    """The archive. Open to the request (no 401): anyone but the export's owner, signed out
    included, gets 404, as for a token that does not exist."""

    permission_classes = [AllowAny]
    serializer_class = DataExportSerializer

    @extend_schema(
        operation_id="exports_download",
        parameters=[EXPORT_ID],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The ZIP archive, as an attachment."
            ),
            **error_responses(404),
        },
    )
    def get(self, request: Request, export_id: str) -> FileResponse:
        """Download one of your ready exports (until it expires, 7 days after it was ready)."""
        found = selectors.export_for_download(user=request.user, export_id=export_id)
        return archive_response(found)


class AccountEraseView(ApiView):
    serializer_class = EraseSerializer

    @extend_schema(
        operation_id="account_erase",
        request=EraseSerializer,
        responses={200: ErasedSerializer, **error_responses(400, 409)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        """Delete your account for good (your password confirms it). Your contributions and
        comments stay under a pseudonym; your token and sessions end at once. A wrong password
        is a 400 on ``password``."""
        body = EraseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = erasure.account_erase(user=request.user, password=body.validated_data["password"])
        return Response({"pseudonym": done.pseudonym})
