"""Walk a cursor-paginated list two ways and hold them equal: a hand-written SELECT
(``cocreate.raw_rows.KeysetRows``) against the queryset it replaces."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cocreate.pagination import keyset_paginate


def assert_same_pages(
    paginator_class: type,
    rows: Callable[[], Any],
    queryset: Callable[[], Any],
    path: str,
    *,
    view: Any = None,
    min_pages: int = 2,
) -> int:
    """Follow every ``next`` link from ``path`` (and each page's ``previous`` link, a reversed
    cursor) with both sources: each page's rows and links must be equal. Answers the number of
    rows seen forwards; fails if fewer than ``min_pages`` pages were walked."""
    factory = APIRequestFactory()

    def page(source: Any, url: str) -> tuple[list, str | None, str | None]:
        parts = urlsplit(url)
        request = Request(factory.get(f"{parts.path}?{parts.query}" if parts.query else parts.path))
        paginator = paginator_class()
        items = list(paginator.paginate_queryset(source, request, view=view))
        return items, paginator.get_next_link(), paginator.get_previous_link()

    url: str | None = path
    pages = seen = 0
    while url is not None:
        raw = page(rows(), url)
        orm = page(queryset(), url)
        assert raw == orm, url
        pages += 1
        seen += len(raw[0])
        if raw[2] is not None:  # a reversed cursor back to the page before
            assert page(rows(), raw[2]) == page(queryset(), raw[2]), raw[2]
        url = raw[1]
    assert pages >= min_pages
    return seen


def keyset_walk(rows: Callable[[], Any], ordering, page_size: int = 2) -> list[list[int]]:
    """Every page's ids, following the signed cursors of ``cocreate.pagination.keyset_paginate``
    (the pages' paginator) over ``rows()`` from the first page to the last."""
    pages, cursor = [], None
    while len(pages) < 50:  # a cursor that does not move on fails below instead of looping
        page = keyset_paginate(rows(), ordering=ordering, cursor=cursor, page_size=page_size)
        pages.append([r["id"] for r in page.items])
        if not page.has_next:
            return pages
        cursor = page.next_cursor
    raise AssertionError(f"the cursors did not reach the end: {pages[:6]}")
