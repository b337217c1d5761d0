"""Rendered page fragments kept in the shared cache, keyed by exactly what they show.

A fragment's key is a digest of its templates' source and of every value the template reads,
plus the active language, time zone and URL prefix. Change any of them and the key changes, so
the very next request renders the new version: nothing is ever invalidated, nothing is stale,
and old keys simply expire. Fragments are rendered without the request, so context processors
never run inside them and they cannot pick up the viewer, the CSRF token, messages or the bell;
the only per-viewer values in a fragment are those its caller puts in the key (e.g. the
viewer's membership badge), and then only a viewer with the same values gets that fragment.

This is where the directory, community and feed pages spent most of their time: rendering the
same cards and filter forms (Django renders every <option> through a template) again and again.
Whole pages are cached per viewer on top of this (``cocreate.pagecache``); fragments are what
makes building a page after a change cheap, and they are shared by every viewer.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from django.core.cache import cache as shared_cache
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

# Keys change with the content; this only bounds how long an unused version lingers.
TIMEOUT = 60 * 60 * 6
_PREFIX = "frag:v1:"


@cache
def _deployed_templates_digest() -> str:
    """Digest of every template and translation catalogue the project can render (once per
    process): a deploy that changes any markup or text never serves what the old ones made,
    whether or not a fragment's caller listed every template it includes."""
    from pathlib import Path

    from django.conf import settings
    from django.template import engines

    roots: list[Path] = []
    for engine in engines.all():
        roots.extend(Path(d) for d in getattr(engine, "template_dirs", ()))
    roots.extend(Path(p) for p in getattr(settings, "LOCALE_PATHS", ()))
    digest = hashlib.sha1(usedforsecurity=False)
    for root in sorted(set(roots)):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".html", ".txt", ".mo"}:
                digest.update(str(path).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def template_digest(*names: str) -> str:
    """Digest of the named templates' source and of every deployed template (once per
    process): a deploy that changes the markup never serves fragments the old one rendered."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(_deployed_templates_digest().encode())
    for name in names:
        digest.update(name.encode())
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:16]


def fragment_key(templates: Sequence[str], parts: Any) -> str:
    """The cache key of one fragment: templates, locale, time zone, URL prefix and ``parts``
    (every value the template shows, as plain data with a stable ``repr``)."""
    raw = repr(
        (
            translation.get_language(),
            timezone.get_current_timezone_name(),
            get_script_prefix(),
            parts,
        )
    )
    body = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    return f"{_PREFIX}{template_digest(*templates)}:{body}"


def _get_many(keys: list[str]) -> dict[str, str]:
    try:
        return shared_cache.get_many(keys)
    except Exception:  # a cache outage costs speed, never the page
        logger.warning("fragment cache unavailable", exc_info=True)
        return {}


def _set_many(values: dict[str, str]) -> None:
    try:
        shared_cache.set_many(values, TIMEOUT)
    except Exception:
        logger.warning("fragment cache unavailable", exc_info=True)


class Fragments:
    """Fragments of one page, fetched from the cache in one round trip.

    ``add`` registers a fragment and returns a placeholder whose ``str`` is its HTML once
    ``resolve`` ran (call it before rendering the page). ``templates`` lists the template and
    everything it includes; ``parts`` must cover every value ``context`` lets the template show.
    """

    def __init__(self) -> None:
        self._wanted: list[tuple[str, str, Callable[[], dict], _Slot]] = []

    def add(self, templates: Sequence[str], *, parts: Any, context: Callable[[], dict]) -> "_Slot":
        slot = _Slot()
        self._wanted.append((fragment_key(templates, parts), templates[0], context, slot))
        return slot

    def add_many(
        self,
        templates: Sequence[str],
        items: Iterable[Any],
        *,
        parts: Callable[[Any], Any],
        context: Callable[[Any], dict],
    ) -> list["_Slot"]:
        return [
            self.add(templates, parts=parts(item), context=lambda item=item: context(item))
            for item in items
        ]

    def resolve(self) -> None:
        wanted, self._wanted = self._wanted, []
        if not wanted:
            return
        found = _get_many(list({key for key, *_rest in wanted}))
        missing: dict[str, str] = {}
        for key, template, context, slot in wanted:
            html = found.get(key) or missing.get(key)
            if html is None:
                html = render_to_string(template, context())
                missing[key] = html
            slot.html = html
        if missing:
            _set_many(missing)


class _Slot:
    """A fragment's place in the page; renders as its HTML."""

    __slots__ = ("html",)

    def __init__(self) -> None:
        self.html = ""

    def __html__(self) -> str:
        # Our own autoescaped template output: user text in it was escaped when rendered.
        return self.html

    def __str__(self) -> str:
        return mark_safe(self.html)  # noqa: S308


def form_state(form) -> tuple:
    """What a filter form's widgets show: each field's choices and submitted values."""
    state = []
    for name, field in form.fields.items():
        choices = getattr(field, "choices", None)
        shown = tuple((str(v), str(label)) for v, label in choices) if choices is not None else ()
        key = form.add_prefix(name)
        if hasattr(form.data, "getlist"):
            data = tuple(form.data.getlist(key))
        else:
            data = (repr(form.data.get(key)),)
        state.append((name, shown, data))
    return (type(form).__name__, form.is_bound, tuple(state))
