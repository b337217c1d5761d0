"""`make bench-notify`: the notification fan-out and the queue's latency, with real Celery worker
processes on the real Redis broker and PostgreSQL.

    python bench/notify.py [--sizes 10000,100000] [--rate 200] [--duration 20] [--concurrency 2]
                           [--producers 2] [--cost 2000]

Environment: BENCH_NOTIFY_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/cocreate_bench_notify; created if missing and migrated),
BENCH_NOTIFY_REDIS_URL (default redis://127.0.0.1:6379/14; the broker).

It seeds (once; idempotent) one community per size with that many active members, each with a
preference for announcements (98% in the app or a digest, 2% email right away: the emails are
queued per preference and written to files by Django's file email backend). It starts one
worker (`celery worker -Q notifications -c 2`, prefork: two worker processes), then:

- fanout_<size>: sends an announcement to the community and times, from the call to the last
  chunk's commit, the creation of every notification; checks each member got exactly one;
  ``max_rss_mb`` is the peak resident memory (VmHWM) of the largest worker process so far;
- event_cost (with ``--cost N``): the in-process CPU per event of recording and of processing
  (one delivery per call, and a batch per call), before any worker starts;
- enqueue_latency: records events (one recipient each) at a steady rate for a while, from
  ``--producers`` processes (as several web processes do; each at its share of the rate), and
  measures, per event, the time from its hand-off to the broker (stamped in the task message)
  to the start of the task that processed it (recorded on the event by the task).

Prints one line per measurement:
    BENCH name=fanout_10k seconds=<s> per_s=<notifications/s> max_rss_mb=<MB>
          rss_at_rest_mb=<MB> tasks=<chunk tasks> emails_queued=<n> emails_sent_after_s=<s>
    BENCH name=enqueue_latency rate=200 p50_ms=<ms> p95_ms=<ms> p99_ms=<ms> max_ms=<ms>
          events=<n> sent_per_s=<achieved rate> processed_per_s=<workers' pace> producers=<n>
(each on one line). When processed_per_s is below the rate the queue grew during the run and
the latency measures that backlog: the workers need more processes or cores.
Goals: fanout_10k ≤ 10 s; fanout_100k about 10× fanout_10k (linear) with the same max_rss_mb
(issue 5); enqueue_latency at 200 events/s with 2 worker processes: processed_per_s keeps up and
p95 ≤ 100 ms (issue 15). When sent_per_s is below the rate, the producers could not record
events that fast (a busy machine): the figure then holds for the rate they reached.
"""

import argparse
import os
import secrets
import signal
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocreate_bench_notify"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
QUEUE = "notifications"
CONSUMER = "notifications"
SLUG = "bench-notify-{label}"
FANOUT_GOAL_S = 10.0  # for 10,000 members
EMAIL_GOAL_PER_S = 200  # emails a second to a local SMTP server, 2 worker processes (issue 11)
LATENCY_POOL = 4000  # members of the smallest community who receive the latency events


def log(message: str) -> None:
    print(f"bench-notify: {message}", flush=True)


def label_for(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(
        dbname="postgres",
        user=parts.username or None,
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"creating database {name}")
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def bench_env(db_url: str, redis_url: str, email_dir: str, smtp_port: int) -> dict:
    alphabet = string.ascii_letters + string.digits + "-_!@#%^*()="
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.notify_settings",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(64)),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": "consolemail://",  # required by production settings; replaced by files
        "BENCH_NOTIFY_EMAIL_DIR": email_dir,
        "BENCH_NOTIFY_SMTP_PORT": str(smtp_port),
        "SECURE_SSL_REDIRECT": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
    }


# --- Seeding (SQL INSERT ... SELECT generate_series: seconds for 100,000 members) --------------


def _insert_select(model, values: dict[str, str], source: str, params: list) -> int:
    """INSERT INTO <model> (every concrete column) SELECT <expression per column> FROM <source>
    ON CONFLICT DO NOTHING. ``values`` maps a field to an SQL expression, or to (expression,
    its parameters); the other columns take the field's Python default; ``params`` belong to
    ``source``."""
    from django.db import connection

    columns, expressions, head = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.name in values:
            value = values[f.name]
            expression, value_params = value if isinstance(value, tuple) else (value, [])
            expressions.append(expression)
            head.extend(value_params)
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            expressions.append("now()")
        else:
            expressions.append("%s")
            head.append(f.get_db_prep_save(f.get_default(), connection))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {source} ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, head + params)
        return cursor.rowcount


