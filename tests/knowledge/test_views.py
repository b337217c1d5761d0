"""The knowledge pages as members, staff and attackers use them: what each role sees, what bad
input does (a clear message, nothing half-written), and what stays hidden."""

from datetime import timedelta
from html import unescape
from itertools import product

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from knowledge import selectors, services
from knowledge.cards import card
from knowledge.models import (
    Challenge,
    Comment,
    Contribution,
    Evaluation,
    Scorecard,
    Support,
    Toolkit,
)

from .factories import make_contribution, make_toolkit

pytestmark = pytest.mark.django_db

SLUG = "trail-bike-lab"


def url(name, *args, query=""):
    return reverse(f"knowledge:{name}", args=[SLUG, *args]) + query


@pytest.fixture
def idea(community, member, toolkit):
    return make_contribution(
        author=member,
        community=community,
        toolkit=toolkit,
        title="Wax the chain",
        body="Use **wax** instead of oil.",
        fields={"problem": "Squeaky chains", "who_has_it": "Riders", "would_pay": "yes"},
        tags="chains, noise",
    )


@pytest.fixture
def challenge(community, manager, toolkit):
    return services.challenge_create(
        actor=manager,
        community=community,
        title="Quieter bikes",
        brief="How could **bikes** be quieter?",
        toolkits=[toolkit],
        deadline=timezone.now() + timedelta(days=10),
        phase="open",
    )


def _contribute_data(**overrides):
    data = {
        "title": "Silent hubs",
        "body": "Grease them.",
        "tags": "hubs",
        "field_problem": "Clicking hubs",
        "field_who_has_it": "Riders",
        "field_prototype_link": "",
        "field_would_pay": "no",
        "action": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Feed and search ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "moderator", "manager", "org_staff", "platform_admin"])
