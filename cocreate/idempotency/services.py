"""Claiming, completing and expiring idempotency keys and form tokens.

Both kinds of row are claimed with one ``INSERT ... ON CONFLICT`` inside the transaction that
does the work, and committed with it. So:

- of concurrent requests with one key (or one form token), exactly one inserts the row; the
  others wait on the unique index (at most ``IDEMPOTENCY_WAIT`` seconds on PostgreSQL) until
  it commits, then find what it answered or created — none runs the work a second time;
- a request that fails (an exception, a killed worker, a dropped connection) rolls its row
  back with its writes: the retry runs again, as if the first had never been;
- a row older than ``IDEMPOTENCY_TTL`` seconds counts as absent: the same statement takes it
  over (``ON CONFLICT DO UPDATE ... WHERE created_at < cutoff``), and ``purge_expired``
  deletes such rows periodically.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar, cast

from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.utils import timezone

from .models import FormSubmission, IdempotencyKey

T = TypeVar("T")

# PostgreSQL's SQLSTATE for "lock_timeout expired" (lock_not_available).
_LOCK_NOT_AVAILABLE = "55P03"


class KeyInUse(Exception):
    """Another request with this key is still running (it did not finish within the wait)."""


class KeyReused(Exception):
    """This key already answered a different request (method, path or body)."""


def ttl() -> timedelta:
    """How long a key or form token is remembered (``IDEMPOTENCY_TTL``, seconds)."""
    return timedelta(seconds=settings.IDEMPOTENCY_TTL)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """sha256 of the request's method, full path (with its query) and body."""
    digest = hashlib.sha256()
    digest.update(method.upper().encode())
    digest.update(b"\n")
    digest.update(path.encode())
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


def _claim(
    model: type[models.Model], unique: tuple[str, ...], values: dict[str, Any]
) -> int | None:
    """Insert ``values`` as a new row of ``model``, or take over the row with the same
    ``unique`` fields if it has expired; the row's id, or ``None`` when a live row exists.

    Call inside the transaction that does the work (the row commits with it). Waits for a
    concurrent transaction holding the same unique values to finish; on PostgreSQL at most
    ``IDEMPOTENCY_WAIT`` seconds, then raises ``KeyInUse``."""
    meta = model._meta
    quote = connection.ops.quote_name

    def field(name: str) -> models.Field:
        return cast(models.Field, meta.get_field(name))

    def column(name: str) -> str:
        return quote(cast(str, field(name).column))

    params = [field(name).get_db_prep_save(value, connection) for name, value in values.items()]
    names = ", ".join(column(name) for name in values)
    table = quote(meta.db_table)
    taken_over = ", ".join(
        f"{column(name)} = EXCLUDED.{column(name)}" for name in values if name not in unique
    )
    conflict = ", ".join(column(name) for name in unique)
    sql = (
        f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(params))}) "  # noqa: S608 — names from the model
        f"ON CONFLICT ({conflict}) DO UPDATE SET {taken_over} "
        f"WHERE {table}.{column('created_at')} < %s RETURNING {quote(cast(str, meta.pk.column))}"
    )
    cutoff = field("created_at").get_db_prep_save(timezone.now() - ttl(), connection)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:  # bound the wait for a concurrent request holding the same key
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)",
                [f"{int(settings.IDEMPOTENCY_WAIT * 1000)}ms"],
            )
        try:
            # A savepoint: a lock timeout must leave the request's transaction usable.
            with transaction.atomic():
                cursor.execute(sql, [*params, cutoff])
                row = cursor.fetchone()
        except OperationalError as exc:
            cause = exc.__cause__
            code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
            if code == _LOCK_NOT_AVAILABLE:
                raise KeyInUse from exc
            raise
        finally:
            if postgres:  # the request's own locks wait as long as they always did
                cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    return None if row is None else row[0]


