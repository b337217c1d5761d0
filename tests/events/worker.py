"""Real Celery worker processes for the tests: the real Redis broker and the real PostgreSQL test
database. A worker runs in a process group of its own, with its own connections, so the only way
a test can see what it did is what it wrote (the database, the shared cache). Each test uses
queues of its own, so parallel runs and other workers never take its tasks."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from cocreate.celery import app as celery_app

from ..conftest import require_or_skip, uses_postgres

READY_TIMEOUT = 60
PROCESS_TIMEOUT = 30


def require_services() -> None:
    require_or_skip(uses_postgres(), "the worker test needs DATABASE_URL=postgres://...")
    require_or_skip(bool(settings.REDIS_URL), "the worker test needs REDIS_URL")


def test_database_url() -> str:
    """The URL of the database pytest created (test_<name>), for the worker's DATABASE_URL."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


test_database_url.__test__ = False  # a helper, not a test


def wait_for(predicate, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def new_queue(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Worker:
    def __init__(self, process: subprocess.Popen, name: str, queue: str, log_path, queues=None):
        self.process = process
        self.name = name
        self.queue = queue
        self.queues = list(queues or [queue])  # every queue it consumes
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def ping(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log()}")
        replies = celery_app.control.ping(destination=[self.name], timeout=0.5)
        return any(self.name in reply for reply in replies)


@contextmanager
def routed(routes: dict[str, str]):
    """In this process, send tasks through the broker (not eagerly), each pattern to a queue."""
    saved, eager = celery_app.conf.task_routes, celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.conf.update(task_routes={p: {"queue": q} for p, q in routes.items()})
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = eager
        celery_app.conf.update(task_routes=saved)
        forget_queues(set(routes.values()))


def forget_queues(names: set[str]) -> None:
    """Leave nothing of these queues in Redis: the lists, and the messages a killed worker left
    unacknowledged (Redis would give them back to the queue an hour later)."""
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        for name in names:
            client.delete(name)
        for tag, raw in client.hgetall("unacked").items():
            if any(name.encode() in raw for name in names):
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


@contextmanager
def worker_process(
    *,
    queues: list[str],
    log_path,
    routes: dict[str, str] | None = None,
    settings_module: str = "cocreate.settings.test",
    pool: str = "solo",
    concurrency: int = 1,
    extra_env: dict[str, str] | None = None,
):
    """``celery worker -Q <queues>`` in a process group of its own, ready when yielded; its own
    tasks go where ``routes`` (pattern -> queue) say, via COCREATE_TEST_ROUTES."""
    name = f"{queues[0]}-{log_path.stem}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
        "COCREATE_TEST_ROUTES": json.dumps({p: {"queue": q} for p, q in (routes or {}).items()}),
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "cocreate",
        "worker",
        "-P",
        pool,
        f"--concurrency={concurrency}",
        "-Q",
        ",".join(queues),
        "-n",
        name,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "INFO",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 reaches every process
        )
    worker = Worker(process, name, queues[0], log_path, queues)
    try:
        assert wait_for(worker.ping, READY_TIMEOUT, 0.5), f"worker never answered:\n{worker.log()}"
        yield worker
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def other_backends() -> set[int]:
    """Client sessions on the test database other than this test's own (earlier tests of the
    suite may leave idle ones behind, so a test compares against those it saw first)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return {row[0] for row in cursor.fetchall()}


def backends_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
