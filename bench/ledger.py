"""`make bench` (points): bookings per second by the bookkeeping worker, and the wallet at a
member with 100,000 entries against one with 10.

    python bench/ledger.py [--events 5000] [--concurrency 2] [--requests 300]

Environment: BENCH_LEDGER_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/cocreate_bench_ledger; created if missing and migrated),
BENCH_LEDGER_REDIS_URL (default redis://127.0.0.1:6379/14; the broker).

- bookings: records ``--events`` domain events that earn points (contribution.submitted, 100
  per transaction, as web requests would), then starts one worker on the bookkeeping queue
  (``celery worker -Q bookkeeping -c 2``, prefork) and times it from start to the last booking:
  transactions per second, each checked booked exactly once (one transaction per event, the
  ledger_check clean).
- wallet_*: the balance API, the history API and the wallet page, in-process, at a member with
  10 entries and one with 100,000 (seeded once with INSERT ... SELECT through the ledger's
  triggers); p50 of ``--requests`` each and the ratio big/small (goal: within 1.2).

Prints one line per measurement:
    BENCH name=bookings events=<n> seconds=<s> per_s=<transactions/s> processes=<n> goal_per_s=500
    BENCH name=wallet_api p50_10_ms=<ms> p50_100k_ms=<ms> ratio=<big/small> (goal <= 1.20)
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.notify import Workers, bench_env, ensure_database  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocreate_bench_ledger"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
QUEUE = "bookkeeping"
SLUG = "bench-ledger"
BIG = 100_000
BOOKINGS_GOAL = 500


def log(message: str) -> None:
    print(f"bench-ledger: {message}", flush=True)


def seed():
    """The community, its rules (1 point per submission), a manager, two members with 10 and
    100,000 entries; idempotent."""
    from django.db import connection, transaction

    from accounts.models import User
    from communities.models import Community, Membership, Organization
    from incentives.models import Account, EarningRules
    from incentives.services.ledger import system_account, wallet_for
    from incentives.services.rules import rules_publish
    from tests.factories import UserFactory

    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        org = Organization.objects.create(name="Bench Ledger Firm", slug=SLUG)
        community = Community.objects.create(organization=org, name="Bench Ledger", slug=SLUG)
    people = {}
    for label in ("manager", "small", "big"):
        email = f"{label}@{SLUG}.test"
        user = User.objects.filter(email=email).first()
        people[label] = user or UserFactory(email=email, display_name=f"Bench {label}")
        Membership.objects.get_or_create(
            community=community,
            user=people[label],
            defaults={"role": "manager" if label == "manager" else "member", "status": "active"},
        )
    if not EarningRules.objects.filter(community=community).exists():
        rules_publish(actor=people["manager"], community=community, submitted=1, daily_cap=100_000)
    issuance = system_account(community=community, kind=Account.Kind.ISSUANCE)
    for label, size in (("small", 10), ("big", BIG)):
        wallet = wallet_for(community=community, user=people[label])
        have = wallet.entries.count()
        if have >= size:
            continue
        log(f"seeding {size - have} entries for the {label} wallet")
        # In batches, each its own transaction: every entry moves its account's balance
        # through the ledger's trigger, and one transaction updating one row 100,000 times
        # walks an ever longer chain of row versions.
        for low in range(have + 1, size + 1, 1000):
            high = min(low + 999, size)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO incentives_transaction (community_id, key, digest, memo, cause, "
                    "via, created_at) SELECT %s, 'seed:' || %s || ':' || g, '', 'Seeded', '', "
                    "'bench', now() - (g || ' seconds')::interval "
                    "FROM generate_series(%s, %s) g",
                    [community.pk, wallet.pk, low, high],
                )
                cursor.execute(
                    "INSERT INTO incentives_entry (transaction_id, account_id, side, amount) "
                    "SELECT t.id, a.account, a.side, 1 FROM incentives_transaction t, "
                    "(VALUES (%s, 'D'), (%s, 'C')) AS a(account, side) "
                    "WHERE t.key = ANY(%s) ORDER BY t.id",
                    [
                        issuance.pk,
                        wallet.pk,
                        [f"seed:{wallet.pk}:{g}" for g in range(low, high + 1)],
                    ],
                )
    return community, people


def bookings(community, people, env, args) -> dict:
    from django.db import transaction

    from cocreate.celery import app
    from events.models import Delivery
    from events.services import event_record
    from incentives.bookkeeping import CONSUMER
    from incentives.models import Transaction
    from incentives.reconciliation import check

    with app.connection_for_write() as conn:
        conn.default_channel.client.delete(QUEUE)
    base = int(time.time() * 1000) * 10  # fresh contribution ids: fresh booking keys
    author = people["small"]
    before = Transaction.objects.filter(via="bookkeeping").count()
    ids = []
    for start in range(0, args.events, 100):
        with transaction.atomic():
            for n in range(start, min(start + 100, args.events)):
                ids.append(
                    event_record(
                        kind="contribution.submitted",
                        payload={"contribution_id": base + n, "title": f"Bench idea {n}"},
                        actor=author,
                        community_id=community.pk,
                    ).pk
                )
    log(f"{len(ids)} events recorded; starting the bookkeeping worker")
    workers = Workers(env, args.concurrency, Path(tempfile.mkdtemp()) / "worker.log", QUEUE)
    try:
        workers.wait_ready()
        began = time.monotonic()
        deliveries = Delivery.objects.filter(consumer=CONSUMER, event_id__in=ids)
        deadline = began + max(120, args.events / 50)
        while deliveries.filter(processed_at__isnull=True).exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"bookings not done:\n{workers.log_path.read_text()[-3000:]}")
            time.sleep(0.05)
        seconds = time.monotonic() - began
    finally:
        workers.stop()
    booked = Transaction.objects.filter(via="bookkeeping").count() - before
    assert booked == len(ids), (booked, len(ids))
    assert check() == [], check()
    return {"events": len(ids), "seconds": seconds, "per_s": booked / seconds}


def wallet(community, people, requests: int) -> list[str]:
    from django.test import Client
    from rest_framework.authtoken.models import Token

    lines = []
    paths = {
        "wallet_api": f"/api/v1/communities/{SLUG}/points/wallet/",
        "history_api": f"/api/v1/communities/{SLUG}/points/history/",
        "wallet_page": f"/c/{SLUG}/points/",
    }
    for name, path in paths.items():
        p50 = {}
        for label in ("small", "big"):
            user = people[label]
            client = Client(SERVER_NAME="127.0.0.1")
            headers = {}
            if name.endswith("_api"):
                token, _ = Token.objects.get_or_create(user=user)
                headers["HTTP_AUTHORIZATION"] = f"Token {token.key}"
            else:
                client.force_login(user)
            for _ in range(20):
                client.get(path, **headers)
            times = []
            for _ in range(requests):
                began = time.perf_counter()
                response = client.get(path, **headers)
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            p50[label] = statistics.median(times)
        lines.append(
            f"BENCH name={name} p50_10_ms={p50['small']:.2f} p50_100k_ms={p50['big']:.2f} "
            f"ratio={p50['big'] / p50['small']:.2f} (goal <= 1.20)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_LEDGER_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_LEDGER_REDIS_URL", DEFAULT_REDIS)
    env = bench_env(db_url, redis_url, tempfile.mkdtemp(), 2525)
    env.update(
        {
            "API_USER_RATE": "100000000/min",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "CACHE_KEY_PREFIX": "bench-ledger",
        }
    )
    ensure_database(db_url)
    log("migrating")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    community, people = seed()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    r = bookings(community, people, env, args)
    print(
        f"BENCH name=bookings events={r['events']} seconds={r['seconds']:.2f} "
        f"per_s={r['per_s']:.0f} processes={args.concurrency} goal_per_s={BOOKINGS_GOAL}",
        flush=True,
    )
    for line in wallet(community, people, args.requests):
        print(line, flush=True)


if __name__ == "__main__":
    main()
