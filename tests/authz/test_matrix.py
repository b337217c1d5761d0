"""Every route is in the authorization matrix, and every role gets what the matrix says.

The walk covers the whole URL resolver: a named route with no case fails the suite, and so does
each DRF action (viewset method) with no case for its method. The Django admin is one gate
(``secure_admin_login`` + ``is_staff`` in front of every admin view), exercised through the
cases whose route starts with ``admin:``.
"""

import importlib
import json
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from . import __path__ as authz_path
from .matrix import Case
from .world import ROLES, build_world

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# Served by Django/DRF themselves rather than by a view of ours.
IGNORED_ROUTES = {"django.views.static.serve"}


def _load_cases() -> list[Case]:
    cases: list[Case] = []
    for module in pkgutil.iter_modules(authz_path):
        if module.name.startswith(("pages_", "api_")):
            cases.extend(importlib.import_module(f"{__package__}.{module.name}").CASES)
    return cases


CASES = _load_cases()


def _walk(patterns, namespace: str = "", prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, full_ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern), entry.callback


def _required_methods(callback) -> set[str] | None:
    """HTTP methods a DRF view serves (each must be covered); None for other views."""
    actions = getattr(callback, "actions", None)
    if actions:
        return {m.upper() for m in actions}
    cls = getattr(callback, "cls", None)
    if cls is not None and hasattr(cls, "http_method_names") and issubclass(cls, APIView):
        return {m.upper() for m in HTTP_METHODS if hasattr(cls, m)}
    return None


def _routes():
    for name, pattern, callback in _walk(get_resolver().url_patterns):
        if name in IGNORED_ROUTES:
            continue
        yield name, pattern, callback


def test_every_route_is_named():
    unnamed = [
        pattern
        for name, pattern, _cb in _routes()
        if not name and not pattern.startswith("admin/")  # the admin's own redirects
    ]
    assert unnamed == [], f"routes without a name cannot be in the matrix: {unnamed}"


def test_every_route_and_action_is_in_the_matrix():
    covered = {(c.route, c.method) for c in CASES}
    covered_routes = {c.route for c in CASES}
    missing = []
    for name, pattern, callback in _routes():
        if not name or pattern.startswith("admin/"):
            if "admin:index" not in covered_routes:
                missing.append(("admin:index", "GET", "admin/"))
            continue
        if name.startswith("admin:"):
            if "admin:index" not in covered_routes:
                missing.append(("admin:index", "GET", "admin/"))
            continue
        methods = _required_methods(callback)
        if methods is None:
            if name not in covered_routes:
                missing.append((name, "*", pattern))
            continue
        for method in sorted(methods):
            if (name, method) not in covered:
                missing.append((name, method, pattern))
    assert missing == [], "routes missing from the authorization matrix:\n" + "\n".join(
        f"  {m} {n}  ({p})" for n, m, p in sorted(set(missing))
    )


def test_matrix_names_only_real_routes():
    names = {name for name, _p, _cb in _routes()}
    stale = sorted({c.route for c in CASES} - names)
    assert stale == [], f"matrix cases for routes that do not exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_role_gets_expected_status(client, case: Case, role: str):
    world = build_world()
    if role != "anonymous":
        client.force_login(world.users[role])
    path = case.path(world)
    data = case.data(world) if case.data else None
    request = getattr(client, case.method.lower())
    if case.json:
        response = request(path, data=json.dumps(data or {}), content_type="application/json")
    elif case.method == "GET":
        response = request(path, data=data)
    elif case.method == "POST":
        response = request(path, data=data or {})
    else:
        response = request(path, data=json.dumps(data or {}), content_type="application/json")
    assert response.status_code == case.expect[role], (
        f"{case.method} {path} as {role}: got {response.status_code}, expected {case.expect[role]}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_options_and_head_of_every_route_answer_without_a_server_error(client, role: str):
    """The methods no case names (OPTIONS and HEAD) on every route of the matrix, as each role:
    a 2xx, 3xx or 4xx, never a 5xx (DRF's OPTIONS once asked views without a queryset for
    their object and answered 500)."""
    world = build_world()
    if role != "anonymous":
        client.force_login(world.users[role])
    client.raise_request_exception = False  # a 500 is collected with the others, not raised
    failures = []
    for path in sorted({case.path(world) for case in CASES}):
        for method in ("options", "head"):
            status = getattr(client, method)(path).status_code
            if status >= 500:
                failures.append(f"{method.upper()} {path}: {status}")
    assert failures == []
