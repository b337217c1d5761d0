"""The knowledge API per role: toolkits, challenges, contributions and their lifecycle,
dialogue, supports, evaluations, search and triage. Happy paths, refusals, and that a refused
or invalid request writes nothing."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from knowledge import services
from knowledge.api.contributions import ContributionSummarySerializer
from knowledge.models import (
    Challenge,
    Comment,
    Contribution,
    Discussion,
    Evaluation,
    Scorecard,
    StatusChange,
    Support,
    Toolkit,
)

from ..clients import session_client, token_client
from ..factories import CommunityFactory, MembershipFactory, UserFactory
from .factories import make_contribution, make_toolkit

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def contribution(community, member, toolkit):
    return make_contribution(
        author=member, community=community, toolkit=toolkit, title="Wax the chain", tags="chains"
    )


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def errors(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return body["errors"]


# --- Visibility -------------------------------------------------------------------------------


def test_anonymous_gets_401(base, contribution):
    for path in (f"{base}/contributions/", f"{base}/toolkits/", f"{API}/comments/1/"):
        response = session_client().get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"


def test_outsider_gets_404_for_everything_inside(base, outsider, contribution, toolkit):
    client = token_client(outsider)
    comment = services.comment_create(
        author=contribution.author, discussion=contribution.discussion, body="Hi"
    )
    for path in (
        f"{base}/contributions/",
        f"{base}/contributions/{contribution.pk}/",
        f"{base}/toolkits/",
        f"{base}/toolkits/{toolkit.pk}/",
        f"{base}/challenges/",
        f"{base}/search/?q=chain",
        f"{base}/triage/",
        f"{API}/comments/{comment.pk}/",
        f"{API}/comments/{comment.pk}/replies/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
    response = client.post(f"{base}/contributions/{contribution.pk}/support/")
    assert response.status_code == 404
    assert not Support.objects.exists()


def test_private_community_knowledge_is_404_to_outsiders(private_community, outsider, member):
    path = f"{API}/communities/{private_community.slug}/contributions/"
    assert token_client(outsider).get(path).status_code == 404
    assert token_client(member).get(path).status_code == 200


def test_org_staff_reads_but_does_not_contribute(base, org_staff, toolkit, contribution):
    client = token_client(org_staff)
    assert ids(client.get(f"{base}/contributions/")) == [contribution.pk]
    response = client.post(
        f"{base}/contributions/",
        {"toolkit": toolkit.pk, "title": "From staff", "fields": {"problem": "x"}},
        format="json",
    )
    assert response.status_code == 403
    assert Contribution.objects.count() == 1


def test_platform_admin_is_not_an_author(base, platform_admin, contribution):
    """Superusers manage and evaluate, but the role table keeps authorship to the author."""
    response = token_client(platform_admin).patch(
        f"{base}/contributions/{contribution.pk}/", {"title": "Hijacked"}, format="json"
    )
    assert response.status_code == 403
    contribution.refresh_from_db()
    assert contribution.title == "Wax the chain"


# --- Toolkits ---------------------------------------------------------------------------------


def test_manager_designs_and_revises_a_toolkit(base, manager, member, community):
    client = token_client(manager)
    response = client.post(
        f"{base}/toolkits/",
        {
            "title": "Report a problem",
            "kind": "problem",
            "guidance": "What broke?",
            "fields": [
                {"label": "Where", "type": "short_text", "required": True},
                {"label": "Severity", "type": "choice", "choices": ["Low", "High"]},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["version"] == 1
    assert created["kind_label"] == "Problem report"
    assert [f["key"] for f in created["fields"]] == ["where", "severity"]
    toolkit_id = created["id"]
    first = make_contribution(
        author=member,
        community=community,
        toolkit=Toolkit.objects.get(pk=toolkit_id),
        fields={"where": "Gearbox"},
    )

    response = client.put(
        f"{base}/toolkits/{toolkit_id}/",
        {"title": "Report a fault", "fields": [{"label": "Budget", "type": "number"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["guidance"] == ""
    response = client.patch(f"{base}/toolkits/{toolkit_id}/", {"title": "Faults"}, format="json")
    revised = response.json()
    assert (revised["version"], revised["title"]) == (3, "Faults")
    assert [f["key"] for f in revised["fields"]] == ["budget"]
    first.refresh_from_db()
    assert first.toolkit_version.number == 1


def test_toolkit_bad_bodies_write_nothing(base, manager):
    client = token_client(manager)
    response = client.post(
        f"{base}/toolkits/",
        {"title": "X", "fields": [{"label": "A", "type": "nope"}]},
        format="json",
    )
    assert "fields.0.type" in errors(response)
    response = client.post(
        f"{base}/toolkits/",
        {"title": "X", "fields": [{"label": "A", "type": "choice", "choices": ["only"]}]},
        format="json",
    )
    assert errors(response) == {"fields": ["Field 1 needs at least two choices."]}
    assert "title" in errors(client.post(f"{base}/toolkits/", {}, format="json"))
    assert not Toolkit.objects.exists()


def test_members_cannot_design_toolkits_and_see_active_ones_only(base, member, manager, toolkit):
    retired = make_toolkit(actor=manager, community=toolkit.community, title="Old")
    services.toolkit_set_active(actor=manager, toolkit=retired, active=False)
    client = token_client(member)
    assert ids(client.get(f"{base}/toolkits/")) == [toolkit.pk]
    assert ids(token_client(manager).get(f"{base}/toolkits/")) == [toolkit.pk, retired.pk]
    response = client.post(f"{base}/toolkits/", {"title": "Mine"}, format="json")
    assert response.status_code == 403
    response = client.patch(f"{base}/toolkits/{toolkit.pk}/", {"title": "Mine"}, format="json")
    assert response.status_code == 403
    assert Toolkit.objects.count() == 2


def test_toolkit_of_another_community_is_404(base, member, manager, organization):
    elsewhere = CommunityFactory(organization=organization)
    MembershipFactory(community=elsewhere, user=manager, role="manager")
    other = make_toolkit(actor=manager, community=elsewhere)
    assert token_client(member).get(f"{base}/toolkits/{other.pk}/").status_code == 404
    assert token_client(member).get(f"{base}/toolkits/{2**63}/").status_code == 404


# --- Challenges -------------------------------------------------------------------------------


def test_manager_poses_a_challenge_and_drafts_stay_with_staff(
    base, manager, member, moderator, toolkit
):
    client = token_client(manager)
    response = client.post(
        f"{base}/challenges/",
        {
            "title": "Quiet bikes",
            "brief": "How could bikes be *quieter*?",
            "toolkits": [toolkit.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["phase"] == "draft"
    assert created["toolkits"] == [toolkit.pk]
    assert "<em>quieter</em>" in created["brief_html"]
    path = f"{base}/challenges/{created['id']}/"
    assert token_client(member).get(path).status_code == 404
    assert ids(token_client(member).get(f"{base}/challenges/")) == []
    assert token_client(moderator).get(path).status_code == 200

    response = client.post(f"{path}phase/", {"phase": "open"}, format="json")
    assert response.status_code == 200
    assert response.json()["accepts_contributions"] is True
    assert ids(token_client(member).get(f"{base}/challenges/")) == [created["id"]]


def test_challenge_bad_bodies(base, manager, member, organization, community):
    client = token_client(manager)
    elsewhere = CommunityFactory(organization=organization)
    MembershipFactory(community=elsewhere, user=manager, role="manager")
    foreign = make_toolkit(actor=manager, community=elsewhere)
    response = client.post(
        f"{base}/challenges/",
        {"title": "T", "brief": "B", "toolkits": [foreign.pk]},
        format="json",
    )
    assert errors(response) == {"toolkits": ["Choose toolkits of this community."]}
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = client.post(
        f"{base}/challenges/",
        {"title": "T", "brief": "B", "phase": "open", "deadline": past},
        format="json",
    )
    assert "deadline" in errors(response)
    assert not Challenge.objects.filter(community=community).exists()
    response = token_client(member).post(
        f"{base}/challenges/", {"title": "T", "brief": "B"}, format="json"
    )
    assert response.status_code == 403


def test_reopening_a_challenge_past_its_deadline_is_400(base, manager, community):
    challenge = services.challenge_create(
        actor=manager,
        community=community,
        title="Old",
        brief="B",
        deadline=timezone.now() + timedelta(days=1),
        phase="open",
    )
    Challenge.objects.filter(pk=challenge.pk).update(
        deadline=timezone.now() - timedelta(days=1), phase="closed"
    )
    response = token_client(manager).post(
        f"{base}/challenges/{challenge.pk}/phase/", {"phase": "open"}, format="json"
    )
    assert "deadline" in errors(response)
    challenge.refresh_from_db()
    assert challenge.phase == "closed"


def test_challenge_discussion_closes_with_the_challenge(base, manager, member, community):
    challenge = services.challenge_create(
        actor=manager, community=community, title="C", brief="B", phase="open"
    )
    path = f"{base}/challenges/{challenge.pk}/comments/"
    response = token_client(member).post(path, {"body": "Idea?"}, format="json")
    assert response.status_code == 201
    services.challenge_set_phase(actor=manager, challenge=challenge, phase="closed")
    response = token_client(member).post(path, {"body": "Late"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "closed"
    assert [c["body"] for c in token_client(member).get(path).json()["results"]] == ["Idea?"]


# --- Contributing -----------------------------------------------------------------------------


def test_member_contributes(base, member, toolkit, community, manager):
    challenge = services.challenge_create(
        actor=manager, community=community, title="C", brief="B", phase="open"
    )
    response = token_client(member).post(
        f"{base}/contributions/",
        {
            "toolkit": toolkit.pk,
            "challenge": challenge.pk,
            "title": "Belt drive",
            "body": "Use a **belt**.",
            "fields": {"problem": "Chains are loud", "who_has_it": "Riders", "would_pay": "yes"},
            "tags": ["Drivetrain", "drivetrain ", "noise"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted"
    assert data["fields"] == {
        "problem": "Chains are loud",
        "who_has_it": "Riders",
        "would_pay": True,
    }
    assert data["tags"] == ["drivetrain", "noise"]
    assert data["body_html"] == "<p>Use a <strong>belt</strong>.</p>\n"
    assert data["challenge"] == {"id": challenge.pk, "title": "C"}
    assert data["toolkit_version"] == {"toolkit": toolkit.pk, "number": 1, "title": "Share an idea"}
    assert (data["following"], data["supported"], data["can_edit"]) == (True, False, True)
    assert [(t["from_status"], t["to_status"]) for t in data["timeline"]] == [
        ("draft", "submitted")
    ]
    assert data["author"] == {"id": member.pk, "public_name": "Maya Member"}


def test_missing_required_field_is_400_and_writes_nothing(base, member, toolkit):
    response = token_client(member).post(
        f"{base}/contributions/",
        {"toolkit": toolkit.pk, "title": "No answers", "fields": {"prototype_link": "nope"}},
        format="json",
    )
    assert errors(response) == {
        "field_problem": ["This field is required."],
        "field_prototype_link": ["Enter a web address starting with http:// or https://."],
    }
    assert not Contribution.objects.exists()


def test_challenge_past_deadline_is_400_on_challenge(base, member, toolkit, manager, community):
    challenge = services.challenge_create(
        actor=manager,
        community=community,
        title="C",
        brief="B",
        phase="open",
        deadline=timezone.now() + timedelta(days=1),
    )
    Challenge.objects.filter(pk=challenge.pk).update(deadline=timezone.now() - timedelta(hours=1))
    response = token_client(member).post(
        f"{base}/contributions/",
        {
            "toolkit": toolkit.pk,
            "challenge": challenge.pk,
            "title": "Late",
            "fields": {"problem": "x"},
        },
        format="json",
    )
    assert errors(response) == {
        "challenge": ["This challenge is not open for contributions any more."]
    }
    assert not Contribution.objects.exists()


def test_unknown_toolkit_and_challenge_are_field_errors(base, member, toolkit):
    client = token_client(member)
    response = client.post(
        f"{base}/contributions/",
        {"toolkit": 999999, "title": "X", "fields": {"problem": "x"}},
        format="json",
    )
    assert errors(response) == {"toolkit": ["Choose one of this community's toolkits."]}
    response = client.post(
        f"{base}/contributions/",
        {"toolkit": toolkit.pk, "challenge": 999999, "title": "X", "fields": {"problem": "x"}},
        format="json",
    )
    assert errors(response) == {"challenge": ["Choose a challenge of this community."]}
    response = client.post(
        f"{base}/contributions/",
        {"toolkit": toolkit.pk, "title": "X", "fields": {"problem": "a\x00b"}},
        format="json",
    )
    assert "fields" in errors(response)
    assert not Contribution.objects.exists()


def test_drafts_are_invisible_to_others_until_submitted(
    base, member, other_member, moderator, toolkit
):
    client = token_client(member)
    response = client.post(
        f"{base}/contributions/",
        {"toolkit": toolkit.pk, "title": "Half an idea", "submit": False},
        format="json",
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft"
    path = f"{base}/contributions/{draft['id']}/"
    assert token_client(other_member).get(path).status_code == 404
    # Not shared yet: a moderator gets the same 404 as any other member (issue 11).
    assert token_client(moderator).get(path).status_code == 404
    for who in (member, other_member, moderator):
        assert ids(token_client(who).get(f"{base}/contributions/")) == []
    assert token_client(other_member).post(f"{path}support/").status_code == 404

    response = client.post(f"{path}submit/")
    assert errors(response) == {"field_problem": ["This field is required."]}
    response = client.patch(path, {"fields": {"problem": "Chains squeak"}}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft"
    response = client.post(f"{path}submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert ids(token_client(other_member).get(f"{base}/contributions/")) == [draft["id"]]
    response = client.post(f"{path}submit/")
    assert response.status_code == 409
    assert response.json()["code"] == "already_submitted"


def test_only_the_author_edits(base, member, other_member, moderator, contribution):
    path = f"{base}/contributions/{contribution.pk}/"
    for who in (other_member, moderator):
        response = token_client(who).patch(path, {"title": "Mine now"}, format="json")
        assert response.status_code == 403
    response = token_client(member).patch(path, {"title": "  "}, format="json")
    assert "title" in errors(response)
    response = token_client(member).patch(path, {"tags": ["a", "b"]}, format="json")
    assert response.status_code == 200
    assert response.json()["tags"] == ["a", "b"]
    assert response.json()["title"] == "Wax the chain"
    assert contribution.revisions.count() == 1


# --- Feed -------------------------------------------------------------------------------------


def test_feed_cursor_follows_the_chosen_sort(base, community, member, other_member, toolkit):
    made = [
        make_contribution(author=member, community=community, toolkit=toolkit, title=f"C{i}")
        for i in range(5)
    ]
    supporters = [UserFactory() for _ in range(4)]
    for user in supporters:
        MembershipFactory(community=community, user=user)
    # made[1] gets 4 supports, made[3] 2, made[0] 1.
    for contribution, count in ((made[1], 4), (made[3], 2), (made[0], 1)):
        for user in supporters[:count]:
            services.support_add(user=user, contribution=contribution)
    client = token_client(other_member)
    expected = [made[1].pk, made[3].pk, made[0].pk, made[4].pk, made[2].pk]
    seen, url = [], f"{base}/contributions/?sort=top&page_size=2"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert seen == expected
    newest_first = [c.pk for c in reversed(made)]
    assert ids(client.get(f"{base}/contributions/")) == newest_first


def test_feed_filters(base, community, member, manager, toolkit):
    challenge = services.challenge_create(
        actor=manager, community=community, title="C", brief="B", phase="open"
    )
    tagged = make_contribution(author=member, community=community, toolkit=toolkit, tags="gears")
    in_challenge = make_contribution(
        author=member, community=community, toolkit=toolkit, challenge=challenge
    )
    services.contribution_set_status(
        actor=manager, contribution=in_challenge, status="accepted", reason="Good"
    )
    client = token_client(member)
    assert ids(client.get(f"{base}/contributions/?tag=Gears")) == [tagged.pk]
    assert ids(client.get(f"{base}/contributions/?challenge={challenge.pk}")) == [in_challenge.pk]
    assert ids(client.get(f"{base}/contributions/?status=accepted")) == [in_challenge.pk]
    assert ids(client.get(f"{base}/contributions/?kind=design")) == []
    assert set(errors(client.get(f"{base}/contributions/?sort=best&status=draft"))) == {
        "sort",
        "status",
    }
    assert errors(client.get(f"{base}/contributions/?challenge=12345")) == {
        "challenge": ["Choose a challenge of this community."]
    }


def test_feed_items_say_what_the_viewer_supports(base, member, other_member, contribution):
    services.support_add(user=other_member, contribution=contribution)
    item = token_client(other_member).get(f"{base}/contributions/").json()["results"][0]
    assert (item["supported"], item["support_count"]) == (True, 1)
    item = token_client(member).get(f"{base}/contributions/").json()["results"][0]
    assert item["supported"] is False


@pytest.mark.parametrize("sort", ["new", "top", "discussed", "trending"])
def test_feed_items_equal_the_serializer(base, community, member, manager, toolkit, sort):
    """The list is written from plain rows; each item is what ContributionSummarySerializer
    writes for the same contribution (a nameless author, a challenge, tags, a lock, the
    caller's support, a status change)."""
    nameless = UserFactory(display_name="")
    MembershipFactory(community=community, user=nameless)
    challenge = services.challenge_create(
        actor=manager, community=community, title="Quiet chains", brief="B", phase="open"
    )
    plain = make_contribution(author=member, community=community, toolkit=toolkit)
    rich = make_contribution(
        author=nameless, community=community, toolkit=toolkit, challenge=challenge, tags="a, b"
    )
    services.support_add(user=member, contribution=rich)
    services.contribution_set_status(
        actor=manager, contribution=plain, status="accepted", reason="Good"
    )
    Discussion.objects.filter(contribution=plain).update(is_locked=True)
    make_contribution(author=member, community=community, toolkit=toolkit, submit=False)
    items = token_client(member).get(f"{base}/contributions/?sort={sort}").json()["results"]
    assert sorted(item["id"] for item in items) == sorted([plain.pk, rich.pk])
    for item in items:
        obj = Contribution.objects.select_related("author", "challenge").get(pk=item["id"])
        supported = {rich.pk}
        assert item == ContributionSummarySerializer(obj, context={"supported_ids": supported}).data
    by_id = {item["id"]: item for item in items}
    assert by_id[rich.pk]["author"]["public_name"] == f"Member #{nameless.pk}"
    assert by_id[rich.pk]["challenge"] == {"id": challenge.pk, "title": "Quiet chains"}
    assert (by_id[rich.pk]["supported"], by_id[plain.pk]["is_locked"]) == (True, True)


# --- Supports and follows ---------------------------------------------------------------------


def test_support_and_withdraw(base, other_member, contribution):
    client = token_client(other_member)
    path = f"{base}/contributions/{contribution.pk}/support/"
    assert client.post(path).json() == {"supported": True, "support_count": 1}
    assert client.post(path).json() == {"supported": True, "support_count": 1}
    detail = client.get(f"{base}/contributions/{contribution.pk}/").json()
    assert detail["supported"] is True
    assert client.delete(path).json() == {"supported": False, "support_count": 0}
    assert client.delete(path).json() == {"supported": False, "support_count": 0}


def test_supporting_a_draft_is_409(base, member, community, toolkit):
    draft = make_contribution(author=member, community=community, toolkit=toolkit, submit=False)
    response = token_client(member).post(f"{base}/contributions/{draft.pk}/support/")
    assert response.status_code == 409
    assert response.json()["code"] == "draft"
    assert not Support.objects.exists()


def test_the_author_cannot_support_their_own_contribution(base, member, contribution):
    response = token_client(member).post(f"{base}/contributions/{contribution.pk}/support/")
    assert response.status_code == 403
    assert "You can't support your own idea" in response.json()["detail"]
    assert not Support.objects.exists()
    contribution.refresh_from_db()
    assert contribution.support_count == 0


def test_follow_and_unfollow(base, other_member, contribution):
    client = token_client(other_member)
    path = f"{base}/contributions/{contribution.pk}/follow/"
    assert client.post(path).json() == {"following": True}
    assert client.get(f"{base}/contributions/{contribution.pk}/").json()["following"] is True
    assert client.delete(path).json() == {"following": False}
    assert client.get(f"{base}/contributions/{contribution.pk}/").json()["following"] is False


# --- Lifecycle --------------------------------------------------------------------------------


def test_staff_move_the_status_with_a_reason(base, moderator, member, contribution):
    path = f"{base}/contributions/{contribution.pk}/status/"
    response = token_client(moderator).post(
        path, {"status": "under_review", "reason": "Looking into it."}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "under_review"
    assert data["timeline"][-1]["reason"] == "Looking into it."
    assert data["timeline"][-1]["actor"]["public_name"] == "Milo Moderator"
    response = token_client(member).post(
        path, {"status": "accepted", "reason": "Mine!"}, format="json"
    )
    assert response.status_code == 403


def test_invalid_transitions_are_409_and_bad_bodies_400(
    base, moderator, community, member, toolkit, contribution
):
    client = token_client(moderator)
    path = f"{base}/contributions/{contribution.pk}/status/"
    response = client.post(path, {"status": "shipped", "reason": "Done"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "reason" in errors(client.post(path, {"status": "accepted"}, format="json"))
    response = client.post(path, {"status": "duplicate", "reason": "Seen"}, format="json")
    assert errors(response) == {"related_to": ["Link the original contribution."]}
    response = client.post(
        path, {"status": "duplicate", "reason": "Seen", "related_to": 999999}, format="json"
    )
    assert errors(response) == {"related_to": ["Link a contribution of this community."]}
    response = client.post(path, {"status": "draft", "reason": "Back"}, format="json")
    assert "status" in errors(response)
    original = make_contribution(author=member, community=community, toolkit=toolkit)
    response = client.post(
        path,
        {"status": "duplicate", "reason": "Seen", "related_to": original.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["related_to"] == original.pk
    assert StatusChange.objects.filter(contribution=contribution).count() == 2


# --- Dialogue ---------------------------------------------------------------------------------


def test_thread_with_first_replies_and_all_replies(base, member, other_member, contribution):
    client = token_client(other_member)
    path = f"{base}/contributions/{contribution.pk}/comments/"
    top = client.post(path, {"body": "Which wax?"}, format="json").json()
    for i in range(5):
        response = token_client(member).post(
            path, {"body": f"Reply {i}", "parent": top["id"]}, format="json"
        )
        assert response.status_code == 201
    thread = client.get(path).json()["results"]
    assert len(thread) == 1
    assert thread[0]["reply_count"] == 5
    assert [r["body"] for r in thread[0]["replies"]] == ["Reply 0", "Reply 1", "Reply 2"]
    replies = client.get(f"{API}/comments/{top['id']}/replies/").json()["results"]
    assert [r["body"] for r in replies] == [f"Reply {i}" for i in range(5)]


def test_official_responses_are_for_staff(base, member, moderator, contribution):
    path = f"{base}/contributions/{contribution.pk}/comments/"
    response = token_client(member).post(path, {"body": "Hi", "official": True}, format="json")
    assert response.status_code == 403
    response = token_client(moderator).post(path, {"body": "Hi", "official": True}, format="json")
    assert response.status_code == 201
    assert response.json()["is_official"] is True
    assert Comment.objects.count() == 1


def test_reply_to_a_comment_elsewhere_is_400(base, member, community, toolkit, contribution):
    other = make_contribution(author=member, community=community, toolkit=toolkit)
    foreign = services.comment_create(author=member, discussion=other.discussion, body="There")
    response = token_client(member).post(
        f"{base}/contributions/{contribution.pk}/comments/",
        {"body": "Here", "parent": foreign.pk},
        format="json",
    )
    assert errors(response) == {"parent": ["Reply to a comment in this discussion."]}
    assert Comment.objects.count() == 1


def test_locked_discussion_refuses_comments_with_409(
    base, moderator, member, other_member, contribution
):
    comment = services.comment_create(
        author=other_member, discussion=contribution.discussion, body="Hm"
    )
    response = token_client(member).post(
        f"{base}/contributions/{contribution.pk}/lock/", {"locked": True}, format="json"
    )
    assert response.status_code == 403
    response = token_client(moderator).post(
        f"{base}/contributions/{contribution.pk}/lock/", {"locked": True}, format="json"
    )
    assert response.json() == {"locked": True}
    response = token_client(member).post(
        f"{base}/contributions/{contribution.pk}/comments/", {"body": "Hello?"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "This discussion is locked.", "code": "locked"}
    response = token_client(other_member).patch(
        f"{API}/comments/{comment.pk}/", {"body": "Edited"}, format="json"
    )
    assert response.status_code == 409
    assert Comment.objects.count() == 1
    comment.refresh_from_db()
    assert comment.body == "Hm"


def test_comment_edit_and_helpful(base, member, other_member, moderator, contribution):
    comment = services.comment_create(
        author=other_member, discussion=contribution.discussion, body="Hm"
    )
    path = f"{API}/comments/{comment.pk}/"
    assert token_client(member).patch(path, {"body": "X"}, format="json").status_code == 403
    response = token_client(other_member).patch(path, {"body": "Better"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "Better"
    assert response.json()["edited_at"] is not None
    assert "body" in errors(token_client(other_member).patch(path, {"body": ""}, format="json"))

    helpful = f"{path}helpful/"
    response = token_client(other_member).post(helpful, {"helpful": True}, format="json")
    assert response.status_code == 403
    response = token_client(member).post(helpful, {"helpful": True}, format="json")
    assert response.json()["is_helpful"] is True
    response = token_client(moderator).post(helpful, {"helpful": False}, format="json")
    assert response.json()["is_helpful"] is False


# --- Evaluation, triage, search ---------------------------------------------------------------


@pytest.fixture
def scorecard(community, manager):
    return services.scorecard_create(
        actor=manager,
        community=community,
        title="Fit",
        criteria=[{"label": "Impact", "weight": 3}, {"label": "Cost", "weight": 1}],
    )


def test_evaluations_are_staff_only(base, member, moderator, contribution, scorecard):
    path = f"{base}/contributions/{contribution.pk}/evaluations/"
    body = {"scorecard": scorecard.pk, "scores": {"impact": 5, "cost": "1"}, "note": "Cheap"}
    assert token_client(member).get(path).status_code == 403
    assert token_client(member).post(path, body, format="json").status_code == 403
    response = token_client(moderator).post(path, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["weighted_score"] == "4.00"
    assert response.json()["scores"] == {"impact": 5, "cost": 1}
    listed = token_client(moderator).get(path).json()["results"]
    assert [e["note"] for e in listed] == ["Cheap"]
    detail = token_client(member).get(f"{base}/contributions/{contribution.pk}/").json()
    assert "evaluations" not in detail


def test_evaluation_bad_bodies(base, moderator, manager, contribution, scorecard, organization):
    client = token_client(moderator)
    path = f"{base}/contributions/{contribution.pk}/evaluations/"
    response = client.post(
        path, {"scorecard": scorecard.pk, "scores": {"impact": 9, "cost": "x"}}, format="json"
    )
    assert errors(response) == {
        "score_impact": ["Score from 1 to 5."],
        "score_cost": ["Score from 1 to 5."],
    }
    elsewhere = CommunityFactory(organization=organization)
    MembershipFactory(community=elsewhere, user=manager, role="manager")
    foreign = services.scorecard_create(
        actor=manager, community=elsewhere, title="F", criteria=[{"label": "A", "weight": 1}]
    )
    response = client.post(path, {"scorecard": foreign.pk, "scores": {"a": 3}}, format="json")
    assert errors(response) == {"scorecard": ["Choose a scorecard of this community."]}
    assert not Evaluation.objects.exists()


def test_scorecards_staff_read_managers_define(base, member, moderator, manager, scorecard):
    assert token_client(member).get(f"{base}/scorecards/").status_code == 403
    assert ids(token_client(moderator).get(f"{base}/scorecards/")) == [scorecard.pk]
    body = {"title": "Risk", "criteria": [{"label": "Safety", "weight": 2}]}
    assert token_client(moderator).post(f"{base}/scorecards/", body, format="json").status_code == (
        403
    )
    response = token_client(manager).post(f"{base}/scorecards/", body, format="json")
    assert response.status_code == 201
    assert response.json()["criteria"] == [{"key": "safety", "label": "Safety", "weight": 2}]
    response = token_client(manager).post(
        f"{base}/scorecards/", {"title": "Bad", "criteria": []}, format="json"
    )
    assert errors(response) == {"criteria": ["Add at least one criterion."]}
    assert Scorecard.objects.count() == 2


def test_triage_board_for_staff(base, member, moderator, contribution, scorecard):
    services.evaluation_submit(
        evaluator=moderator,
        contribution=contribution,
        scorecard=scorecard,
        scores={"impact": 4, "cost": 2},
    )
    assert token_client(member).get(f"{base}/triage/").status_code == 403
    board = token_client(moderator).get(f"{base}/triage/").json()["columns"]
    assert [c["status"] for c in board][:2] == ["submitted", "under_review"]
    assert "draft" not in [c["status"] for c in board]
    item = board[0]["contributions"][0]
    assert (item["id"], item["avg_score"], item["evaluation_count"]) == (
        contribution.pk,
        "3.50",
        1,
    )


def test_search_snippet_is_escaped_html_with_marks(base, member, community, toolkit):
    hit = make_contribution(
        author=member,
        community=community,
        toolkit=toolkit,
        title="Chain care",
        body="Clean the <b>chain</b> weekly & wax it.",
    )
    make_contribution(author=member, community=community, toolkit=toolkit, submit=False)
    response = token_client(member).get(f"{base}/search/?q=chain")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [hit.pk]
    snippet = results[0]["snippet"]
    assert "<mark>chain</mark>" in snippet.lower()
    # The only markup is <mark>; the rest is escaped text. (PostgreSQL's ts_headline drops
    # tag-like words such as "<b>" from the passage; SQLite shows them escaped.)
    assert set(re.findall(r"</?[a-z]+>", snippet)) == {"<mark>", "</mark>"}
    assert "&amp; wax" in snippet
    assert token_client(member).get(f"{base}/search/?q=").json() == {"results": []}
    assert "q" in errors(token_client(member).get(f"{base}/search/"))


def test_session_writes_need_csrf(base, other_member, contribution):
    client = session_client(other_member, enforce_csrf=True)
    response = client.post(f"{base}/contributions/{contribution.pk}/support/")
    assert response.status_code == 403
    assert not Support.objects.exists()
