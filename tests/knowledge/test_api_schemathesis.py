"""Property-based tests of the knowledge API: schemathesis generates requests from our own
OpenAPI schema and sends them in-process (WSGI), anonymously and as signed-in people.

Checks on every response: no server error (5xx), and the body matches the documented schema for
its status code. Bounded (a few examples per operation); raise ``MAX_EXAMPLES`` locally to dig
deeper. Same pattern as ``test_schemathesis.py`` (accounts and communities).
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

from ..authz.world import World, build_world

MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance]
KNOWLEDGE_PATHS = (
    r"^/api/v1/(communities/\{slug\}/(toolkits|challenges|contributions|search|triage|scorecards)"
    r"|comments)/"
)

application = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(
    path_regex=KNOWLEDGE_PATHS
)

hypothesis_settings = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_the_knowledge_operations_are_fuzzed():
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30


@pytest.fixture
def world(db) -> World:
    # The WSGI handler closes "old" connections around each request; inside the test
    # transaction that would drop the connection (and the data).
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
        params["slug"] = world.community.slug
    if "toolkit_id" in params:
        params["toolkit_id"] = world.toolkit.pk
    if "challenge_id" in params:
        params["challenge_id"] = world.challenge.pk
    if "contribution_id" in params:
        params["contribution_id"] = (
            world.draft.pk if path.endswith("/submit/") else world.contribution.pk
        )
    if "comment_id" in params:
        params["comment_id"] = world.comment.pk


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


# Managers are staff too: this covers the staff-only operations (status, lock, evaluations,
# triage, scorecards) as well as the managers' ones.
@schema.parametrize()
@hypothesis_settings
def test_manager_on_real_objects(case, world):
    _use_real_objects(case, world)
    _call(case, _token(world.users["manager"]))
