"""The API's JSON parser: DRF's, with a limit on how deeply a body may nest, and only text
that is Unicode.

No request of this API nests deeper than a handful of levels (a toolkit's fields are the
deepest, at four); Python's decoder recursed until it ran out of stack on a 2 KB body of
``[[[[…`` and answered 500. Deeper than ``MAX_DEPTH`` is a 400 with the reason.

JSON may spell half of a surrogate pair (``"\\ud800"``), which decodes to a string no
database or template can encode (a 500 when it reached a column); such a body is a 400 too.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser

MAX_DEPTH = 32


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _problem(data: Any, limit: int = MAX_DEPTH) -> str | None:
    """Why ``data`` is refused: nested lists and objects deeper than ``limit``, or a string
    (value or key) that is not Unicode; None if it is fine. Iterative: no recursion limit."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, str):
            if not _is_unicode(value):
                return _("The JSON body contains text that is not valid Unicode.")
            continue
        if isinstance(value, dict):
            if not all(_is_unicode(key) for key in value):
                return _("The JSON body contains text that is not valid Unicode.")
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return _("The JSON body nests deeper than %(limit)s levels.") % {"limit": limit}
        stack.extend(
            (child, depth + 1) for child in children if isinstance(child, dict | list | str)
        )
    return None


class JSONParser(BaseJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                _("The JSON body nests deeper than %(limit)s levels.") % {"limit": MAX_DEPTH}
            ) from None
        problem = _problem(data)
        if problem:
            raise ParseError(problem)
        return data
