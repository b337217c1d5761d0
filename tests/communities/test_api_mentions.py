"""GET /api/v1/communities/{slug}/mentions/?q=: whom the comment box suggests after "@"."""

import re

import pytest
from django.db import connection, transaction

from accounts.models import User
from cocreate.api.throttling import AnonRateThrottle, UserRateThrottle
from communities import selectors
from communities.api import MentionSuggestionsView
from communities.models import Membership

from ..clients import session_client, token_client
from ..conftest import uses_postgres
from ..factories import MembershipFactory, UserFactory
from ..querycount import same_api_list_at_5_and_50

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _url(community, q: str | None = "ma") -> str:
    base = f"{API}/communities/{community.slug}/mentions/"
    return base if q is None else f"{base}?q={q}"


def _person(community, name: str, handle: str, **membership):
    user = UserFactory(display_name=name, handle=handle)
    MembershipFactory(community=community, user=user, **membership)
    return user


def _handles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["handle"] for row in response.json()["results"]]


# --- Who may ask -------------------------------------------------------------------------------


def test_anonymous_gets_401(community):
    assert session_client().get(_url(community)).status_code == 401


def test_outsider_gets_403_in_a_public_community(community, outsider):
    response = session_client(outsider).get(_url(community))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_outsider_gets_404_in_a_private_community(private_community, outsider):
    missing = session_client(outsider).get(f"{API}/communities/no-such-thing/mentions/?q=ma")
    response = session_client(outsider).get(_url(private_community))
    assert response.status_code == 404
    assert response.json() == missing.json()  # the same answer as for a missing community


def test_pending_applicant_gets_403(community, pending_applicant):
    assert session_client(pending_applicant).get(_url(community)).status_code == 403


@pytest.mark.parametrize("role", ["member", "moderator", "manager", "org_staff", "platform_admin"])
def test_members_staff_and_admins_get_suggestions(request, community, private_community, role):
    viewer = request.getfixturevalue(role)
    _person(community, "Marta Mechanic", "marta")
    _person(private_community, "Marco Polo", "marco")
    assert _handles(session_client(viewer).get(_url(community))) == ["marta"]
    assert _handles(session_client(viewer).get(_url(private_community))) == ["marco"]


def test_the_session_works_and_so_does_a_token(community, member):
    _person(community, "Marta Mechanic", "marta")
    assert _handles(session_client(member, enforce_csrf=True).get(_url(community))) == ["marta"]
    assert _handles(token_client(member).get(_url(community))) == ["marta"]


# --- What it answers ---------------------------------------------------------------------------


def test_handle_or_name_starts_with_q_whatever_the_case(community, member):
    _person(community, "Otto Other", "martin_o")  # by handle
    _person(community, "Marta Mechanic", "mechanic")  # by name
    _person(community, "Anna Maria", "anna")  # "ma" inside the name only: no
    _person(community, "Tom", "tomma")  # "ma" inside the handle only: no
    response = session_client(member).get(_url(community, "MA"))
    assert response.json()["results"] == [
        {"handle": "mechanic", "display_name": "Marta Mechanic"},
        {"handle": "martin_o", "display_name": "Otto Other"},
    ]  # by name


def test_only_active_members_with_a_handle_and_never_the_caller(community, member, outsider):
    _person(community, "Mara Active", "mara")
    _person(community, "Mali Pending", "mali", status=Membership.Status.PENDING)
    _person(community, "Mac Suspended", "mac", status=Membership.Status.SUSPENDED)
    _person(community, "Max Banned", "max", status=Membership.Status.BANNED)
    _person(community, "Mae Left", "mae", status=Membership.Status.LEFT)
    gone = _person(community, "Mat Deactivated", "mat")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    nameless = _person(community, "Mo Nohandle", "mo")
    nameless.handle = None
    nameless.save(update_fields=["handle"])
    UserFactory(display_name="Maude Outside", handle="maude")  # no membership here
    # The caller ("Maya Member") matches "ma" too, but is not suggested to herself.
    assert _handles(session_client(member).get(_url(community))) == ["mara"]


def test_at_most_eight(community, member):
    for n in range(12):
        _person(community, f"Mark {n:02}", f"mark{n:02}")
    handles = _handles(session_client(member).get(_url(community, "mark")))
    assert handles == [f"mark{n:02}" for n in range(8)]


def test_like_wildcards_are_plain_characters(community, member):
    _person(community, "Underscore", "ma_x")
    _person(community, "No underscore", "maxx")
    assert _handles(session_client(member).get(_url(community, "ma_"))) == ["ma_x"]
    assert _handles(session_client(member).get(_url(community, "%25"))) == []  # "%"


@pytest.mark.parametrize("q", [None, "", "x" * 31])
def test_q_is_required_and_short(community, member, q):
    response = session_client(member).get(_url(community, q))
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


def test_is_rate_limited_like_every_api_view():
    throttles = {type(t) for t in MentionSuggestionsView().get_throttles()}
    assert throttles == {AnonRateThrottle, UserRateThrottle}


def test_in_the_openapi_schema(member):
    schema = session_client(member).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/communities/{slug}/mentions/"]["get"]
    assert operation["operationId"] == "communities_mentions_list"
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["q"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(operation["responses"])


# --- Cost --------------------------------------------------------------------------------------


def test_same_queries_at_5_and_50_matching_members(community, member):
    made = []

    def add(n: int) -> None:
        for _ in range(n):
            made.append(_person(community, f"Mat {len(made)}", f"mat{len(made)}"))

    assert same_api_list_at_5_and_50(add, session_client(member), _url(community, "mat")) <= 4


@pytest.mark.skipif(not uses_postgres(), reason="PostgreSQL plans")
def test_both_prefix_tests_can_use_an_index(community):
    """Whether the planner starts from the community's memberships or from the people depends
    on the statistics; starting from the people, each half of the match has an index."""
    for n in range(30):
        _person(community, f"Person {n}", f"p{n}")
    people = User.objects.filter(selectors.mention_prefix_q("Ma")).only("id")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = people.explain()
    assert "accounts_user_name_upper_prefix" in plan, plan
    assert re.search(r"Index Scan on accounts_user_handle_\w+_like", plan), plan
