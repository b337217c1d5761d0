"""`make bench`: seed a PostgreSQL database of its own, serve the app with gunicorn on loopback
and measure throughput and latency of the main pages against a bare-view baseline.

    python bench/run.py [--duration 12] [--warmup 3] [--connections 8] [--loadgen auto|wrk|python]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cocreate_bench; the
database is created if missing and migrated), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/14, used as the cache when it answers, as in production).

With ``redis-server`` installed, the directory, feed and contribution pages are measured a
second time on a gunicorn whose cache is a Redis of the bench's own, stopped after the server
started and warmed up (``<name>_redis_down``: every cache call misses, sessions and rate limits
use the database; ``--skip-redis-outage`` leaves this out).

Prints exactly one line per measurement:
    BENCH name=<name> rps=<n> p50_ms=<n> p99_ms=<n> ratio=<rps / bare view rps>
rps counts 2xx responses only; any other status is an error and is reported on the line after.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocreate_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
# Pages also measured with the page cache bypassed (name_miss).
MISS_MEASURED = {
    "directory",
    "community_home",
    "community_home_100k",
    "api_communities",
    "feed_100k",
    "feed_1k",
    "contribution_200_comments",
    "api_contributions",
}
GOALS = {
    "directory": 0.20,
    "community_home": 0.20,
    "api_communities": 0.30,
    "feed_100k": 0.15,
    # Built every request (the page cache bypassed): what a member sees right after a change.
    "directory_miss": 0.15,
    "api_communities_miss": 0.15,
    "feed_100k_miss": 0.10,
    "contribution_200_comments_miss": 0.05,
    "api_contributions_miss": 0.15,
    # Redis stopped mid-run: built every request, sessions and limits in the database.
    "directory_redis_down": 0.05,
    "feed_100k_redis_down": 0.05,
    "contribution_200_comments_redis_down": 0.05,
}
# Measured again with the cache's Redis stopped (after the server started and warmed up).
OUTAGE_MEASURED = ("directory", "feed_100k", "contribution_200_comments")
SEARCH_GOAL_P95_MS = 150  # end to end; inside the database: 50 (bench/db_search.py)
OUT = ROOT / "bench" / "out"


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
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


def vacuum_analyze(url: str) -> None:
    """Planner statistics and visibility maps for the freshly seeded tables, as autovacuum keeps
    them on a live database: without them PostgreSQL plans the bench's queries for empty tables
    (e.g. a bitmap scan and sort of every public community instead of one index walk)."""
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(
        dbname=parts.path.lstrip("/"),
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    conn.close()


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_healthy(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {OUT / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    sys.exit("gunicorn never became healthy")


def probe(port: int, path: str, headers: dict) -> int:
    """The status of one request, redirects not followed (a redirect counts as an error)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


def measure_wrk(
    port: int, path: str, headers: dict, seconds: float, connections: int, unique: str = ""
) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    cmd += ["-s", str(ROOT / "bench" / "wrk_report.lua")]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    if unique:
        cmd += ["--", unique]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        sys.exit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    secs = data["duration_us"] / 1e6
    errors = data["status_errors"] + data["socket_errors"]
    ok = max(0, data["requests"] - data["status_errors"])
    return {
        "rps": ok / secs if secs else 0.0,
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "requests": data["requests"],
        "errors": errors,
    }


def measure_python(
    port: int, path: str, headers: dict, seconds: float, connections: int, unique: str = ""
) -> dict:
    result = load.run(
        "127.0.0.1",
        port,
        path,
        headers=headers,
        seconds=seconds,
        connections=connections,
        unique=unique,
    )
    return {
        "rps": result.rps,
        "p50_ms": result.percentile(50),
        "p95_ms": result.percentile(95),
        "p99_ms": result.percentile(99),
        "requests": result.requests,
        "errors": result.errors,
    }


