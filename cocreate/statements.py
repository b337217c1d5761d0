"""Hot queries compiled once: the ORM builds a query's SQL the first time, with stand-ins for
its values; later calls run that SQL with the real values in the stand-ins' places.

Building and compiling a queryset costs more than running a small indexed query: on a page
built afresh, the few queries every signed-in page runs (the bell's unread count, whether the
viewer has posts waiting for review) cost a millisecond or more each in the ORM alone. A
:class:`Statement` keeps the ORM as the one place the query is written, and pays for it once
per process and database vendor::

    unread = Statement(
        lambda user_id: Notification.objects.filter(recipient_id=user_id, read_at=None)
        .values_list("pk")[:100]
    )
    rows = unread.rows(user_id=7)

The builder takes the values as keyword arguments and must use each of them only as a
parameter of the SQL (a filter value), never in its shape (a slice, a choice of filters):
shapes that differ are different statements. Rows come back as the database driver gives
them, without the ORM's conversions, so a statement selects only values that need none (ids,
counts, existence); a check at compile time refuses a stand-in that did not end up as a
parameter.
"""

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Stand-ins: numbers no id or count takes, distinct per argument of one statement.
_STAND_IN_BASE = -7_340_000_000_000_000_000


class Statement:
    """One query shape, compiled on first use per database (see the module docstring)."""

    def __init__(self, build: Callable[..., QuerySet], *, using: str = "default") -> None:
        self._build = build
        self._using = using
        self._compiled: dict[str, tuple[str, tuple[tuple[str | None, Any], ...]]] = {}

    def _compile(self, names: tuple[str, ...]) -> tuple[str, tuple[tuple[str | None, Any], ...]]:
        connection = connections[self._using]
        key = f"{connection.vendor}:{','.join(names)}"
        found = self._compiled.get(key)
        if found is None:
            stand_ins = {name: _STAND_IN_BASE - n for n, name in enumerate(names)}
            queryset = self._build(**stand_ins)
            sql, params = queryset.query.get_compiler(using=self._using).as_sql()
            by_value = {value: name for name, value in stand_ins.items()}
            slots = tuple(
                (by_value.get(param) if isinstance(param, int) else None, param) for param in params
            )
            placed = {name for name, _ in slots if name is not None}
            missing = set(names) - placed
            if missing or any(str(value) in sql for value in stand_ins.values()):
                raise ValueError(
                    f"a statement's values must be parameters of its SQL: {sorted(missing)}"
                )
            found = self._compiled[key] = (sql, slots)
        return found

    def rows(self, **values: Any) -> list[tuple]:
        """The statement's rows for these values (as the driver returns them)."""
        sql, slots = self._compile(tuple(sorted(values)))
        params = [values[name] if name is not None else constant for name, constant in slots]
        with connections[self._using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
