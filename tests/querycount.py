"""Query-count tests: a list costs the same number of queries at 5 items as at 50 (no N+1).

Every query-count test goes through ``same_at_5_and_50``: it adds 5 items, counts, adds 45
more, counts again and fails when the two counts differ. It returns the count at 50, so a test
can also pin an absolute budget (``assert same_at_5_and_50(...) <= 8``).

What is counted is a callable; ``get_queries`` is the usual one (one GET through a test client).
"""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

# Any cheap request that loads the signed-in user: the user is cached (accounts.auth_cache), so
# a request before the counted one keeps that first lookup out of the count.
WARM_UP_URL = "/api/v1/me/"


def queries_run_by(action: Callable[[], Any]) -> int:
    """How many queries ``action()`` ran on the default connection."""
    with CaptureQueriesContext(connection) as ctx:
        action()
    return len(ctx.captured_queries)


def get_queries(
    client,
    url: str,
    *,
    warm_up: bool = True,
    contains: str | None = None,
    non_empty: str | None = None,
) -> int:
    """The number of queries one ``client.get(url)`` runs; the response must be a 200.

    ``warm_up``: first make a request that caches the signed-in user (see ``WARM_UP_URL``).
    ``contains``: text the page must show, so the count is of a page that lists something.
    ``non_empty``: a key of the JSON body whose value must not be empty (e.g. ``"results"``).
    """
    if warm_up:
        client.get(WARM_UP_URL)
    responses = []
    count = queries_run_by(lambda: responses.append(client.get(url)))
    response = responses[0]
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    if contains is not None:
        assert contains in response.content.decode(), f"{url}: {contains!r} not on the page"
    if non_empty is not None:
        assert response.json()[non_empty], f"{url}: the list under test must not be empty"
    return count


def same_at_5_and_50(add: Callable[[int], None], count: Callable[[], int], label: str) -> int:
    """Add 5 items, count; add 45 more, count again: the two counts must be equal.

    ``add(n)`` creates n more items of what the list shows; ``count()`` returns the number of
    queries one look at the list costs. Returns the count at 50 items.
    """
    add(5)
    at_5 = count()
    add(45)
    at_50 = count()
    assert at_5 == at_50, f"{label}: {at_5} queries at 5 items, {at_50} at 50"
    return at_50


def same_get_at_5_and_50(add: Callable[[int], None], client, url: str, **options) -> int:
    """``same_at_5_and_50`` for one GET of ``url`` (``options`` as for ``get_queries``)."""
    return same_at_5_and_50(add, lambda: get_queries(client, url, **options), url)


def same_api_list_at_5_and_50(
    add: Callable[[int], None], client, path: str, *, key: str = "results"
) -> int:
    """``same_get_at_5_and_50`` for an API list: the body's ``key`` must not be empty."""
    return same_get_at_5_and_50(add, client, path, non_empty=key)
