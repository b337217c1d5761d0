"""The community's feed of contributions and its search."""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import public_name
from cocreate.caching import cached_page, form_state, fragment
from communities.selectors import community_scopes

from .. import selectors
from ..forms import FeedFilterForm, SearchForm
from ..home import held_panel
from ..models import Contribution, Kind
from .access import knowledge_community
from .responses import nav, page

DRAFTS_SHOWN = 10

fragment(
    "feed_item",
    "knowledge/_item.html",
    fields=(
        "c.pk",
        "c.get_kind_display",
        "c.status",
        "c.get_status_display",
        "c.challenge_id",
        "c.challenge.title",
        "c.title",
        "c.author.public_name",
        "c.submitted_at",
        "c.created_at",
        "c.tags",
        "c.support_count",
        "c.comment_count",
        "c.viewer_supports",
        "community.slug",
        "show_challenge",
    ),
)
fragment(
    "feed_filters",
    "knowledge/_feed_filters.html",
    fields=("filtered", "community.slug"),
    state={"form": form_state, "search_form": form_state},
)


@login_required
@require_GET
# Served from the page cache while nothing in the community and nothing of the viewer's
# (memberships, drafts, bell) changed.
@cached_page(scopes=lambda request, slug: community_scopes(slug), params=FeedFilterForm.base_fields)
def feed(request, slug):
    community = knowledge_community(request, slug)
    user = request.user
    challenges = list(
        selectors.challenges_for(user=user, community=community)
        .select_related(None)
        .only("id", "title")
    )
    form = FeedFilterForm(request.GET, challenges=challenges)
    filters = form.filters()
    sort = filters.pop("sort")
    challenge_id = filters.pop("challenge_id")
    challenge = next((c for c in challenges if c.pk == challenge_id), None)
    feed_page = page(
        request,
        selectors.feed_rows(
            selectors.contribution_feed(
                user=user, community=community, challenge=challenge, **filters
            ),
            user=user,
        ),
        selectors.FEED_SORTS[sort],
    )
    context = nav(request, community, "feed")
    context.update(
        {
            "form": form,
            "search_form": SearchForm(),
            "page": feed_page,
            "items": [_card_item(row) for row in feed_page.items],
            "filtered": any(filters.values()) or challenge is not None,
            # The viewer's own posts a moderator has yet to review: listed where they look.
            "held": held_panel(user, community) if feed_page.is_first else None,
            "drafts": (
                list(selectors.my_drafts(user=user, community=community)[:DRAFTS_SHOWN])
                if context["can_contribute"]
                else []
            ),
        }
    )
    return render(request, "knowledge/feed.html", context)


class _Named(NamedTuple):
    """An author or a challenge as a card reads it: one value."""

    public_name: str = ""
    title: str = ""


_KIND_LABELS = dict(Kind.choices)
_STATUS_LABELS = dict(Contribution.Status.choices)


@dataclass(frozen=True, slots=True)
class FeedCard:
    """What a feed card (``knowledge/_item.html``) shows: exactly a feed row's values, read as
    the template reads a contribution (no model instances: a page holds twenty, and building
    one contribution, author and challenge each cost more than the rest of its card)."""

    pk: int
    kind: str
    status: str
    title: str
    challenge_id: int | None
    challenge: _Named | None
    author: _Named
    submitted_at: datetime | None
    created_at: datetime
    tags: tuple[str, ...]
    support_count: int
    comment_count: int
    viewer_supports: bool

    def get_kind_display(self) -> str:
        return str(_KIND_LABELS.get(self.kind, self.kind))

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))


def _card_item(row) -> FeedCard:
    """A feed row's card."""
    return FeedCard(
        pk=row.id,
        kind=row.kind,
        status=row.status,
        title=row.title,
        challenge_id=row.challenge_id,
        challenge=None if row.challenge_id is None else _Named(title=row.challenge__title),
        author=_Named(public_name=public_name(row.author_id, row.author__display_name or "")),
        submitted_at=row.submitted_at,
        created_at=row.created_at,
        tags=tuple(row.tags or ()),
        support_count=row.support_count,
        comment_count=row.comment_count,
        viewer_supports=bool(row.viewer_supports),
    )


@login_required
@require_GET
def search(request, slug):
    community = knowledge_community(request, slug)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    hits = selectors.search_contributions(user=request.user, community=community, query=query)
    context = nav(request, community, "search")
    context.update({"search_form": form, "query": query, "hits": hits})
    return render(request, "knowledge/search.html", context)