def seed(size: int, *, all_email: bool = False):
    """The community of ``size`` active members (plus its manager), created once. With
    ``all_email``, every member keeps the announcements default (email right away): the email
    throughput community."""
    from django.db import transaction

    from accounts.models import User
    from communities.models import Community, Membership, Organization
    from notifications.models import Preference

    label = ("mail-" if all_email else "") + label_for(size)
    slug = SLUG.format(label=label)
    community = Community.objects.filter(slug=slug).first()
    if community is not None:
        active = Membership.objects.filter(community=community, status="active").count()
        if active == size + 1:
            manager = User.objects.get(email=f"manager-{slug}@bench.test")
            return community, manager
    log(f"seeding {slug} with {size:,} members")
    started = time.monotonic()
    with transaction.atomic():
        org, _ = Organization.objects.get_or_create(slug="bench-notify", defaults={"name": "Bench"})
        community, _ = Community.objects.get_or_create(
            slug=slug,
            defaults={"organization": org, "name": f"Notify bench {label}", "join_policy": "open"},
        )
        manager, _ = User.objects.get_or_create(
            email=f"manager-{slug}@bench.test", defaults={"display_name": f"Manager {label}"}
        )
        Membership.objects.get_or_create(
            community=community, user=manager, defaults={"role": "manager", "status": "active"}
        )
        Membership.objects.filter(community=community).update(status="active")
        prefix = f"nb{label}-"
        if all_email:
            prefix = f"nbm{label_for(size)}-"
        _insert_select(
            User,
            {
                "password": "'!'",
                "email": ("%s || g || '@bench.test'", [prefix]),
                "display_name": "'Member ' || g",
            },
            "generate_series(1, %s) AS g",
            [size],
        )
        members = f"(SELECT id FROM accounts_user WHERE email LIKE '{prefix}%%') AS u"
        _insert_select(
            Membership,
            {
                "community": ("%s", [community.pk]),
                "user": "u.id",
                "status": "'active'",
                "joined_at": "now()",
            },
            members,
            [],
        )
        # 2% keep the default (email right away), 10% a daily digest, the rest in the app.
        if not all_email:
            _insert_select(
                Preference,
                {
                    "user": "u.id",
                    "topic": "'announcements'",
                    "channel": "CASE WHEN u.id %% 10 = 1 THEN 'daily' ELSE 'in_app' END",
                },
                f"(SELECT id FROM accounts_user WHERE email LIKE '{prefix}%%' AND id %% 50 <> 0)"
                " AS u",
                [],
            )
        # The latency events (membership topic) stay in the app: no email per event.
        _insert_select(
            Preference,
            {"user": "u.id", "topic": "'membership'", "channel": "'in_app'"},
            members,
            [],
        )
        Community.objects.filter(pk=community.pk).update(member_count=size + 1)
    log(f"seeded {slug} in {time.monotonic() - started:.1f} s")
    return community, manager


# --- Worker processes -------------------------------------------------------------------------


class Workers:
    """``celery worker -Q <queue> -c N`` (prefork) in a process group of its own (the
    notifications queue unless told; bench/ledger.py runs one on the bookkeeping queue)."""

    def __init__(self, env: dict, concurrency: int, log_path: Path, queue: str = QUEUE):
        self.log_path = log_path
        self.name = f"bench-{queue}-{os.getpid()}@localhost"
        with log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "cocreate",
                    "worker",
                    "-P",
                    "prefork",
                    f"--concurrency={concurrency}",
                    "-Q",
                    queue,
                    "-n",
                    self.name,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        from cocreate.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"worker exited:\n{self.log_path.read_text()[-4000:]}")
            replies = app.control.ping(destination=[self.name], timeout=0.5)
            if any(self.name in reply for reply in replies):
                return
        raise SystemExit(f"worker never answered:\n{self.log_path.read_text()[-4000:]}")

    def pids(self) -> list[int]:
        pids = [self.process.pid]
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as f:
                pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
        return pids

    def max_rss_mb(self, key: str = "VmHWM") -> float:
        """The largest ``key`` (VmHWM: peak resident set; VmRSS: now) among the processes."""
        best = 0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith(key + ":"):
                            best = max(best, int(line.split()[1]))
            except OSError:
                continue
        return best / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


# --- Measurements -----------------------------------------------------------------------------


