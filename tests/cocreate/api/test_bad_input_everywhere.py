"""Bad input on every JSON endpoint answers a 4xx in the API's error shape, never a 5xx
(issue 11): bodies nested 1,000 levels deep, bodies that are not objects or not JSON, every
field of a valid body replaced by extreme values (dates no time zone can show, huge numbers,
long strings, wrong types), forged cursors on every list, extreme values in every documented
query parameter, and bodies over the size limit.

The endpoints are the authorization matrix's API cases (every API route and method, with its
path pointed at real objects); the query parameters are those the OpenAPI schema documents
for the route. Each role sends every probe to every endpoint in one world; a failure lists
every probe that got a 5xx or a non-JSON error body.
"""

import base64
import json
import re

import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.authz.test_matrix import CASES
from tests.authz.world import build_world

API_CASES = [c for c in CASES if c.json or c.route.startswith("api")]

EXTREME_DATES = [
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-01-01T25:61:00",
]
EXTREME_VALUES = [
    *EXTREME_DATES,
    -1,
    0,
    10**30,
    -(10**30),
    1e308,
    "NaN",
    "x" * 20_000,
    "\x00",
    "\ud800",
    True,
    None,
    [],
    {"a": {"b": [1, 2]}},
    ["x"] * 500,
]
EXTREME_QUERY = [*EXTREME_DATES, "-1", "0", "99999999999999999999", "x" * 5000, "%00", "[]"]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


FORGED_CURSORS = [
    "garbage",
    "%%%",
    _b64("p=abc"),
    _b64("p=9999-12-31T23:59:59+00:00"),
    _b64("p=0001-01-01 00:00:00+00:00"),
    _b64("o=-5&r=1&p=1"),
    _b64("o=99999999999999999999&p=1"),
    _b64("p=" + "9" * 400),
    _b64("p=\x00"),
    _b64("x" * 3000),
]
NOT_OBJECTS = ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000, "not json", "[]",
               "null", "1e999", '"text"', "{", "\xff\xfe"]  # fmt: skip


def _query_parameters() -> list[tuple[re.Pattern, set[str]]]:
    """(path regex, query parameter names) for every path of the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for template, operations in schema["paths"].items():
        names = set()
        for operation in operations.values():
            if isinstance(operation, dict):
                names |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        found.append((pattern, names))
    return found


def _problems(response, probe: str) -> list[str]:
    status = response.status_code
    if status >= 500:
        return [f"{probe}: {status} {response.content[:160]!r}"]
    if status >= 400:
        if not response.get("Content-Type", "").startswith("application/json"):
            return [f"{probe}: {status} is not JSON ({response.get('Content-Type')})"]
        body = response.json()
        if not isinstance(body, dict) or "detail" not in body or "code" not in body:
            return [f"{probe}: {status} body outside the error shape: {str(body)[:160]}"]
    return []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "member", "manager"])
def test_no_bad_input_reaches_a_server_error(role, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # an oversize body stays cheap to send
    world = build_world()
    client = APIClient(raise_request_exception=False)
    if role != "anonymous":
        client.force_authenticate(world.users[role])
    parameters = _query_parameters()
    failures: list[str] = []

    def send(method: str, path: str, probe: str, body=None, query=None, raw: bytes | None = None):
        cache.clear()  # empty rate-limit counters: a 429 would hide the answer under test
        request = getattr(client, method.lower())
        if method == "GET":
            response = request(path, data=query)
        else:
            payload = raw if raw is not None else json.dumps(body)
            response = request(path, data=payload, content_type="application/json")
        failures.extend(_problems(response, f"{method} {path} {probe}"))

    # Deletions last: what they delete is what the other probes aim at.
    for case in sorted(API_CASES, key=lambda c: c.method == "DELETE"):
        path = case.path(world)
        base_path = path.split("?", 1)[0]
        if case.method == "GET":
            names = set().union(*(n for p, n in parameters if p.match(base_path)))
            for cursor in FORGED_CURSORS:
                send("GET", path, f"cursor={cursor[:20]}", query={"cursor": cursor})
            for name in sorted(names - {"cursor"}):
                for value in EXTREME_QUERY:
                    send("GET", path, f"{name}={value[:20]}", query={name: value})
            continue
        for text in NOT_OBJECTS:
            send(case.method, path, f"body {text[:12]!r}", raw=text.encode("utf-8", "replace"))
        big = json.dumps({"text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
        send(case.method, path, "oversize body", raw=big.encode())
        valid = case.data(world) if case.data else {}
        for field in sorted(valid) or ["anything"]:
            for value in EXTREME_VALUES:
                send(
                    case.method, path, f"{field}={str(value)[:20]!r}", body={**valid, field: value}
                )
    assert failures == [], "\n".join(failures[:60])
