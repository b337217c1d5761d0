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
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from communities.models import Community
from events import registry
from events.models import OutboxEvent
from knowledge.models import Contribution

from .models import Account, Entry, Transaction
from .services.ledger import InsufficientPoints, reverse, system_account, transfer, wallet_for
from .services.rules import current_rules

logger = logging.getLogger(__name__)

CONSUMER = "bookkeeping"
VIA = "bookkeeping"


def _earned_on(wallet: Account, day_start: datetime) -> int:
    """Points the bookkeeping credited to ``wallet`` since ``day_start`` (its day's total)."""
    return (
        Entry.objects.filter(
            account=wallet,
            side=Entry.Side.CREDIT,
            transaction__via=VIA,
            transaction__reverses__isnull=True,
            transaction__created_at__gte=day_start,
        ).aggregate(s=Sum("amount"))["s"]
        or 0
    )


def earn(*, event: OutboxEvent, user_id: int, cause: str, subject: str, memo: str) -> None:
    """Book ``cause``'s points (by the rules in force at the event) to the member, once per
    ``subject`` and cause, within the daily cap; nothing if the rules give none."""
    if event.community_id is None:
        return
    key = f"{subject}:{cause}"
    if Transaction.objects.filter(key=key).exists():
        return  # booked before: a redelivery, or the same cause a second time
    rules = current_rules(event.community_id, at=event.created_at)
    points = rules.points_for(cause) if rules is not None else 0
    if rules is None or points <= 0:
        return
    community = Community.objects.get(pk=event.community_id)
    wallet = wallet_for(community=community, user=get_user_model().objects.get(pk=user_id))
    day_start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    room = rules.daily_cap - _earned_on(wallet, day_start)
    amount = min(points, room)
    if amount <= 0:
        logger.info("bookkeeping: daily cap reached for user %s (%s)", user_id, key)
        return
    transfer(
        key=key,
        debit=system_account(community=community, kind=Account.Kind.ISSUANCE),
        credit=wallet,
        amount=amount,
        memo=memo,
        via=VIA,
        cause=f"event {event.pk} ({event.kind}), rules v{rules.version}",
        rules=rules,
    )


def _submitted(event: OutboxEvent) -> None:
    contribution_id = event.payload.get("contribution_id")
    if contribution_id and event.actor_id:
        earn(
            event=event,
            user_id=event.actor_id,
            cause="submitted",
            subject=f"contribution:{contribution_id}",
            memo=f"Contribution submitted: {event.payload.get('title', '')}"[:300],
        )


def _status_changed(event: OutboxEvent) -> None:
    to = event.payload.get("to")
    author_id = event.payload.get("author_id")
    contribution_id = event.payload.get("contribution_id")
    if to in ("accepted", "shipped") and author_id and contribution_id:
        if event.actor_id == author_id:
            return  # nothing for moving one's own idea
        earn(
            event=event,
            user_id=author_id,
            cause=to,
            subject=f"contribution:{contribution_id}",
            memo=f"Contribution {to}",
        )


def _official_response(event: OutboxEvent) -> None:
    contribution_id = event.payload.get("contribution_id")
    if not contribution_id:
        return  # on a challenge: no one's contribution
    author_id = (
        Contribution.objects.filter(pk=contribution_id).values_list("author_id", flat=True).first()
    )
    if author_id is None or author_id == event.actor_id:
        return  # nothing for answering one's own idea
    earn(
        event=event,
        user_id=author_id,
        cause="official_response",
        subject=f"contribution:{contribution_id}",
        memo="Official response to your contribution",
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


_HANDLERS = {
    "contribution.submitted": _submitted,
    "contribution.status_changed": _status_changed,
    "comment.official_response": _official_response,
    "moderation.action": _moderation,
}


def handle(event: OutboxEvent) -> None:
    _HANDLERS[event.kind](event)


def register() -> None:
    """Register bookkeeping with the event bus (its kinds, its handler)."""
    registry.register(CONSUMER, kinds=_HANDLERS, handle=handle)
