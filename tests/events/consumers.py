"""Two consumers of a test event kind, for the event bus tests: ``healthy`` always succeeds,
``flaky`` fails on every event whose payload says ``fail``. Each counts its runs in the cache
(Redis when the tests have it, shared with the worker processes a test starts), so a test can
see from outside whether a handler ran again. A payload's ``hold_user_id`` makes both handlers
wait for a row lock on that user (the crash tests hold it to stop a worker mid-delivery)."""

from django.core.cache import cache
from django.db import connection

from events import registry

KIND = "bustest.ping"
HEALTHY = "bustest_healthy"
FLAKY = "bustest_flaky"


class FlakyError(Exception):
    pass


def _key(consumer: str, event_id: int) -> str:
    return f"bustest:{consumer}:{event_id}"


def runs(consumer: str, event_id: int) -> int:
    """How many times ``consumer``'s handler got past its hold for the event."""
    return cache.get(_key(consumer, event_id), 0)


def _count(consumer: str, event) -> None:
    key = _key(consumer, event.pk)
    cache.add(key, 0, timeout=3600)
    cache.incr(key)


def _hold(event) -> None:
    user_id = event.payload.get("hold_user_id")
    if user_id:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM accounts_user WHERE id = %s FOR UPDATE", [user_id])


def healthy(event) -> None:
    _hold(event)
    _count(HEALTHY, event)


def flaky(event) -> None:
    _hold(event)
    _count(FLAKY, event)
    if event.payload.get("fail"):
        raise FlakyError("the flaky consumer is down")


def register() -> None:
    # Quick retries (at most a second apart), three of them, so the tests need not wait.
    registry.register(HEALTHY, kinds=[KIND], handle=healthy, max_retries=3, retry_backoff_max=1)
    registry.register(FLAKY, kinds=[KIND], handle=flaky, max_retries=3, retry_backoff_max=1)


def unregister() -> None:
    registry.unregister(HEALTHY)
    registry.unregister(FLAKY)
