"""Rendered page fragments kept in the shared cache, keyed by exactly what they show.

A fragment is declared once, with the template it renders and the list of every value that
template reads::

    fragment("directory_card", "communities/_directory_card.html",
             fields=("c.name", "c.tagline", "c.organization.name", ...))

and a template shows it with ``{% cachedfragment "directory_card" c=card %}`` (``{% load
caching %}``). Its key is the values of those fields (``*`` walks a list: ``top.replies.*.pk``)
plus the deployed templates, the active language, time zone and URL prefix. Change any of them
and the key changes, so the very next request renders the new version: nothing is ever
invalidated, nothing is stale, old keys simply expire. ``tests/cocreate/test_fragment_keys.py``
reads each fragment's template and fails for any name it shows that its fields leave out.

A fragment is rendered from its declared names alone (the tag's arguments, else the page's
variables of those names), never with the request: context processors never run inside it, so
it cannot pick up the viewer, messages or the bell, and only a viewer with the same values
gets the same fragment. A ``{% csrf_token %}`` in it renders a placeholder that the tag (or the
page cache, for a page it stores) replaces with each viewer's own token. Fragments inside
``{% cachedfragments %}…{% endcachedfragments %}`` (the base layout wraps every page in one) are
fetched in one round trip.

This is where the directory, community and feed pages spent most of their time: rendering the
same cards and filter forms (Django renders every <option> through a template) again and again.
Whole pages are cached per viewer on top of this (``pages``); fragments are what makes building
a page after a change cheap, and they are shared by every viewer.

While Redis is unreachable (``backend``: degraded), fragments are kept in the process's own
memory instead (at most ``LOCAL_ENTRIES``): their keys are made of what they show, so a local
copy can never be stale either, and pages built on every request during an outage still do
not render every card again.
"""

import datetime
import decimal
import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache
from django.template import engines
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise

from .backend import CacheUnavailable, available

logger = logging.getLogger(__name__)

# Keys change with the content; this only bounds how long an unused version lingers.
TIMEOUT = 60 * 60 * 6


def _secret_placeholder() -> str:
    """What a page or fragment built to be cached holds where each response puts its viewer's
    CSRF token: derived from SECRET_KEY, so no one who has not read the key can type it (a
    fixed string typed into a name or a title was once replaced with the viewer's token). It
    is replaced before any response leaves."""
    digest = salted_hmac("cocreate.caching.csrf-placeholder", "v2").hexdigest()
    return f"csrf-{digest[:32]}"


CSRF_PLACEHOLDER = _secret_placeholder()
# Where a form shows its one-time token (``{{ form_token }}``): like the CSRF placeholder,
# derived from SECRET_KEY, rendered into pages and fragments built to be cached, and replaced
# with a fresh random token per form in every response (``cocreate.idempotency.form_tokens``).
FORM_TOKEN_PLACEHOLDER = (
    "formtoken-" + salted_hmac("cocreate.caching.form-token-placeholder", "v1").hexdigest()[:32]
)
# Every key (fragments and pages) names the placeholder's version: after a change of
# SECRET_KEY, nothing cached with the old placeholder is found again.
_PREFIX = f"frag:v2:{CSRF_PLACEHOLDER[5:13]}:"


@cache
def _deployed_templates_digest() -> str:
    """Digest of every template and translation catalogue the project can render (once per
    process): a deploy that changes any markup or text never serves what the old ones made,
    whether or not a fragment's caller listed every template it includes."""
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
        # The django backend's template wraps the engine's Template (stubs lack ``.template``).
        digest.update(get_template(name).template.source.encode())  # type: ignore[attr-defined]
    return digest.hexdigest()[:16]


def environment() -> str:
    """What every key holds besides its own values: the active language, time zone and URL
    prefix (the same for every fragment of one page: ``Batch`` reads it once)."""
    return repr(
        (translation.get_language(), timezone.get_current_timezone_name(), get_script_prefix())
    )


