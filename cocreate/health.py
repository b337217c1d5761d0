"""/healthz: is each part the app depends on reachable?

- 200 ``{"status": "ok", ...}`` when all are;
- 200 ``{"status": "degraded", "checks": {"cache": "degraded", ...}}`` while only the cache
  (Redis) is unreachable: every request is still answered, from the database, slower (see the
  README's operations section). A load balancer keeps the instance; monitoring should alert;
- 503 ``{"status": "error", ...}`` with ``"error"`` against the database or the broker.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cocreate.caching.backend import available
from cocreate.celery import app

logger = logging.getLogger(__name__)


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


class Degraded(Exception):
    """The part is unreachable, but requests are still answered without it."""


def _check_cache() -> str:
    try:
        if not available(cache):  # degraded: do not wait for a connect in the health check
            raise Degraded("Redis marked unreachable")
        cache.set("healthz", "1", 5)
        if cache.get("healthz") != "1":
            raise RuntimeError("cache did not return the value just written")
    except Exception as exc:
        raise Degraded(str(exc)) from exc
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER and not settings.REDIS_URL:
        return "eager"

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_GET
def healthz(request):
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Degraded as exc:
            logger.warning("healthz: %s degraded: %s", name, exc)
            results[name] = "degraded"
        except Exception as exc:
            logger.warning("healthz: %s failed: %s", name, exc)
            results[name] = "error"
    if "error" in results.values():
        status = "error"
    elif "degraded" in results.values():
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": results}, status=503 if status == "error" else 200
    )
