"""Hand-written SELECTs that DRF's ``CursorPagination`` pages as it pages a ``values()`` queryset.

Building and compiling a queryset (Q objects, FilteredRelation, values(), the cursor's
filter) costs a hot API list more than the database does. A selector may instead write its
list's SQL by hand and return ``KeysetRows``: the pagination class is unchanged (cursors,
links, offsets, page sizes), and asks it exactly what it asks a queryset::

    rows.order_by(*ordering)[offset:offset + size + 1]                # the first page
    rows.order_by(*ordering).filter(**{"field__lt": position})[...]  # any other

Every such selector keeps its ORM version and a test holding the two equal across filters,
orderings and cursor pages.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model

Row = dict[str, Any]
M = TypeVar("M", bound=Model)


class KeysetRows:
    """The rows of ``sql`` (a parameterised ``SELECT ... WHERE ...``; it must end with its
    WHERE clause) as dicts keyed by the SELECT's column names, in the order and from the
    position the paginator asks for.

    ``sortable`` maps every field the paginator may order by to its SQL expression, and
    ``model`` is the model whose field prepares a cursor position (a string) as the ORM
    prepares a lookup's value, so a malformed cursor fails as it does with the queryset.
    ``decode`` converts a column's raw value as its model field does (e.g. JSON text).
    Nothing is run until the rows are sliced or iterated; each slice is one query.
    """

    def __init__(
        self,
        *,
        sql: str,
        params: Sequence[Any],
        model: type[Model],
        sortable: Mapping[str, str],
        decode: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        self.sql = sql
        self.params = list(params)
        self.model = model
        self.sortable = sortable
        self.decode = decode or {}
        self.ordering: tuple[str, ...] = ()

    def _clone(self, sql: str, params: list[Any]) -> "KeysetRows":
        clone = KeysetRows(
            sql=sql, params=params, model=self.model, sortable=self.sortable, decode=self.decode
        )
        clone.ordering = self.ordering
        return clone

    def order_by(self, *fields: str) -> "KeysetRows":
        for field in fields:
            self._column(field.removeprefix("-"))  # an unknown field fails here, as in the ORM
        clone = self._clone(self.sql, self.params)
        clone.ordering = fields
        return clone

    def filter(self, **lookups: Any) -> "KeysetRows":
        """Only what the cursor paginator filters by: ``field__lt`` / ``field__gt``."""
        sql, params = self.sql, list(self.params)
        for lookup, value in lookups.items():
            field, _, operator = lookup.rpartition("__")
            if operator not in ("lt", "gt"):
                raise ValueError(f"KeysetRows cannot filter by {lookup!r}")
            sql += f" AND {self._column(field)} {'<' if operator == 'lt' else '>'} %s"
            params.append(self._prepare(field, value))
        return self._clone(sql, params)

    def after(self, ordering: Sequence[str], values: Sequence[Any]) -> "KeysetRows":
        """Only the rows strictly after ``values`` in ``ordering`` (lexicographic, each field
        in its own direction): the keyset condition of ``cocreate.pagination``, as SQL."""
        terms, params = [], list(self.params)
        for i in range(len(ordering)):
            parts = []
            for j in range(i + 1):
                name = ordering[j].removeprefix("-")
                last = "<" if ordering[j].startswith("-") else ">"
                operator = "=" if j < i else last
                parts.append(f"{self._column(name)} {operator} %s")
                params.append(self._prepare(name, values[j]))
            terms.append(" AND ".join(parts) if len(parts) == 1 else f"({' AND '.join(parts)})")
        return self._clone(f"{self.sql} AND ({' OR '.join(terms)})", params)

    def _prepare(self, field: str, value: Any) -> Any:
        model_field = self.model._meta.get_field(field)
        assert isinstance(model_field, Field)  # sortable fields are columns
        return model_field.get_db_prep_value(value, connection, prepared=False)

    def __getitem__(self, window: slice) -> list[Row]:
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("KeysetRows takes a plain slice")
        start = window.start or 0
        sql, params = self._ordered()
        if window.stop is not None:
            sql += " LIMIT %s"
            params.append(max(window.stop - start, 0))
        if start:
            sql += " OFFSET %s"
            params.append(start)
        return self._fetch(sql, params)

    def __iter__(self) -> Iterator[Row]:
        return iter(self._fetch(*self._ordered()))

    def _column(self, field: str) -> str:
        try:
            return self.sortable[field]
        except KeyError:
            raise ValueError(f"KeysetRows cannot order by {field!r}") from None

    def _ordered(self) -> tuple[str, list[Any]]:
        if not self.ordering:
            return self.sql, list(self.params)
        order = ", ".join(
            f"{self._column(f[1:])} DESC" if f.startswith("-") else f"{self._column(f)} ASC"
            for f in self.ordering
        )
        return f"{self.sql} ORDER BY {order}", list(self.params)

    def _fetch(self, sql: str, params: list[Any]) -> list[Row]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        for name, convert in self.decode.items():
            for row in rows:
                row[name] = convert(row[name])
        return rows


def columns(model: type[Model], alias: str) -> str:
    """The SELECT list of ``model``'s concrete columns from table ``alias``, in the order
    ``instance`` reads them (taken from the model, so it follows migrations)."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def instance(model: type[M], values: Sequence[Any]) -> M:
    """A ``model`` instance from the values of ``columns(model, ...)``, made as the ORM makes
    one: each field's database converters (``from_db_value``), then ``Model.from_db``."""
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        for convert in field.get_db_converters(connection):
            value = convert(value, None, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


# --- Whole rows of a model ----------------------------------------------------------------------


@cache
def _converters(model: type[Model], vendor: str) -> tuple[tuple[int, Any, tuple], ...]:
    """Per column of ``model`` that needs one, what the ORM would convert a raw value with
    (SQLite's text datetimes, JSON, ...): the backend's converters, then the field's."""
    found = []
    for at, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = (
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        )
        if converters:
            found.append((at, column, converters))
    return tuple(found)


@cache
def model_columns(model: type[Model]) -> list[str]:
    """The attribute names of ``model``'s concrete columns, in the order a hand-written SELECT
    of all of them lists them (``instance_from_row`` takes its values in that order)."""
    return [f.attname for f in model._meta.concrete_fields]


def instance_from_row(model: type[Model], values: Sequence[Any]) -> Any:
    """A model instance from its concrete columns' raw values (in ``model_columns`` order),
    converted as the ORM does: what ``QuerySet`` iteration would have built from that row."""
    values = list(values)
    for at, column, converters in _converters(model, connection.vendor):
        for convert in converters:
            values[at] = convert(values[at], column, connection)
    return model.from_db(connection.alias, model_columns(model), values)
