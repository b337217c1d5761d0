"""A small closed-loop HTTP load generator for loopback benchmarks (used when `wrk` is absent).

Each of ``connections`` threads sends one request at a time over its own ``http.client``
connection, reusing it while the server keeps it alive and reconnecting when the server closes
it (gunicorn's sync workers close after every response). Python threads share one interpreter
lock, so this generator itself needs most of a core: on a 2-core machine it competes with the
server it measures, and wrk (C) is preferred when installed.
"""

import http.client
import itertools
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    requests: int = 0  # responses received, any status
    ok: int = 0  # 2xx responses
    errors: int = 0  # non-2xx responses and connection failures
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # of 2xx responses
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]


def run(
    host: str,
    port: int,
    path: str,
    *,
    headers: dict,
    seconds: float,
    connections: int,
    unique: str = "",
) -> Result:
    """Load ``path`` for ``seconds`` with ``connections`` concurrent clients; bounded in time.
    With ``unique``, each request adds a query parameter no other request had (so no cached
    copy of a page can answer it)."""
    result = Result()
    counter = itertools.count()
    sep = "&" if "?" in path else "?"
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = None
        local = Result()
        while time.monotonic() < deadline:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=10)
            start = time.perf_counter()
            try:
                target = f"{path}{sep}miss={unique}-{next(counter)}" if unique else path
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                local.errors += 1
                conn.close()
                conn = None
                continue
            elapsed = (time.perf_counter() - start) * 1000
            local.requests += 1
            local.statuses[response.status] = local.statuses.get(response.status, 0) + 1
            if 200 <= response.status < 300:
                local.ok += 1
                local.latencies_ms.append(elapsed)
            else:
                local.errors += 1
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            result.requests += local.requests
            result.ok += local.ok
            result.errors += local.errors
            result.latencies_ms.extend(local.latencies_ms)
            for status, n in local.statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    started = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    result.seconds = time.monotonic() - started
    return result
