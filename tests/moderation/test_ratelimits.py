import threading

import pytest

from cocreate.errors import RateLimited
from moderation import ratelimits

from ..conftest import require_or_skip


def test_limit_then_refuse_with_retry_after():
    for _ in range(3):
        ratelimits.hit(scope="t", subject="a", limit=3, period=60)
    with pytest.raises(RateLimited) as excinfo:
        ratelimits.hit(scope="t", subject="a", limit=3, period=60)
    assert 1 <= excinfo.value.retry_after <= 61
    # Another subject has its own allowance.
    ratelimits.hit(scope="t", subject="b", limit=3, period=60)


def test_eight_concurrent_clients_never_exceed_the_limit():
    """Under 8 concurrent clients no more than the limit gets through (atomic increments)."""
    from django.conf import settings

    require_or_skip(bool(settings.REDIS_URL), "needs the shared Redis cache")
    import time

    if 60 - time.time() % 60 < 3:  # don't straddle two windows
        time.sleep(3.5)
    passed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def client() -> None:
        barrier.wait(timeout=10)
        for _ in range(10):
            try:
                ratelimits.hit(scope="burst", subject="one", limit=5, period=60)
            except RateLimited:
                continue
            with lock:
                passed.append(1)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(passed) == 5
