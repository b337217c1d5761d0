"""Reads for moderation that pages and the API share. They authorize as they fetch: a community
the actor may not see answers 404 (as a missing one); one they see but may not moderate
answers PermissionDenied (403). Every list runs a fixed number of queries per page."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db.models import CharField, Count, Q, QuerySet, Value
from django.db.models.functions import TruncMonth, TruncWeek, TruncYear
from django.http import Http404
from django.utils.dateparse import parse_datetime

from accounts.models import User
from accounts.types import Viewer
from cocreate.pagination import KeysetPage
from cocreate.permissions import allowed, require
from communities.models import Community, Membership
from knowledge.models import COMMENT_OWNER, Comment, Contribution, ModerationState

from .models import Appeal, Flag, FlagReason, ModerationAction

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

K = ModerationAction.Kind
QUEUE_KINDS = ("contribution", "comment")
QUEUE_STATES = ("pending", "flagged", "hidden")
PERIODS = {"week": TruncWeek, "month": TruncMonth, "year": TruncYear}
_QUEUE_SALT = "moderation.queue"


# --- Communities ----------------------------------------------------------------------------------


# --- Content --------------------------------------------------------------------------------------


def contribution_for_moderation(
    *, user: Viewer, community: Community, contribution_id: int
) -> Contribution:
    """A published contribution of ``community`` for its moderators (any moderation state)."""
    require(user, "moderation.moderate", community)
    item = (
        Contribution.objects.select_related("author", "discussion")
        .filter(community=community, pk=contribution_id)
        .exclude(status=Contribution.Status.DRAFT)
        .first()
    )
    if item is None:
        raise Http404
    item.community = community
    return item


def comment_for_moderation(*, user: Viewer, community: Community, comment_id: int) -> Comment:
    """A comment in ``community`` (on a contribution or a challenge) for its moderators."""
    require(user, "moderation.moderate", community)
    item = (
        Comment.objects.select_related("author", *COMMENT_OWNER)
        .filter(_comment_in(community), pk=comment_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


def _comment_in(community: Community) -> Q:
    return Q(discussion__community=community)


def flags_on(
    *, contribution: Contribution | None = None, comment: Comment | None = None
) -> list[Flag]:
    """Open flags on one item, oldest first (reporters are never shown; only reasons and notes)."""
    lookup = {"contribution": contribution} if contribution is not None else {"comment": comment}
    return list(Flag.objects.filter(status=Flag.Status.OPEN, **lookup).order_by("created_at", "id"))


def actions_on(
    *, contribution: Contribution | None = None, comment: Comment | None = None
) -> list[ModerationAction]:
    lookup = {"contribution": contribution} if contribution is not None else {"comment": comment}
    return list(ModerationAction.objects.filter(**lookup).select_related("actor", "appeal"))


def has_flagged(
    *, user: Viewer, contribution: Contribution | None = None, comment: Comment | None = None
) -> bool:
    if not user.is_authenticated:
        return False
    lookup = {"contribution": contribution} if contribution is not None else {"comment": comment}
    return Flag.objects.filter(reporter=user, **lookup).exists()


# --- The queue ------------------------------------------------------------------------------------


@dataclass
class Standing:
    """Where an author stands in the community, for the moderator deciding on their post."""

    membership: Membership | None
    approved_posts: int = 0
    previous_actions: int = 0


@dataclass
class QueueItem:
    kind: str  # "contribution" or "comment"
    item: Contribution | Comment
    flags: list[Flag] = field(default_factory=list)
    standing: Standing | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.item.pk}"

    @property
    def reasons(self) -> list[tuple["StrOrPromise", int]]:
        counts = Counter(f.reason for f in self.flags)
        labels = dict(FlagReason.choices)
        return [(labels.get(r, r), n) for r, n in counts.most_common()]

    @property
    def notes(self) -> list[str]:
        return [f.note for f in self.flags if f.note]

    @property
    def contribution(self) -> Contribution | None:
        """The contribution, or the one the comment is on (None for a challenge's)."""
        owner = self.item if isinstance(self.item, Contribution) else self.item.discussion.owner
        return owner if isinstance(owner, Contribution) else None

    @property
    def excerpt(self) -> str:
        text = self.item.body or ""
        if isinstance(self.item, Contribution):  # kind "contribution"
            text = f"{self.item.title} — {text}" if text else self.item.title
        text = " ".join(text.split())
        return text if len(text) <= 280 else text[:279] + "…"


def _queue_branch(
    model: type[Contribution] | type[Comment],
    community: Community,
    *,
    kind_filter: Q,
    state: str,
    reason: str,
) -> QuerySet[Any]:
    flag_fk = "contribution_id" if model is Contribution else "comment_id"
    open_flags = Flag.objects.filter(community=community, status=Flag.Status.OPEN)
    if reason:
        open_flags = open_flags.filter(reason=reason)
    flagged = Q(pk__in=open_flags.exclude(**{flag_fk: None}).values(flag_fk))
    qs: QuerySet[Any] = model.objects.filter(kind_filter)
    if model is Contribution:
        qs = qs.exclude(status=Contribution.Status.DRAFT)
    if state == "pending":
        qs = qs.filter(moderation_state=ModerationState.PENDING)
    elif state == "hidden":
        qs = qs.filter(moderation_state=ModerationState.HIDDEN)
    elif state == "flagged":
        qs = qs.filter(flagged)
    else:
        qs = qs.filter(Q(moderation_state=ModerationState.PENDING) | flagged)
    if reason and state != "flagged":
        qs = qs.filter(flagged)
    return qs


def _queue_cursor_decode(cursor: str | None) -> tuple[datetime, str, int] | None:
    if not cursor:
        return None
    try:
        when, kind, pk = signing.loads(cursor, salt=_QUEUE_SALT)
        when = parse_datetime(when)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if when is None or kind not in QUEUE_KINDS or not isinstance(pk, int):
        return None
    return when, kind, pk


def _after(kind: str, position: tuple[datetime, str, int] | None) -> Q:
    """Rows after ``position`` in the order (created_at, kind, id), for one branch's kind."""
    if position is None:
        return Q()
    when, at_kind, pk = position
    condition = Q(created_at__gt=when)
    if kind > at_kind:
        condition |= Q(created_at=when)
    elif kind == at_kind:
        condition |= Q(created_at=when, id__gt=pk)
    return condition


def moderation_queue(
    *,
    user: Viewer,
    community: Community,
    kind: str = "",
    reason: str = "",
    state: str = "",
    cursor: str | None = None,
    page_size: int = 20,
) -> KeysetPage:
    """Items waiting for a moderator, oldest first: pre-moderated (pending) posts and posts with
    open flags (``state`` narrows to pending, flagged or hidden; ``kind`` to contributions or
    comments; ``reason`` to posts flagged for it). Each item carries its open flags and its
    author's standing. A fixed number of queries whatever the page size."""
    require(user, "moderation.view_queue", community)
    state = state if state in QUEUE_STATES else ""
    reason = reason if reason in FlagReason.values else ""
    position = _queue_cursor_decode(cursor)
    branches = []
    if kind in ("", "contribution"):
        qs = _queue_branch(
            Contribution, community, kind_filter=Q(community=community), state=state, reason=reason
        )
        branches.append(
            qs.filter(_after("contribution", position))
            .annotate(qkind=Value("contribution", output_field=CharField()))
            .values_list("created_at", "qkind", "id")
            .order_by()  # the union is ordered; SQLite refuses ordered branches
        )
    if kind in ("", "comment"):
        qs = _queue_branch(
            Comment, community, kind_filter=_comment_in(community), state=state, reason=reason
        )
        branches.append(
            qs.filter(_after("comment", position))
            .annotate(qkind=Value("comment", output_field=CharField()))
            .values_list("created_at", "qkind", "id")
            .order_by()  # the union is ordered; SQLite refuses ordered branches
        )
    combined = branches[0] if len(branches) == 1 else branches[0].union(branches[1], all=True)
    keys = list(combined.order_by("created_at", "qkind", "id")[: page_size + 1])
    next_cursor = None
    if len(keys) > page_size:
        keys = keys[:page_size]
        when, last_kind, pk = keys[-1]
        next_cursor = signing.dumps([when.isoformat(), last_kind, pk], salt=_QUEUE_SALT)
    items = _load_queue_items(community, keys)
    return KeysetPage(items=items, next_cursor=next_cursor, is_first=position is None)


def _load_queue_items(community: Community, keys: list[tuple]) -> list[QueueItem]:
    """The queue page's objects, flags and author standings: five queries for any page."""
    contribution_ids = [pk for _w, kind, pk in keys if kind == "contribution"]
    comment_ids = [pk for _w, kind, pk in keys if kind == "comment"]
    contributions = {
        c.pk: c
        for c in Contribution.objects.filter(pk__in=contribution_ids)
        .select_related("author")
        .defer("search_vector", "fields", "body_html")
    }
    comments = {
        c.pk: c
        for c in Comment.objects.filter(pk__in=comment_ids).select_related("author", *COMMENT_OWNER)
    }
    flags = Flag.objects.filter(status=Flag.Status.OPEN).filter(
        Q(contribution_id__in=contribution_ids) | Q(comment_id__in=comment_ids)
    )
    items = []
    for _when, kind, pk in keys:
        obj = contributions.get(pk) if kind == "contribution" else comments.get(pk)
        if obj is not None:
            items.append(QueueItem(kind=kind, item=obj))
    by_key = {item.key: item for item in items}
    for flag in flags.order_by("created_at", "id") if keys else []:
        key = f"contribution:{flag.contribution_id}" if flag.contribution_id else None
        key = key or f"comment:{flag.comment_id}"
        if key in by_key:
            by_key[key].flags.append(flag)
    standings = author_standings(community=community, user_ids={i.item.author_id for i in items})
    for item in items:
        item.standing = standings.get(item.item.author_id)
    return items


def author_standings(*, community: Community, user_ids: set[int]) -> dict[int, Standing]:
    """Membership, approved posts and earlier actions for several authors, in four queries."""
    if not user_ids:
        return {}
    memberships = {
        m.user_id: m for m in Membership.objects.filter(community=community, user_id__in=user_ids)
    }
    posts = Counter(
        dict(
            Contribution.objects.filter(
                community=community,
                author_id__in=user_ids,
                moderation_state=ModerationState.VISIBLE,
            )
            .exclude(status=Contribution.Status.DRAFT)
            .values_list("author_id")
            .annotate(n=Count("id"))
            .values_list("author_id", "n")
        )
    )
    posts.update(
        dict(
            Comment.objects.filter(
                _comment_in(community),
                author_id__in=user_ids,
                moderation_state=ModerationState.VISIBLE,
            )
            .values_list("author_id")
            .annotate(n=Count("id"))
            .values_list("author_id", "n")
        )
    )
    actions = dict(
        ModerationAction.objects.filter(community=community, subject_id__in=user_ids)
        .exclude(kind__in=[K.RESTORE, K.APPROVE, K.UNLOCK, K.UNSUSPEND, K.UNBAN, K.DISMISS_FLAGS])
        .values_list("subject_id")
        .annotate(n=Count("id"))
        .values_list("subject_id", "n")
    )
    return {
        uid: Standing(
            membership=memberships.get(uid),
            approved_posts=posts.get(uid, 0),
            previous_actions=actions.get(uid, 0),
        )
        for uid in user_ids
    }


# --- Members --------------------------------------------------------------------------------------


def member_for_moderation(*, user: Viewer, community: Community, user_id: int) -> Membership:
    """A person's membership in ``community`` (any standing) for its moderators."""
    require(user, "moderation.moderate", community)
    membership = (
        Membership.objects.select_related("user")
        .filter(community=community, user_id=user_id)
        .exclude(status__in=[Membership.Status.PENDING, Membership.Status.DECLINED])
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def member_history(*, community: Community, member: User) -> QuerySet[ModerationAction]:
    """Every action concerning ``member`` in ``community``, newest first."""
    return (
        ModerationAction.objects.filter(community=community, subject=member)
        .select_related("actor", "appeal", "contribution", "comment")
        .order_by("-created_at", "-id")
    )


# --- The author's side ----------------------------------------------------------------------------


def my_actions(*, user: User, community: Community) -> QuerySet[ModerationAction]:
    """Actions concerning the user in ``community``, with their appeal; who acted is not shown
    to the member on the pages, but the reason always is."""
    return (
        ModerationAction.objects.filter(community=community, subject=user)
        .select_related("appeal", "contribution", "comment", "comment__discussion__contribution")
        .order_by("-created_at", "-id")
    )


def my_action_get(*, user: User, community: Community, action_id: int) -> ModerationAction:
    action = my_actions(user=user, community=community).filter(pk=action_id).first()
    if action is None:
        raise Http404
    return action


def my_flags(*, user: User, community: Community | None = None) -> QuerySet[Flag]:
    """The user's own reports and their outcome (never who decided)."""
    qs = Flag.objects.filter(reporter=user).select_related(
        "community", "contribution", "comment", "comment__discussion__contribution"
    )
    if community is not None:
        qs = qs.filter(community=community)
    return qs


# --- Appeals --------------------------------------------------------------------------------------


def appeals(*, user: Viewer, community: Community, status: str = "open") -> QuerySet[Appeal]:
    """Appeals in ``community`` for its moderators (``status`` open, upheld, overturned or all)."""
    require(user, "moderation.view_appeals", community)
    qs = Appeal.objects.filter(action__community=community).select_related(
        "appellant",
        "decided_by",
        "action",
        "action__actor",
        "action__subject",
        "action__contribution",
        "action__comment",
    )
    if status in Appeal.Status.values:
        qs = qs.filter(status=status)
    return qs


def appeal_get(*, user: Viewer, community: Community, appeal_id: int) -> Appeal:
    appeal = appeals(user=user, community=community, status="all").filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404
    return appeal


# --- The log --------------------------------------------------------------------------------------


def moderation_log(
    *,
    user: Viewer,
    community: Community,
    kind: str = "",
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[ModerationAction]:
    """The community's append-only log, for its managers, filtered; unordered (the caller
    pages newest first)."""
    require(user, "moderation.view_log", community)
    qs = ModerationAction.objects.filter(community=community).select_related("actor", "subject")
    if kind in K.values:
        qs = qs.filter(kind=kind)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def log_actors(*, community: Community) -> list[tuple[int, str]]:
    """Everyone who has acted in the community, for the log's filter."""
    users = User.objects.filter(
        pk__in=ModerationAction.objects.filter(community=community).values("actor_id")
    ).order_by("display_name", "id")
    return [(u.pk, u.public_name) for u in users]


# --- Transparency ---------------------------------------------------------------------------------


@dataclass
class Transparency:
    period: str
    kinds: list[tuple[str, "StrOrPromise"]]  # (kind, label) in display order
    totals: dict[str, int]  # kind -> count
    rows: list[tuple[datetime, dict[str, int], int]]  # (period start, kind -> count, total)

    @property
    def total_rows(self) -> list[tuple["StrOrPromise", int]]:
        return [(label, self.totals[kind]) for kind, label in self.kinds]

    @property
    def table(self) -> list[tuple[datetime, list[int], int]]:
        """``rows`` with each period's counts in the order of ``kinds``."""
        return [
            (start, [counts.get(kind, 0) for kind, _label in self.kinds], total)
            for start, counts, total in self.rows
        ]

    appeals: dict[str, int]  # open / upheld / overturned -> count
    flags: int  # reports received


def transparency(
    *, user: Viewer, community: Community, period: str = "month", limit: int = 24
) -> Transparency:
    """Counts only, never names: actions by kind and by period (the latest ``limit`` periods),
    appeals by outcome, reports received. Anyone who can see the community may read it."""
    if not allowed(user, "communities.view_community", community):
        raise Http404
    period = period if period in PERIODS else "month"
    trunc = PERIODS[period]
    counts = (
        ModerationAction.objects.filter(community=community)
        .annotate(period=trunc("created_at"))
        .values_list("period", "kind")
        .annotate(n=Count("id"))
        .order_by("-period", "kind")
    )
    by_period: dict[datetime, dict[str, int]] = {}
    totals: Counter = Counter()
    for start, kind, n in counts:
        totals[kind] += n
        if start not in by_period and len(by_period) >= limit:
            continue
        by_period.setdefault(start, {})[kind] = n
    rows = [(start, kinds, sum(kinds.values())) for start, kinds in by_period.items()]
    appeal_counts = dict(
        Appeal.objects.filter(action__community=community)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return Transparency(
        period=period,
        kinds=[(value, label) for value, label in K.choices],
        totals={kind: totals.get(kind, 0) for kind in K.values},
        rows=rows,
        appeals={status: appeal_counts.get(status, 0) for status in Appeal.Status.values},
        flags=Flag.objects.filter(community=community).count(),
    )


def queue_size(*, user: Viewer, community: Community) -> int:
    """How many items wait in ``community``'s moderation queue (``moderation_queue``'s items,
    unfiltered): two counts, whatever the queue's length."""
    require(user, "moderation.view_queue", community)
    contributions = _queue_branch(
        Contribution, community, kind_filter=Q(community=community), state="", reason=""
    )
    comments = _queue_branch(
        Comment, community, kind_filter=_comment_in(community), state="", reason=""
    )
    return contributions.count() + comments.count()
