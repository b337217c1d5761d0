"""Invariants of memberships under any sequence of operations and under concurrency."""

import threading

import pytest
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocreate.errors import Conflict, PermissionDenied, ValidationError
from communities import services
from communities.models import Community, Membership, MembershipChange

from ..conftest import require_or_skip, uses_postgres
from ..factories import CommunityFactory, MembershipFactory, UserFactory

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["join", "leave", "approve", "decline", "promote", "demote"]),
        st.integers(min_value=0, max_value=4),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPERATIONS, policy=st.sampled_from(["open", "request"]))
def test_member_count_and_history_stay_exact(ops, policy):
    """Whatever members do, the counter equals the active rows and history explains each row."""
    community = CommunityFactory(join_policy=policy, application_question="")
    manager = UserFactory()
    MembershipFactory(community=community, user=manager, role="manager")
    people = [UserFactory() for _ in range(5)]
    for op, index in ops:
        person = people[index]
        membership = Membership.objects.filter(community=community, user=person).first()
        try:
            if op == "join":
                services.membership_join(user=person, community=community, answer="hi")
            elif op == "leave":
                services.membership_leave(user=person, community=community)
            elif op in ("approve", "decline") and membership is not None:
                services.join_request_decide(
                    actor=manager, membership=membership, approve=op == "approve"
                )
            elif op in ("promote", "demote") and membership is not None:
                services.membership_change_role(
                    actor=manager,
                    membership=membership,
                    role="moderator" if op == "promote" else "member",
                )
        except (Conflict, PermissionDenied, ValidationError):
            pass
    community.refresh_from_db()
    active = Membership.objects.filter(community=community, status="active").count()
    assert community.member_count == active
    for membership in Membership.objects.filter(community=community).exclude(user=manager):
        last = MembershipChange.objects.filter(membership=membership).order_by("-id").first()
        assert last is not None
        assert (last.to_status, last.to_role) == (membership.status, membership.role)


def _run_concurrently(count: int, target) -> list:
    results: list = []
    barrier = threading.Barrier(count)

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(target(i))
        except Exception as exc:  # collected, asserted by the caller
            results.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_keep_the_counter_exact():
    require_or_skip(uses_postgres(), "needs PostgreSQL row locks")
    community = CommunityFactory(join_policy=Community.JoinPolicy.OPEN)
    people = [UserFactory() for _ in range(12)]
    results = _run_concurrently(
        12, lambda i: services.membership_join(user=people[i], community=community)
    )
    assert all(isinstance(r, Membership) for r in results), results
    community.refresh_from_db()
    assert community.member_count == 12 == Membership.objects.filter(community=community).count()


@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_accepted_once_under_concurrency():
    require_or_skip(uses_postgres(), "needs PostgreSQL row locks")
    community = CommunityFactory(visibility="private", join_policy="invitation")
    manager = UserFactory()
    MembershipFactory(community=community, user=manager, role="manager")
    invitee = UserFactory(email="once@example.test")
    _, token = services.invitation_create(actor=manager, community=community, email=invitee.email)
    results = _run_concurrently(6, lambda i: services.invitation_accept(user=invitee, token=token))
    successes = [r for r in results if isinstance(r, Membership)]
    assert len(successes) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in successes), results
    community.refresh_from_db()
    assert community.member_count == 2
