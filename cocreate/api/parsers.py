"""The API's JSON parser: DRF's, with a limit on how deeply a body may nest.

No request of this API nests deeper than a handful of levels (a toolkit's fields are the
deepest, at four); Python's decoder recursed until it ran out of stack on a 2 KB body of
``[[[[…`` and answered 500. Deeper than ``MAX_DEPTH`` is a 400 with the reason.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser

MAX_DEPTH = 32


def _too_deep(data: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``data`` nests lists and objects deeper than ``limit`` (iteratively)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(BaseJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = _too_deep(data)
        if too_deep:
            raise ParseError(
                _("The JSON body nests deeper than %(limit)s levels.") % {"limit": MAX_DEPTH}
            )
        return data
