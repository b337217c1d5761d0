"""Search time inside PostgreSQL: runs the search selector once to capture the SQL it sends,
then EXPLAIN ANALYZEs those statements repeatedly and prints p50/p95 of their summed
execution time, as BENCH lines. Run with the bench's environment (DJANGO_SETTINGS_MODULE,
DATABASE_URL):

    python bench/db_search.py <community-slug> <term> [<term> ...]
"""

import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from communities.models import Community  # noqa: E402
from knowledge import selectors  # noqa: E402

RUNS = 40


def main() -> None:
    slug, terms = sys.argv[1], sys.argv[2:]
    community = Community.objects.get(slug=slug)
    user = User.objects.get(email="bench@bench.cocreate.test")
    for term in terms:
        with CaptureQueriesContext(connection) as ctx:
            hits = selectors.search_contributions(user=user, community=community, query=term)
        statements = [
            q["sql"]
            for q in ctx.captured_queries
            if "knowledge_contribution" in q["sql"]
            and "search_vector" in q["sql"]
            or "ts_headline" in q["sql"]
        ]
        timings = []
        with connection.cursor() as cursor:
            for _ in range(RUNS):
                total = 0.0
                for sql in statements:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0]
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    total += plan[0]["Execution Time"] + plan[0].get("Planning Time", 0.0)
                timings.append(total)
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"BENCH name=search_db_{term} hits={len(hits)} statements={len(statements)} "
            f"p50_ms={p50:.1f} p95_ms={p95:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
