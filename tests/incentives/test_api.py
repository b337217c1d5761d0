"""The points API per role: wallet, history, rules."""

import itertools

import pytest

from incentives.models import EarningRules
from incentives.services.ledger import system_account, transfer, wallet_for
from incentives.services.rules import rules_publish

from ..clients import token_client
from ..querycount import get_queries, same_at_5_and_50

pytestmark = pytest.mark.django_db
_keys = itertools.count()


def _earn(community, user, amount, key=None):
    transfer(
        key=key or f"api-test:{next(_keys)}",
        debit=system_account(community=community, kind="issuance"),
        credit=wallet_for(community=community, user=user),
        amount=amount,
        memo="Contribution accepted",
        via="bookkeeping",
    )


def _url(community, rest):
    return f"/api/v1/communities/{community.slug}/points/{rest}"


def test_a_member_reads_their_balance_and_history(community, member, idea):
    _earn(community, member, 20, key=f"contribution:{idea.pk}:accepted")
    _earn(community, member, 4)
    api = token_client(member)
    assert api.get(_url(community, "wallet/")).json() == {"posted": 24, "held": 0, "available": 24}
    history = api.get(_url(community, "history/")).json()["results"]
    assert [(e["points"], e["contribution_id"]) for e in history] == [(4, None), (20, idea.pk)]
    assert all(e["memo"] == "Contribution accepted" and not e["reversal"] for e in history)


def test_one_member_never_reads_anothers_wallet(community, member, other_member):
    _earn(community, other_member, 50)
    api = token_client(member)
    assert api.get(_url(community, "wallet/")).json()["posted"] == 0
    assert api.get(_url(community, "history/")).json()["results"] == []


def test_history_costs_the_same_queries_at_5_and_50_entries(community, member):
    api = token_client(member)
    same_at_5_and_50(
        lambda n: [_earn(community, member, 1) for _ in range(n)],
        lambda: get_queries(api, _url(community, "history/?page_size=100"), non_empty="results"),
        "points history API",
    )


def test_rules_read_by_members_published_by_managers(community, member, manager):
    member_api, manager_api = token_client(member), token_client(manager)
    assert member_api.get(_url(community, "rules/")).status_code == 204
    created = manager_api.post(_url(community, "rules/"), {"accepted": 20}, format="json")
    assert created.status_code == 201
    assert (created.json()["version"], created.json()["accepted"]) == (1, 20)
    assert member_api.get(_url(community, "rules/")).json()["accepted"] == 20
    refused = member_api.post(_url(community, "rules/"), {"accepted": 99}, format="json")
    assert refused.status_code == 403
    assert "managers" in refused.json()["detail"]


def test_bad_rules_are_400_with_field_errors_and_publish_nothing(community, manager):
    rules_publish(actor=manager, community=community, accepted=20)
    answer = token_client(manager).post(
        _url(community, "rules/"),
        {"accepted": -1, "daily_cap": 10**12, "submitted": "many"},
        format="json",
    )
    assert answer.status_code == 400
    assert {"accepted", "daily_cap", "submitted"} <= set(answer.json()["errors"])
    assert EarningRules.objects.filter(community=community).count() == 1
