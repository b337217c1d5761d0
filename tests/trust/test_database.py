"""The invariants PostgreSQL holds by itself, tried with raw SQL (no service in the way)."""

import pytest
from django.db import DatabaseError, connection, transaction

from trust import services
from trust.models import ConsentEvent, UsageRecord

from ..conftest import require_or_skip, uses_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres():
    require_or_skip(uses_postgres(), "the trust triggers are PostgreSQL's")


def _sql(statement: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_consent_events_refuse_update_and_delete(member, product):
    services.consent_grant(user=member, purpose=product)
    event = ConsentEvent.objects.get()
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("UPDATE trust_consentevent SET action = 'withdraw' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM trust_consentevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == "grant"


def test_restriction_events_refuse_update_and_delete(member, idea, product):
    services.restriction_set(user=member, contribution=idea, purpose=product)
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("UPDATE trust_restrictionevent SET action = 'clear'", [])
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM trust_restrictionevent", [])


def test_a_published_version_is_immutable(product):
    version_id = product.current_version_id
    for statement in (
        "UPDATE trust_purposeversion SET text = 'rewritten' WHERE id = %s",
        "UPDATE trust_purposeversion SET number = 7 WHERE id = %s",
        "UPDATE trust_purposeversion SET text_sha256 = repeat('0', 64) WHERE id = %s",
        "DELETE FROM trust_purposeversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError):
            _sql(statement, [version_id])
    product.current_version.refresh_from_db()
    assert product.current_version.number == 1


def test_a_draft_with_a_wrong_hash_is_refused(manager, product):
    draft = services.purpose_draft_save(
        actor=manager, purpose=product, title="T", summary="s", text="v2"
    )
    with pytest.raises(DatabaseError, match="SHA-256"):
        _sql("UPDATE trust_purposeversion SET text = 'other' WHERE id = %s", [draft.pk])
    _sql("DELETE FROM trust_purposeversion WHERE id = %s", [draft.pk])  # drafts may go


def _insert_use(idea, purpose, actor) -> None:
    _sql(
        "INSERT INTO trust_usagerecord (contribution_id, author_id, purpose_id, version_id,"
        ' what, "where", recorded_by_id, recorded_at)'
        " VALUES (%s, %s, %s, %s, 'sneaky', 'nowhere', %s, now())",
        [idea.pk, idea.author_id, purpose.pk, purpose.current_version_id, actor.pk],
    )


def test_an_unconsented_use_is_refused_by_the_trigger(manager, member, idea, product):
    with pytest.raises(DatabaseError, match="no active consent"):
        _insert_use(idea, product, manager)
    services.consent_grant(user=member, purpose=product)
    services.consent_withdraw(user=member, purpose=product)
    with pytest.raises(DatabaseError, match="no active consent"):
        _insert_use(idea, product, manager)
    assert not UsageRecord.objects.exists()


def test_a_restricted_use_is_refused_by_the_trigger(manager, member, idea, product):
    services.consent_grant(user=member, purpose=product)
    services.restriction_set(user=member, contribution=idea, purpose=product)
    with pytest.raises(DatabaseError, match="restricted"):
        _insert_use(idea, product, manager)
    services.restriction_clear(user=member, contribution=idea, purpose=product)
    _insert_use(idea, product, manager)  # consented and unrestricted: accepted
    assert UsageRecord.objects.count() == 1


def test_a_use_with_the_wrong_author_or_an_old_version_is_refused(
    manager, member, other_member, idea, product
):
    services.consent_grant(user=member, purpose=product)
    services.consent_grant(user=other_member, purpose=product)
    with pytest.raises(DatabaseError, match="author"):
        _sql(
            "INSERT INTO trust_usagerecord (contribution_id, author_id, purpose_id, version_id,"
            ' what, "where", recorded_by_id, recorded_at)'
            " VALUES (%s, %s, %s, %s, 'x', 'y', %s, now())",
            [idea.pk, other_member.pk, product.pk, product.current_version_id, manager.pk],
        )


def test_uses_are_append_only(manager, member, idea, product):
    services.consent_grant(user=member, purpose=product)
    use = services.usage_record(
        actor=manager, contribution=idea, purpose=product, what="Quote", where="Newsletter"
    )
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("UPDATE trust_usagerecord SET what = 'else' WHERE id = %s", [use.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM trust_usagerecord WHERE id = %s", [use.pk])
