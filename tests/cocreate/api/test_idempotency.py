"""``Idempotency-Key`` on API writes: a retry answers what the first request did, once.

Against the real PostgreSQL (the concurrency tests commit for real, from threads that each
hold their own connection)."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from cocreate.api.idempotency import HEADER, REPLAYED, IdempotentWrites, _owner
from cocreate.idempotency import services as idempotency
from cocreate.idempotency.models import IdempotencyKey
from cocreate.idempotency.tasks import purge_expired
from knowledge import services as knowledge_services
from knowledge.api import dialogue as dialogue_api
from knowledge.models import Comment, Support

from ...clients import token_client
from ...conftest import require_or_skip, uses_postgres
from ...factories import TEST_PASSWORD

API = "/api/v1"
KEY = "HTTP_IDEMPOTENCY_KEY"


@pytest.fixture
def comments(community, idea) -> str:
    return f"{API}/communities/{community.slug}/contributions/{idea.pk}/comments/"


def _post(client, path, body, key, **extra):
    return client.post(path, body, format="json", **{KEY: key}, **extra)


@pytest.mark.django_db
def test_a_retry_replays_the_first_answer_without_posting_again(comments, other_member):
    client = token_client(other_member)
    first = _post(client, comments, {"body": "Which wax?"}, "key-1")
    assert first.status_code == 201
    assert REPLAYED not in first
    again = _post(client, comments, {"body": "Which wax?"}, "key-1")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again[REPLAYED] == "true"
    assert Comment.objects.filter(author=other_member).count() == 1
    row = IdempotencyKey.objects.get()
    assert (row.state, row.response_status, row.method) == ("completed", 201, "POST")
    assert row.owner == f"u:{other_member.pk}" and row.user_id == other_member.pk
    # A request without the header is not affected.
    assert client.post(comments, {"body": "Which wax?"}, format="json").status_code == 201
    assert Comment.objects.filter(author=other_member).count() == 2


@pytest.mark.django_db
def test_the_same_key_for_another_request_is_422(comments, other_member, community, idea):
    client = token_client(other_member)
    assert _post(client, comments, {"body": "Which wax?"}, "key-2").status_code == 201
    for response in (
        _post(client, comments, {"body": "Another text"}, "key-2"),  # another body
        _post(
            client,
            f"{API}/communities/{community.slug}/contributions/{idea.pk}/support/",
            {"supported": True},
            "key-2",
        ),  # another path  # fmt: skip
        client.put(comments, {"body": "Which wax?"}, format="json", **{KEY: "key-2"}),  # method
    ):
        assert response.status_code in (405, 422)
        if response.status_code == 422:
            body = response.json()
            assert body["code"] == "idempotency_key_reused"
            assert "Idempotency-Key" in body["detail"]
            assert set(body) == {"detail", "code"}
    assert Comment.objects.count() == 1
    assert not Support.objects.filter(user=other_member).exists()


@pytest.mark.django_db
def test_keys_are_per_user(comments, member, other_member):
    first = _post(token_client(other_member), comments, {"body": "Which wax?"}, "shared-key")
    second = _post(token_client(member), comments, {"body": "Which wax?"}, "shared-key")
    assert (first.status_code, second.status_code) == (201, 201)
    assert REPLAYED not in second
    assert first.json()["id"] != second.json()["id"]
    assert Comment.objects.count() == 2
    assert IdempotencyKey.objects.count() == 2


def test_anonymous_keys_are_per_client_address():
    """No write of this API is open to anonymous clients but the token exchange (which keeps
    no keys, below); a future one would key by the client's address, never storing it."""
    factory = APIRequestFactory()

    def owner(address: str) -> tuple[str, int | None]:
        request = Request(factory.post("/api/v1/x/", REMOTE_ADDR=address))
        request.user = AnonymousUser()
        return _owner(request)

    assert owner("10.0.0.1") == owner("10.0.0.1")
    assert owner("10.0.0.1") != owner("10.0.0.2")
    name, user_id = owner("10.0.0.1")
    assert name.startswith("a:") and "10.0.0" not in name and user_id is None


