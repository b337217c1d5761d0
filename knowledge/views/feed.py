"""The community's feed of contributions and its search."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cocreate.caching import cached_page, form_state, fragment
from communities.selectors import community_scopes

from .. import selectors
from ..cards import card
from ..forms import FeedFilterForm, SearchForm
from ..home import held_panel
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
    # The hand-written SELECT the contributions API pages too (held equal to the ORM's
    # ``contribution_feed`` rows by tests/knowledge/test_feed_summary_sql.py): building and
    # compiling that queryset cost a fresh feed page more than its query.
    feed_page = page(
        request,
        selectors.feed_summary_rows(user=user, community=community, challenge=challenge, **filters),
        selectors.FEED_SORTS[sort],
    )
    context = nav(request, community, "feed")
    context.update(
        {
            "form": form,
            "search_form": SearchForm(),
            "page": feed_page,
            "items": [card(row) for row in feed_page.items],
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
