"""Bookkeeping: domain events become points, once, by the rules in force, within the caps."""

import pytest
from django.core.management import call_command

from cocreate.errors import PermissionDenied, ValidationError
from events.models import OutboxEvent
from events.services import delivery_process
from incentives.bookkeeping import CONSUMER
from incentives.models import Account, Transaction
from incentives.services.rules import current_rules, rules_publish
from knowledge import services as knowledge
from moderation.services import moderation_act

from ..knowledge.factories import make_contribution
from ..moderation.helpers import established
from ..notifications.support import delivered

pytestmark = pytest.mark.django_db


def _points(community, user) -> int:
    wallet = Account.objects.filter(community=community, owner=user).first()
    return wallet.posted if wallet else 0


@pytest.fixture
def author(community):
    return established(community, "Alex Author")


@pytest.fixture
def rules(community, manager):
    return rules_publish(
        actor=manager,
        community=community,
        submitted=5,
        accepted=20,
        shipped=50,
        official_response=3,
        daily_cap=200,
    )


def _idea(author, community, toolkit, capture, title="Quieter chains"):
    with delivered(capture):
        return make_contribution(author=author, community=community, toolkit=toolkit, title=title)


def _move(manager, idea, status, capture):
    with delivered(capture):
        knowledge.contribution_set_status(
            actor=manager, contribution=idea, status=status, reason="Because"
        )


def test_without_rules_nothing_is_booked(
    community, author, toolkit, django_capture_on_commit_callbacks
):
    _idea(author, community, toolkit, django_capture_on_commit_callbacks)
    assert not Transaction.objects.exists()


def test_points_for_submitted_accepted_and_shipped_each_once(
    community, author, manager, toolkit, rules, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    idea = _idea(author, community, toolkit, capture)
    assert _points(community, author) == 5
    _move(manager, idea, "accepted", capture)
    assert _points(community, author) == 25
    # Redelivered, or accepted a second time: nothing new.
    event = OutboxEvent.objects.filter(kind="contribution.status_changed").latest("pk")
    delivery_process(consumer=CONSUMER, event_id=event.pk)
    _move(manager, idea, "under_review", capture)
    _move(manager, idea, "accepted", capture)
    assert _points(community, author) == 25
    _move(manager, idea, "in_development", capture)
    _move(manager, idea, "shipped", capture)
    assert _points(community, author) == 75
    booked = Transaction.objects.order_by("pk")
    assert [t.key.split(":")[-1] for t in booked] == ["submitted", "accepted", "shipped"]
    assert {t.rules_id for t in booked} == {rules.pk}
    assert all(t.via == "bookkeeping" and f"rules v{rules.version}" in t.cause for t in booked)
    call_command("ledger_check")


def test_a_new_rules_version_applies_from_now_on_and_history_keeps_its_version(
    community, author, manager, toolkit, rules, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    first = _idea(author, community, toolkit, capture, "First")
    v2 = rules_publish(actor=manager, community=community, submitted=8)
    assert (v2.version, v2.accepted, v2.submitted) == (2, 20, 8)  # unchanged values carry over
    _idea(author, community, toolkit, capture, "Second")
    amounts = [
        (t.rules.version, t.entries.get(side="C").amount)
        for t in Transaction.objects.order_by("pk")
    ]
    assert amounts == [(1, 5), (2, 8)]
    assert current_rules(community.pk).pk == v2.pk
    assert Transaction.objects.get(key=f"contribution:{first.pk}:submitted").rules_id == rules.pk


def test_the_daily_cap_bounds_what_a_member_earns(
    community, author, manager, toolkit, django_capture_on_commit_callbacks
):
    rules_publish(actor=manager, community=community, submitted=20, daily_cap=30)
    for title in ("One", "Two", "Three"):
        _idea(author, community, toolkit, django_capture_on_commit_callbacks, title)
    assert _points(community, author) == 30
    assert Transaction.objects.count() == 2  # 20, then the 10 left; the third earns nothing


def test_an_official_response_earns_the_author_points_but_not_for_ones_own_idea(
    community, author, manager, toolkit, rules, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    idea = _idea(author, community, toolkit, capture)
    with delivered(capture):
        knowledge.comment_create(
            author=manager, discussion=idea.discussion, body="We love it", official=True
        )
    assert _points(community, author) == 5 + 3
    own = _idea(manager, community, toolkit, capture, "Staff idea")
    with delivered(capture):
        knowledge.comment_create(
            author=manager, discussion=own.discussion, body="Official", official=True
        )
    assert not Transaction.objects.filter(key=f"contribution:{own.pk}:official_response").exists()


def test_hiding_a_contribution_reverses_what_it_earned(
    community, author, manager, toolkit, rules, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    idea = _idea(author, community, toolkit, capture)
    _move(manager, idea, "accepted", capture)
    assert _points(community, author) == 25
    with delivered(capture):
        moderation_act(actor=manager, kind="hide", reason="Spam", contribution=idea)
    assert _points(community, author) == 0
    reversals = Transaction.objects.filter(reverses__isnull=False)
    assert reversals.count() == 2
    # Redelivered: nothing reversed twice.
    event = OutboxEvent.objects.filter(kind="moderation.action").latest("pk")
    delivery_process(consumer=CONSUMER, event_id=event.pk)
    assert Transaction.objects.filter(reverses__isnull=False).count() == 2
    call_command("ledger_check")


def test_only_managers_publish_rules_and_bad_values_are_refused(community, member, manager):
    with pytest.raises(PermissionDenied):
        rules_publish(actor=member, community=community, submitted=5)
    with pytest.raises(ValidationError) as refused:
        rules_publish(actor=manager, community=community, submitted=-1, bogus=3)
    assert set(refused.value.message_dict) == {"bogus"}
    with pytest.raises(ValidationError) as refused:
        rules_publish(actor=manager, community=community, submitted=-1, accepted=10**9)
    assert set(refused.value.message_dict) == {"submitted", "accepted"}
    assert current_rules(community.pk) is None
