"""A Redis of the test's own, to stop and start: never the shared one.

``own_redis`` (module scope) runs ``redis-server`` on a free loopback port without persistence;
``outage_cache`` (function scope) points Django's cache — only the cache: Celery runs tasks
in-process in the tests — at it, with short timeouts, and empties it. Both are registered for
every test by ``tests/conftest.py``. A test then calls ``own_redis.stop()`` / ``.start()``
(Redis gone: connections refused, data lost), or ``.pause()`` / ``.resume()`` (Redis
unreachable but its data kept, as behind a network partition: connections hang until the
socket timeout).
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings

from cocreate.caching.backend import available

DEGRADED_SECONDS = 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)

    def start(self) -> None:
        assert self.process is None, "already running"
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.paused:
            self.resume()
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    paused = False

    def pause(self) -> None:
        """Stop the process (SIGSTOP): it keeps its data and its port, answers nothing."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False


@pytest.fixture(scope="module")
def own_redis():
    from .conftest import require_or_skip  # noqa: PLC0415 — the conftest imports this module

    require_or_skip(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def cache_settings(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "cocreate.caching.backend.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {
                "socket_connect_timeout": 0.2,
                "socket_timeout": 0.2,
                "DEGRADED_SECONDS": DEGRADED_SECONDS,
            },
        }
    }


def wait_until_available(timeout: float = 10) -> None:
    """Until this process uses the cache again (after the degraded period and the repay)."""
    deadline = time.monotonic() + timeout
    while not available(cache):
        assert time.monotonic() < deadline, "the cache did not come back"
        time.sleep(0.05)


@pytest.fixture
def outage_cache(own_redis, db):
    """Django's cache on ``own_redis`` (running and empty) for the test; started again after."""
    if own_redis.process is None:
        own_redis.start()
    own_redis.client().flushdb()
    with override_settings(CACHES=cache_settings(own_redis.url)):
        wait_until_available()
        yield own_redis
        if own_redis.process is None or own_redis.paused:
            own_redis.stop()
            own_redis.start()
