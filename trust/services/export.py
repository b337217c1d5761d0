"""Writes on data exports: request one, build it (the Celery task's work), purge expired ones.

An export goes queued → building → ready (or failed); a ready one becomes expired when the
purge task deletes its file, ``EXPORT_RETENTION`` (7 days) after it was ready.
"""

import logging
from datetime import timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cocreate.errors import Conflict
from events.services import event_record

from .. import archive
from ..models import DataExport
from ..models.export import EXPORT_RETENTION

logger = logging.getLogger(__name__)

# A queued or building export older than this is taken as lost (its worker died and the broker
# gave up on it): the purge marks it failed, so that the member can ask again.
STALE_AFTER = timedelta(hours=6)
READY_KIND = "export.ready"
BUILD_TASK = "trust.export_build"


def export_root() -> Path:
    """The private directory archives are written to (created, owner-only, on first use)."""
    root = Path(settings.EXPORT_ROOT)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def export_path(export: DataExport) -> Path:
    return export_root() / export.file_name


def export_request(*, user) -> DataExport:
    """Queue a new export of everything about ``user``; the archive is built by the task
    ``trust.export_build`` after commit.

    Raises ``Conflict`` (code ``export_running``) if the member already has an export queued
    or building: one at a time, held by a partial unique index in the database too."""
    if not user.is_authenticated or not user.is_active:
        raise Conflict(_("Sign in to export your data."), code="not_signed_in")
    with transaction.atomic():
        if DataExport.objects.filter(user=user, status__in=DataExport.RUNNING).exists():
            raise Conflict(_("An export of your data is already being prepared."), "export_running")
        try:
            with transaction.atomic():
                export = DataExport.objects.create(user=user)
        except IntegrityError:  # a concurrent request won the race
            raise Conflict(
                _("An export of your data is already being prepared."), "export_running"
            ) from None
        export_id = export.pk
        transaction.on_commit(lambda: _enqueue(export_id))
    return export


def _enqueue(export_id: str) -> None:
    # By its stable name: the task module imports this one (no import cycle in an app).
    try:
        current_app.tasks[BUILD_TASK].delay(export_id)
    except Exception:  # broker down: the purge marks it stale later; the member may ask again
        logger.warning(
            "trust: could not queue the build of export %s", export_id[:8], exc_info=True
        )


def _claim(export_id: str) -> DataExport | None:
    """Mark the export building (a redelivered task restarts a build a dead worker left)."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update()
            .select_related("user")
            .filter(pk=export_id, status__in=DataExport.RUNNING)
            .first()
        )
        if export is None:
            return None
        export.status = DataExport.Status.BUILDING
        export.started_at = timezone.now()
        export.done = 0
        export.file_name = f"{export.pk}.zip"
        export.save(update_fields=["status", "started_at", "done", "file_name"])
    return export


def export_build(*, export_id: str) -> str:
    """Build the archive of a queued export and mark it ready; returns the export's status.

    Idempotent: an export already ready, failed or expired is left as it is. Progress
    (``done`` of ``total`` records) is written as the archive grows, each update committed at
    once so that the member's page shows it. A failure marks the export failed (with the
    error, for operators) and removes the partial file."""
    export = _claim(export_id)
    if export is None:
        found = DataExport.objects.filter(pk=export_id).values_list("status", flat=True).first()
        return found or "missing"
    user = export.user
    kinds = archive.plan()
    counts = [kind.queryset(user).count() for kind in kinds]
    total = sum(counts)
    DataExport.objects.filter(pk=export.pk).update(total=total)
    path = export_path(export)

    def progress(done: int) -> None:
        DataExport.objects.filter(pk=export.pk, status=DataExport.Status.BUILDING).update(
            done=min(done, total)
        )

    try:
        size = archive.write_archive(
            user=user,
            path=str(path),
            kinds=kinds,
            counts=counts,
            progress=progress,
            when=timezone.now().replace(microsecond=0).isoformat(),
        )
    except Exception as exc:
        logger.exception("trust: export %s failed", export.pk[:8])
        path.unlink(missing_ok=True)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return DataExport.Status.FAILED
    with transaction.atomic():
        current = DataExport.objects.select_for_update().filter(pk=export.pk).first()
        if current is None or current.status != DataExport.Status.BUILDING:
            path.unlink(missing_ok=True)  # the export was expired or failed meanwhile
            return current.status if current else "missing"
        now = timezone.now()
        current.status = DataExport.Status.READY
        current.ready_at = now
        current.expires_at = now + EXPORT_RETENTION
        current.size = size
        current.total = current.done = total
        current.save(update_fields=["status", "ready_at", "expires_at", "size", "total", "done"])
        event_record(
            kind=READY_KIND,
            payload={"recipient_id": user.pk, "expires_at": current.expires_at.isoformat()},
            actor=None,  # the system did it; an event's actor is never notified of it
        )
    return current.status


def export_purge_expired(*, now=None) -> int:
    """Delete the file of every ready export past its expiry and mark it expired; mark failed
    every export left queued or building longer than ``STALE_AFTER``. Returns the number of
    exports changed. Safe to run any number of times, on several processes."""
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        due = list(
            DataExport.objects.select_for_update(skip_locked=True).filter(
                status=DataExport.Status.READY, expires_at__lte=now
            )[:1000]
        )
        for export in due:
            if export.file_name:
                export_path(export).unlink(missing_ok=True)
        changed += DataExport.objects.filter(pk__in=[e.pk for e in due]).update(
            status=DataExport.Status.EXPIRED, size=0
        )
        changed += DataExport.objects.filter(
            status__in=DataExport.RUNNING, requested_at__lte=now - STALE_AFTER
        ).update(status=DataExport.Status.FAILED, error="stale: no worker finished it")
    return changed


def export_delete_files(*, user) -> int:
    """Delete the archive files of every export of ``user`` and mark them expired (account
    erasure: an archive full of the person's data must not outlive it). Call inside the
    erasure's transaction; the files go after commit."""
    exports = list(DataExport.objects.filter(user=user).exclude(file_name=""))
    paths = [export_path(e) for e in exports]
    count = DataExport.objects.filter(user=user).update(
        status=DataExport.Status.EXPIRED, size=0, file_name="", error=""
    )

    def unlink() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(unlink)
    return count
