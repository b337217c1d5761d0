"""Celery tasks of trust: thin, idempotent, ids as arguments."""

from celery import shared_task

from .services import export


@shared_task(name="trust.export_build", acks_late=True, reject_on_worker_lost=True)
def export_build(export_id: str) -> str:
    """Build one member's data export. A repeat (the broker redelivered it after a worker died)
    rebuilds an export still building and leaves a finished one as it is."""
    return export.export_build(export_id=export_id)


@shared_task(name="trust.export_purge")
def export_purge() -> int:
    """Beat, hourly: delete expired archives (7 days after they were ready) and fail stale
    builds."""
    return export.export_purge_expired()
