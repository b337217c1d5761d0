"""The points pages as people use them: a member's wallet, the managers' rules."""

import itertools

import pytest

from incentives.models import EarningRules, Transaction
from incentives.services.ledger import system_account, transfer, wallet_for

from ..querycount import get_queries, same_at_5_and_50

pytestmark = pytest.mark.django_db

_keys = itertools.count()


def _earn(community, user, amount, memo="Contribution accepted", key=None):
    return transfer(
        key=key or f"test:{next(_keys)}",
        debit=system_account(community=community, kind="issuance"),
        credit=wallet_for(community=community, user=user),
        amount=amount,
        memo=memo,
        via="bookkeeping",
    )


def test_a_member_sees_balance_history_and_a_link_to_the_idea(client, community, member, idea):
    _earn(community, member, 20, key=f"contribution:{idea.pk}:accepted")
    _earn(community, member, 5, memo="Welcome bonus")
    client.force_login(member)
    page = client.get(f"/c/{community.slug}/points/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<dd class="points-available">25</dd>' in html
    assert f'href="/c/{community.slug}/ideas/{idea.pk}/"' in html
    assert "+20" in html and "Welcome bonus" in html


def test_an_empty_wallet_says_what_to_do(client, community, member):
    client.force_login(member)
    html = client.get(f"/c/{community.slug}/points/").content.decode()
    assert "No points yet" in html
    assert "This community gives no points yet." in html


def test_the_wallet_is_in_the_community_navigation_for_members(client, community, member):
    client.force_login(member)
    html = client.get(f"/c/{community.slug}/").content.decode()
    assert f'href="/c/{community.slug}/points/"' in html


def test_the_wallet_costs_the_same_queries_at_5_and_50_entries(client, community, member):
    client.force_login(member)
    same_at_5_and_50(
        lambda n: [_earn(community, member, 1) for _ in range(n)],
        lambda: get_queries(client, f"/c/{community.slug}/points/", contains="+1"),
        "wallet",
    )


def test_a_manager_publishes_a_version_and_sees_it(client, community, manager):
    client.force_login(manager)
    data = {
        "submitted": 5,
        "accepted": 20,
        "shipped": 50,
        "official_response": 3,
        "helpful": 0,
        "support": 0,
        "supports_per_day": 10,
        "daily_cap": 100,
    }
    answer = client.post(f"/c/{community.slug}/manage/points/", data, follow=True)
    html = answer.content.decode()
    assert "Version 1 of the rules applies from now on." in html
    assert EarningRules.objects.get(community=community).accepted == 20
    assert f'href="/c/{community.slug}/manage/points/"' in html  # in the manage navigation


def test_bad_rules_keep_the_form_with_field_errors_and_write_nothing(client, community, manager):
    client.force_login(manager)
    answer = client.post(
        f"/c/{community.slug}/manage/points/",
        {"submitted": -1, "accepted": "lots", "daily_cap": 10**9},
    )
    assert answer.status_code == 400
    form = answer.context["form"]
    assert {"submitted", "accepted", "daily_cap", "shipped"} <= set(form.errors)
    assert not EarningRules.objects.exists()
    assert not Transaction.objects.exists()