# --- API keys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """What ``api_claim`` found: this request's own new row (``claimed``) or the completed row
    of an earlier request to replay (``replay``)."""

    claimed: int | None = None
    replay: IdempotencyKey | None = None


def api_claim(
    *, owner: str, user_id: int | None, key: str, method: str, path: str, body: bytes
) -> Claim:
    """Claim ``key`` for this request of ``owner``, or find the earlier request it answered.

    Call inside the transaction that runs the request. Raises ``KeyReused`` when the key
    answered another method, path or body, ``KeyInUse`` when a concurrent request with the key
    is still running after the wait. A claimed row must be finished in the same transaction
    with ``api_complete`` (store the response) or ``api_release`` (forget the key)."""
    digest = fingerprint(method, path, body)
    values: dict[str, Any] = {
        "owner": owner,
        "key": key,
        "user": user_id,
        "method": method.upper(),
        "path": path,
        "fingerprint": digest,
        "state": IdempotencyKey.State.PROCESSING,
        "response_status": None,
        "response_headers": {},
        "response_body": b"",
        "created_at": timezone.now(),
    }
    for _attempt in range(3):
        claimed = _claim(IdempotencyKey, ("owner", "key"), values)
        if claimed is not None:
            return Claim(claimed=claimed)
        found = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if found is None:  # released by its request between our two statements: try again
            continue
        if found.fingerprint != digest:
            raise KeyReused
        if found.state != IdempotencyKey.State.COMPLETED:
            raise KeyInUse  # never committed half-done; refuse rather than guess
        return Claim(replay=found)
    raise KeyInUse


def api_complete(*, claimed: int, status: int, headers: dict[str, str], body: bytes) -> None:
    """Store the response of the request that claimed row ``claimed`` (same transaction)."""
    IdempotencyKey.objects.filter(pk=claimed).update(
        state=IdempotencyKey.State.COMPLETED,
        response_status=status,
        response_headers=headers,
        response_body=body,
    )


def api_release(*, claimed: int) -> None:
    """Forget row ``claimed``: its response is not one to replay (a 5xx, 409 or 429), so the
    client may retry with the same key."""
    IdempotencyKey.objects.filter(pk=claimed).delete()


# --- Form tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted(Generic[T]):
    """The outcome of ``submit_once``: what ``create`` made now (``created``), or the address of
    what an earlier post with the same token made (``repeated``; ``url`` may be empty when that
    post was still running after the wait)."""

    created: T | None
    url: str = ""
    repeated: bool = False


def submit_once(
    *, user, token: str | None, create: Callable[[], T], url_of: Callable[[T], str]
) -> Submitted[T]:
    """Run ``create`` once per ``user`` and one-time form ``token``: the first post with the
    token creates and records ``url_of(created)``; the same token again (a double click, a
    retried POST) creates nothing and answers that address. Without a token (an old cached
    page, a client that sends none) ``create`` simply runs.

    ``create`` runs inside this function's transaction, with the token's row: if it raises,
    nothing is recorded and the same token may be posted again."""
    if not token or user is None or not user.is_authenticated:
        return Submitted(create())
    try:
        with transaction.atomic():
            claimed = _claim(
                FormSubmission,
                ("user", "token"),
                {"user": user.pk, "token": token, "url": "", "created_at": timezone.now()},
            )
            if claimed is None:
                found = FormSubmission.objects.filter(user=user, token=token).first()
                return Submitted(None, url=found.url if found else "", repeated=True)
            created = create()
            url = url_of(created)
            FormSubmission.objects.filter(pk=claimed).update(url=url)
            return Submitted(created, url=url)
    except KeyInUse:
        return Submitted(None, repeated=True)


# --- Expiry -------------------------------------------------------------------------------------


def purge_expired() -> int:
    """Delete every key and form token older than ``IDEMPOTENCY_TTL``; how many went."""
    cutoff = timezone.now() - ttl()
    keys, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    tokens, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return keys + tokens