def start_gunicorn(env: dict, port: int, workers: int, log_name: str) -> subprocess.Popen:
    with (OUT / log_name).open("ab") as server_log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cocreate.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def health_of_cache(port: int) -> str:
    """What /healthz says of the cache (it answers 503 too: the broker is that Redis)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            body = r.read()
    except urllib.error.HTTPError as error:
        body = error.read()
    except OSError:
        return "unanswered"
    return json.loads(body)["checks"]["cache"]


def measure_redis_outage(env: dict, args, targets, measure) -> dict:
    """The ``OUTAGE_MEASURED`` pages on a gunicorn whose cache (and broker: pages queue no
    task) is a Redis of our own, warmed up with it and then measured with it stopped."""
    redis_port = free_port()
    redis_server = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    deadline = time.monotonic() + 10
    while not reachable(redis_url):
        if time.monotonic() > deadline:
            stop_process(redis_server)
            sys.exit("bench: the outage scenario's redis-server did not start")
        time.sleep(0.05)
    port = free_port()
    server = start_gunicorn(
        {**env, "REDIS_URL": redis_url}, port, args.workers, "gunicorn-redis-down.log"
    )
    results = {}
    try:
        wait_healthy(port, server)
        chosen = [t for t in targets if t[0] in OUTAGE_MEASURED]
        for _name, path, headers in chosen:  # warm: pages cached in the Redis about to stop
            measure(port, path, headers, 1.0, args.connections, "")
        stop_process(redis_server)
        redis_server = None
        # Until the requests still queued from the warm-up are answered and the server says so.
        deadline = time.monotonic() + 120
        while health_of_cache(port) != "degraded" and time.monotonic() < deadline:
            time.sleep(0.5)
        log(f"outage: Redis at {redis_url} stopped; measuring with the cache unreachable")
        for name, path, headers in chosen:
            status = probe(port, path, headers)
            if args.warmup:
                measure(port, path, headers, args.warmup, args.connections, "")
            result = measure(port, path, headers, args.duration, args.connections, "")
            result["status"] = status
            result["health"] = health_of_cache(port)
            results[f"{name}_redis_down"] = result
    finally:
        stop_process(server)
        if redis_server is not None:
            stop_process(redis_server)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=12.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--skip-knowledge", action="store_true", help="only the foundation's measurements"
    )
    parser.add_argument(
        "--skip-redis-outage",
        action="store_true",
        help="not the pages measured again with the cache's Redis stopped",
    )
    parser.add_argument(
        "--only-redis-outage",
        action="store_true",
        help="the bare view and the Redis outage measurements only",
    )
    args = parser.parse_args()
    args.duration = min(max(args.duration, 1.0), 120.0)
    args.warmup = min(max(args.warmup, 0.0), 30.0)
    loadgen = args.loadgen
    if loadgen == "auto":
        loadgen = "wrk" if shutil.which("wrk") else "python"
    if loadgen == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk), or use --loadgen python")
    measure = measure_wrk if loadgen == "wrk" else measure_python

    OUT.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    ensure_database(database_url)
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": "consolemail://",
        "DEBUG": "false",
        # Throttling still runs on every API request; the bench user just never reaches a limit.
        "API_USER_RATE": "100000000/min",
        "API_ANON_RATE": "100000000/min",
        "CACHE_KEY_PREFIX": "cocreate-bench",
        "LOG_LEVEL": "WARNING",
    }
    if reachable(redis_url):
        env["REDIS_URL"] = redis_url
        cache_note = f"Redis cache at {redis_url}"
    else:
        cache_note = "no Redis answered: per-process memory cache"

    log(f"database {urlsplit(database_url).path.lstrip('/')}: migrate, seed, collectstatic")
    manage(env, "migrate", "--noinput")
    seeded = manage(env, "seed_bench")
    values = dict(line.split("=", 1) for line in seeded.splitlines() if line.startswith("BENCH_"))
    print(next(x for x in seeded.splitlines() if x.startswith(("Bench data", "seed"))), flush=True)
    if not args.skip_knowledge:
        log("knowledge: 100,000 + 1,000 contributions, 1,000,000 comments (first run: minutes)")
        seeded_k = manage(env, "seed_bench_knowledge")
        values.update(
            dict(line.split("=", 1) for line in seeded_k.splitlines() if line.startswith("BENCH_"))
        )
    manage(env, "collectstatic", "--noinput")
    log("VACUUM (ANALYZE): planner statistics for the seeded tables")
    vacuum_analyze(database_url)

    port = free_port()
    server = start_gunicorn(env, port, args.workers, "gunicorn.log")
    try:
        wait_healthy(port, server)
        auth = {"Authorization": f"Token {values['BENCH_TOKEN']}"}
        slug = values["BENCH_COMMUNITY"]
        targets = [
            ("bare", "/bench/bare", {}),
            ("directory", "/communities/", {}),
            ("community_home", f"/c/{slug}/", {}),
            ("api_communities", "/api/v1/communities/", auth),
        ]
        if not args.skip_knowledge:
            session = {"Cookie": f"sessionid={values['BENCH_SESSION']}"}
            big, small = values["BENCH_BIG_KNOWLEDGE"], values["BENCH_SMALL_KNOWLEDGE"]
            showcase = values["BENCH_CONTRIBUTION_200"]
            targets += [
                # The landing page a member sees: open challenges, recent and top ideas, counts.
                ("community_home_100k", f"/c/{big}/", session),
                ("feed_100k", f"/c/{big}/ideas/", session),
                ("feed_1k", f"/c/{small}/ideas/", session),
                ("contribution_200_comments", f"/c/{big}/ideas/{showcase}/", session),
                ("api_contributions", f"/api/v1/communities/{big}/contributions/", auth),
                ("search_api_common", f"/api/v1/communities/{big}/search/?q=chain", auth),
                ("search_api_rare", f"/api/v1/communities/{big}/search/?q=zeppelin", auth),
            ]
        cpus = os.cpu_count() or 1
        log(
            f"gunicorn {args.workers} sync workers on 127.0.0.1:{port}, production settings, "
            f"{cache_note}; load: {loadgen}, {args.connections} connections, "
            f"{args.warmup:g}s warm-up + {args.duration:g}s each"
        )
        log(
            f"{cpus} CPU cores shared by the load generator, gunicorn, PostgreSQL and Redis: "
            "absolute numbers understate a dedicated server; compare ratios."
        )
        log(
            f"community home measured on /c/{slug}/, the largest public community "
            f"({values.get('BENCH_COMMUNITY_MEMBERS', '?')} members)"
        )
        # The same pages again with a made-up query parameter (a fresh value each request): the
        # page cache never stores those, so these show what building each page costs.
        misses = [
            (f"{name}_miss", path, headers)
            for name, path, headers in targets
            if name in MISS_MEASURED
        ]
        outage = (
            not args.skip_redis_outage and not args.skip_knowledge and shutil.which("redis-server")
        )
        if not args.skip_redis_outage and not outage:
            log("outage scenario skipped: needs redis-server and the knowledge data")
        all_targets = targets
        if args.only_redis_outage:
            targets, misses = [t for t in targets if t[0] == "bare"], []
        results = {}
        for name, path, headers in targets + misses:
            unique = secrets.token_hex(4) if name.endswith("_miss") else ""
            status = probe(port, path, headers)
            if args.warmup:
                measure(port, path, headers, args.warmup, args.connections, unique)
            results[name] = measure(port, path, headers, args.duration, args.connections, unique)
            results[name]["status"] = status
        down = []
        if outage:
            results.update(measure_redis_outage(env, args, all_targets, measure))
            down = [(f"{n}_redis_down", p, h) for n, p, h in all_targets if n in OUTAGE_MEASURED]
        bare = results["bare"]["rps"] or 1.0
        for name, _path, _headers in targets + misses + down:
            r = results[name]
            print(
                f"BENCH name={name} rps={r['rps']:.0f} p50_ms={r['p50_ms']:.1f} "
                f"p99_ms={r['p99_ms']:.1f} ratio={r['rps'] / bare:.2f}"
                + (" (page cache bypassed)" if name.endswith("_miss") else "")
                + (" (cache's Redis stopped)" if name.endswith("_redis_down") else ""),
                flush=True,
            )
        if not args.skip_knowledge and not args.only_redis_outage:
            for suffix in ("", "_miss"):
                big_p50 = results[f"feed_100k{suffix}"]["p50_ms"]
                small_p50 = results[f"feed_1k{suffix}"]["p50_ms"] or 1.0
                print(
                    f"BENCH name=feed_p50_growth{suffix} p50_100k_ms={big_p50:.1f} "
                    f"p50_1k_ms={small_p50:.1f} ratio={big_p50 / small_p50:.2f} (goal <= 1.50)",
                    flush=True,
                )
            for name in ("search_api_common", "search_api_rare"):
                r = results[name]
                print(
                    f"BENCH name={name}_p95 p95_ms={r['p95_ms']:.1f} "
                    f"(goal <= {SEARCH_GOAL_P95_MS} end to end)",
                    flush=True,
                )
            db = subprocess.run(
                [sys.executable, "bench/db_search.py", big, "chain", "zeppelin"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            for line in db.stdout.splitlines():
                if line.startswith("BENCH "):
                    print(f"{line} (goal p95 <= 50 inside the database)", flush=True)
            if db.returncode != 0:
                print(f"bench: db_search failed: {db.stderr[-2000:]}", flush=True)
        for name, _path, _headers in targets + misses + down:
            r = results[name]
            goal = GOALS.get(name)
            verdict = ""
            if goal is not None:
                ok = r["rps"] / bare >= goal and r["errors"] == 0
                verdict = f" goal ratio>={goal:.2f}: {'met' if ok else 'NOT met'}"
            health = f", health says cache {r['health']}" if "health" in r else ""
            print(
                f"  {name}: first response {r['status']}, {r['requests']} responses, "
                f"errors={r['errors']}{health}{verdict}",
                flush=True,
            )
    finally:
        stop_process(server)


if __name__ == "__main__":
    main()
