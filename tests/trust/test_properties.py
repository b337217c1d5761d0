"""Property test: random sequences of grant, withdraw, restrict, unrestrict, new purpose
version and use, over several members, contributions and purposes.

After every sequence: each use the service accepted was allowed by the model below and each it
refused was not; replaying the stored events in time order, every stored use happened while its
author's consent for that version was active and no restriction applied; and every
``ConsentState`` row equals the replay of its member's events.
"""

from datetime import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trust import services
from trust.models import (
    ConsentEvent,
    ConsentPurpose,
    ConsentState,
    PurposeVersion,
    RestrictionEvent,
    UsageRecord,
)

from ..factories import MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution

pytestmark = pytest.mark.django_db

MEMBERS, PURPOSES = 3, 2

member_i = st.integers(0, MEMBERS - 1)
purpose_i = st.integers(0, PURPOSES - 1)
item_i = st.integers(0, MEMBERS * 2 - 1)  # two contributions per member
op = st.one_of(
    st.tuples(st.just("grant"), member_i, purpose_i),
    st.tuples(st.just("withdraw"), member_i, purpose_i),
    st.tuples(st.just("restrict"), item_i, purpose_i),
    st.tuples(st.just("unrestrict"), item_i, purpose_i),
    st.tuples(st.just("version"), purpose_i, st.just(0)),
    st.tuples(st.just("use"), item_i, purpose_i),
    st.tuples(st.just("use"), item_i, purpose_i),
)


class _Rollback(Exception):
    pass


@pytest.fixture
def cast(community, manager, toolkit):
    members = []
    for i in range(MEMBERS):
        user = UserFactory(display_name=f"Member {i}")
        MembershipFactory(community=community, user=user)
        members.append(user)
    items = [
        make_contribution(author=m, community=community, toolkit=toolkit, title=f"Idea {i}{j}")
        for i, m in enumerate(members)
        for j in range(2)
    ]
    purposes = []
    for i in range(PURPOSES):
        purpose = services.purpose_create(
            actor=manager,
            community=community,
            key=f"purpose-{i}",
            title=f"Purpose {i}",
            summary="In plain words.",
            text=f"Purpose {i}, version 1.",
        )
        services.purpose_publish(actor=manager, purpose=purpose)
        purposes.append(purpose.pk)
    return manager, members, items, purposes


def _replay_check() -> None:
    """Replay what is stored, in time order, and check every use and every state."""
    timeline: list[tuple[datetime, int, str, object]] = []
    timeline += [(e.at, 0, "consent", e) for e in ConsentEvent.objects.all()]
    timeline += [(r.at, 0, "restriction", r) for r in RestrictionEvent.objects.all()]
    timeline += [
        (v.published_at, 0, "version", v)
        for v in PurposeVersion.objects.filter(published_at__isnull=False)
    ]
    timeline += [(u.recorded_at, 1, "use", u) for u in UsageRecord.objects.all()]
    timeline.sort(key=lambda row: (row[0], row[1]))
    consent: dict[tuple[int, int], tuple[bool, int]] = {}
    restricted: set[tuple[int, int]] = set()
    current: dict[int, int] = {}
    for _at, _order, kind, row in timeline:
        if kind == "consent":
            assert isinstance(row, ConsentEvent)
            consent[(row.user_id, row.purpose_id)] = (row.action == "grant", row.version_id)
        elif kind == "restriction":
            assert isinstance(row, RestrictionEvent)
            key = (row.contribution_id, row.purpose_id)
            (restricted.add if row.action == "set" else restricted.discard)(key)
        elif kind == "version":
            assert isinstance(row, PurposeVersion)
            current[row.purpose_id] = row.pk
        else:
            assert isinstance(row, UsageRecord)
            granted, version = consent.get((row.author_id, row.purpose_id), (False, None))
            assert granted, f"use {row.pk} without consent"
            assert version == row.version_id == current[row.purpose_id]
            assert (row.contribution_id, row.purpose_id) not in restricted
    states = {
        (s.user_id, s.purpose_id): (s.granted, s.version_id) for s in ConsentState.objects.all()
    }
    assert states == consent


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(op, min_size=1, max_size=20))
def test_uses_only_with_consent_and_state_is_the_replay(cast, ops):
    manager, members, items, purpose_ids = cast
    try:
        with transaction.atomic():
            _run(manager, members, items, purpose_ids, ops)
            _replay_check()
            raise _Rollback
    except _Rollback:
        pass


def _run(manager, members, items, purpose_ids, ops) -> None:
    purposes = [ConsentPurpose.objects.get(pk=pk) for pk in purpose_ids]
    # The model: what each answer, restriction and version leaves.
    granted: dict[tuple[int, int], int | None] = {}  # (member, purpose) -> version granted
    restricted: set[tuple[int, int]] = set()
    versions = dict.fromkeys(range(PURPOSES), 1)
    for step, (name, a, b) in enumerate(ops):
        if name == "grant":
            services.consent_grant(user=members[a], purpose=purposes[b])
            granted[(a, b)] = versions[b]
        elif name == "withdraw":
            services.consent_withdraw(user=members[a], purpose=purposes[b])
            if (a, b) in granted:
                granted[(a, b)] = None
        elif name in ("restrict", "unrestrict"):
            author = members[a // 2]
            if name == "restrict":
                services.restriction_set(user=author, contribution=items[a], purpose=purposes[b])
                restricted.add((a, b))
            else:
                services.restriction_clear(user=author, contribution=items[a], purpose=purposes[b])
                restricted.discard((a, b))
        elif name == "version":
            versions[a] += 1
            services.purpose_draft_save(
                actor=manager,
                purpose=purposes[a],
                title=f"Purpose {a}",
                summary="In plain words.",
                text=f"Purpose {a}, version {versions[a]} (step {step}).",
            )
            services.purpose_publish(actor=manager, purpose=purposes[a])
            purposes[a].refresh_from_db()
        else:
            allowed = granted.get((a // 2, b)) == versions[b] and (a, b) not in restricted
            try:
                services.usage_record(
                    actor=manager, contribution=items[a], purpose=purposes[b], what="w", where="x"
                )
            except services.UsageRefused:
                assert not allowed, (step, ops)
            else:
                assert allowed, (step, ops)
