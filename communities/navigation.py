"""One navigation for a community, which every app contributes to.

Each app declares its pages once, in its ``AppConfig.ready()``::

    register(Item("ideas", _("Ideas"), "knowledge:feed", order=10, perm="knowledge.view_knowledge"))

Every page of a community shows the same navigation (``{% community_nav %}``): the items the
viewer's permissions allow, in order, split into what everyone uses ("community") and what
staff use ("manage"), with the page the viewer is on marked. Communities knows nothing about
the apps above it: they register into this module, never the other way round.
"""

from dataclasses import dataclass, field
from typing import Any, Literal

from django.urls import reverse
from django.utils.functional import Promise

from cocreate.permissions import allowed

Section = Literal["community", "manage"]


@dataclass(frozen=True)
class Item:
    """A page of a community, as the navigation shows it.

    ``url_name`` is reversed with the community's slug; ``perm`` (a rule checked against the
    community) decides who sees it, None meaning everyone who may view the community;
    ``also`` lists further URL prefixes, relative to the community, that belong to this
    item (e.g. an announcement's own page under "Announcements")."""

    key: str
    label: str | Promise
    url_name: str
    section: Section = "community"
    order: int = 100
    perm: str | None = None
    also: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Link:
    """One item as one viewer sees it."""

    key: str
    label: str | Promise
    url: str
    current: bool


_items: dict[str, Item] = {}


def register(*items: Item) -> None:
    """Add pages to every community's navigation (re-registering a key replaces it)."""
    for item in items:
        _items[item.key] = item


def registered() -> list[Item]:
    """Every declared item, in display order."""
    return sorted(_items.values(), key=lambda item: (item.section != "community", item.order))


def links_for(user: Any, community: Any, path: str) -> dict[Section, list[Link]]:
    """The navigation ``user`` sees in ``community`` while on ``path``.

    The current item is the one whose address is the longest prefix of ``path`` (so an idea's
    page marks "Ideas" and the moderation log marks "Moderation"); the community's own page
    is current only on itself."""
    base = reverse("communities:home", args=[community.slug])
    visible: list[tuple[Item, str, list[str]]] = []
    for item in registered():
        if item.perm is not None and not allowed(user, item.perm, community):
            continue
        url = reverse(item.url_name, args=[community.slug])
        prefixes = [url, *(base + extra for extra in item.also)]
        visible.append((item, url, prefixes))
    best, best_length = None, -1
    for item, _url, prefixes in visible:
        for prefix in prefixes:
            matches = path == prefix if prefix == base else path.startswith(prefix)
            if matches and len(prefix) > best_length:
                best, best_length = item.key, len(prefix)
    sections: dict[Section, list[Link]] = {"community": [], "manage": []}
    for item, url, _prefixes in visible:
        sections[item.section].append(Link(item.key, item.label, url, item.key == best))
    return sections
