"""Bookkeeping: the event-bus consumer that turns domain events into points, exactly once.

Registered with the event bus at start-up (``IncentivesConfig.ready``) under the name
``bookkeeping``: its deliveries run as ``bookkeeping.deliver_event`` on the ``bookkeeping``
queue (``CELERY_TASK_ROUTES``), with a worker of its own in docker-compose, so bookings never
wait behind a notification fan-out, and a failure here re-runs only this consumer.

Each cause books under a key derived from what it rewards, not from the delivery
(``contribution:12:accepted``): a redelivered or re-run event, or the same contribution accepted
a second time, books nothing new. The rules applied are the version in force when the event
happened, recorded on the transaction. Nothing is earned for one's own actions (a staff
member's official response to their own idea), a member's daily cap bounds what they earn, and
hiding a contribution by moderation reverses what it earned.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Sum
from django.utils import timezone

from communities.models import Community
from events import registry
from events.models import OutboxEvent
from knowledge.models import Contribution

from .models import EarningRules, Entry, Transaction
from .services.ledger import InsufficientPoints, Issue, issue_many, reverse, wallets_for

logger = logging.getLogger(__name__)

CONSUMER = "bookkeeping"
VIA = "bookkeeping"


@dataclass(frozen=True)
class Earning:
    """What an event earns a member, before the rules say how much."""

    event: OutboxEvent
    user_id: int
    cause: str
    subject: str  # what is rewarded, e.g. "contribution:12": one booking per subject and cause
    memo: str

    @property
    def key(self) -> str:
        return f"{self.subject}:{self.cause}"


def _day_start() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def _earned_today(wallet_ids: list[int]) -> dict[int, int]:
    """Points the bookkeeping credited to each wallet today (what the daily cap counts)."""
    rows = (
        Entry.objects.filter(
            account_id__in=wallet_ids,
            side=Entry.Side.CREDIT,
            transaction__via=VIA,
            transaction__reverses__isnull=True,
            transaction__created_at__gte=_day_start(),
        )
        .values("account_id")
        .annotate(s=Sum("amount"))
    )
    return {row["account_id"]: row["s"] for row in rows}


def _rules_at(versions: list[EarningRules], at: datetime) -> EarningRules | None:
    """The newest of ``versions`` (newest first) published by ``at``."""
    return next((v for v in versions if v.published_at <= at), None)


def book_earnings(earnings: list[Earning]) -> int:
    """Book ``earnings`` (a batch of events' worth), per community, in a few statements: the
    rules in force at each event, the daily cap, nothing twice per key. Returns how many
    bookings were made. Runs inside the delivery transaction."""
    booked = 0
    by_community: dict[int, list[Earning]] = {}
    for earning in earnings:
        if earning.event.community_id is not None:
            by_community.setdefault(earning.event.community_id, []).append(earning)
    for community_id, todo in by_community.items():
        done = set(
            Transaction.objects.filter(key__in=[e.key for e in todo]).values_list("key", flat=True)
        )
        todo = [e for e in todo if e.key not in done]
        versions = list(EarningRules.objects.filter(community_id=community_id).order_by("-version"))
        if not todo or not versions:
            continue
        community = Community.objects.get(pk=community_id)
        wallets = wallets_for(community=community, user_ids={e.user_id for e in todo})
        earned = _earned_today([w.pk for w in wallets.values()])
        issues: list[Issue] = []
        seen: set[str] = set()
        for earning in todo:
            rules = _rules_at(versions, earning.event.created_at)
            points = rules.points_for(earning.cause) if rules is not None else 0
            if rules is None or points <= 0 or earning.key in seen:
                continue
            wallet = wallets[earning.user_id]
            amount = min(points, rules.daily_cap - earned.get(wallet.pk, 0))
            if amount <= 0:
                logger.info("bookkeeping: daily cap reached (%s)", earning.key)
                continue
            seen.add(earning.key)
            earned[wallet.pk] = earned.get(wallet.pk, 0) + amount
            issues.append(
                Issue(
                    key=earning.key,
                    wallet=wallet,
                    amount=amount,
                    memo=earning.memo[:300],
                    cause=(
                        f"event {earning.event.pk} ({earning.event.kind}), rules v{rules.version}"
                    ),
                    rules=rules,
                )
            )
        booked += len(issue_many(community=community, issues=issues, via=VIA))
    return booked


def _submitted(event: OutboxEvent) -> Earning | None:
    contribution_id = event.payload.get("contribution_id")
    if not contribution_id or not event.actor_id:
        return None
    return Earning(
        event,
        event.actor_id,
        "submitted",
        f"contribution:{contribution_id}",
        f"Contribution submitted: {event.payload.get('title', '')}",
    )


def _status_changed(event: OutboxEvent) -> Earning | None:
    to = event.payload.get("to")
    author_id = event.payload.get("author_id")
    contribution_id = event.payload.get("contribution_id")
    if to not in ("accepted", "shipped") or not author_id or not contribution_id:
        return None
    if event.actor_id == author_id:
        return None  # nothing for moving one's own idea
    return Earning(event, author_id, to, f"contribution:{contribution_id}", f"Contribution {to}")


def _official_response(event: OutboxEvent) -> Earning | None:
    contribution_id = event.payload.get("contribution_id")
    if not contribution_id:
        return None  # on a challenge: no one's contribution
    author_id = (
        Contribution.objects.filter(pk=contribution_id).values_list("author_id", flat=True).first()
    )
    if author_id is None or author_id == event.actor_id:
        return None  # nothing for answering one's own idea
    return Earning(
        event,
        author_id,
        "official_response",
        f"contribution:{contribution_id}",
        "Official response to your contribution",
    )


def _moderation(event: OutboxEvent) -> None:
    """Hiding a contribution reverses what it earned (once each; points already spent stay)."""
    contribution_id = event.payload.get("contribution_id")
    if event.payload.get("kind") != "hide" or not contribution_id:
        return
    earned = Transaction.objects.filter(
        key__startswith=f"contribution:{contribution_id}:",
        via=VIA,
        reverses__isnull=True,
        reversed_by__isnull=True,
    )
    for original in earned:
        try:
            reverse(
                original=original,
                key=f"reversal:{original.pk}",
                memo="Points reversed: the contribution was hidden by moderation",
                cause=f"event {event.pk} (moderation.action {event.payload.get('action_id')})",
            )
        except InsufficientPoints:
            logger.warning(
                "bookkeeping: transaction %s not reversed, its points are spent", original.pk
            )


# What each kind earns (an Earning, or None); moderation reverses instead.
_EARNINGS = {
    "contribution.submitted": _submitted,
    "contribution.status_changed": _status_changed,
    "comment.official_response": _official_response,
}
KINDS = (*_EARNINGS, "moderation.action")
BATCH = 100  # deliveries one task takes when the queue has filled up


def handle_batch(events: list[OutboxEvent]) -> None:
    """Book a batch of events: earnings together (``book_earnings``), reversals one by one."""
    earnings = []
    for event in events:
        if event.kind == "moderation.action":
            _moderation(event)
        elif (earning := _EARNINGS[event.kind](event)) is not None:
            earnings.append(earning)
    if earnings:
        book_earnings(earnings)


def handle(event: OutboxEvent) -> None:
    handle_batch([event])


def register() -> None:
    """Register bookkeeping with the event bus (its kinds, its handlers, its batch size)."""
    registry.register(CONSUMER, kinds=KINDS, handle=handle, handle_batch=handle_batch, batch=BATCH)