@pytest.mark.django_db
def test_the_token_exchange_keeps_no_key(member):
    """Its answer is a credential: not stored, not replayed (a revoked token would return)."""
    client = APIClient()
    body = {"email": member.email, "password": TEST_PASSWORD}
    for _ in range(2):
        response = client.post(f"{API}/auth/token/", body, format="json", **{KEY: "tok"})
        assert response.status_code == 200 and REPLAYED not in response
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "tab\there", "é-accent", "bell\x07"])
def test_invalid_keys_are_400(comments, other_member, key):
    response = _post(token_client(other_member), comments, {"body": "Hi"}, key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Comment.objects.exists() and not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_longest_key_is_accepted(comments, other_member):
    assert _post(token_client(other_member), comments, {"body": "Hi"}, "k" * 255).status_code == 201


@pytest.mark.django_db
def test_a_4xx_is_replayed_but_a_409_is_not_stored(
    comments, other_member, moderator, community, idea
):
    client = token_client(other_member)
    invalid = _post(client, comments, {"body": ""}, "k-400")
    assert invalid.status_code == 400
    replay = _post(client, comments, {"body": ""}, "k-400")
    assert replay.status_code == 400 and replay[REPLAYED] == "true"
    assert replay.content == invalid.content

    knowledge_services.discussion_set_locked(
        actor=moderator, discussion=idea.discussion, locked=True
    )
    locked = _post(client, comments, {"body": "Hello?"}, "k-409")
    assert locked.status_code == 409 and REPLAYED not in locked
    assert not IdempotencyKey.objects.filter(key="k-409").exists()
    knowledge_services.discussion_set_locked(
        actor=moderator, discussion=idea.discussion, locked=False
    )
    retried = _post(client, comments, {"body": "Hello?"}, "k-409")
    assert retried.status_code == 201 and REPLAYED not in retried
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_a_request_that_fails_keeps_nothing_and_the_retry_runs(comments, other_member, monkeypatch):
    """A crash after the comment was written (here: an error raised right after the service
    returned; in production, a killed worker) rolls back the comment with the key: the retry
    posts it, once."""
    real = knowledge_services.comment_create

    def crash_after_writing(**kwargs):
        real(**kwargs)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(dialogue_api.services, "comment_create", crash_after_writing)
    client = token_client(other_member)
    client.raise_request_exception = False
    failed = _post(client, comments, {"body": "Which wax?"}, "k-crash")
    assert failed.status_code == 500
    assert not Comment.objects.exists() and not IdempotencyKey.objects.exists()
    monkeypatch.setattr(dialogue_api.services, "comment_create", real)
    retried = _post(client, comments, {"body": "Which wax?"}, "k-crash")
    assert retried.status_code == 201 and REPLAYED not in retried
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_keys_expire(comments, other_member, settings):
    client = token_client(other_member)
    assert _post(client, comments, {"body": "Which wax?"}, "k-old").status_code == 201
    IdempotencyKey.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_TTL + 1)
    )
    # Expired: the key is new again, even for another body.
    again = _post(client, comments, {"body": "Another day"}, "k-old")
    assert again.status_code == 201 and REPLAYED not in again
    assert Comment.objects.count() == 2
    row = IdempotencyKey.objects.get()
    assert row.created_at > timezone.now() - timedelta(minutes=1)
    # The periodic task deletes what expired, and only that.
    assert _post(client, comments, {"body": "Third"}, "k-purge").status_code == 201
    IdempotencyKey.objects.filter(key="k-purge").update(
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_TTL + 1)
    )
    assert purge_expired.delay().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-old"]


@pytest.mark.django_db
def test_the_key_costs_a_constant_number_of_queries(community, idea, member, other_member, toolkit):
    """The claim and the stored answer add the same few queries to any write; a replay costs
    no more than a fresh write."""
    from tests.knowledge.factories import make_contribution  # noqa: PLC0415

    client = token_client(other_member)
    deltas, replays = [], []
    for n in range(2):
        target = make_contribution(author=member, community=community, toolkit=toolkit)
        path = f"{API}/communities/{community.slug}/contributions/{target.pk}/comments/"
        body = {"body": "x" * (10 + 1000 * n)}
        client.post(path, body, format="json")  # warm up caches (token, standing)
        with CaptureQueriesContext(connection) as plain:
            assert client.post(path, body, format="json").status_code == 201
        with CaptureQueriesContext(connection) as keyed:
            assert _post(client, path, body, f"q-{n}").status_code == 201
        with CaptureQueriesContext(connection) as replay:
            assert _post(client, path, body, f"q-{n}").status_code == 201
        deltas.append(len(keyed) - len(plain))
        replays.append(len(replay))
    # Set and reset the lock wait, the claim in a savepoint (3), the stored answer; and here,
    # inside the test's transaction, the request's own transaction is a savepoint too (2).
    assert deltas[0] == deltas[1] == 8, deltas
    assert replays[0] == replays[1] and replays[0] < len(plain), replays


