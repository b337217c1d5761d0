"""/healthz: 200 with every check when the parts are reachable, 503 naming the database or
broker when one is not, 200 "degraded" naming the cache when only Redis is unreachable.

"Unreachable" here is real: the cache or broker is pointed at a loopback port that is bound but
not listening, so connecting is refused by the kernel; nothing mocks a check's result.
"""

import socket

import pytest
from django.conf import settings
from django.test import override_settings

from cocreate.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_port():
    """A loopback port nobody listens on: held bound (not listening) for the whole test."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def broker_at(monkeypatch):
    """Point the Celery app's broker at a URL; restore the app's connections afterwards."""

    def point(url: str) -> None:
        monkeypatch.setattr(celery_app.conf, "broker_url", url)
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    yield point
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_healthy(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    # Without a broker (the embedded run) tasks run in-process; with one it must answer.
    assert body["checks"]["broker"] == ("ok" if settings.REDIS_URL else "eager")


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_broker_unreachable_is_503_naming_the_broker(client, closed_port, broker_at):
    broker_at(f"redis://127.0.0.1:{closed_port}/0")
    # REDIS_URL set means "a broker is configured", so the check may not answer "eager".
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{closed_port}/0"):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"


@pytest.mark.parametrize(
    "backend",
    ["cocreate.caching.backend.RedisCache", "django.core.cache.backends.redis.RedisCache"],
)
def test_cache_unreachable_is_200_degraded_naming_the_cache(client, closed_port, backend):
    """Requests are still answered without Redis (from the database): the instance stays in
    the load balancer, and the body says the cache is degraded."""
    unreachable = {
        "default": {"BACKEND": backend, "LOCATION": f"redis://127.0.0.1:{closed_port}/0"}
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "error"


def test_error_body_does_not_leak_exception_text(client, closed_port):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/healthz")

    assert str(closed_port) not in response.content.decode()
