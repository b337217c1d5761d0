"""The feed's cards from the shared fragment cache (see ``communities.views_fragments``).

The feed reads its page as plain rows: exactly the values a card shows, the viewer's own support
included (one EXISTS per row on the unique (contribution, user) index, instead of a query of its
own). A card's cache key is that row, and a card that is not cached yet is rendered from that
same row, so a cached card is always exactly what its row says: an edit, a new support or
comment, a status move or an author's new display name is a new row and so a new card on the
very next request. Building model instances for the 20 rows of a page (and their authors) cost
more than the rest of the page's queries together.
"""

from django.db.models import Exists, OuterRef, QuerySet, Value

from accounts.models import User

from .models import Challenge, Contribution, Support

FEED_ITEM = ("knowledge/_item.html", "knowledge/_time.html")
FEED_FILTERS = ("knowledge/_feed_filters.html",)
ROW_FIELDS = (
    "id",
    "community_id",
    "kind",
    "status",
    "title",
    "challenge_id",
    "challenge__title",
    "author_id",
    "author__display_name",
    "submitted_at",
    "created_at",
    "tags",
    "support_count",
    "comment_count",
    "last_activity_at",
    "viewer_supports",
)


def feed_rows(queryset: QuerySet[Contribution], *, user) -> QuerySet:
    """The feed's queryset as named rows of ``ROW_FIELDS`` (every sort key is among them)."""
    if user.is_authenticated:
        supports = Exists(Support.objects.filter(contribution=OuterRef("pk"), user=user))
    else:
        supports = Value(False)
    return queryset.annotate(viewer_supports=supports).values_list(*ROW_FIELDS, named=True)


def item_parts(row) -> tuple:
    """The card's cache key: every value of the row but the sort-only ``last_activity_at``."""
    return (
        row.id,
        row.community_id,
        row.kind,
        row.status,
        row.title,
        row.challenge_id,
        row.challenge__title,
        row.author_id,
        row.author__display_name,
        row.submitted_at,
        row.created_at,
        tuple(row.tags or ()),
        row.support_count,
        row.comment_count,
        bool(row.viewer_supports),
    )


def card_item(row) -> Contribution:
    """An unsaved contribution holding exactly the row's values, for ``knowledge/_item.html``."""
    item = Contribution(
        id=row.id,
        community_id=row.community_id,
        kind=row.kind,
        status=row.status,
        title=row.title,
        challenge_id=row.challenge_id,
        submitted_at=row.submitted_at,
        created_at=row.created_at,
        tags=list(row.tags or ()),
        support_count=row.support_count,
        comment_count=row.comment_count,
    )
    item.author = User(id=row.author_id, display_name=row.author__display_name or "")
    if row.challenge_id is not None:
        item.challenge = Challenge(id=row.challenge_id, title=row.challenge__title)
    item.viewer_supports = bool(row.viewer_supports)
    return item
