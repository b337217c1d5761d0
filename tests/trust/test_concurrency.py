"""A withdrawal and a use of the same consent, in parallel, on real PostgreSQL, many times:
never a use dated after a committed withdrawal (the use either went first or was refused)."""

import threading

import pytest
from django.db import close_old_connections, connection

from communities.models import Community
from trust import services
from trust.models import ConsentEvent, UsageRecord, UsageRefusal

from ..conftest import require_or_skip, uses_postgres
from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution, make_toolkit

ROUNDS = 30


def _race(*targets) -> list:
    results: list = [None] * len(targets)
    barrier = threading.Barrier(len(targets))

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = targets[i]()
        except Exception as exc:  # collected, asserted below
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_a_use_never_leaves_a_use_after_it():
    require_or_skip(uses_postgres(), "needs PostgreSQL row locks")
    community = CommunityFactory(join_policy=Community.JoinPolicy.OPEN)
    manager, member = UserFactory(), UserFactory()
    MembershipFactory(community=community, user=manager, role="manager")
    MembershipFactory(community=community, user=member)
    toolkit = make_toolkit(actor=manager, community=community)
    idea = make_contribution(author=member, community=community, toolkit=toolkit)
    purpose = services.purpose_create(
        actor=manager, community=community, key="p", title="P", summary="p", text="p"
    )
    services.purpose_publish(actor=manager, purpose=purpose)
    purpose.refresh_from_db()
    outcomes = {"used": 0, "refused": 0}
    for round_ in range(ROUNDS):
        services.consent_grant(user=member, purpose=purpose)
        withdrawn, used = _race(
            lambda: services.consent_withdraw(user=member, purpose=purpose),
            lambda r=round_: services.usage_record(
                actor=manager,
                contribution=idea,
                purpose=purpose,
                what=f"round {r}",
                where="roadmap",
            ),
        )
        assert not isinstance(withdrawn, Exception), withdrawn
        withdrawal = ConsentEvent.objects.filter(user=member, action="withdraw").latest("id")
        if isinstance(used, services.UsageRefused):
            assert used.code == "withdrawn"
            outcomes["refused"] += 1
        else:
            assert isinstance(used, UsageRecord), used
            assert used.recorded_at < withdrawal.at
            outcomes["used"] += 1
    # After every committed withdrawal, no use is dated later than it.
    withdrawals = list(ConsentEvent.objects.filter(action="withdraw").order_by("at"))
    grants = list(ConsentEvent.objects.filter(action="grant").order_by("at"))
    for use in UsageRecord.objects.all():
        last_grant = max(g.at for g in grants if g.at < use.recorded_at)
        assert not any(last_grant < w.at < use.recorded_at for w in withdrawals)
    print("withdrawal vs use:", outcomes)  # noqa: T201 — how the races fell, with -s
    assert outcomes["used"] + outcomes["refused"] == ROUNDS
    assert UsageRefusal.objects.count() == outcomes["refused"]
