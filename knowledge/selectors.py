"""Reads on knowledge shared by pages and the API. They authorize as they fetch: outsiders get
Http404 for a community's knowledge, drafts are visible to their author (and staff tools) only.

Moderation is applied here, in the queries, so every page, fragment and API answer agrees on
the very next request: feeds, search and the triage board list visible contributions only; a
hidden or held contribution opens for its author and the community's moderators only (404 for
anyone else); a held comment is listed for its author and moderators only; a hidden comment
keeps its place in the thread, but to anyone else it is ``removed`` (no body, no author).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.base import ModelState
from django.db.models.functions import RowNumber
from django.db.models.signals import post_init, pre_init
from django.http import Http404
from django.utils.html import escape

from accounts.models import User
from accounts.types import Viewer
from cocreate.caching import generations, remembered
from cocreate.pagination import keyset_paginate, keyset_paginate_sorted
from cocreate.permissions import allowed, refusal, require
from cocreate.raw_rows import KeysetRows
from cocreate.statements import Statement
from communities.models import Community

from .models import (
    COMMENT_OWNER,
    Challenge,
    Comment,
    Contribution,
    ContributionRevision,
    ContributionTag,
    Discussion,
    Evaluation,
    Follow,
    KnowledgeCounts,
    ModerationState,
    Scorecard,
    StatusChange,
    Support,
    Toolkit,
)

S = Contribution.Status
# Whatever iterable of comments present_comments is given (a list, a page), it gives back.
_Comments = TypeVar("_Comments", bound=Iterable[Comment])

FEED_SORTS: dict[str, tuple[str, ...]] = {
    "new": ("-submitted_at", "-id"),
    "top": ("-support_count", "-id"),
    "discussed": ("-comment_count", "-id"),
    "trending": ("-last_activity_at", "-id"),
}
REPLIES_SHOWN = 3
COMMENTS_PAGE = 20
VISIBLE = ModerationState.VISIBLE

VIEW_KNOWLEDGE = "knowledge.view_knowledge"


def require_knowledge(viewer: Viewer, community: Community) -> None:
    """404 unless the viewer may read the knowledge of a community already resolved: the
    check every read here starts with (``knowledge.access`` builds its accessors on it)."""
    if not allowed(viewer, VIEW_KNOWLEDGE, community):
        raise Http404


def moderates(user: Viewer, community: Community) -> bool:
    """Whether the user sees hidden and held content of the community (its moderators, managers,
    the firm's staff and platform admins). No query once the membership is cached."""
    return user.is_authenticated and allowed(user, "knowledge.staff", community)


def participation_refusal(user: Viewer, community: Community) -> str | None:
    """Why the user may not post, comment, support or flag in the community right now, in words
    they can act on; None when they may. Standing changes count on the very next request."""
    return refusal(user, "knowledge.contribute", community)


def toolkits_for(
    *, user: Viewer, community: Community, active_only: bool = True
) -> QuerySet[Toolkit]:
    require_knowledge(user, community)
    qs = Toolkit.objects.filter(community=community).select_related("current_version")
    return qs.filter(is_active=True) if active_only else qs


def toolkit_get(*, user: Viewer, community: Community, toolkit_id: int) -> Toolkit:
    toolkit = (
        toolkits_for(user=user, community=community, active_only=False)
        .filter(pk=toolkit_id)
        .first()
    )
    if toolkit is None:
        raise Http404
    return toolkit


def challenges_for(*, user: Viewer, community: Community) -> QuerySet[Challenge]:
    """Challenges members may see: everything but drafts (staff see drafts too)."""
    require_knowledge(user, community)
    qs = Challenge.objects.filter(community=community).select_related("community", "discussion")
    if not allowed(user, "knowledge.staff", community):
        qs = qs.exclude(phase=Challenge.Phase.DRAFT)
    return qs


def contribution_feed(
    *,
    user: Viewer,
    community: Community,
    challenge: Challenge | None = None,
    kind: str = "",
    status: str = "",
    tag: str = "",
) -> QuerySet[Contribution]:
    """Published contributions of a community (or one challenge), filtered; unordered (the
    caller paginates by one of FEED_SORTS)."""
    require_knowledge(user, community)
    qs = (
        Contribution.objects.filter(community=community, moderation_state=VISIBLE)
        .exclude(status=S.DRAFT)
        .select_related("author", "challenge")
        .defer("body", "body_html", "search_vector", "fields")
    )
    if challenge is not None:
        qs = qs.filter(challenge=challenge)
    if kind:
        qs = qs.filter(kind=kind)
    if status in S.values and status != S.DRAFT:
        qs = qs.filter(status=status)
    tag = tag.strip().lower()[:40]
    if tag:
        qs = qs.filter(
            pk__in=ContributionTag.objects.filter(community_id_copy=community.pk, tag=tag).values(
                "contribution_id"
            )
        )
    return qs


SUMMARY_FIELDS = (
    "id",
    "title",
    "kind",
    "status",
    "author_id",
    "author__display_name",
    "challenge_id",
    "challenge__title",
    "tags",
    "support_count",
    "comment_count",
    "discussion__is_locked",
    "created_at",
    "submitted_at",
    "last_activity_at",
    "viewer_supports",
)


def contribution_summary_rows(queryset: QuerySet[Contribution], *, user: Viewer) -> QuerySet:
    """``contribution_feed`` as dict rows of ``SUMMARY_FIELDS``: what a summary shows (every
    feed sort key among them), the viewer's own support included as one EXISTS per row on the
    unique (contribution, user) index. One query for a page, no model instances."""
    supports: Exists | Value
    if user.is_authenticated:
        supports = Exists(Support.objects.filter(contribution=OuterRef("pk"), user=user))
    else:
        supports = Value(False)
    # The plugin takes an annotation named like a declared non-field attribute for a clash.
    rows = queryset.annotate(viewer_supports=supports)  # type: ignore[no-redef]
    return rows.values(*SUMMARY_FIELDS)


# contribution_summary_rows(contribution_feed(...)) written by hand: see feed_summary_rows.
_SUMMARY_SQL = """
SELECT c.id AS id, c.title AS title, c.kind AS kind, c.status AS status,
  c.author_id AS author_id, u.display_name AS author__display_name,
  c.challenge_id AS challenge_id, ch.title AS challenge__title, c.tags AS tags,
  c.support_count AS support_count, c.comment_count AS comment_count,
  d.is_locked AS discussion__is_locked, c.created_at AS created_at,
  c.submitted_at AS submitted_at, c.last_activity_at AS last_activity_at,
  {supports} AS viewer_supports
FROM knowledge_contribution c
INNER JOIN accounts_user u ON c.author_id = u.id
LEFT OUTER JOIN knowledge_challenge ch ON c.challenge_id = ch.id
INNER JOIN knowledge_discussion d ON c.discussion_id = d.id
WHERE c.community_id = %s AND c.moderation_state = %s AND NOT (c.status = %s)"""
_VIEWER_SUPPORTS = (
    "EXISTS(SELECT 1 FROM knowledge_support s WHERE s.contribution_id = c.id AND s.user_id = %s)"
)
_SUMMARY_SORTABLE = {
    "id": "c.id",
    "submitted_at": "c.submitted_at",
    "support_count": "c.support_count",
    "comment_count": "c.comment_count",
    "last_activity_at": "c.last_activity_at",
}


def feed_summary_rows(
    *,
    user: Viewer,
    community: Community,
    challenge: Challenge | None = None,
    kind: str = "",
    status: str = "",
    tag: str = "",
) -> KeysetRows:
    """``contribution_summary_rows(contribution_feed(...))`` — the same rows, checks and
    filters — as one hand-written, parameterised SELECT for the API's cursor paginator.

    Building and compiling that queryset (filters, the EXISTS annotation, values(), the
    cursor's filter) cost the contributions list more than its query; here it is a string.
    Orders by any of FEED_SORTS' fields. ``tests/knowledge/test_feed_summary_sql.py`` holds
    it equal to the ORM version across filters, sorts and cursor pages: change both together.
    """
    require_knowledge(user, community)
    supports, params = "FALSE", list[Any]()
    if user.is_authenticated:
        supports, params = _VIEWER_SUPPORTS, [user.pk]
    sql = _SUMMARY_SQL.format(supports=supports)
    params += [community.pk, VISIBLE, S.DRAFT]
    if challenge is not None:
        sql += " AND c.challenge_id = %s"
        params.append(challenge.pk)
    if kind:
        sql += " AND c.kind = %s"
        params.append(kind)
    if status in S.values and status != S.DRAFT:
        sql += " AND c.status = %s"
        params.append(status)
    tag = tag.strip().lower()[:40]
    if tag:
        sql += (
            " AND c.id IN (SELECT t.contribution_id FROM knowledge_contributiontag t"
            " WHERE t.community_id_copy = %s AND t.tag = %s)"
        )
        params += [community.pk, tag]
    tags = Contribution._meta.get_field("tags")
    return KeysetRows(
        sql=sql,
        params=params,
        model=Contribution,
        sortable=_SUMMARY_SORTABLE,
        # A plain column, no expression: the field decodes the JSON text as the ORM does.
        decode={"tags": lambda value: tags.from_db_value(value, None, connection)},  # type: ignore[arg-type]
    )


def my_drafts(*, user: User, community: Community) -> QuerySet[Contribution]:
    require_knowledge(user, community)
    return Contribution.objects.filter(community=community, author=user, status=S.DRAFT)


def my_moderated(*, user: User, community: Community) -> QuerySet[Contribution]:
    """The user's own submitted contributions that others cannot see: waiting for review or
    hidden by a moderator, newest first (the feed leaves them out)."""
    require_knowledge(user, community)
    return (
        Contribution.objects.filter(community=community, author=user)
        .exclude(status=S.DRAFT)
        .exclude(moderation_state=VISIBLE)
        .only("id", "title", "community_id", "moderation_state", "submitted_at")
        .order_by("-submitted_at", "-id")
    )


def supported_ids(*, user: Viewer, contributions: list[Contribution]) -> set[int]:
    """Which of a page of contributions the user supports, in one query."""
    if not user.is_authenticated or not contributions:
        return set()
    return set(
        Support.objects.filter(
            user=user, contribution__in=[c.pk for c in contributions]
        ).values_list("contribution_id", flat=True)
    )


@dataclass
class ContributionState:
    supported: bool
    following: bool
    timeline: list[StatusChange]


def contribution_state(*, user: Viewer, contribution: Contribution) -> ContributionState:
    """The viewer's support and follow, and the status timeline (with reasons)."""
    supported = following = False
    if user.is_authenticated:
        # Both in one round trip: two EXISTS on the unique (contribution, user) indexes.
        supported, following = (
            Contribution.objects.filter(pk=contribution.pk)
            .values_list(
                Exists(Support.objects.filter(contribution=OuterRef("pk"), user=user)),
                Exists(Follow.objects.filter(discussion=OuterRef("discussion_id"), user=user)),
            )
            .get()
        )
    timeline = _timeline(contribution)
    moderator = moderates(user, contribution.community)
    for step in timeline:
        original = step.related_to
        # An original that is hidden or held is not named to those who cannot open it.
        if (
            original is not None
            and original.moderation_state != VISIBLE
            and not moderator
            and original.author_id != user.pk
        ):
            step.related_to = None
    return ContributionState(supported=supported, following=following, timeline=timeline)


_NAMES_ORIGINALS = "names-originals"


def _timeline(contribution: Contribution) -> list[StatusChange]:
    """The contribution's status steps, oldest first, with their actors (and originals). The
    same for every viewer, so remembered while nothing on the contribution's page changed
    (``_owner_scopes``) — unless a step names an original (a duplicate's): an edit of that
    other contribution bumps only its own scopes, so those steps are read afresh each time."""

    def read() -> list[StatusChange]:
        # Of the actor and of the original only what a step shows and the check in
        # ``contribution_state`` reads: their whole rows (an account; a body and its search
        # vector) cost more.
        return list(
            StatusChange.objects.filter(contribution=contribution)
            .select_related("actor", "related_to")
            .only(
                *(f.attname for f in StatusChange._meta.concrete_fields),
                "actor__id",
                "actor__display_name",
                "actor__handle",
                "related_to__id",
                "related_to__title",
                "related_to__moderation_state",
                "related_to__author_id",
            )
        )

    built: list[list[StatusChange]] = []

    def build() -> list[StatusChange] | str:
        steps = read()
        if any(step.related_to_id is not None for step in steps):
            built.append(steps)
            return _NAMES_ORIGINALS
        return steps

    steps = remembered(
        "status-timeline", _owner_scopes(contribution), build, parts=(contribution.pk,)
    )
    if steps == _NAMES_ORIGINALS:
        return built[0] if built else read()
    return steps  # type: ignore[return-value]


def contribution_revisions(
    *, user: Viewer, contribution: Contribution, limit: int = 50
) -> list[ContributionRevision]:
    """Earlier versions of a contribution, newest first, for its author and staff."""
    if not (
        contribution.author_id == user.pk
        or allowed(user, "knowledge.staff", contribution.community)
    ):
        raise PermissionDenied
    return list(contribution.revisions.select_related("editor")[:limit])


def is_following(*, user: Viewer, discussion: Discussion) -> bool:
    """Whether the user follows the discussion (a challenge's: a contribution's page reads it
    in ``contribution_state``)."""
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(discussion=discussion, user=user).exists()


@dataclass
class Thread:
    comments: list[Comment]  # top-level, each with .shown_replies
    next_cursor: str | None


def _listed_comments(
    qs: QuerySet[Comment], *, user: Viewer, community: Community
) -> QuerySet[Comment]:
    """The comments of ``qs`` the user may find in a thread: moderators every one; others the
    visible ones, the hidden ones that were once published (they keep their place, shown as
    removed) and their own."""
    if moderates(user, community):
        return qs
    listed = Q(moderation_state=VISIBLE) | Q(
        moderation_state=ModerationState.HIDDEN, first_approval_pending=False
    )
    if user.is_authenticated:
        listed |= Q(author_id=user.pk)
    return qs.filter(listed)


def present_comments(comments: _Comments, *, user: Viewer, community: Community) -> _Comments:
    """Prepare comments for the viewer: ``removed`` (a hidden comment of someone else, seen by
    a non-moderator: its body is blanked here, before any template or serializer sees it) and
    ``show_moderation`` (the author or a moderator sees why it is hidden or held)."""
    moderator = moderates(user, community)
    viewer_id = user.pk if user.is_authenticated else None  # read once: ``user`` may be lazy
    for c in comments:
        own = viewer_id is not None and c.author_id == viewer_id
        c.by_viewer = own
        c.removed = c.moderation_state == ModerationState.HIDDEN and not (own or moderator)
        c.show_moderation = c.moderation_state != VISIBLE and (own or moderator)
        if c.removed:
            c.body = c.body_html = ""
            c.moderation_reason = ""
    return comments


def top_level_comments(*, user: Viewer, discussion: Discussion) -> QuerySet[Comment]:
    """Top-level comments of one discussion that the user may find (unordered; the caller
    paginates by ("created_at", "id") and passes the page to ``with_first_replies``). The
    caller must already hold the discussion's owner through an accessor."""
    return _listed_comments(
        Comment.objects.filter(discussion=discussion, parent__isnull=True).select_related("author"),
        user=user,
        community=discussion.owner.community,
    )


# What a thread page reads of a comment: the ``thread_item`` fragment's fields, what listing and
# presenting it reads, its keyset; and of its author the public name and handle. The rest (the
# Markdown source, the author's account) was fetched and built into instances for nothing.
THREAD_PAGE_FIELDS = (
    "id",
    "discussion_id",
    "parent_id",
    "author_id",
    "body_html",
    "is_official",
    "is_helpful",
    "moderation_state",
    "moderation_reason",
    "first_approval_pending",
    "reply_count",
    "created_at",
    "edited_at",
    "author__id",
    "author__display_name",
    "author__handle",
)


def with_first_replies(
    comments: list[Comment],
    *,
    user: Viewer,
    community: Community,
    only: tuple[str, ...] | None = None,
) -> list[Comment]:
    """Set ``shown_replies`` (the first REPLIES_SHOWN replies the user may find, oldest first) on
    each of a page of top-level comments, in one query however many comments there are, and
    present every comment for the viewer (``present_comments``). ``only``: the fields to load
    of each reply (all when None)."""
    parents = {c.pk: c for c in comments}
    for c in comments:
        c.shown_replies = []
    if parents:
        replies = _listed_comments(
            Comment.objects.filter(parent_id__in=list(parents)), user=user, community=community
        ).select_related("author")
        if only is not None:
            replies = replies.only(*only)
        replies = (
            replies.annotate(
                position=Window(
                    RowNumber(), partition_by=[F("parent_id")], order_by=[F("created_at"), F("id")]
                )
            )
            .filter(position__lte=REPLIES_SHOWN)
            .order_by("parent_id", "created_at", "id")
        )
        for reply in replies:
            assert reply.parent_id is not None  # filtered on parent_id__in
            parents[reply.parent_id].shown_replies.append(reply)
    present_comments(comments, user=user, community=community)
    present_comments([r for c in comments for r in c.shown_replies], user=user, community=community)
    return comments


def comment_thread(
    *,
    user: Viewer,
    discussion: Discussion,
    cursor: str | None = None,
    page_size: int = COMMENTS_PAGE,
) -> Thread:
    """A page of top-level comments (oldest first) with their first replies, in two queries
    however long the thread is. More replies come from ``comment_replies``.

    A discussion of up to ``THREAD_IN_MEMORY`` comments (and ``THREAD_BYTES``) is read whole,
    once for every viewer, and remembered while nothing on its owner's page changed
    (``_thread_rows``); each viewer's page is then listed, paginated and presented from those
    rows with the rules of the queries (``comment_is_listed``, ``keyset_paginate``), so it is
    the same page."""
    community = discussion.owner.community
    rows = _thread_rows(discussion)
    if rows is not None:
        return _thread_from_rows(
            rows, user=user, community=community, cursor=cursor, page_size=page_size
        )
    top = top_level_comments(user=user, discussion=discussion).only(*THREAD_PAGE_FIELDS)
    page = keyset_paginate(top, ordering=("created_at", "id"), cursor=cursor, page_size=page_size)
    with_first_replies(page.items, user=user, community=community, only=THREAD_PAGE_FIELDS)
    return Thread(comments=page.items, next_cursor=page.next_cursor)


# Up to this many comments a discussion is read whole and remembered (see comment_thread); a
# longer one is read a page at a time.
THREAD_IN_MEMORY = 500
THREAD_BYTES = 256 * 1024  # nor when its comments' HTML is longer: every page view reads it
_COMMENT_ROW = tuple(
    name for name in THREAD_PAGE_FIELDS if not name.startswith("author__")
)  # the comment's own columns, then its author's two
_AUTHOR_ROW = ("id", "display_name", "handle")
_TOO_LONG = "too-long"


def _owner_scopes(owner: Contribution | Challenge) -> list[str]:
    """What is read once for every viewer of an owner's page (its discussion's rows, a
    contribution's status steps) is remembered under: the scopes that page is cached under
    (``knowledge.scopes``), which every change to the owner, to its comments and steps, and
    to the names of its community's members bumps."""
    if isinstance(owner, Contribution):
        return [generations.community_setup(owner.community_id), generations.contribution(owner.pk)]
    return list(generations.community_wide(owner.community_id))


def _thread_rows(discussion: Discussion) -> list[tuple] | None:
    """Every comment of ``discussion`` (listed or not: each viewer's listing is made from
    these) as plain rows of ``_COMMENT_ROW`` and ``_AUTHOR_ROW``, oldest first; None for a
    discussion of more than ``THREAD_IN_MEMORY`` comments or ``THREAD_BYTES`` of their HTML.
    One query, remembered under ``_owner_scopes``."""

    def build() -> list[tuple] | str:
        found = list(
            Comment.objects.filter(discussion_id=discussion.pk)
            .order_by("created_at", "id")
            .values_list(*_COMMENT_ROW, *(f"author__{name}" for name in _AUTHOR_ROW))[
                : THREAD_IN_MEMORY + 1
            ]
        )
        if len(found) > THREAD_IN_MEMORY or sum(len(row[_C_BODY]) for row in found) > THREAD_BYTES:
            return _TOO_LONG
        return found

    rows = remembered(
        "comment-thread", _owner_scopes(discussion.owner), build, parts=(discussion.pk,)
    )
    return None if rows == _TOO_LONG else rows  # type: ignore[return-value]


_C = {name: i for i, name in enumerate(_COMMENT_ROW)}
_C_ID, _C_PARENT, _C_AUTHOR = _C["id"], _C["parent_id"], _C["author_id"]
_C_STATE, _C_PENDING = _C["moderation_state"], _C["first_approval_pending"]
_C_CREATED, _C_BODY = _C["created_at"], _C["body_html"]
_C_FIELDS = len(_COMMENT_ROW)


def _thread_from_rows(
    rows: list[tuple], *, user: Viewer, community: Community, cursor: str | None, page_size: int
) -> Thread:
    """``comment_thread``'s page for ``user`` from ``_thread_rows``: the comments
    ``_listed_comments`` would find, the page ``keyset_paginate`` would cut, the first
    ``REPLIES_SHOWN`` replies ``with_first_replies`` would attach, presented alike."""
    moderator = moderates(user, community)
    viewer_id = user.pk if user.is_authenticated else None

    def listed(row: tuple) -> bool:
        state = row[_C_STATE]
        return (
            moderator
            or state == VISIBLE
            or (state == ModerationState.HIDDEN and not row[_C_PENDING])
            or (viewer_id is not None and row[_C_AUTHOR] == viewer_id)
        )

    tops = [row for row in rows if row[_C_PARENT] is None and listed(row)]
    page = keyset_paginate_sorted(
        tops,
        ordering=("created_at", "id"),
        key=lambda row: (row[_C_CREATED], row[_C_ID]),
        model=Comment,
        cursor=cursor,
        page_size=page_size,
    )
    comments = [_comment_from_row(row) for row in page.items]
    parents = {c.pk: c for c in comments}
    for c in comments:
        c.shown_replies = []
    for row in rows:  # oldest first, as the replies query orders them
        parent = parents.get(row[_C_PARENT])
        if parent is not None and len(parent.shown_replies) < REPLIES_SHOWN and listed(row):
            parent.shown_replies.append(_comment_from_row(row))
    present_comments(comments, user=user, community=community)
    present_comments([r for c in comments for r in c.shown_replies], user=user, community=community)
    return Thread(comments=comments, next_cursor=page.next_cursor)


_AUTHOR_FIELD = Comment._meta.get_field("author")
_DB = "default"  # where the remembered rows were read (the project has one database)


def _comment_from_row(row: tuple) -> Comment:
    """A comment as ``.only(*THREAD_PAGE_FIELDS)`` with its author loads it."""
    comment = _loaded(Comment, _COMMENT_ROW, row[:_C_FIELDS])
    if row[_C_FIELDS] is not None:
        _AUTHOR_FIELD.set_cached_value(comment, _loaded(User, _AUTHOR_ROW, row[_C_FIELDS:]))
    return comment


_M = TypeVar("_M", bound=Model)


def _loaded(model: type[_M], names: tuple[str, ...], values: tuple) -> _M:
    """``model.from_db(_DB, names, values)``: the instance a query of these columns loads (the
    others deferred), without ``Model.__init__`` walking every field of the model for each of
    the thread's comments and authors; only the init signals, which nothing listens to for
    these models, are not sent (``__init__`` is used whenever one listens)."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(_DB, names, values)
    instance = model.__new__(model)
    instance.__dict__.update(zip(names, values, strict=True))
    state = instance._state = ModelState()
    state.adding = False
    state.db = _DB
    return instance


def comment_replies(*, user: Viewer, parent: Comment) -> QuerySet[Comment]:
    """The replies to ``parent`` (held through ``access_comment``) that the user may find,
    oldest first. Pass each page through ``present_comments``."""
    return _listed_comments(
        Comment.objects.filter(parent=parent).select_related("author").order_by("created_at", "id"),
        user=user,
        community=parent.discussion.owner.community,
    )


def comment_is_listed(comment: Comment, *, user: Viewer, community: Community) -> bool:
    """The rule of ``_listed_comments`` for one comment already in memory (no query)."""
    if moderates(user, community):
        return True
    if user.is_authenticated and comment.author_id == user.pk:
        return True
    return comment.moderation_state == VISIBLE or (
        comment.moderation_state == ModerationState.HIDDEN and not comment.first_approval_pending
    )


@dataclass
class SearchHit:
    contribution: Contribution
    snippet: str  # safe HTML: escaped text with <mark> around matches


def _author_names() -> QuerySet[User]:
    return User.objects.only("id", "display_name")


def search_contributions(
    *, user: Viewer, community: Community, query: str, limit: int = 20
) -> list[SearchHit]:
    """Ranked full-text search over published, visible contributions (hidden and held ones
    are never found, not even by their author).

    PostgreSQL: the stored, GIN-indexed search vector with websearch syntax, ranked by
    ts_rank, snippets from ts_headline. SQLite: a substring match, newest first.
    """
    require_knowledge(user, community)
    query = " ".join((query or "").split())[:200]
    if not query:
        return []
    base = Contribution.objects.filter(community=community, moderation_state=VISIBLE).exclude(
        status=S.DRAFT
    )
    if connection.vendor == "postgresql":
        sq = SearchQuery(query, search_type="websearch", config="english")
        rows: list[Contribution] = list(
            base.filter(search_vector=sq)
            .annotate(rank=SearchRank(F("search_vector"), sq))
            .order_by("-rank", "-id")
            # Authors are fetched for the page of hits only (a join here would run for every
            # match before the LIMIT).
            .prefetch_related(Prefetch("author", queryset=_author_names()))
            .only(
                "id",
                "title",
                "status",
                "kind",
                "support_count",
                "comment_count",
                "submitted_at",
                "community_id",
                "author_id",
            )[:limit]
        )
        if not rows:
            return []
        # Headlines only for the page of hits (ts_headline is costly per row).
        headlines = dict(
            Contribution.objects.filter(pk__in=[r.pk for r in rows])
            .annotate(
                snippet=SearchHeadline(
                    "body",
                    sq,
                    config="english",
                    start_sel="\x02",
                    stop_sel="\x03",
                    max_words=30,
                    min_words=10,
                )
            )
            .values_list("id", "snippet")
        )
        hits = []
        for row in rows:
            raw = escape(headlines.get(row.pk) or "")
            hits.append(SearchHit(row, raw.replace("\x02", "<mark>").replace("\x03", "</mark>")))
        return hits
    rows = list(
        base.filter(Q(title__icontains=query) | Q(body__icontains=query))
        .select_related("author")
        .order_by("-submitted_at", "-id")[:limit]
    )
    hits = []
    lowered = query.lower()
    for row in rows:
        text = row.body
        at = text.lower().find(lowered)
        start = max(at - 60, 0) if at >= 0 else 0
        piece = text[start : start + 200]
        snippet: str = escape(piece)
        if at >= 0:
            snippet = snippet.replace(
                escape(text[at : at + len(query)]),
                f"<mark>{escape(text[at : at + len(query)])}</mark>",
                1,
            )
        hits.append(SearchHit(row, snippet))
    return hits


def triage_board(
    *, user: Viewer, community: Community, challenge: Challenge | None = None, per_column: int = 50
) -> dict[str, list[Contribution]]:
    """Staff-only: published, visible contributions by status, each with its average weighted
    score and number of evaluations, newest first, capped per column."""
    require(user, "knowledge.triage", community)
    # Hidden and held contributions are the moderation queue's business, not the triage's.
    qs = (
        Contribution.objects.filter(community=community, moderation_state=VISIBLE)
        .exclude(status=S.DRAFT)
        .select_related("author", "discussion")
        .defer("body", "body_html", "search_vector", "fields")
        .annotate(
            avg_score=Avg("evaluations__weighted_score"), evaluation_count=Count("evaluations")
        )
    )
    if challenge is not None:
        qs = qs.filter(challenge=challenge)
    board: dict[str, list[Contribution]] = {}
    for status in S.values:
        if status == S.DRAFT:
            continue
        board[status] = list(qs.filter(status=status).order_by("-submitted_at", "-id")[:per_column])
    return board


def scorecards_for(
    *, user: Viewer, community: Community, challenge: Challenge | None = None
) -> QuerySet[Scorecard]:
    require(user, "knowledge.view_scorecards", community)
    qs = Scorecard.objects.filter(community=community)
    if challenge is not None:
        qs = qs.filter(Q(challenge=challenge) | Q(challenge__isnull=True))
    return qs


def evaluations_for(*, user: Viewer, contribution: Contribution) -> QuerySet[Evaluation]:
    """Scores and notes are staff-only."""
    require(user, "knowledge.evaluate", contribution.community)
    return Evaluation.objects.filter(contribution=contribution).select_related(
        "evaluator", "scorecard"
    )


# The feed reads its page as plain rows: exactly the values a card shows, the viewer's own
# support included (one EXISTS per row on the unique (contribution, user) index, instead of a
# query of its own). Building model instances for the 20 rows of a page (and their authors) in
# the ORM cost more than the rest of the page's queries together. Every sort key is among them.
FEED_ROW_FIELDS = (
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


def feed_rows(queryset: QuerySet[Contribution], *, user: Viewer) -> QuerySet:
    """The feed's queryset as dict rows of ``FEED_ROW_FIELDS`` (the page itself reads the
    same rows through ``feed_summary_rows``)."""
    supports: Exists | Value
    if user.is_authenticated:
        supports = Exists(Support.objects.filter(contribution=OuterRef("pk"), user=user))
    else:
        supports = Value(False)
    # The plugin takes an annotation named like a declared non-field attribute for a clash.
    rows = queryset.annotate(viewer_supports=supports)  # type: ignore[no-redef]
    return rows.values(*FEED_ROW_FIELDS)


# --- The community home (``knowledge.home`` contributes these to it) ----------------------------

HOME_LIST_SIZE = 5


def open_challenges(*, user: Viewer, community: Community, limit: int = 3) -> list[Challenge]:
    """Challenges open for contributions, the nearest deadline first (those without one last)."""
    require_knowledge(user, community)
    return list(
        Challenge.objects.filter(community=community, phase=Challenge.Phase.OPEN)
        .only("id", "title", "wanted", "deadline", "contribution_count", "community_id")
        .order_by(F("deadline").asc(nulls_last=True), "-created_at", "-id")[:limit]
    )


def home_ideas(
    *, user: Viewer, community: Community, limit: int = HOME_LIST_SIZE
) -> dict[str, list]:
    """The community's most recent and most supported published ideas (two queries), as rows
    of ``FEED_ROW_FIELDS`` (``viewer_supports`` is not shown there: always false)."""
    feed = (
        contribution_feed(user=user, community=community)
        .annotate(viewer_supports=Value(False))  # type: ignore[no-redef]  # as in feed_rows
        .values(*FEED_ROW_FIELDS)
    )
    return {
        "recent": list(feed.order_by("-submitted_at", "-id")[:limit]),
        "top": list(feed.filter(support_count__gt=0).order_by("-support_count", "-id")[:limit]),
    }


def knowledge_counts(community: Community) -> dict[str, int]:
    """Published ideas and ideas shipped in ``community``: its ``KnowledgeCounts`` row, which
    database triggers keep (one primary-key read, whatever the number of ideas; kept on the
    community object for the rest of the request)."""
    cached = community.__dict__.get("_knowledge_counts")
    if cached is None:
        rows = KnowledgeCounts.objects.filter(pk=community.pk).values_list("ideas", "shipped")
        ideas, shipped = next(iter(rows), (0, 0))
        cached = {"ideas": ideas, "shipped": shipped}
        community.__dict__["_knowledge_counts"] = cached
    return cached


def to_triage_count(*, user: Viewer, community: Community) -> int:
    """Submitted ideas no one has reviewed yet (the triage board's first column)."""
    require(user, "knowledge.triage", community)
    return Contribution.objects.filter(
        community=community, moderation_state=VISIBLE, status=S.SUBMITTED
    ).count()


def _held_comments(*, user: User, community: Community) -> QuerySet[Comment]:
    return Comment.objects.filter(discussion__community=community, author=user).exclude(
        moderation_state=VISIBLE
    )


def has_held_posts(*, user: User, community: Community) -> bool:
    """Whether ``my_moderated`` or ``my_held_comments`` would list anything, in one small query
    on the partial indexes of moderated items (compiled once: every feed and home page of a
    signed-in member asks): most viewers have nothing held, and for them the two lists (the
    comments' with their owners joined) are not built at all."""
    require_knowledge(user, community)
    return bool(_HELD_POSTS.rows(user_id=user.pk, community_id=community.pk))


def _held_posts(user_id: int, community_id: int) -> QuerySet:
    contributions = (
        Contribution.objects.filter(community_id=community_id, author_id=user_id)
        .exclude(status=S.DRAFT)
        .exclude(moderation_state=VISIBLE)
        .order_by()
        .values_list("pk")
    )
    comments = (
        Comment.objects.filter(discussion__community_id=community_id, author_id=user_id)
        .exclude(moderation_state=VISIBLE)
        .order_by()
        .values_list("pk")
    )
    return contributions.union(comments, all=True)[:1]


_HELD_POSTS = Statement(_held_posts)


def my_held_comments(
    *, user: User, community: Community, limit: int = HOME_LIST_SIZE
) -> list[Comment]:
    """The user's own comments others cannot see (waiting for review or hidden), newest first,
    each with its discussion's owner loaded (for the link to it)."""
    require_knowledge(user, community)
    return list(
        _held_comments(user=user, community=community)
        .select_related(*COMMENT_OWNER)
        .order_by("-created_at", "-id")[:limit]
    )