def fragment_key(templates: Sequence[str], parts: Any, *, env: str | None = None) -> str:
    """The cache key of one fragment: templates, locale, time zone, URL prefix (``env``, read
    now unless given) and ``parts`` (every value the template shows, as plain data with a
    stable ``repr``)."""
    raw = f"{environment() if env is None else env}{parts!r}"
    body = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    return f"{_PREFIX}{template_digest(*templates)}:{body}"


# Only while the shared cache is unreachable; thread-safe, oldest third culled when full.
LOCAL_ENTRIES = 3000
_local = LocMemCache(
    "cocreate-fragments-while-redis-is-down",
    {"TIMEOUT": TIMEOUT, "OPTIONS": {"MAX_ENTRIES": LOCAL_ENTRIES, "CULL_FREQUENCY": 3}},
)


def _get_many(keys: list[str]) -> dict[str, str]:
    if not available(shared_cache):
        return _local.get_many(keys)
    try:
        return shared_cache.get_many(keys)
    except Exception:  # a cache outage costs speed, never the page
        logger.warning("fragment cache unavailable", exc_info=True)
        return {}


def _set_many(values: dict[str, str]) -> None:
    if not available(shared_cache):
        _local.set_many(values, TIMEOUT)
        return
    try:
        shared_cache.set_many(values, TIMEOUT)
    except CacheUnavailable:
        _local.set_many(values, TIMEOUT)  # keys are made of the values shown: never stale
    except Exception:
        logger.warning("fragment cache unavailable", exc_info=True)


# --- Declarations -------------------------------------------------------------------------------

_MISSING = object()


