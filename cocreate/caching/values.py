"""Values read from the database, remembered while the data behind them is unchanged.

For a small result that many pages need and that changes far less often than those pages
(the firms the directory's filter offers)::

    remembered("directory-firms", [generations.firms()], build, parts=(viewer_id,))

``build`` answers plain data (it is pickled); the value is served while every scope's token
is the one it was built under (``generations.cached``), in the active language (labels may be
translated). A cache outage costs the query, never the answer.
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from . import generations
from .fragments import fragment_key

TIMEOUT = 600
T = TypeVar("T")


def remembered(name: str, scopes: Iterable[str], build: Callable[[], T], *, parts: Any = ()) -> T:
    """``build()``, or the copy kept for ``name`` and ``parts`` while ``scopes`` are
    unchanged."""
    key = fragment_key((), ("value", name, parts))
    return generations.cached(key, list(scopes), lambda: (build(), True), timeout=TIMEOUT)
