"""Profile building one page in-process, against the seeded bench database (run `make bench`
once first): where the time of a `*_miss` goes.

    python bench/profile_page.py PATH [--as anonymous|member|token] [-n 200] [--miss] [--top 40]

Requests go through the whole middleware stack with the production settings (bench.settings),
as gunicorn would serve them. ``--miss`` adds a fresh query parameter to each request, so the
page cache never answers (what `*_miss` in bench/run.py measures). Prints the mean time and
the mean number of SQL queries per request, then the cProfile functions by cumulative and by
own time.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_EMAIL = "bench@bench.cocreate.test"  # seed_bench's user: a member, with an API token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--as", dest="role", default="anonymous",
                        choices=["anonymous", "member", "token"])  # fmt: skip
    parser.add_argument("-n", type=int, default=200, help="profiled requests")
    parser.add_argument("--miss", action="store_true", help="bypass the page cache")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--dump", help="also write the profile to this file (for pstats)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault(
        "DATABASE_URL",
        os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cocreate_bench"),
    )
    os.environ.setdefault(
        "REDIS_URL", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    os.environ.setdefault("SECRET_KEY", "profile-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    os.environ.setdefault("CACHE_KEY_PREFIX", "cocreate-profile")
    os.environ.setdefault("API_USER_RATE", "100000000/min")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django  # noqa: PLC0415 — configured above, from the environment

    django.setup()
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from accounts.models import User  # noqa: PLC0415

    client = Client(SERVER_NAME="127.0.0.1")
    headers = {}
    user = User.objects.get(email=BENCH_EMAIL) if args.role != "anonymous" else None
    if args.role == "member":
        client.force_login(user)
    elif args.role == "token":
        from rest_framework.authtoken.models import Token  # noqa: PLC0415

        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get(user=user).key}"

    sep = "&" if "?" in args.path else "?"
    counter = iter(range(10**9))

    def one():
        path = f"{args.path}{sep}miss=p{next(counter)}" if args.miss else args.path
        response = client.get(path, **headers)
        if response.status_code != 200:
            sys.exit(f"{path}: HTTP {response.status_code}")
        return response

    for _ in range(20):  # warm: imports, template loading, connections
        one()
    queries: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - began) * 1000, sql))

    with connection.execute_wrapper(record):
        one()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        one()
    plain = (time.perf_counter() - start) / args.n * 1000
    own = (time.process_time() - cpu) / args.n * 1000  # this process's CPU: steadier under load
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.n):
        one()
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    print(f"{args.path} as {args.role}{' (miss)' if args.miss else ''}: {plain:.2f} ms per "
          f"request ({own:.2f} ms of its own CPU), {len(queries)} queries")  # fmt: skip
    for elapsed, sql in queries:  # one request's queries, with their time on the wire
        print(f"  {elapsed:6.2f} ms  {sql[:200]}")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
