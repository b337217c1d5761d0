"""Reads of the trust app that the pages and the API share; they authorize as they fetch."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from ..models import DataExport

# Exports listed on "Your data" and in the API: the most recent ones.
EXPORT_LIST_LIMIT = 20


def exports_of(*, user) -> QuerySet[DataExport]:
    """The member's own exports, newest first (nobody else's, ever)."""
    if not user.is_authenticated:
        return DataExport.objects.none()
    return DataExport.objects.filter(user=user).order_by("-requested_at")


def export_for_download(*, user, export_id: str) -> DataExport:
    """The member's own ready, unexpired export named ``export_id``; ``Http404`` for anything
    else — another member's export, a signed-out visitor, an expired, failed or unfinished one,
    an id that does not exist — all alike, so a download link reveals nothing to anyone but its
    owner (Decidim's CVE-2025-65017 served one user's export to another; CVE-2026-45377 let a
    download link be replayed signed out)."""
    if not user.is_authenticated or not isinstance(export_id, str) or len(export_id) > 64:
        raise Http404
    export = (
        DataExport.objects.filter(
            pk=export_id,
            user=user,
            status=DataExport.Status.READY,
            expires_at__gt=timezone.now(),
        )
        .exclude(file_name="")
        .first()
    )
    if export is None:
        raise Http404
    return export


def export_of(*, user, export_id: str) -> DataExport:
    """One of the member's own exports, in any state; ``Http404`` for anyone else's."""
    if not user.is_authenticated or not isinstance(export_id, str) or len(export_id) > 64:
        raise Http404
    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None:
        raise Http404
    return export
