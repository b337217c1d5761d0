"""Bulk actions, the queue selector, the CSV export and the transparency counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from cocreate.errors import Conflict, PermissionDenied, ValidationError
from communities.models import Membership
from knowledge import services as knowledge
from knowledge.models import Comment, Discussion, ModerationState
from moderation import export, selectors, services
from moderation.models import Appeal, Flag, ModerationAction

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution
from .helpers import established

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(community, member, toolkit):
    # An established author: the post is published at once (no pre-moderation).
    Membership.objects.filter(community=community, user=member).update(
        joined_at=timezone.now() - timedelta(days=30)
    )
    return make_contribution(author=member, community=community, toolkit=toolkit)


def comment_on(post, author, body="text"):
    return knowledge.comment_create(author=author, discussion=post.discussion, body=body)


# --- Bulk -----------------------------------------------------------------------------------------


def test_bulk_hide_logs_one_action_per_item_and_reports_failures(
    community, post, member, moderator
):
    a, b, c = (comment_on(post, member, f"comment {i}") for i in range(3))
    services.moderation_act(actor=moderator, kind="hide", reason="Earlier", comment=c)
    before = ModerationAction.objects.count()
    outcomes = services.moderation_bulk_act(
        actor=moderator,
        community=community,
        kind="hide",
        reason="Off-topic thread",
        items=[("comment", a.pk), ("comment", b.pk), ("comment", c.pk), ("comment", 10**9)],
    )
    assert [(o.id, o.ok) for o in outcomes] == [
        (a.pk, True),
        (b.pk, True),
        (c.pk, False),
        (10**9, False),
    ]
    assert outcomes[2].code == "already_hidden"
    assert outcomes[3].code == "not_found"
    # One logged action per item that went through; the failed item kept its earlier reason.
    assert ModerationAction.objects.count() == before + 2
    assert set(
        ModerationAction.objects.filter(reason="Off-topic thread").values_list(
            "comment_id", flat=True
        )
    ) == {a.pk, b.pk}
    c.refresh_from_db()
    assert c.moderation_reason == "Earlier"
    for item in (a, b):
        item.refresh_from_db()
        assert item.moderation_state == ModerationState.HIDDEN


def test_bulk_restore_approves_premoderated_and_restores_hidden(community, post, member, moderator):
    waiting = comment_on(post, member, "new member's first words")
    knowledge.content_set_moderation_state(state="pending", reason="", comment=waiting)
    hidden = comment_on(post, member, "hidden one")
    services.moderation_act(actor=moderator, kind="hide", reason="Rude", comment=hidden)
    visible = comment_on(post, member, "fine")
    outcomes = services.moderation_bulk_act(
        actor=moderator,
        community=community,
        kind="restore",
        reason="Looks fine",
        items=[("comment", waiting.pk), ("comment", hidden.pk), ("comment", visible.pk)],
    )
    assert [o.ok for o in outcomes] == [True, True, False]
    assert outcomes[0].action.kind == "approve"
    assert outcomes[1].action.kind == "restore"
    assert outcomes[2].code == "already_visible"
    assert Comment.objects.get(pk=waiting.pk).moderation_state == ModerationState.VISIBLE


def test_bulk_dismiss_needs_open_flags(community, post, member, moderator):
    flagged, clean = comment_on(post, member, "a"), comment_on(post, member, "b")
    services.flag_create(reporter=established(community), comment=flagged, reason="spam")
    outcomes = services.moderation_bulk_act(
        actor=moderator,
        community=community,
        kind="dismiss_flags",
        reason="Not spam",
        items=[("comment", flagged.pk), ("comment", clean.pk)],
    )
    assert [o.ok for o in outcomes] == [True, False]
    assert outcomes[1].code == "no_open_flags"
    assert Flag.objects.get().status == Flag.Status.DISMISSED


def test_bulk_refuses_before_touching_anything(community, organization, post, member, moderator):
    item = comment_on(post, member)
    other = CommunityFactory(organization=organization)
    stranger = UserFactory()
    MembershipFactory(community=other, user=stranger, role="moderator")
    with pytest.raises(PermissionDenied):
        services.moderation_bulk_act(
            actor=stranger,
            community=community,
            kind="hide",
            reason="x",
            items=[("comment", item.pk)],
        )
    with pytest.raises(ValidationError):
        services.moderation_bulk_act(
            actor=moderator, community=community, kind="hide", reason=" ", items=[]
        )
    with pytest.raises(ValidationError):
        services.moderation_bulk_act(
            actor=moderator, community=community, kind="ban", reason="x", items=[]
        )
    # A moderator of the other community acting there cannot reach this community's items.
    outcomes = services.moderation_bulk_act(
        actor=stranger, community=other, kind="hide", reason="x", items=[("comment", item.pk)]
    )
    assert outcomes[0].code == "not_found"
    assert ModerationAction.objects.count() == 0


def test_lock_twice_and_dismiss_without_flags_conflict(community, post, moderator):
    services.moderation_act(actor=moderator, kind="lock", reason="Heated", contribution=post)
    with pytest.raises(Conflict):
        services.moderation_act(actor=moderator, kind="lock", reason="Again", contribution=post)
    with pytest.raises(Conflict):
        services.moderation_act(
            actor=moderator, kind="dismiss_flags", reason="None", contribution=post
        )
    assert Discussion.objects.get(contribution=post).is_locked


# --- The queue ------------------------------------------------------------------------------------


def test_queue_lists_pending_and_flagged_with_filters_and_pages(
    community, post, member, moderator, toolkit
):
    flagged = comment_on(post, member, "flag me")
    services.flag_create(
        reporter=established(community), comment=flagged, reason="abusive", note="insult"
    )
    pending = make_contribution(author=member, community=community, toolkit=toolkit)
    knowledge.content_set_moderation_state(state="pending", reason="", contribution=pending)
    comment_on(post, member, "harmless")
    page = selectors.moderation_queue(user=moderator, community=community)
    keys = [i.key for i in page.items]
    assert keys == [f"comment:{flagged.pk}", f"contribution:{pending.pk}"]
    first = page.items[0]
    assert first.reasons[0][1] == 1 and first.notes == ["insult"]
    assert first.standing.membership.user_id == member.pk
    assert [
        i.key
        for i in selectors.moderation_queue(
            user=moderator, community=community, kind="comment"
        ).items
    ] == [f"comment:{flagged.pk}"]
    assert (
        selectors.moderation_queue(user=moderator, community=community, reason="spam").items == []
    )
    assert [
        i.key
        for i in selectors.moderation_queue(
            user=moderator, community=community, state="pending"
        ).items
    ] == [f"contribution:{pending.pk}"]
    one = selectors.moderation_queue(user=moderator, community=community, page_size=1)
    assert one.has_next
    two = selectors.moderation_queue(
        user=moderator, community=community, page_size=1, cursor=one.next_cursor
    )
    assert [i.key for i in two.items] == [f"contribution:{pending.pk}"] and not two.has_next
    with pytest.raises(PermissionDenied):
        selectors.moderation_queue(user=member, community=community)


# --- CSV export -----------------------------------------------------------------------------------


def test_csv_export_has_every_row_and_neutralises_formulas(
    community, post, member, moderator, manager
):
    services.moderation_act(
        actor=moderator, kind="warn", reason='=HYPERLINK("x")', member=member, community=community
    )
    services.moderation_act(
        actor=moderator,
        kind="suspend",
        reason="@cooldown",
        member=member,
        community=community,
        duration=timedelta(days=1),
    )
    services.moderation_act(actor=moderator, kind="hide", reason="+1 spam", contribution=post)
    log = selectors.moderation_log(user=manager, community=community)
    text = "".join(export.csv_lines(export.log_rows(log)))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == export.HEADER
    assert [r[2] for r in rows[1:]] == ["warn", "suspend", "hide"]
    assert [r[5] for r in rows[1:]] == ['\'=HYPERLINK("x")', "'@cooldown", "'+1 spam"]
    assert rows[2][6]  # until
    assert rows[3][3] == f"contribution #{post.pk}"
    assert export.neutralise("-2") == "'-2" and export.neutralise("fine") == "fine"


# --- Transparency ---------------------------------------------------------------------------------


def test_transparency_counts_by_kind_period_and_appeals(
    community, post, member, moderator, manager
):
    a = comment_on(post, member)
    hide = services.moderation_act(actor=moderator, kind="hide", reason="r", comment=a)
    services.moderation_act(
        actor=moderator, kind="warn", reason="w", member=member, community=community
    )
    appeal = services.appeal_create(appellant=member, action=hide, text="please")
    services.appeal_decide(actor=manager, appeal=appeal, overturn=True, reason="ok")
    services.flag_create(reporter=established(community), contribution=post, reason="spam")
    report = selectors.transparency(user=UserFactory(), community=community)
    assert report.totals["hide"] == 1 and report.totals["warn"] == 1
    assert report.totals["restore"] == 1  # the overturn
    assert report.appeals == {"open": 0, "upheld": 0, "overturned": 1}
    assert report.flags == 1
    assert len(report.rows) == 1 and report.rows[0][2] == 3
    # Counts only: nothing in the report names a person.
    assert member.public_name not in repr(report) and moderator.public_name not in repr(report)
    assert Appeal.objects.get().status == "overturned"