def test_feed_renders_for_everyone_inside(client, request, role, idea):
    client.force_login(request.getfixturevalue(role))
    response = client.get(url("feed"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wax the chain" in html
    assert "#chains" in html
    assert "Submitted" in html
    assert "Maya Member" in html


def test_feed_is_hidden_from_outsiders_and_anonymous(client, outsider, idea):
    response = client.get(url("feed"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    assert client.get(url("feed")).status_code == 404
    assert client.get(url("contribution", idea.pk)).status_code == 404


def test_feed_marks_what_you_support_and_filters(client, community, other_member, idea, toolkit):
    make_contribution(author=other_member, community=community, toolkit=toolkit, title="Lighter",
                      tags="weight")  # fmt: skip
    services.support_add(user=other_member, contribution=idea)
    client.force_login(other_member)
    html = client.get(url("feed")).content.decode()
    assert html.count("You support this") == 1
    filtered = client.get(url("feed", query="?tag=weight")).content.decode()
    assert "Lighter" in filtered and "Wax the chain" not in filtered
    top = client.get(url("feed", query="?sort=top")).content.decode()
    assert top.index("Wax the chain") < top.index("Lighter")


def test_feed_paginates_with_a_cursor(client, community, member, toolkit):
    for i in range(23):
        make_contribution(author=member, community=community, toolkit=toolkit, title=f"Idea {i:02}")
    client.force_login(member)
    first = client.get(url("feed"))
    assert first.content.decode().count('class="k-item"') == 20
    cursor = first.context["page"].next_cursor
    second = client.get(url("feed"), {"cursor": cursor}).content.decode()
    assert second.count('class="k-item"') == 3
    assert "Idea 00" in second


def test_drafts_are_invisible_to_other_members(client, community, member, other_member, toolkit):
    draft = make_contribution(
        author=member, community=community, toolkit=toolkit, title="Secret plan", submit=False,
        fields={},
    )  # fmt: skip
    client.force_login(other_member)
    assert "Secret plan" not in client.get(url("feed")).content.decode()
    assert client.get(url("contribution", draft.pk)).status_code == 404
    assert client.get(url("edit", draft.pk)).status_code == 404
    assert "Secret plan" not in client.get(url("search", query="?q=Secret")).content.decode()
    client.force_login(member)
    feed = client.get(url("feed")).content.decode()
    assert "Your drafts" in feed and "Secret plan" in feed
    page = client.get(url("contribution", draft.pk)).content.decode()
    assert "This is a draft" in page


def test_search_highlights_and_escapes(client, member, community, toolkit):
    make_contribution(
        author=member, community=community, toolkit=toolkit, title="Chain care",
        body="Try <b>wax</b> on the chain, wax works.",
    )  # fmt: skip
    client.force_login(member)
    html = client.get(url("search", query="?q=wax")).content.decode()
    assert "Chain care" in html
    assert "<mark>" in html
    # SQLite shows the text escaped; PostgreSQL's ts_headline drops the tags. Never markup.
    assert "<b>" not in html


# --- Writing ------------------------------------------------------------------------------------


def test_choose_toolkit_then_contribute(client, member, toolkit, challenge):
    client.force_login(member)
    chooser = client.get(url("contribute", query=f"?challenge={challenge.pk}"))
    assert "Share an idea" in chooser.content.decode()
    form_url = url("contribute", query=f"?toolkit={toolkit.pk}&challenge={challenge.pk}")
    page = client.get(form_url).content.decode()
    assert "<legend>" in page and "Problem (required)" in page
    assert 'type="url"' in page and 'type="radio"' in page
    response = client.post(form_url, _contribute_data())
    created = Contribution.objects.get(title="Silent hubs")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.status == "submitted" and created.challenge == challenge
    assert created.fields == {"problem": "Clicking hubs", "who_has_it": "Riders",
                              "would_pay": False}  # fmt: skip
    assert created.tags == ["hubs"]


def test_missing_required_field_shows_error_and_writes_nothing(client, member, toolkit):
    client.force_login(member)
    form_url = url("contribute", query=f"?toolkit={toolkit.pk}")
    response = client.post(form_url, _contribute_data(field_problem=""))
    assert response.status_code == 200
    assert response.context["form"].errors["field_problem"] == ["This field is required."]
    assert "This field is required." in response.content.decode()
    assert Contribution.objects.count() == 0


def test_invalid_answer_is_shown_on_its_field(client, member, toolkit):
    client.force_login(member)
    response = client.post(
        url("contribute", query=f"?toolkit={toolkit.pk}"),
        _contribute_data(field_prototype_link="javascript:alert(1)"),
    )
    assert "field_prototype_link" in response.context["form"].errors
    assert Contribution.objects.count() == 0


def test_save_draft_accepts_missing_answers(client, member, toolkit):
    client.force_login(member)
    response = client.post(
        url("contribute", query=f"?toolkit={toolkit.pk}"),
        _contribute_data(field_problem="", action="draft"),
    )
    draft = Contribution.objects.get()
    assert response.status_code == 302 and draft.status == "draft"
    # Submitting it without the required answer sends the author to the edit page with a message.
    response = client.post(url("submit", draft.pk), follow=True)
    assert "Answer the required questions" in response.content.decode()
    assert Contribution.objects.get().status == "draft"


def test_contribution_to_a_challenge_past_its_deadline(client, member, toolkit, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(deadline=timezone.now() - timedelta(hours=1))
    client.force_login(member)
    form_url = url("contribute", query=f"?toolkit={toolkit.pk}&challenge={challenge.pk}")
    assert "not open for contributions any more" in client.get(form_url).content.decode()
    response = client.post(form_url, _contribute_data())
    assert response.status_code == 200
    assert "This challenge is not open for contributions any more." in response.content.decode()
    assert Contribution.objects.count() == 0


def test_staff_without_membership_cannot_contribute(client, org_staff, platform_admin, toolkit):
    for user in (org_staff, platform_admin):
        client.force_login(user)
        assert client.get(url("contribute")).status_code == 403
        response = client.post(url("contribute", query=f"?toolkit={toolkit.pk}"),
                               _contribute_data())  # fmt: skip
        assert response.status_code == 403
    assert Contribution.objects.count() == 0


# --- Reading one contribution -------------------------------------------------------------------


def test_contribution_page_for_a_member(client, other_member, idea, moderator):
    services.comment_create(
        author=moderator, discussion=idea.discussion, body="We love it", official=True
    )
    client.force_login(other_member)
    html = client.get(url("contribution", idea.pk)).content.decode()
    assert "<strong>wax</strong>" in html
    assert "Squeaky chains" in html and "Riders" in html
    assert "Official response" in html and "k-official" in html
    assert "Support this idea" in html
    # Staff tools and scores are not for members.
    assert "Evaluation (staff only)" not in html
    assert "Change status" not in html
    assert f'href="/c/trail-bike-lab/ideas/{idea.pk}/edit/"' not in html


def test_contribution_page_for_the_author_and_staff(client, member, manager, idea):
    services.scorecard_create(
        actor=manager, community=idea.community, title="Fit", criteria=[{"label": "Impact"}]
    )
    client.force_login(member)
    html = client.get(url("contribution", idea.pk)).content.decode()
    assert url("edit", idea.pk) in html
    client.force_login(manager)
    html = client.get(url("contribution", idea.pk)).content.decode()
    assert "Evaluation (staff only)" in html
    assert "Change status" in html
    assert "Lock discussion (with a reason)" in html


def test_evaluations_are_staff_only(client, other_member, manager, idea):
    card = services.scorecard_create(
        actor=manager, community=idea.community, title="Fit", criteria=[{"label": "Impact"}]
    )
    client.force_login(manager)
    response = client.post(
        url("evaluate", idea.pk),
        {"scorecard": card.pk, f"sc{card.pk}-score_impact": "5", f"sc{card.pk}-note": "Top note"},
    )
    assert response.status_code == 302
    assert Evaluation.objects.get().weighted_score == 5
    assert "Top note" in client.get(url("contribution", idea.pk)).content.decode()
    client.force_login(other_member)
    assert "Top note" not in client.get(url("contribution", idea.pk)).content.decode()
    assert client.post(url("evaluate", idea.pk), {"scorecard": card.pk}).status_code == 403


def test_evaluation_without_scores_shows_errors(client, manager, idea):
    card = services.scorecard_create(
        actor=manager, community=idea.community, title="Fit", criteria=[{"label": "Impact"}]
    )
    client.force_login(manager)
    response = client.post(url("evaluate", idea.pk), {"scorecard": card.pk})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Evaluation.objects.count() == 0


def test_status_change_with_reason_shows_on_the_timeline(client, manager, member, idea):
    client.force_login(manager)
    response = client.post(url("status", idea.pk), {"status": "accepted", "reason": "Cheap."})
    assert response.status_code == 302
    client.force_login(member)
    html = client.get(url("contribution", idea.pk)).content.decode()
    assert "Cheap." in html and "Accepted" in html and "Mia Manager" in html


def test_status_change_needs_a_reason_and_an_original(client, manager, idea):
    client.force_login(manager)
    response = client.post(url("status", idea.pk), {"status": "accepted", "reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = client.post(url("status", idea.pk), {"status": "duplicate", "reason": "Same"})
    assert "Link the original contribution." in response.content.decode()
    response = client.post(
        url("status", idea.pk), {"status": "duplicate", "reason": "Same", "related_to": 99999}
    )
    assert "no contribution with that number" in response.content.decode()
    assert Contribution.objects.get(pk=idea.pk).status == "submitted"


def test_invalid_transition_is_a_message(client, manager, idea):
    client.force_login(manager)
    services.contribution_set_status(
        actor=manager, contribution=idea, status="declined", reason="No"
    )
    response = client.post(
        url("status", idea.pk), {"status": "under_review", "reason": "x"}, follow=True
    )
    assert response.status_code == 200
    idea.refresh_from_db()
    assert idea.status == "under_review"
    response = client.post(url("status", idea.pk), {"status": "shipped", "reason": "x"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_move_from_the_triage_board(client, manager, idea):
    client.force_login(manager)
    board = client.get(url("triage"))
    assert "Wax the chain" in board.content.decode()
    response = client.post(
        url("status", idea.pk),
        {"status": "under_review", "reason": "Looking", "next": url("triage")},
    )
    assert response.status_code == 302 and response["Location"] == url("triage")
    response = client.post(
        url("status", idea.pk), {"status": "accepted", "reason": "", "next": url("triage")}
    )
    assert response["Location"] == url("triage")
    idea.refresh_from_db()
    assert idea.status == "under_review"
    # An outside "next" is ignored.
    response = client.post(
        url("status", idea.pk),
        {"status": "accepted", "reason": "Yes", "next": "https://evil.example/"},
    )
    assert response["Location"] == idea.get_absolute_url()


def test_triage_is_staff_only(client, member, outsider):
    client.force_login(member)
    assert client.get(url("triage")).status_code == 403
    client.force_login(outsider)
    assert client.get(url("triage")).status_code == 404


# --- Supports and follows -----------------------------------------------------------------------


def test_support_with_and_without_htmx(client, other_member, idea):
    client.force_login(other_member)
    response = client.post(url("support", idea.pk), {"on": "1"})
    assert response.status_code == 302
    assert Support.objects.filter(contribution=idea).count() == 1
    response = client.post(url("support", idea.pk), {"on": "0"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'id="support-box"' in fragment and "<html" not in fragment
    assert "Support this idea" in fragment
    assert Support.objects.filter(contribution=idea).count() == 0
    # Repeating the same request is harmless.
    client.post(url("support", idea.pk), {"on": "1"})
    client.post(url("support", idea.pk), {"on": "1"})
    idea.refresh_from_db()
    assert idea.support_count == 1


def test_the_author_sees_no_support_button_on_their_own_idea(client, member, other_member, idea):
    client.force_login(member)
    page = client.get(url("contribution", idea.pk)).content.decode()
    box = page.split('id="support-box"')[1].split("</div>")[0]
    assert "Your idea: you can't support it yourself." in box
    assert "<button" not in box and "Support this idea" not in box
    response = client.post(url("support", idea.pk), {"on": "1"}, follow=True)
    refused = unescape(response.content.decode())
    assert "You can't support your own idea" in refused
    assert not Support.objects.exists()
    client.force_login(other_member)
    box = client.get(url("contribution", idea.pk)).content.decode().split('id="support-box"')[1]
    assert "Support this idea" in box.split("</div>")[0]


def test_drafts_cannot_be_supported(client, member, other_member, community, toolkit):
    draft = make_contribution(author=member, community=community, toolkit=toolkit, submit=False,
                              fields={})  # fmt: skip
    client.force_login(member)
    response = client.post(url("support", draft.pk), {"on": "1"}, follow=True)
    assert "Drafts cannot be supported." in response.content.decode()


def test_follow_and_unfollow(client, other_member, idea):
    client.force_login(other_member)
    on = client.post(url("follow", idea.pk), {"on": "1"}, headers={"HX-Request": "true"})
    assert idea.discussion.follows.filter(user=other_member).exists()
    fragment = on.content.decode()
    # The state, then a button that says what it does (not "Following · stop").
    assert "You follow this." in fragment and ">Stop following</button>" in fragment
    assert "·" not in fragment
    response = client.post(url("follow", idea.pk), {"on": "0"}, headers={"HX-Request": "true"})
    assert ">Follow</button>" in response.content.decode()
    assert "Stop following" not in response.content.decode()
    assert not idea.discussion.follows.filter(user=other_member).exists()


# --- Dialogue -----------------------------------------------------------------------------------


def test_comment_and_reply(client, other_member, member, idea):
    client.force_login(other_member)
    response = client.post(url("comment", idea.pk), {"body": "Great *idea*"})
    top = Comment.objects.get()
    assert response["Location"].endswith(f"#comment-{top.pk}")
    client.force_login(member)
    client.post(url("comment", idea.pk), {"body": "Thanks!", "parent": top.pk})
    html = client.get(url("contribution", idea.pk)).content.decode()
    assert "<em>idea</em>" in html and "Thanks!" in html
    top.refresh_from_db()
    assert top.reply_count == 1


def test_empty_comment_shows_an_error(client, other_member, idea):
    client.force_login(other_member)
    response = client.post(url("comment", idea.pk), {"body": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Comment.objects.count() == 0


def test_comment_on_a_locked_contribution(client, moderator, other_member, idea):
    services.discussion_set_locked(actor=moderator, locked=True, discussion=idea.discussion)
    client.force_login(other_member)
    page = client.get(url("contribution", idea.pk)).content.decode()
    assert "This discussion is locked" in page and "Post comment" not in page
    response = client.post(url("comment", idea.pk), {"body": "Let me in"}, follow=True)
    assert "This discussion is locked." in response.content.decode()
    assert Comment.objects.count() == 0


def test_comment_on_a_closed_challenge(client, manager, other_member, challenge):
    services.challenge_set_phase(actor=manager, challenge=challenge, phase="closed")
    client.force_login(other_member)
    response = client.post(url("challenge_comment", challenge.pk), {"body": "Hi"}, follow=True)
    assert "This challenge is closed for discussion." in response.content.decode()
    assert Comment.objects.count() == 0


def test_reply_parent_must_belong_to_the_same_contribution(
    client, community, member, other_member, idea, toolkit
):
    other = make_contribution(author=member, community=community, toolkit=toolkit)
    foreign = services.comment_create(author=member, discussion=other.discussion, body="Elsewhere")
    client.force_login(other_member)
    response = client.post(url("comment", idea.pk), {"body": "Sneaky", "parent": foreign.pk})
    assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_only_staff_give_official_responses(client, other_member, moderator, idea):
    client.force_login(other_member)
    assert client.post(url("comment", idea.pk), {"body": "x", "official": "on"}).status_code == 403
    client.force_login(moderator)
    client.post(url("comment", idea.pk), {"body": "Official!", "official": "on"})
    assert Comment.objects.get().is_official


def test_edit_comment_is_the_authors(client, other_member, moderator, idea):
    found = services.comment_create(author=other_member, discussion=idea.discussion, body="Frist")
    client.force_login(moderator)
    assert client.get(url("comment_edit", found.pk)).status_code == 403
    client.force_login(other_member)
    assert client.get(url("comment_edit", found.pk)).status_code == 200
    client.post(url("comment_edit", found.pk), {"body": "First"})
    found.refresh_from_db()
    assert found.body == "First" and found.edited_at is not None
    assert "(edited)" in client.get(url("contribution", idea.pk)).content.decode()


def test_helpful_marks(client, member, other_member, idea):
    found = services.comment_create(author=other_member, discussion=idea.discussion, body="Use wax")
    client.force_login(other_member)
    assert client.post(url("comment_helpful", found.pk), {"on": "1"}).status_code == 403
    client.force_login(member)  # the contribution's author
    client.post(url("comment_helpful", found.pk), {"on": "1"})
    found.refresh_from_db()
    assert found.is_helpful
    assert "k-badge-helpful" in client.get(url("contribution", idea.pk)).content.decode()


def test_more_replies_fragment_and_page(client, member, other_member, idea):
    top = services.comment_create(author=other_member, discussion=idea.discussion, body="Top")
    for i in range(6):
        services.comment_create(author=member, parent=top, body=f"Reply number {i}")
    client.force_login(other_member)
    page = client.get(url("contribution", idea.pk)).content.decode()
    assert "Reply number 2" in page and "Reply number 3" not in page
    assert "Show all 6 replies" in page
    fragment = client.get(url("replies", top.pk), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Reply number 5" in fragment
    assert f'id="thread-{top.pk}"' in fragment
    full = client.get(url("replies", top.pk)).content.decode()
    assert "<html" in full and "Reply number 5" in full


def test_more_comments_by_cursor(client, member, other_member, idea):
    for i in range(25):
        services.comment_create(
            author=other_member, discussion=idea.discussion, body=f"Comment {i:02}"
        )
    client.force_login(member)
    first = client.get(url("contribution", idea.pk))
    assert "Comment 19" in first.content.decode() and "Comment 20" not in first.content.decode()
    cursor = first.context["thread"].next_cursor
    fragment = client.get(
        url("contribution", idea.pk), {"cursor": cursor}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and "Comment 24" in fragment and "Comment 00" not in fragment


# --- Editing ------------------------------------------------------------------------------------


def test_edit_keeps_history(client, member, idea):
    client.force_login(member)
    page = client.get(url("edit", idea.pk)).content.decode()
    assert "Wax the chain" in page and "No earlier versions." in page
    response = client.post(
        url("edit", idea.pk),
        {"title": "Wax the chain, weekly", "body": "Weekly", "tags": "chains",
         "field_problem": "Squeaks", "field_would_pay": "yes"},
    )  # fmt: skip
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Wax the chain, weekly" and idea.fields["would_pay"] is True
    page = client.get(url("edit", idea.pk)).content.decode()
    assert "Edit history" in page and "<strong>Wax the chain</strong>" in page


def test_edit_with_missing_required_answer(client, member, idea):
    client.force_login(member)
    response = client.post(url("edit", idea.pk), {"title": "New", "field_problem": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["field_problem"]
    idea.refresh_from_db()
    assert idea.title == "Wax the chain"


def test_decided_contributions_cannot_be_edited(client, manager, member, idea):
    services.contribution_set_status(actor=manager, contribution=idea, status="accepted",
                                     reason="Yes")  # fmt: skip
    client.force_login(member)
    assert client.get(url("edit", idea.pk)).status_code == 403


# --- Challenges ---------------------------------------------------------------------------------


def test_challenge_pages(client, member, manager, challenge, idea, toolkit):
    client.force_login(member)
    listing = client.get(url("challenges")).content.decode()
    assert "Quieter bikes" in listing and "Open for contributions" in listing
    page = client.get(url("challenge", challenge.pk)).content.decode()
    assert "<strong>bikes</strong>" in page
    assert f"?toolkit={toolkit.pk}&amp;challenge={challenge.pk}" in page
    assert "Change phase" not in page
    assert ">Follow</button>" in page
    client.post(url("challenge_follow", challenge.pk), {"on": "1"})
    followed = client.get(url("challenge", challenge.pk)).content.decode()
    assert "You follow this." in followed and ">Stop following</button>" in followed
    client.force_login(manager)
    assert "Change phase" in client.get(url("challenge", challenge.pk)).content.decode()


def test_draft_challenges_are_staff_only(client, member, manager, community):
    draft = services.challenge_create(actor=manager, community=community, title="Soon",
                                      brief="Later")  # fmt: skip
    client.force_login(member)
    assert client.get(url("challenge", draft.pk)).status_code == 404
    assert "Soon" not in client.get(url("challenges")).content.decode()
    client.force_login(manager)
    assert client.get(url("challenge", draft.pk)).status_code == 200


def test_create_challenge_and_change_phase(client, manager, toolkit):
    client.force_login(manager)
    response = client.post(
        url("challenge_new"),
        {"title": "Lighter", "brief": "Lighter frames?", "toolkits": [toolkit.pk],
         "deadline": "", "phase": "open", "wanted": ""},
    )  # fmt: skip
    created = Challenge.objects.get(title="Lighter")
    assert response["Location"] == created.get_absolute_url()
    assert list(created.toolkits.all()) == [toolkit]
    client.post(url("challenge_edit", created.pk), {"phase": "evaluation"})
    created.refresh_from_db()
    assert created.phase == "evaluation"


def test_challenge_with_past_deadline_cannot_open(client, manager):
    client.force_login(manager)
    response = client.post(
        url("challenge_new"),
        {"title": "Late", "brief": "Too late", "deadline": "2001-01-01T10:00", "phase": "open"},
    )
    assert response.status_code == 200
    assert "The deadline must be in the future." in response.content.decode()
    assert not Challenge.objects.filter(title="Late").exists()


# --- Toolkits and scorecards --------------------------------------------------------------------


def _rows(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "30"}  # fmt: skip
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_toolkit_designer(client, manager, moderator, community):
    client.force_login(moderator)
    assert client.get(url("toolkits")).status_code == 403
    client.force_login(manager)
    page = client.get(url("toolkits")).content.decode()
    assert page.count("<legend>Question") == 3  # blank rows, no JavaScript needed
    response = client.post(
        url("toolkits"),
        {"title": "Report a problem", "kind": "problem", "guidance": "Tell us",
         **_rows("fields", [
             {"label": "Where", "type": "choice", "choices": "Trail, Road", "required": "on"},
             {"label": "", "type": "short_text"},
         ])},
    )  # fmt: skip
    assert response.status_code == 302
    toolkit = Toolkit.objects.get(community=community)
    assert toolkit.current_version.fields[0]["choices"] == ["Trail", "Road"]
    assert len(toolkit.current_version.fields) == 1
    # A new version keeps the field key even when the label changes.
    edit_page = client.get(url("toolkit_edit", toolkit.pk)).content.decode()
    assert 'value="where"' in edit_page
    client.post(
        url("toolkit_edit", toolkit.pk),
        {"action": "version", "title": "Report a problem v2", "guidance": "",
         **_rows("fields", [{"key": "where", "label": "Where exactly", "type": "short_text"}])},
    )  # fmt: skip
    toolkit.refresh_from_db()
    assert toolkit.current_version.number == 2
    assert toolkit.current_version.fields[0]["key"] == "where"
    client.post(url("toolkit_edit", toolkit.pk), {"action": "active", "on": "0"})
    toolkit.refresh_from_db()
    assert not toolkit.is_active


def test_toolkit_with_one_choice_is_refused(client, manager, community):
    client.force_login(manager)
    response = client.post(
        url("toolkits"),
        {"title": "Bad", "kind": "idea",
         **_rows("fields", [{"label": "Pick", "type": "choice", "choices": "Only"}])},
    )  # fmt: skip
    assert response.status_code == 200
    assert "needs at least two choices" in response.content.decode()
    assert not Toolkit.objects.filter(community=community).exists()


def test_scorecards(client, manager, moderator, community):
    client.force_login(moderator)
    page = client.get(url("scorecards"))
    assert page.status_code == 200 and "New scorecard" not in page.content.decode()
    response = client.post(url("scorecards"), {"title": "X", **_rows("criteria", [])})
    assert response.status_code == 403
    client.force_login(manager)
    response = client.post(
        url("scorecards"),
        {"title": "Feasibility", "challenge": "",
         **_rows("criteria", [{"label": "Cost", "weight": "2"}, {"label": "Fit", "weight": ""}])},
    )  # fmt: skip
    assert response.status_code == 302
    card = Scorecard.objects.get()
    assert card.criteria == [
        {"key": "cost", "label": "Cost", "weight": 2},
        {"key": "fit", "label": "Fit", "weight": 1},
    ]
    response = client.post(url("scorecards"), {"title": "Empty", **_rows("criteria", [])})
    assert "Add at least one criterion." in response.content.decode()


def test_toolkit_help_and_labels_are_escaped_on_the_form(client, manager, member, community):
    # Django renders a form field's help_text unescaped; a manager's help text must not be.
    toolkit = make_toolkit(
        actor=manager,
        community=community,
        fields=[
            {"key": "q", "label": "<b>Label</b>", "type": "choice",
             "help": "<img src=x onerror=alert(1)>", "choices": ["<i>one</i>", "two"]},
        ],
    )  # fmt: skip
    client.force_login(member)
    html = client.get(url("contribute", query=f"?toolkit={toolkit.pk}")).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>Label</b>" not in html and "<i>one</i>" not in html


def test_a_feed_card_renders_as_its_contribution_would(community, member, other_member, toolkit,
                                                       challenge):  # fmt: skip
    """The feed and the community home build their cards from plain rows (``ContributionCard``),
    not contributions: each card's template must show exactly what it shows for the
    contribution itself, in every language."""
    shown = make_contribution(
        author=member, community=community, toolkit=toolkit, title="Quiet <hubs>",
        tags="noise, hubs", challenge=challenge,
    )  # fmt: skip
    services.support_add(user=other_member, contribution=shown)
    member.display_name = ""  # the fallback name ("Member #id") too
    member.save(update_fields=["display_name"])
    home_rows = selectors.feed_rows(
        selectors.contribution_feed(user=other_member, community=community), user=other_member
    )
    page_rows = selectors.feed_summary_rows(user=other_member, community=community)[:50]
    model = Contribution.objects.select_related("author", "challenge").get(pk=shown.pk)
    model.viewer_supports = True
    # The home's rows (ORM) and the feed page's (hand-written SQL) make the same card.
    for rows, language in product((home_rows, page_rows), ("en", "de", "fr")):
        row = next(r for r in rows if r["id"] == shown.pk)
        with translation.override(language):
            context = {"community": community, "show_challenge": True}
            from_row = render_to_string("knowledge/_item.html", {**context, "c": card(row)})
            from_model = render_to_string("knowledge/_item.html", {**context, "c": model})
            home_row = render_to_string("knowledge/home/_idea.html", {**context, "c": card(row)})
            home_model = render_to_string("knowledge/home/_idea.html", {**context, "c": model})
            fallback = str(model.author.public_name)
        assert from_row == from_model
        assert home_row == home_model and fallback in unescape(home_row)
        # What the comparison covers: the support, the challenge, the tags, the fallback name.
        assert "k-stat-mine" in from_row and "Quieter bikes" in from_row and "#hubs" in from_row
        assert str(member.pk) in fallback and fallback in unescape(from_row)
