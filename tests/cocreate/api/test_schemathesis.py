"""Property-based API tests: schemathesis generates requests from our own OpenAPI schema and
sends them in-process (WSGI) to the Django app, anonymously and as signed-in people.

Checks on every response: no server error (5xx), and the body matches the documented schema for
its status code. Bounded (a few examples per operation) so the whole module runs in about a
minute; raise ``MAX_EXAMPLES`` locally to dig deeper.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from ...authz.world import World, build_world
from .test_schema import EXPECTED_OPERATIONS

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, response_schema_conformance]

application = WSGIHandler()
# The accounts and communities operations (other apps fuzz their own).
OUR_PATHS = sorted({path for path, _method in EXPECTED_OPERATIONS})
schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(path=OUR_PATHS)

hypothesis_settings = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(db) -> World:
    # Requests go through the real WSGI handler, which closes "old" connections around each
    # request; inside the test transaction that would drop the connection (and the data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield build_world()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _token(user) -> dict[str, str]:
    token, _created = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


def _use_real_objects(case, world: World) -> None:
    """Point path parameters at objects that exist, so bodies reach the services."""
    params = case.path_parameters or {}
    path = case.operation.path
    if "slug" in params:
        params["slug"] = (
            world.private_community.slug if "/invitations/" in path else world.community.slug
        )
    if "membership_id" in params:
        params["membership_id"] = world.pending.pk if "/join-requests/" in path else world.target.pk
    if "invitation_id" in params:
        params["invitation_id"] = world.invitation.pk


def _call(case, headers: dict[str, str] | None = None) -> None:
    # Each request starts with empty rate-limit counters: a 429 would hide everything else.
    cache.clear()
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@hypothesis_settings
def test_anonymous(case, world):
    _call(case)


@schema.parametrize()
@hypothesis_settings
def test_member_with_generated_parameters(case, world):
    _call(case, _token(world.users["member"]))


@schema.parametrize()
@hypothesis_settings
def test_member_on_real_objects(case, world):
    _use_real_objects(case, world)
    _call(case, _token(world.users["member"]))


@schema.parametrize()
@hypothesis_settings
def test_manager_on_real_objects(case, world):
    _use_real_objects(case, world)
    _call(case, _token(world.users["manager"]))


# Only organisation staff can create communities; fuzz creation as them.
create_schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(
    method="POST", path="/api/v1/communities/"
)


@create_schema.parametrize()
@hypothesis_settings
def test_org_staff_creates_communities(case, world):
    _call(case, _token(world.users["org_staff"]))