def fanout(size: int, community, manager, workers: Workers, timeout: float) -> dict:
    from django.db import transaction
    from django.db.models import Count, Max
    from django.utils import timezone

    from events.models import OutboxEvent
    from notifications import services
    from notifications.models import FanoutChunk, Notification

    started = timezone.now()
    with transaction.atomic():
        announcement = services.announcement_create(
            actor=manager, community=community, title=f"Bench {size}", body="Fan-out bench."
        )
    event = OutboxEvent.objects.get(
        kind="announcement.created", payload__announcement_id=announcement.pk
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunks = FanoutChunk.objects.filter(event=event)
        if chunks.exists() and not chunks.filter(done_at__isnull=True).exists():
            break
        time.sleep(0.05)
    else:
        raise SystemExit(f"fan-out of {size} not done in {timeout} s")
    finished = FanoutChunk.objects.filter(event=event).aggregate(last=Max("done_at"))["last"]
    seconds = (finished - started).total_seconds()
    rows = Notification.objects.filter(event=event)
    notified = rows.count()
    duplicated = rows.values("recipient_id").annotate(n=Count("id")).filter(n__gt=1).count()
    if notified != size or duplicated:
        raise SystemExit(f"fan-out of {size}: {notified} notifications, {duplicated} duplicated")
    emails_due = rows.exclude(email_state__in=["none", "daily", "weekly"]).count()
    # Let the immediate emails go out before the next measurement (they share the workers).
    drain_started = time.monotonic()
    while rows.filter(email_state="now").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    email_seconds = time.monotonic() - drain_started
    return {
        "seconds": seconds,
        "per_s": size / seconds,
        "max_rss_mb": workers.max_rss_mb(),
        "tasks": FanoutChunk.objects.filter(event=event).count(),
        "emails": emails_due,
        "emails_sent_after_s": email_seconds,
    }


def email_throughput(community, manager, sink, timeout: float) -> dict:
    """An announcement to a community whose every member wants it by email right away, sent
    through the durable email queue (``notifications.services.outbound``) by the worker
    processes to the bench's SMTP sink (a real SMTP server on a loopback port, counting
    messages by Message-ID). Times, per the sink, the emails accepted from the first to the
    last (``send_per_s``) and from the announcement's service call to the last (``per_s``,
    fan-out included). Checks each member got exactly one and every row is recorded sent."""
    from django.db import transaction
    from django.db.models import Count

    from events.models import OutboxEvent
    from notifications import services
    from notifications.models import OutboundEmail

    size = community.memberships.filter(role="member").count()
    sink.reset()
    started = time.monotonic()
    with transaction.atomic():
        announcement = services.announcement_create(
            actor=manager, community=community, title="Bench email", body="Email bench."
        )
    deadline = started + timeout
    while sink.total < size and time.monotonic() < deadline:
        time.sleep(0.02)
    if sink.total < size:
        raise SystemExit(f"email: {sink.total} of {size} emails arrived in {timeout} s")
    time.sleep(0.5)  # a repeat would still be arriving
    event = OutboxEvent.objects.get(
        kind="announcement.created", payload__announcement_id=announcement.pk
    )
    states = dict(
        OutboundEmail.objects.filter(notification__event=event)
        .values_list("state")
        .annotate(n=Count("id"))
    )
    if states != {"sent": size} or len(sink.counts()) != size or sink.duplicates():
        raise SystemExit(
            f"email: rows {states}, sink {sink.total} with {sink.duplicates()} repeats"
        )
    first, last = sink.first_at, sink.last_at
    return {
        "emails": size,
        "seconds": last - started,
        "per_s": size / (last - started),
        "send_per_s": (size - 1) / (last - first) if last > first else 0.0,
        "connections": sink.connections,
    }


def produce(community_id: int, rate: float, duration: float, marker: str, offset: int) -> tuple:
    """Record ``rate`` events a second for ``duration`` seconds, each in a transaction of its
    own and handed to the broker after commit (as in a request). Returns (events, seconds)."""
    from django.db import transaction

    from communities.models import Membership
    from events import services

    recipients = list(
        Membership.objects.filter(community_id=community_id, role="member")
        .order_by("user_id")
        .values_list("user_id", flat=True)[:LATENCY_POOL]
    )
    total = int(rate * duration)
    start = time.monotonic()
    for n in range(total):
        pause = start + n / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        with transaction.atomic():
            services.event_record(
                kind="membership.approved",
                payload={
                    "recipient_id": recipients[(n + offset) % len(recipients)],
                    "bench": marker,
                },
                community_id=community_id,
            )
    return total, time.monotonic() - start


def enqueue_latency(community, rate: int, duration: float, producers: int) -> dict:
    """``rate`` events a second for ``duration`` seconds, recorded by ``producers`` processes
    (as several web processes record them; one process on a busy machine could not record
    them that fast), each at its share of the rate; then the queue wait of each event."""
    from events.models import Delivery

    marker = f"latency-{time.time_ns()}"
    if producers == 1:
        total, sent_for = produce(community.pk, rate, duration, marker, 0)
    else:
        share = rate / producers
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--produce",
                    str(community.pk),
                    str(share),
                    str(duration),
                    marker,
                    str(n * LATENCY_POOL // producers),
                ],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in range(producers)
        ]
        results = []
        for child in children:
            out, _ = child.communicate(timeout=duration * 10 + 120)
            if child.returncode != 0:
                raise SystemExit(f"latency: a producer exited with {child.returncode}")
            results.append(tuple(float(x) for x in out.split()[-2:]))
        total = int(sum(events for events, _ in results))
        sent_for = max(seconds for _, seconds in results)
    events = Delivery.objects.filter(consumer=CONSUMER, event__payload__bench=marker)
    deadline = time.monotonic() + 120
    while events.filter(processed_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = list(
        events.filter(processed_at__isnull=False, enqueued_at__isnull=False).values_list(
            "started_at", "enqueued_at", "processed_at"
        )
    )
    waits = sorted((started - enqueued).total_seconds() * 1000 for started, enqueued, _ in rows)
    # How fast the workers went through the events: if slower than the rate, the queue grew.
    span = (max(r[2] for r in rows) - min(r[1] for r in rows)).total_seconds() if rows else 0
    if len(waits) != total:
        raise SystemExit(f"latency: {len(waits)} of {total} events processed in time")

    def pct(p: float) -> float:
        return waits[min(len(waits) - 1, int(round(p / 100 * (len(waits) - 1))))]

    return {
        "producers": producers,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": waits[-1],
        "events": total,
        "sent_rate": total / sent_for,
        "processed_per_s": len(rows) / span if span else 0.0,
    }


def event_cost(community, count: int) -> dict:
    """The in-process cost of the per-event path, without Celery: CPU milliseconds of this
    process (not PostgreSQL's or Redis's) per event to record ``count`` events (each in its own
    transaction, handed to the broker after commit, as in a request), then to process them one
    delivery per call (as a task does on an idle queue), then ``batch`` at a time (as a task does
    when its queue has filled up). Wall milliseconds beside each."""
    from django.db import transaction

    from communities.models import Membership
    from events import registry, services

    recipients = list(
        Membership.objects.filter(community=community, role="member")
        .order_by("user_id")
        .values_list("user_id", flat=True)[:LATENCY_POOL]
    )
    batch = registry.get(CONSUMER).batch
    result = {}

    def record() -> list[int]:
        ids = []
        for n in range(count):
            with transaction.atomic():
                event = services.event_record(
                    kind="membership.approved",
                    payload={"recipient_id": recipients[n % len(recipients)], "bench": "cost"},
                    community_id=community.pk,
                )
            ids.append(event.pk)
        return ids

    def timed(name: str, work) -> object:
        cpu, wall = time.process_time(), time.perf_counter()
        value = work()
        result[f"{name}_cpu_ms"] = (time.process_time() - cpu) * 1000 / count
        result[f"{name}_wall_ms"] = (time.perf_counter() - wall) * 1000 / count
        return value

    ids = timed("record", record)
    timed(
        "process",
        lambda: [services.delivery_process(consumer=CONSUMER, event_id=i) for i in ids],
    )
    ids = record()
    timed(
        "process_batched",
        lambda: [
            services.delivery_process(consumer=CONSUMER, event_id=i, batch=batch)
            for i in ids[::batch]
        ],
    )
    purge_queue()
    return result


def warm_up(community) -> None:
    """A few events first, so that opening the workers' database connections is not measured."""
    from django.db import transaction

    from events import services
    from events.models import Delivery

    user_id = community.memberships.filter(role="member").values_list("user_id", flat=True)[0]
    for _ in range(4):
        with transaction.atomic():
            services.event_record(
                kind="membership.approved",
                payload={"recipient_id": user_id, "bench": "warm-up"},
                community_id=community.pk,
            )
    deadline = time.monotonic() + 30
    pending = Delivery.objects.filter(
        consumer=CONSUMER, event__payload__bench="warm-up", processed_at__isnull=True
    )
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def purge_queue() -> None:
    from cocreate.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.client.delete(QUEUE)


def reset_notifications() -> None:
    """Each run starts from no notifications, events or announcements (the bench's own DB)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE notifications_outboundemail, notifications_notification, "
            "notifications_fanoutchunk, "
            "events_delivery, events_outboxevent, notifications_announcement"
        )


def produce_main(argv: list[str]) -> None:
    """A producer process of ``enqueue_latency`` (``--produce COMMUNITY RATE SECONDS MARKER
    OFFSET``, the bench's environment inherited): prints the events it recorded and the time."""
    community_id, rate, duration, marker, offset = argv
    import django

    django.setup()
    events, seconds = produce(int(community_id), float(rate), float(duration), marker, int(offset))
    print(events, seconds, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="fan-out sizes; empty for none")
    parser.add_argument(
        "--emails",
        type=int,
        default=4000,
        help="members of the email throughput community (all by email); 0 to skip",
    )
    parser.add_argument("--skip-latency", action="store_true", help="no enqueue_latency run")
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--producers", type=int, default=2, help="processes recording the latency events"
    )
    parser.add_argument(
        "--cost",
        type=int,
        default=0,
        help="first measure the in-process CPU cost per event over this many events",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    db_url = os.environ.get("BENCH_NOTIFY_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_NOTIFY_REDIS_URL", DEFAULT_REDIS)
    email_dir = tempfile.mkdtemp(prefix="cocreate-bench-notify-mail-")
    from tests.smtp_sink import SmtpSink

    sink = SmtpSink().start()  # every email of the bench goes here, over SMTP
    env = bench_env(db_url, redis_url, email_dir, sink.port)
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

    communities = {size: seed(size) for size in sorted(set(sizes))}
    mail_community = seed(args.emails, all_email=True) if args.emails else None
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    reset_notifications()
    purge_queue()
    if args.cost:
        r = event_cost(communities[min(sizes)][0], args.cost)
        line = f"BENCH name=event_cost events={args.cost} " + " ".join(
            f"{key}={value:.3f}" for key, value in r.items()
        )
        print(line, flush=True)
        reset_notifications()

    log_path = Path(email_dir) / "worker.log"
    workers = Workers(env, args.concurrency, log_path)
    results = []
    try:
        workers.wait_ready()
        idle = workers.max_rss_mb("VmRSS")
        log(f"worker up: {len(workers.pids()) - 1} processes, {idle:.0f} MB each at rest")
        fanout_community = communities[min(sizes)] if sizes else mail_community
        assert fanout_community is not None, "nothing to measure: --sizes and --emails are empty"
        warm_up(fanout_community[0])
        for size in sizes:
            community, manager = communities[size]
            timeout = max(60.0, size / 500)
            r = fanout(size, community, manager, workers, timeout)
            line = (
                f"BENCH name=fanout_{label_for(size)} seconds={r['seconds']:.2f} "
                f"per_s={r['per_s']:.0f} max_rss_mb={r['max_rss_mb']:.0f} "
                f"rss_at_rest_mb={idle:.0f} tasks={r['tasks']} "
                f"emails_queued={r['emails']} emails_sent_after_s={r['emails_sent_after_s']:.1f}"
            )
            if size == 10000:
                line += f" goal_s={FANOUT_GOAL_S:.0f}"
            results.append(line)
            print(line, flush=True)
        if mail_community is not None:
            load = os.getloadavg()[0]
            r = email_throughput(*mail_community, sink, timeout=max(60.0, args.emails / 20))
            line = (
                f"BENCH name=email_throughput emails={r['emails']} seconds={r['seconds']:.2f} "
                f"per_s={r['per_s']:.0f} send_per_s={r['send_per_s']:.0f} "
                f"smtp_connections={r['connections']} processes={args.concurrency} "
                f"load_before={load:.1f} load_after={os.getloadavg()[0]:.1f} "
                f"goal_per_s={EMAIL_GOAL_PER_S}"
            )
            results.append(line)
            print(line, flush=True)
        if not (args.skip_latency or not sizes):
            latency(fanout_community[0], args, results)
    finally:
        workers.stop()
        purge_queue()
        sink.stop()
    log(f"worker log: {email_dir}")


def latency(community, args, results: list[str]) -> None:
    """``enqueue_latency``, printed."""
    r = enqueue_latency(community, args.rate, args.duration, args.producers)
    line = (
        f"BENCH name=enqueue_latency rate={args.rate} p50_ms={r['p50_ms']:.1f} "
        f"p95_ms={r['p95_ms']:.1f} p99_ms={r['p99_ms']:.1f} max_ms={r['max_ms']:.0f} "
        f"events={r['events']} sent_per_s={r['sent_rate']:.0f} "
        f"processed_per_s={r['processed_per_s']:.0f} producers={r['producers']}"
    )
    results.append(line)
    print(line, flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--produce"]:
        produce_main(sys.argv[2:])
    else:
        main()
