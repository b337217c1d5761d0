"""Give the story a past: what a step of the story creates gets the time the story says it
happened, so timelines, feeds and bells read like weeks of a community's life.

The services write every row with "now" and none takes another time (rightly: nothing real
happens in the past), so the demo writes these times directly, with ``update()`` (and
``caching.changed`` for what cached pages show): after a step, the rows it created (found by
primary key above the step's mark) get the step's time. The only other direct writes are
times too: when communities were founded and members joined (``demo.people``), and the past
deadlines of closed challenges (``demo.trail_bike_lab``). The moderation log is append-only (a
trigger refuses updates on PostgreSQL), so moderation actions are never backdated: the
story's moderation happens today.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from cocreate import caching
from communities.models import Community
from events.models import OutboxEvent
from knowledge.models import (
    Challenge,
    Comment,
    Contribution,
    Evaluation,
    Follow,
    Scorecard,
    StatusChange,
    Support,
    Toolkit,
    ToolkitVersion,
)
from moderation.models import Flag
from notifications.models import Announcement

# Models whose rows cached pages show, with the columns that say when a row happened.
SHOWN: tuple[tuple[type[Model], tuple[str, ...]], ...] = (
    (Toolkit, ("created_at",)),
    (ToolkitVersion, ("created_at",)),
    (Challenge, ("created_at",)),
    (Scorecard, ("created_at",)),
    (Contribution, ("created_at",)),
    (StatusChange, ("created_at",)),
    (Comment, ("created_at",)),
    (Support, ("created_at",)),
    (Follow, ("created_at",)),
    (Evaluation, ("created_at", "updated_at")),
    (Flag, ("created_at",)),
)


class Timeline:
    """The story's clock for one community: ``at(days=...)`` around each step, in the story's
    order (a step may not happen before the one before it)."""

    def __init__(self, community: Community) -> None:
        self.community = community
        self.now = timezone.now()
        self._last: datetime | None = None

    def when(self, *, days: float = 0, hours: float = 0) -> datetime:
        """``days`` and ``hours`` before now; a step on an earlier day also happens earlier in
        its day, by up to eight hours (the same for the same day, so steps stay in order), so
        that not everything happened at the time of day the seed ran."""
        earlier = timedelta(minutes=(int(days) * 137) % 480) if days >= 1 else timedelta(0)
        return self.now - timedelta(days=days, hours=hours) - earlier

    @contextmanager
    def at(self, *, days: float = 0, hours: float = 0) -> Iterator[datetime]:
        """Run the step in the block; then give what it created (and the activity it caused on
        the community's contributions) the time ``days`` and ``hours`` ago. Call inside the
        part's transaction."""
        when = self.when(days=days, hours=hours)
        if self._last is not None and when < self._last:
            raise ValueError("The story's steps must follow each other in time.")
        self._last = when
        started = timezone.now()
        before = _marks()
        yield when
        after = _marks()
        for model, columns in SHOWN:
            if after[model] > before[model]:
                _backdate(model, before[model], columns, when)
        self._backdate_contributions(started, when)
        if after[OutboxEvent] > before[OutboxEvent]:
            # cache: no page shows an event; its notifications, made after the part commits,
            # take the event's time, so the bell reads like the story.
            OutboxEvent.objects.filter(
                pk__gt=before[OutboxEvent], community_id=self.community.pk
            ).update(created_at=when)
        if after[Announcement] > before[Announcement]:
            # cache: announcements have no page cache of their own (their notifications do).
            Announcement.objects.filter(
                pk__gt=before[Announcement], community_id=self.community.pk
            ).update(created_at=when)

    def _backdate_contributions(self, started: datetime, when: datetime) -> None:
        """Submission and last activity of the community's contributions that the step
        submitted, moved or commented on."""
        mine = Contribution.objects.filter(community=self.community)
        submitted = list(mine.filter(submitted_at__gte=started).values_list("pk", flat=True))
        active = list(mine.filter(last_activity_at__gte=started).values_list("pk", flat=True))
        if submitted:
            mine.filter(pk__in=submitted).update(submitted_at=when)
        if active:
            mine.filter(pk__in=active).update(last_activity_at=when)
        if submitted or active:
            caching.changed(
                list(mine.filter(pk__in={*submitted, *active})),
                fields=["submitted_at", "last_activity_at"],
            )


TRACKED: tuple[type[Model], ...] = (
    *(model for model, _columns in SHOWN),
    OutboxEvent,
    Announcement,
)


def _marks() -> dict[type[Model], int]:
    """The highest primary key of each tracked table (0 for none), in one query."""
    quote = connection.ops.quote_name
    tops = []
    for model in TRACKED:
        pk, table = model._meta.pk.column, model._meta.db_table
        assert pk is not None  # a concrete model's primary key is a column
        tops.append(f"(SELECT MAX({quote(pk)}) FROM {quote(table)})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(tops)}")  # noqa: S608 - the apps' own table names, quoted
        row = cursor.fetchone()
    return {model: top or 0 for model, top in zip(TRACKED, row, strict=True)}


def _backdate(model: type[Model], mark: int, columns: tuple[str, ...], when: datetime) -> None:
    rows = list(model._default_manager.filter(pk__gt=mark))
    model._default_manager.filter(pk__in=[row.pk for row in rows]).update(
        **dict.fromkeys(columns, when)
    )
    caching.changed(rows, fields=columns)
