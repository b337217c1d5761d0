"""The cache backend during a Redis outage and after it (issue 11): reads miss, writes raise
``CacheUnavailable``, rate limits count in the database, nothing written before the outage is
served after it, the health check says degraded — and everything uses Redis again when it
returns.

Redis is the test's own (``tests.redis_server``): stopped (connections refused, data gone) or
paused with SIGSTOP (unreachable, data kept: the case where a lost write could serve stale
values once it answers again).
"""

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_PREFIX
from django.core.cache import cache

from cocreate.caching import fragments, generations
from cocreate.caching.backend import CacheUnavailable, available
from cocreate.models import OwedCacheDelete, RateCounter
from moderation.ratelimits import hit

from ..clients import token_client
from ..factories import TEST_PASSWORD, UserFactory
from ..redis_server import wait_until_available

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def test_while_down_reads_miss_writes_raise_and_limits_count_in_the_database(outage_cache):
    cache.set("kept", "value", 60)
    outage_cache.stop()

    assert cache.get("kept") is None
    assert cache.get("kept", "default") == "default"
    assert cache.get_many(["kept"]) == {}
    assert "kept" not in cache
    with pytest.raises(CacheUnavailable):
        cache.set("kept", "other", 60)
    with pytest.raises(CacheUnavailable):
        cache.delete("kept")
    assert not available(cache), "degraded after the first failure: no connect per call"
    # A rate limit still holds: two allowed, the third refused, counted in the database.
    hit(scope="test", subject="u1", limit=2, period=60)
    hit(scope="test", subject="u1", limit=2, period=60)
    with pytest.raises(Exception, match="too often"):
        hit(scope="test", subject="u1", limit=2, period=60)
    assert RateCounter.objects.get().count == 3


def test_when_redis_returns_the_cache_and_its_counters_are_used_again(outage_cache):
    outage_cache.stop()
    assert cache.get("x") is None
    assert not available(cache)
    outage_cache.start()
    wait_until_available()

    cache.set("x", "back", 60)
    assert cache.get("x") == "back"
    assert outage_cache.client().exists(cache.make_key("x"))
    hit(scope="test", subject="u2", limit=5, period=60)
    assert not RateCounter.objects.exists(), "counted in the database although Redis answers"


def test_a_bump_lost_to_the_outage_is_paid_before_redis_is_used_again(outage_cache):
    scope = generations.community(4242)
    builds = []

    def build():
        builds.append(1)
        return f"version {len(builds)}", True

    assert generations.cached("page", [scope], build, timeout=60) == "version 1"
    assert generations.cached("page", [scope], build, timeout=60) == "version 1"  # a hit

    outage_cache.pause()  # unreachable, but the page and its token survive
    generations.bump(scope)  # the data changed: the new token cannot be written
    assert OwedCacheDelete.objects.filter(key=cache.make_key(generations.token_key(scope)))
    outage_cache.resume()
    wait_until_available()

    assert not OwedCacheDelete.objects.exists(), "the debt was not paid"
    assert generations.cached("page", [scope], build, timeout=60) == "version 2"
    assert generations.cached("page", [scope], build, timeout=60) == "version 2"  # cached again


def test_signing_in_and_out_during_the_outage_work_and_the_sign_out_sticks(client, outage_cache):
    user = UserFactory()
    assert client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert client.get(PROFILE).status_code == 200  # the session is cached in Redis now
    before = client.cookies["sessionid"].value
    assert outage_cache.client().exists(cache.make_key(SESSION_PREFIX + before))

    outage_cache.pause()
    assert client.get(PROFILE).status_code == 200  # signed in, from the database
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get(PROFILE).status_code == 302  # signed out
    assert client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert client.get(PROFILE).status_code == 200  # signed in again, during the outage
    during = client.cookies["sessionid"].value
    client.post("/accounts/logout/")

    outage_cache.resume()
    wait_until_available()
    # Neither session comes back, although Redis kept the copy of the first one.
    assert client.get(PROFILE).status_code == 302
    for key in (before, during):
        client.cookies["sessionid"] = key
        assert client.get(PROFILE).status_code == 302, "a signed-out session came back"


def test_sessions_written_during_the_outage_are_read_back_after_it(client, outage_cache):
    user = UserFactory()
    client.force_login(user)
    assert client.get(PROFILE).status_code == 200
    outage_cache.pause()
    session = client.session
    session["note"] = "written during the outage"
    session.save()
    outage_cache.resume()
    wait_until_available()
    assert client.session["note"] == "written during the outage"


def test_health_says_degraded_while_down_and_ok_once_back(client, outage_cache):
    assert client.get("/healthz").json()["checks"]["cache"] == "ok"
    outage_cache.stop()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"] == "degraded"
    outage_cache.start()
    wait_until_available()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {**response.json()["checks"], "database": "ok", "cache": "ok"},
    }


def test_pages_are_cached_again_when_redis_returns(client, outage_cache, community):
    path = f"/c/{community.slug}/"
    outage_cache.stop()
    assert client.get(path).status_code == 200
    outage_cache.start()
    wait_until_available()
    assert client.get(path).status_code == 200
    assert outage_cache.client().dbsize() > 0, "nothing was cached after Redis returned"


def test_fragments_are_kept_in_process_memory_while_redis_is_down(client, outage_cache, community):
    fragments._local.clear()
    outage_cache.stop()
    assert client.get("/communities/").status_code == 200
    kept = len(fragments._local._cache)
    assert kept > 0, "no fragment kept while Redis was down"
    assert client.get("/communities/").status_code == 200  # built again: no page cache
    assert len(fragments._local._cache) == kept, "the same cards were rendered again"


def test_api_token_requests_work_while_down_and_are_still_throttled(outage_cache, settings):
    user = UserFactory()
    client = token_client(user)
    assert client.get("/api/v1/me/").status_code == 200  # the token's row cached in Redis
    outage_cache.stop()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "3/min",
        },
    }
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert RateCounter.objects.filter(key__contains="throttle:fw:user").exists()
