"""Every route of the authorization matrix, as every role, with Redis stopped: no 5xx (issue 11).

The cache is pointed at a Redis of the test's own (``tests.redis_server``), stopped for the
test: connections are refused, as when Redis is down. One world per role; the cases run in the
matrix's order, the role's user signed in again whenever a case signed them out. The
world changes as the cases run (a member leaves, a comment is hidden), so a case may answer
another 4xx than in ``test_matrix``; what is checked here is that no request fails.
"""

import json

import pytest
from django.conf import settings
from django.core.cache import cache

from cocreate.caching.backend import available
from cocreate.models import RateCounter

from .test_matrix import CASES
from .world import ROLES, build_world

pytestmark = pytest.mark.django_db


def _send(client, case, world):
    path = case.path(world)
    data = case.data(world) if case.data else None
    request = getattr(client, case.method.lower())
    if case.json:
        return path, request(path, data=json.dumps(data or {}), content_type="application/json")
    if case.method == "GET":
        return path, request(path, data=data)
    if case.method == "POST":
        return path, request(path, data=data or {})
    return path, request(path, data=json.dumps(data or {}), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_no_route_fails_for_any_role_while_redis_is_down(client, outage_cache, role):
    world = build_world()
    outage_cache.stop()
    client.raise_request_exception = False  # a 500 is collected with the others, not raised
    failures, as_expected = [], 0
    signed_in = False
    # One world for the whole walk: the cases that delete the person's account come last, or
    # every case after them would be answered to a former member.
    for case in sorted(CASES, key=lambda case: "erase" in case.route):
        if role != "anonymous" and not signed_in:
            client.force_login(world.users[role])
            signed_in = True
        path, response = _send(client, case, world)
        # Signed out by the case (the session flushed) or served as anonymous: sign in again.
        cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
        if (
            cookie is not None and not cookie.value
        ) or not response.wsgi_request.user.is_authenticated:
            signed_in = False
        if response.status_code >= 500:
            failures.append(f"{case.method} {path}: {response.status_code}")
        as_expected += response.status_code == case.expect[role]
    assert not available(cache), "the cache was not down during the walk"
    assert failures == [], f"{len(failures)} server errors as {role}:\n" + "\n".join(failures)
    # The walk did reach the views (not a wall of refusals): most cases answer as in a fresh
    # world, and the limits on the way counted in the database.
    assert as_expected > len(CASES) * 0.6, (as_expected, len(CASES))
    assert RateCounter.objects.exists()
