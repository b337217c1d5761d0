"""Keyset (cursor) pagination for HTML lists: no OFFSET, no COUNT(*), stable under inserts.

A cursor is the signed sort key of the last row shown; the next page is every row after it in
the same order. Ordering is a tuple of fields, the last being a unique tie-breaker ("id").
"""

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from .raw_rows import KeysetRows

_SALT = "cocreate.pagination"


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    is_first: bool

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _encode(values: list[Any]) -> str:
    packed = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return signing.dumps(packed, salt=_SALT, compress=True)


def _decode(cursor: str, ordering: tuple[str, ...], model) -> list[Any] | None:
    try:
        values = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(values, list) or len(values) != len(ordering):
        return None
    decoded = []
    for field_spec, value in zip(ordering, values, strict=True):
        field = model._meta.get_field(field_spec.lstrip("-"))
        if field.get_internal_type() == "DateTimeField" and isinstance(value, str):
            value = parse_datetime(value)
        decoded.append(value)
    return decoded


def _after(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (lexicographic, per-field direction)."""
    condition = Q()
    for i, field_spec in enumerate(ordering):
        name = field_spec.lstrip("-")
        op = "lt" if field_spec.startswith("-") else "gt"
        term = Q(**{f"{name}__{op}": values[i]})
        for j in range(i):
            term &= Q(**{ordering[j].lstrip("-"): values[j]})
        condition |= term
    return condition


def keyset_paginate_sorted(
    items: list[Any],
    *,
    ordering: tuple[str, ...],
    key: Any,
    model,
    cursor: str | None,
    page_size: int,
) -> KeysetPage:
    """``keyset_paginate`` over ``items`` already in memory, sorted ascending by ``key(item)``
    (the tuple of the ``ordering`` fields, all ascending): the same page and the same cursors
    as the query would give for the same rows."""
    if any(f.startswith("-") for f in ordering):
        raise ValueError("keyset_paginate_sorted takes ascending orderings only")
    values = _decode(cursor, ordering, model) if cursor else None
    start = 0
    if values is not None:
        after = tuple(values)
        try:
            start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
        except TypeError:  # a cursor of another list's ordering: start from the beginning
            values = None
    rows = items[start : start + page_size + 1]
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = _encode(list(key(rows[-1])))
    return KeysetPage(items=rows, next_cursor=next_cursor, is_first=values is None)


def keyset_paginate(
    queryset: QuerySet | KeysetRows,
    *,
    ordering: tuple[str, ...],
    cursor: str | None,
    page_size: int,
) -> KeysetPage:
    """One page of ``queryset`` in ``ordering``; an invalid cursor starts from the beginning.

    ``queryset`` may also be a hand-written list's ``KeysetRows`` (rows are dicts): the same
    condition, written as SQL by ``KeysetRows.after``."""
    qs = queryset.order_by(*ordering)
    values = _decode(cursor, ordering, queryset.model) if cursor else None
    if values is not None:
        qs = (
            qs.after(ordering, values)
            if isinstance(qs, KeysetRows)
            else qs.filter(_after(ordering, values))
        )
    rows = list(qs[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        read = last.__getitem__ if isinstance(last, dict) else partial(getattr, last)
        next_cursor = _encode([read(f.lstrip("-")) for f in ordering])
    return KeysetPage(items=rows, next_cursor=next_cursor, is_first=values is None)
