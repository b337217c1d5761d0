"""The community home as a landing page that every app contributes to.

An app declares, in its ``AppConfig.ready()``, what it adds to a community's home:

* a **panel** — a template and a function of (viewer, community) giving its context, or None
  when the panel has nothing to say to this viewer (e.g. open challenges, recent ideas);
* a **count** — a number that matters, with its label (ideas, ideas shipped, members);
* a **waiting** item — for staff, what waits for them, linked to where they deal with it (join
  requests, the moderation queue, ideas to triage), shown only to viewers the rule allows.

Communities knows nothing of the apps above it: they register here, never the other way
round. Every function runs a fixed number of queries (lists are capped), so the home costs the
same whatever the community's size.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.urls import reverse
from django.utils.functional import Promise

from cocreate.permissions import allowed

Area = Literal["main", "side"]


@dataclass(frozen=True)
class Panel:
    """A section of the home: ``template`` rendered with ``build(user, community)`` as
    ``panel`` (skipped when it returns None)."""

    key: str
    template: str
    build: Callable[[Any, Any], dict[str, Any] | None]
    area: Area = "main"
    order: int = 100


@dataclass(frozen=True)
class Count:
    """A figure on the home's facts card; ``perm`` (checked on the community) limits who sees
    it, None meaning everyone who sees the home."""

    key: str
    label: str | Promise
    value: Callable[[Any], int]
    order: int = 100
    perm: str | None = None


@dataclass(frozen=True)
class Waiting:
    """Something that waits for staff: how many, and the page where they deal with it."""

    key: str
    label: str | Promise
    url_name: str
    perm: str
    count: Callable[[Any, Any], int]
    order: int = 100


@dataclass(frozen=True)
class Shown:
    """What one viewer's home shows."""

    main: list[tuple[str, dict[str, Any]]]
    side: list[tuple[str, dict[str, Any]]]
    counts: list[tuple[str | Promise, int]]
    waiting: list[tuple[str | Promise, str, int]]


_panels: dict[str, Panel] = {}
_counts: dict[str, Count] = {}
_waiting: dict[str, Waiting] = {}


def register(*declarations: Panel | Count | Waiting) -> None:
    """Add panels, counts or waiting items to every community's home (a key declared again
    replaces the earlier declaration)."""
    for declaration in declarations:
        if isinstance(declaration, Panel):
            _panels[declaration.key] = declaration
        elif isinstance(declaration, Count):
            _counts[declaration.key] = declaration
        else:
            _waiting[declaration.key] = declaration


def registered() -> tuple[list[Panel], list[Count], list[Waiting]]:
    """Every declaration, each kind in display order."""

    def in_order(values):
        return sorted(values, key=lambda declaration: declaration.order)

    return in_order(_panels.values()), in_order(_counts.values()), in_order(_waiting.values())


def shown(user: Any, community: Any) -> Shown:
    """What ``user`` sees on ``community``'s home: the panels with something to say to them,
    the counts they may see, and — for staff — what waits for them (nothing at zero)."""
    panels, counts, waiting = registered()
    areas: dict[Area, list[tuple[str, dict[str, Any]]]] = {"main": [], "side": []}
    for panel in panels:
        context = panel.build(user, community)
        if context is not None:
            areas[panel.area].append((panel.template, context))
    figures = [
        (count.label, count.value(community))
        for count in counts
        if count.perm is None or allowed(user, count.perm, community)
    ]
    todo = []
    for item in waiting:
        if not allowed(user, item.perm, community):
            continue
        number = item.count(user, community)
        if number:
            todo.append((item.label, reverse(item.url_name, args=[community.slug]), number))
    return Shown(main=areas["main"], side=areas["side"], counts=figures, waiting=todo)
