"""Checks on rendered HTML that a browser or a screen reader relies on."""

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids[str(values["id"])] += 1
        if tag == "label" and values.get("for"):
            self.label_targets.append(str(values["for"]))


def _parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return parser


def duplicate_ids(html: str) -> list[str]:
    """Every ``id`` attribute value that occurs more than once in the document."""
    return sorted(value for value, n in _parse(html).ids.items() if n > 1)


def ids(html: str) -> set[str]:
    return set(_parse(html).ids)


def labels_without_control(html: str) -> list[str]:
    """``<label for=...>`` values that name no element of the document."""
    parsed = _parse(html)
    return [target for target in parsed.label_targets if target not in parsed.ids]