@dataclass(frozen=True)
class Fragment:
    """One declared fragment: ``template`` reads exactly ``fields`` (dotted paths from the
    names given to it, ``*`` for each item of a list) and the whole of each ``state`` name,
    whose key is ``state[name](value)`` (e.g. ``form_state`` for a form). A field
    ``x.get_F_display`` is keyed by ``x.F``: its label is a function of that value and of the
    language, which every key holds (and computing labels cost more than the rest of a key)."""

    name: str
    template: str
    fields: tuple[str, ...]
    state: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The names the fragment is rendered from."""
        roots = [path.split(".", 1)[0] for path in self.fields]
        return tuple(dict.fromkeys([*roots, *self.state]))

    def key(self, values: Mapping[str, Any], *, env: str | None = None) -> str:
        parts = (
            self.name,
            tuple(_plain(read(values)) for read in _compiled(self.fields)),
            tuple(key(values.get(name)) for name, key in self.state.items()),
        )
        return fragment_key((self.template,), parts, env=env)

    def render(self, values: Mapping[str, Any]) -> str:
        return render_to_string(
            self.template,
            {**values, "csrf_token": CSRF_PLACEHOLDER, "form_token": FORM_TOKEN_PLACEHOLDER},
        )


_fragments: dict[str, Fragment] = {}


def fragment(
    name: str,
    template: str,
    *,
    fields: Sequence[str],
    state: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Fragment:
    """Declare the fragment ``name`` (see the module's docstring); answers the declaration."""
    declared = Fragment(name, template, tuple(fields), dict(state or {}))
    known = _fragments.get(name)
    if known is not None and known != declared:
        raise ValueError(f"fragment {name!r} is declared twice, differently")
    _fragments[name] = declared
    return declared


def declared() -> dict[str, Fragment]:
    """Every declared fragment, by name."""
    return dict(_fragments)


def get(name: str) -> Fragment:
    try:
        return _fragments[name]
    except KeyError:
        raise LookupError(f"no fragment is declared as {name!r}") from None


_DISPLAY = re.compile(r"get_(\w+)_display")


@cache
def _compiled(fields: tuple[str, ...]) -> tuple[Callable[[Mapping[str, Any]], Any], ...]:
    """Readers of a fragment's values: one per object the fields read from (a name, or each
    item of a list), reading all of that object's fields in one ``attrgetter`` call (a key
    reads thousands of values per page)."""
    groups: dict[tuple[str, tuple[str, ...] | None], list[tuple[str, ...]]] = {}
    for path in fields:
        root, *bits = path.split(".")
        if bits and (display := _DISPLAY.fullmatch(bits[-1])) is not None:
            bits[-1] = display.group(1)
        if "*" in bits:
            at = bits.index("*")
            groups.setdefault((root, tuple(bits[:at])), []).append(tuple(bits[at + 1 :]))
        else:
            groups.setdefault((root, None), []).append(tuple(bits))
    readers: list[Callable[..., Any]] = []
    for (root, head), tails in groups.items():
        many = _many(tuple(tails))
        if head is None:
            readers.append(lambda values, root=root, many=many: many(values.get(root)))
        else:
            items = _many((head,))
            readers.append(
                lambda values, root=root, items=items, many=many: tuple(
                    many(item) for item in (items(values.get(root))[0] or ())
                )
            )
    return tuple(readers)


def _many(tails: tuple[tuple[str, ...], ...]) -> Callable[[Any], tuple]:
    """What reads every path of ``tails`` from one object, as the template engine does: the
    first attribute of every path in one ``attrgetter`` call, then each object found there
    for the rest of its paths (so a ``None`` on one path costs the others nothing)."""
    if any(not tail or "*" in tail for tail in tails):
        return lambda current: tuple(_resolve(current, tail) for tail in tails)
    firsts = tuple(dict.fromkeys(tail[0] for tail in tails))
    fast = attrgetter(*firsts)
    single = len(firsts) == 1
    rests: dict[str, list[tuple[str, ...]]] = {}
    plan: list[tuple[int, int | None]] = []  # per tail: its first's index, its place below
    for tail in tails:
        if len(tail) == 1:
            plan.append((firsts.index(tail[0]), None))
        else:
            below = rests.setdefault(tail[0], [])
            plan.append((firsts.index(tail[0]), len(below)))
            below.append(tail[1:])
    readers = tuple(_many(tuple(rests[first])) if first in rests else None for first in firsts)

    width = len(tails)
    subs = tuple((at, reader) for at, reader in enumerate(readers) if reader is not None)
    # Every path one attribute deep, each read once, in order: the values are the answer.
    flat = not subs and [at for at, _place in plan] == list(range(len(firsts)))

    def read(current: Any) -> tuple:
        if current is None:
            return (None,) * width
        if _by_key(type(current)):  # the engine tries a key lookup first
            return tuple(_resolve(current, tail) for tail in tails)
        try:
            found = fast(current)
            values = [
                _called(value) if callable(value) else value
                for value in ((found,) if single else found)
            ]
        except AttributeError:  # a missing attribute or an index: each the long way
            values = [_resolve(current, (first,)) for first in firsts]
        if flat:
            return tuple(values)
        below: list[Any] = [None] * len(firsts)
        for at, reader in subs:
            below[at] = reader(values[at])
        return tuple([values[at] if place is None else below[at][place] for at, place in plan])

    return read


_KEYED: dict[type, bool] = {}


def _by_key(kind: type) -> bool:
    known = _KEYED.get(kind)
    if known is None:
        known = _KEYED[kind] = issubclass(kind, Mapping) or hasattr(kind, "__getitem__")
    return known


def _called(value: Any) -> Any:
    if callable(value) and not getattr(value, "do_not_call_in_templates", False):
        return None if getattr(value, "alters_data", False) else value()
    return value


def _resolve(current: Any, bits: Sequence[str]) -> Any:
    """What the template engine reads at ``bits`` (dict key, attribute, index; callables are
    called), ``None`` where it finds nothing; at ``*``, the tuple of each item's value."""
    for i, bit in enumerate(bits):
        if bit == "*":
            return tuple(_resolve(item, bits[i + 1 :]) for item in (current or ()))
        if isinstance(current, Mapping):
            current = current.get(bit, _MISSING)
        else:
            found = getattr(current, bit, _MISSING)
            if found is _MISSING and bit.isdigit():
                try:
                    found = current[int(bit)]
                except (IndexError, KeyError, TypeError):
                    found = _MISSING
            current = found
        if current is _MISSING or current is None:
            return None
        if callable(current) and not getattr(current, "do_not_call_in_templates", False):
            if getattr(current, "alters_data", False):
                return None
            current = current()
    return current


_PLAIN = (str, int, float, bool, decimal.Decimal, datetime.date, datetime.time, uuid.UUID)


# The exact types most values have: one set lookup instead of the isinstance walk (a page's
# keys hold thousands of values). Subclasses (a SafeString, an enum) take the long way.
_PLAIN_EXACT = frozenset({type(None), *_PLAIN, datetime.datetime})


def _plain(value: Any) -> Any:
    """``value`` as plain data with a stable ``repr``; anything else is a declaration error
    (an object's ``repr`` would not change with what the template shows of it)."""
    kind = type(value)
    if kind in _PLAIN_EXACT:
        return value
    if kind is tuple:
        return tuple([_plain(item) for item in value])
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    raise TypeError(f"a fragment field must be plain data, not {type(value).__name__}")


def form_state(form) -> tuple:
    """What a filter form's widgets show: each field's choices and submitted values."""
    state = []
    for name, form_field in form.fields.items():
        choices = getattr(form_field, "choices", None)
        shown = tuple((str(v), str(label)) for v, label in choices) if choices is not None else ()
        key = form.add_prefix(name)
        if hasattr(form.data, "getlist"):
            data = tuple(form.data.getlist(key))
        else:
            data = (repr(form.data.get(key)),)
        state.append((name, shown, data))
    return (type(form).__name__, form.is_bound, tuple(state))


# --- Rendering ----------------------------------------------------------------------------------


def fill_csrf(html: str, token: Any) -> str:
    """``html`` with this viewer's CSRF token (``token``; the placeholder itself while the
    page is built to be cached) where fragments left the placeholder."""
    if CSRF_PLACEHOLDER not in html:
        return html
    return html.replace(CSRF_PLACEHOLDER, "" if token is None else str(token))


def show(fragment: Fragment, values: Mapping[str, Any]) -> str:
    """The fragment's HTML for ``values``: cached, or rendered and stored."""
    key = fragment.key(values)
    html = _get_many([key]).get(key)
    if html is None:
        html = fragment.render(values)
        _set_many({key: html})
    return html


class Batch:
    """Fragments of one page, fetched in one round trip: ``add`` answers a marker that
    ``fill`` replaces with the fragment's HTML once every fragment of the page is known."""

    def __init__(self) -> None:
        self._nonce = secrets.token_hex(8)
        self._env = environment()
        self._wanted: list[tuple[str, Fragment, Mapping[str, Any]]] = []

    def add(self, fragment: Fragment, values: Mapping[str, Any]) -> str:
        self._wanted.append((fragment.key(values, env=self._env), fragment, values))
        return f"\x1f{self._nonce}:{len(self._wanted) - 1}\x1f"

    def fill(self, html: str) -> str:
        wanted, self._wanted = self._wanted, []
        if not wanted:
            return html
        found = _get_many(list({key for key, _fragment, _values in wanted}))
        missing: dict[str, str] = {}
        shown = []
        for key, declared_fragment, values in wanted:
            fragment_html = found.get(key) or missing.get(key)
            if fragment_html is None:
                fragment_html = missing[key] = declared_fragment.render(values)
            shown.append(fragment_html)
        if missing:
            _set_many(missing)
        marker = re.compile(f"\x1f{self._nonce}:(\\d+)\x1f")
        return marker.sub(lambda match: shown[int(match.group(1))], html)
