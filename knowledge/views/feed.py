"""The community's feed of contributions and its search."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cocreate import pagecache
from communities.selectors import community_scopes
from communities.views_fragments import Fragments, form_state

from .. import selectors
from ..feed_cache import FEED_FILTERS, FEED_ITEM, card_item, feed_rows, item_parts
from ..forms import FeedFilterForm, SearchForm
from .access import knowledge_community
from .responses import nav, page

DRAFTS_SHOWN = 10


@login_required
@require_GET
def feed(request, slug):
    # Served from the page cache while nothing in the community and nothing of the viewer's
    # (memberships, drafts, bell) changed.
    return pagecache.page(
        request,
        scopes=lambda: community_scopes(slug),
        build=lambda: _feed(request, slug),
        known=FeedFilterForm.base_fields,
    )


def _feed(request, slug):
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
        feed_rows(
            selectors.contribution_feed(
                user=user, community=community, challenge=challenge, **filters
            ),
            user=user,
        ),
        selectors.FEED_SORTS[sort],
    )
    context = nav(request, community, "feed")
    search_form = SearchForm()
    filtered = any(filters.values()) or challenge is not None
    fragments = Fragments()
    items = fragments.add_many(
        FEED_ITEM,
        feed_page.items,
        parts=item_parts,
        context=lambda row: {"c": card_item(row), "community": community, "show_challenge": True},
    )
    filters_html = fragments.add(
        FEED_FILTERS,
        parts=(form_state(form), form_state(search_form), filtered, community.slug),
        context=lambda: {
            "form": form,
            "search_form": search_form,
            "filtered": filtered,
            "community": community,
        },
    )
    fragments.resolve()
    context.update(
        {
            "form": form,
            "search_form": search_form,
            "page": feed_page,
            "items": items,
            "filters_html": filters_html,
            "filtered": filtered,
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
