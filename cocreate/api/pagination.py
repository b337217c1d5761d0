"""Cursor pagination for the REST API (no OFFSET scans, stable under concurrent inserts)."""

from rest_framework.pagination import CursorPagination


class CreatedCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class NameCursorPagination(CreatedCursorPagination):
    ordering = ("name", "id")


class OldestFirstCursorPagination(CreatedCursorPagination):
    ordering = ("created_at", "id")