# --- Concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_with_one_key_create_one_comment(comments, other_member):
    require_or_skip(uses_postgres(), "needs PostgreSQL for concurrent writers")
    token_client(other_member)  # the token exists before the threads race for it
    barrier = threading.Barrier(20)
    lock = threading.Lock()
    answers: list[tuple[int, bytes, bool]] = []

    def request() -> None:
        client = token_client(other_member)
        try:
            barrier.wait(timeout=20)
            response = _post(client, comments, {"body": "Only once"}, "race-key")
            with lock:
                answers.append((response.status_code, response.content, REPLAYED in response))
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == 20
    assert Comment.objects.filter(author=other_member).count() == 1
    assert IdempotencyKey.objects.count() == 1
    statuses = [status for status, _content, _replayed in answers]
    assert set(statuses) <= {201, 409}, statuses
    created = [a for a in answers if a[0] == 201]
    assert len({content for _status, content, _replayed in created}) == 1  # one answer
    assert sum(1 for a in created if not a[2]) == 1  # one ran the view, the rest replayed


@pytest.mark.django_db(transaction=True)
def test_a_key_still_in_use_after_the_wait_is_409_with_retry_after(
    comments, other_member, settings
):
    require_or_skip(uses_postgres(), "lock_timeout is PostgreSQL's")
    settings.IDEMPOTENCY_WAIT = 0.3
    client = token_client(other_member)
    body = b'{"body": "Slow"}'
    claimed, release = threading.Event(), threading.Event()

    def slow_request() -> None:  # holds the key's row uncommitted, as a running request does
        try:
            with transaction.atomic():
                idempotency.api_claim(
                    owner=f"u:{other_member.pk}",
                    user_id=other_member.pk,
                    key="busy",
                    method="POST",
                    path=comments,
                    body=body,
                )
                claimed.set()
                release.wait(timeout=20)
                raise RuntimeError("the slow request fails: nothing is kept")
        except RuntimeError:
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=slow_request)
    thread.start()
    try:
        assert claimed.wait(timeout=20)
        busy = client.post(comments, body, content_type="application/json", **{KEY: "busy"})
        assert busy.status_code == 409
        assert busy["Retry-After"] == "1"
        assert busy.json()["code"] == "idempotency_key_in_use"
    finally:
        release.set()
        thread.join(timeout=30)
    # The first failed: the key is free, the retry runs.
    done = client.post(comments, body, content_type="application/json", **{KEY: "busy"})
    assert done.status_code == 201 and REPLAYED not in done
    assert Comment.objects.count() == 1


# --- One place, documented ----------------------------------------------------------------------


def _api_views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            path = prefix + str(pattern.pattern)
            view = getattr(pattern.callback, "cls", None)
            if path.startswith("api/v1/") and view is not None:
                yield path, view


def test_every_api_view_takes_the_key():
    views = list(_api_views(get_resolver().url_patterns))
    writes = [
        (path, view)
        for path, view in views
        if {"post", "put", "patch", "delete"} & {m for m in dir(view) if not m.startswith("_")}
    ]
    assert len(writes) > 20
    missing = [path for path, view in writes if not issubclass(view, IdempotentWrites)]
    assert missing == []
    ignoring = sorted(path for path, view in writes if not view.idempotent_writes)
    assert ignoring == ["api/v1/auth/token/"]


@pytest.mark.django_db
def test_every_write_operation_documents_the_header():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    writes = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            if method in ("post", "put", "patch", "delete") and path != "/api/v1/auth/token/":
                writes += 1
                assert HEADER in headers, (path, method)
                assert {"409", "422"} <= set(operation["responses"]), (path, method)
            elif method == "get":
                assert HEADER not in headers, (path, method)
    assert writes > 20


# --- Admin --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_shows_keys_and_form_tokens_read_only(
    client, comments, other_member, platform_admin, community, idea
):
    from django.urls import reverse  # noqa: PLC0415

    from cocreate.idempotency.models import FormSubmission  # noqa: PLC0415

    assert _post(token_client(other_member), comments, {"body": "Kept"}, "admin-key").status_code
    page = reverse("knowledge:comment", args=[community.slug, idea.pk])
    client.force_login(other_member)
    client.post(page, {"body": "Form", "form_token": "admin-token-0123456789"})
    row, submission = IdempotencyKey.objects.get(), FormSubmission.objects.get()
    client.force_login(platform_admin)
    for name, obj, shown in (
        ("idempotency_idempotencykey", row, "admin-key"),
        ("idempotency_formsubmission", submission, "admin-token-0123456789"),
    ):
        listing = client.get(reverse(f"admin:{name}_changelist"))
        assert listing.status_code == 200 and shown in listing.content.decode()
        detail = client.get(reverse(f"admin:{name}_change", args=[obj.pk]))
        assert detail.status_code == 200
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
        assert client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"})
    assert '"Kept"' in client.get(
        reverse("admin:idempotency_idempotencykey_change", args=[row.pk])
    ).content.decode().replace("&quot;", '"')
    assert IdempotencyKey.objects.count() == FormSubmission.objects.count() == 1
