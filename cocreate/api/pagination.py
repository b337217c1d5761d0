"""Cursor pagination for the REST API (no OFFSET scans, stable under concurrent inserts).

A cursor is the client's to keep, not to write: one that does not decode, or whose position
does not fit the list's ordering (a forged value, a cursor of another ordering, a truncated
one), answers 400 with the ``cursor`` field named — before the database sees it.
"""

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination

INVALID_CURSOR = _("This cursor does not belong to this list; start again from its first page.")


class CreatedCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_cursor_message = INVALID_CURSOR  # type: ignore[assignment]  # translated lazily

    def paginate_queryset(self, queryset, request, view=None):
        self._model = getattr(queryset, "model", None)  # what a cursor's position must fit
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        if cursor is not None and cursor.position is not None:
            if "\x00" in str(cursor.position):  # no column holds it; PostgreSQL refuses the value
                raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: Any) -> None:
        model = getattr(self, "_model", None)
        ordering = self.ordering if isinstance(self.ordering, list | tuple) else (self.ordering,)
        if model is None or not ordering:
            return
        try:
            field = model._meta.get_field(ordering[0].lstrip("-"))
        except FieldDoesNotExist:  # an annotation: the database judges it
            return
        try:
            value = field.to_python(position)
        except DjangoValidationError:
            value = None
        if value is None:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})


class NameCursorPagination(CreatedCursorPagination):
    ordering = ("name", "id")


class OldestFirstCursorPagination(CreatedCursorPagination):
    ordering = ("created_at", "id")
