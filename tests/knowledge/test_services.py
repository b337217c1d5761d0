from datetime import timedelta

import pytest
import rules
from django.utils import timezone

from cocreate.errors import Conflict, PermissionDenied, ValidationError
from events.models import OutboxEvent
from knowledge import services
from knowledge.models import Challenge, Comment, Contribution, StatusChange, Support

from ..factories import UserFactory
from .factories import make_contribution, make_toolkit

pytestmark = pytest.mark.django_db


def test_toolkit_versions_keep_old_contributions(community, manager, member, toolkit):
    first = make_contribution(author=member, community=community, toolkit=toolkit)
    services.toolkit_revise(
        actor=manager,
        toolkit=toolkit,
        title="Share an idea (v2)",
        guidance="",
        fields=[{"label": "Budget", "type": "number", "required": True}],
    )
    toolkit.refresh_from_db()
    assert toolkit.current_version.number == 2
    first.refresh_from_db()
    assert first.toolkit_version.number == 1
    with pytest.raises(ValidationError) as excinfo:
        make_contribution(author=member, community=community, toolkit=toolkit, fields={})
    assert "field_budget" in excinfo.value.message_dict


def test_bad_toolkit_definitions_are_refused(community, manager):
    with pytest.raises(ValidationError):
        make_toolkit(actor=manager, community=community, fields=[{"label": "X", "type": "nope"}])
    with pytest.raises(ValidationError):
        make_toolkit(actor=manager, community=community, fields=[{"label": "X", "type": "choice"}])


def test_member_cannot_design_toolkits(community, member):
    with pytest.raises(PermissionDenied):
        make_toolkit(actor=member, community=community)


def test_missing_required_field_writes_nothing(community, member, toolkit):
    with pytest.raises(ValidationError) as excinfo:
        make_contribution(author=member, community=community, toolkit=toolkit, fields={})
    assert excinfo.value.message_dict["field_problem"] == ["This field is required."]
    assert not Contribution.objects.exists()
    assert not OutboxEvent.objects.filter(kind="contribution.submitted").exists()


def test_typed_fields_are_validated(community, member, toolkit):
    with pytest.raises(ValidationError) as excinfo:
        make_contribution(
            author=member,
            community=community,
            toolkit=toolkit,
            fields={"problem": "x", "who_has_it": "Aliens", "prototype_link": "javascript:x"},
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"field_who_has_it", "field_prototype_link"}


def test_draft_then_submit(community, member, toolkit):
    draft = make_contribution(
        author=member, community=community, toolkit=toolkit, fields={}, submit=False
    )
    assert draft.status == "draft"
    with pytest.raises(ValidationError):
        services.contribution_submit(author=member, contribution=draft)
    services.contribution_edit(
        editor=member,
        contribution=draft,
        title="Quieter chains",
        body="Now with details",
        fields={"problem": "Squeak"},
        tags="chains, Noise, chains",
    )
    submitted = services.contribution_submit(author=member, contribution=draft)
    assert submitted.status == "submitted"
    draft.refresh_from_db()
    assert draft.tags == ["chains", "noise"]
    assert draft.revisions.count() == 1


def test_markdown_is_sanitized(community, member, toolkit):
    c = make_contribution(
        author=member,
        community=community,
        toolkit=toolkit,
        body="<script>alert(1)</script>[x](javascript:alert(1)) **ok**",
    )
    assert "<script" not in c.body_html
    assert 'href="javascript' not in c.body_html  # the link is dropped, its text stays text
    assert "<strong>ok</strong>" in c.body_html


def test_challenge_past_deadline_refuses_contributions(community, manager, member, toolkit):
    challenge = services.challenge_create(
        actor=manager,
        community=community,
        title="Quiet drivetrain",
        brief="How can we make it quieter?",
        toolkits=[toolkit],
        deadline=timezone.now() + timedelta(days=1),
        phase=Challenge.Phase.OPEN,
    )
    ok = make_contribution(author=member, community=community, toolkit=toolkit, challenge=challenge)
    assert ok.challenge == challenge
    Challenge.objects.filter(pk=challenge.pk).update(deadline=timezone.now() - timedelta(hours=1))
    challenge.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        make_contribution(author=member, community=community, toolkit=toolkit, challenge=challenge)
    assert "challenge" in excinfo.value.message_dict
    challenge.refresh_from_db()
    assert challenge.contribution_count == 1


def test_lifecycle_with_reasons_and_events(community, manager, member, toolkit):
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    with pytest.raises(ValidationError):
        services.contribution_set_status(
            actor=manager, contribution=c, status="accepted", reason=""
        )
    with pytest.raises(Conflict):
        services.contribution_set_status(
            actor=manager, contribution=c, status="shipped", reason="too soon"
        )
    with pytest.raises(PermissionDenied):
        services.contribution_set_status(
            actor=member, contribution=c, status="accepted", reason="I like it"
        )
    services.contribution_set_status(
        actor=manager, contribution=c, status="under_review", reason="Looking at it"
    )
    services.contribution_set_status(
        actor=manager, contribution=c, status="accepted", reason="Great idea"
    )
    steps = list(StatusChange.objects.filter(contribution=c).values_list("to_status", "reason"))
    assert steps == [
        ("submitted", ""),
        ("under_review", "Looking at it"),
        ("accepted", "Great idea"),
    ]
    assert OutboxEvent.objects.filter(kind="contribution.status_changed").count() == 2


