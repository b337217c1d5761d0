"""Shared set-up of the property-based API tests: schemathesis generates requests from our own
OpenAPI schema and sends them in-process (WSGI) to the Django app.

Checks on every response: no server error (5xx), and the body matches the documented schema for
its status code. Each module picks its operations (``operations``), bounds the examples per
operation (``fuzz``) and gets the same four tests (``role_tests``), with path parameters pointed
at real objects of the ``fuzz_world`` fixture (tests/conftest.py) so that bodies reach the
services.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance]

application = WSGIHandler()


def operations(**include):
    """The operations of our schema that ``include`` selects (schemathesis' filters)."""
    return schemathesis.openapi.from_wsgi("/api/schema/", application).include(**include)


def fuzz(schema, max_examples: int) -> Callable:
    """A decorator: run the test once per generated case of every operation in ``schema``,
    ``max_examples`` cases per operation, the same cases on every run."""
    bounded = settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    def decorate(test: Callable) -> Callable:
        return schema.parametrize()(bounded(test))

    return decorate


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """Requests go through the real WSGI handler, which closes "old" connections around each
    request; inside the test transaction that would drop the connection (and the data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(case, user=None) -> None:
    """Send the case (with ``user``'s API token, anonymously if None) and check the response."""
    headers = None
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        headers = {"Authorization": f"Token {token.key}"}
    # Each request starts with empty rate-limit counters: a 429 would hide everything else.
    cache.clear()
    case.call_and_validate(headers=headers, checks=CHECKS)


def role_tests(fuzzed: Callable, use_real_objects: Callable) -> tuple[Callable, ...]:
    """The tests every fuzzed API area runs, for a module to bind to its own names: anonymous,
    a member with generated path parameters, then a member and a manager (staff: the staff-only
    operations) on real objects, ``use_real_objects(case, world)`` pointing the parameters."""

    @fuzzed
    def anonymous(case, fuzz_world):
        call(case)

    @fuzzed
    def member_with_generated_parameters(case, fuzz_world):
        call(case, fuzz_world.users["member"])

    @fuzzed
    def member_on_real_objects(case, fuzz_world):
        use_real_objects(case, fuzz_world)
        call(case, fuzz_world.users["member"])

    @fuzzed
    def manager_on_real_objects(case, fuzz_world):
        use_real_objects(case, fuzz_world)
        call(case, fuzz_world.users["manager"])

    return (
        anonymous,
        member_with_generated_parameters,
        member_on_real_objects,
        manager_on_real_objects,
    )