def test_duplicate_needs_original(community, manager, member, toolkit):
    original = make_contribution(author=member, community=community, toolkit=toolkit)
    copy = make_contribution(author=member, community=community, toolkit=toolkit)
    with pytest.raises(ValidationError):
        services.contribution_set_status(
            actor=manager, contribution=copy, status="duplicate", reason="Same"
        )
    services.contribution_set_status(
        actor=manager, contribution=copy, status="duplicate", reason="Same", related_to=original
    )
    copy.refresh_from_db()
    assert copy.related_to == original


def test_supports_are_one_per_member_and_counted(community, member, moderator, toolkit):
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    assert services.support_add(user=moderator, contribution=c) is True
    assert services.support_add(user=moderator, contribution=c) is False
    c.refresh_from_db()
    assert c.support_count == 1
    assert services.support_remove(user=moderator, contribution=c) is True
    assert services.support_remove(user=moderator, contribution=c) is False
    c.refresh_from_db()
    assert c.support_count == 0 == Support.objects.count()


def test_an_author_cannot_support_their_own_contribution(community, member, toolkit):
    """One's own idea is implicitly supported: no support row, no count, no points later."""
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    with pytest.raises(PermissionDenied) as refused:
        services.support_add(user=member, contribution=c)
    assert "You can't support your own idea" in str(refused.value)
    c.refresh_from_db()
    assert c.support_count == 0 and not Support.objects.exists()
    assert not rules.has_perm("knowledge.support_contribution", member, c)


def test_outsider_cannot_support_or_comment(community, member, outsider, toolkit):
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    with pytest.raises(PermissionDenied):
        services.support_add(user=outsider, contribution=c)
    with pytest.raises(PermissionDenied):
        services.comment_create(author=outsider, discussion=c.discussion, body="hi")


def test_comments_threads_mentions_official(community, manager, member, moderator, toolkit):
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    first = services.comment_create(
        author=moderator, discussion=c.discussion, body=f"Nice, @{manager.handle} look"
    )
    reply = services.comment_create(author=member, parent=first, body="Thanks!")
    nested = services.comment_create(author=manager, parent=reply, body="Official", official=True)
    assert nested.parent == first  # replies stay one level deep
    first.refresh_from_db()
    c.refresh_from_db()
    assert first.reply_count == 2
    assert c.comment_count == 3
    kinds = sorted(OutboxEvent.objects.values_list("kind", flat=True))
    assert kinds.count("comment.mention") == 1
    assert "comment.official_response" in kinds
    assert "comment.reply" in kinds
    with pytest.raises(PermissionDenied):
        services.comment_create(author=member, discussion=c.discussion, body="x", official=True)


def test_locked_discussion_refuses_comments(community, manager, member, toolkit):
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    services.discussion_set_locked(actor=manager, discussion=c.discussion, locked=True)
    with pytest.raises(Conflict):
        services.comment_create(author=member, discussion=c.discussion, body="hello")
    assert not Comment.objects.exists()
    c.refresh_from_db()
    assert c.comment_count == 0


def test_closed_challenge_refuses_comments(community, manager, member):
    challenge = services.challenge_create(
        actor=manager, community=community, title="T", brief="B", phase="closed"
    )
    with pytest.raises(Conflict):
        services.comment_create(author=member, discussion=challenge.discussion, body="late")


def test_helpful_by_author_or_staff_only(community, manager, member, moderator, toolkit):
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    comment = services.comment_create(author=moderator, discussion=c.discussion, body="Try wax")
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.comment_mark_helpful(actor=other, comment=comment, helpful=True)
    services.comment_mark_helpful(actor=member, comment=comment, helpful=True)
    comment.refresh_from_db()
    assert comment.is_helpful


def test_comment_edit_keeps_history(community, member, toolkit, moderator):
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    comment = services.comment_create(author=moderator, discussion=c.discussion, body="v1")
    services.comment_edit(editor=moderator, comment=comment, body="v2")
    comment.refresh_from_db()
    assert comment.body == "v2" and comment.edited_at is not None
    assert list(comment.revisions.values_list("body", flat=True)) == ["v1"]
    with pytest.raises(PermissionDenied):
        services.comment_edit(editor=member, comment=comment, body="hijack")


def test_evaluation_weighted_score(community, manager, member, toolkit):
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    card = services.scorecard_create(
        actor=manager,
        community=community,
        title="Fit",
        criteria=[{"label": "Impact", "weight": 3}, {"label": "Effort", "weight": 1}],
    )
    with pytest.raises(ValidationError):
        services.evaluation_submit(
            evaluator=manager, contribution=c, scorecard=card, scores={"impact": 6, "effort": 1}
        )
    ev = services.evaluation_submit(
        evaluator=manager, contribution=c, scorecard=card, scores={"impact": 5, "effort": 2}
    )
    assert str(ev.weighted_score) == "4.25"
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(
            evaluator=member, contribution=c, scorecard=card, scores={"impact": 5, "effort": 5}
        )
