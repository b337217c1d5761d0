from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from cocreate.errors import Conflict, PermissionDenied, ValidationError
from communities.models import Membership
from events.models import OutboxEvent
from knowledge import services as knowledge
from knowledge.models import ModerationState
from moderation import services
from moderation.models import Appeal, Flag, ModerationAction, ModerationSettings

from ..conftest import require_or_skip, uses_postgres
from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(community, member, toolkit):
    # An established author: the post is published at once (no pre-moderation).
    Membership.objects.filter(community=community, user=member).update(
        joined_at=timezone.now() - timedelta(days=30)
    )
    return make_contribution(author=member, community=community, toolkit=toolkit)


@pytest.fixture
def comment(post, member, moderator):
    return knowledge.comment_create(author=member, discussion=post.discussion, body="rude words")


def _established(community):
    user = UserFactory()
    m = MembershipFactory(community=community, user=user)
    Membership.objects.filter(pk=m.pk).update(joined_at=timezone.now() - timedelta(days=30))
    return user


def test_established_flags_hide_pending_review(community, comment):
    ModerationSettings.objects.create(community=community, flag_threshold=2)
    newcomer = UserFactory()
    MembershipFactory(community=community, user=newcomer, joined_at=timezone.now())
    services.flag_create(reporter=newcomer, comment=comment, reason="abusive")
    comment.refresh_from_db()
    assert comment.moderation_state == ModerationState.VISIBLE  # new accounts don't hide
    services.flag_create(reporter=_established(community), comment=comment, reason="abusive")
    comment.refresh_from_db()
    assert comment.moderation_state == ModerationState.VISIBLE
    services.flag_create(reporter=_established(community), comment=comment, reason="spam")
    comment.refresh_from_db()
    assert comment.moderation_state == ModerationState.PENDING


def test_one_flag_per_member_and_reasons(community, comment, moderator):
    reporter = _established(community)
    services.flag_create(reporter=reporter, comment=comment, reason="spam")
    with pytest.raises(Conflict):
        services.flag_create(reporter=reporter, comment=comment, reason="abusive")
    with pytest.raises(ValidationError):
        services.flag_create(reporter=moderator, comment=comment, reason="other", note="")
    assert Flag.objects.count() == 1


def test_outsider_and_suspended_cannot_flag(community, comment, outsider, moderator):
    with pytest.raises(PermissionDenied):
        services.flag_create(reporter=outsider, comment=comment, reason="spam")
    suspended = _established(community)
    services.moderation_act(
        actor=moderator,
        kind="suspend",
        reason="Cool down",
        member=suspended,
        community=community,
        duration=timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        services.flag_create(reporter=suspended, comment=comment, reason="spam")


def test_hide_with_reason_settles_flags_and_tells_people(community, comment, moderator):
    reporter = _established(community)
    services.flag_create(reporter=reporter, comment=comment, reason="abusive")
    with pytest.raises(ValidationError):
        services.moderation_act(actor=moderator, kind="hide", reason=" ", comment=comment)
    action = services.moderation_act(
        actor=moderator, kind="hide", reason="Personal attack", comment=comment
    )
    comment.refresh_from_db()
    assert comment.moderation_state == ModerationState.HIDDEN
    assert comment.moderation_reason == "Personal attack"
    assert Flag.objects.get().status == "upheld"
    author_event = OutboxEvent.objects.get(kind="moderation.action")
    assert author_event.payload["recipient_id"] == comment.author_id
    assert author_event.payload["reason"] == "Personal attack"
    outcome = OutboxEvent.objects.get(kind="flag.outcome")
    assert outcome.payload["reporter_ids"] == [reporter.pk]
    assert action.subject_id == comment.author_id


def test_moderator_of_other_community_cannot_act(organization, comment):
    other = CommunityFactory(organization=organization, slug="elsewhere")
    stranger_mod = UserFactory()
    MembershipFactory(community=other, user=stranger_mod, role="moderator")
    with pytest.raises(PermissionDenied):
        services.moderation_act(actor=stranger_mod, kind="hide", reason="x", comment=comment)


def test_member_cannot_moderate(community, comment, manager):
    plain = _established(community)
    with pytest.raises(PermissionDenied):
        services.moderation_act(actor=plain, kind="hide", reason="x", comment=comment)


def test_suspension_blocks_writing_until_it_ends(community, member, moderator, post):
    services.moderation_act(
        actor=moderator,
        kind="suspend",
        reason="Spamming",
        member=member,
        community=community,
        duration=timedelta(hours=2),
    )
    member_row = Membership.objects.get(community=community, user=member)
    assert member_row.status == "suspended"
    post = type(post).objects.select_related("community").get(pk=post.pk)  # the next request
    with pytest.raises(PermissionDenied):
        knowledge.comment_create(author=member, discussion=post.discussion, body="hi")
    with pytest.raises(PermissionDenied):
        knowledge.support_add(user=member, contribution=post)
    Membership.objects.filter(pk=member_row.pk).update(
        suspended_until=timezone.now() - timedelta(seconds=1)
    )
    post = type(post).objects.select_related("community").get(pk=post.pk)
    assert knowledge.comment_create(author=member, discussion=post.discussion, body="back")


def test_ban_blocks_everything(community, member, moderator, post):
    services.moderation_act(
        actor=moderator, kind="ban", reason="Threats", member=member, community=community
    )
    post = type(post).objects.select_related("community").get(pk=post.pk)
    with pytest.raises(PermissionDenied):
        knowledge.comment_create(author=member, discussion=post.discussion, body="hi")
    community.refresh_from_db()
    assert (
        community.member_count
        == Membership.objects.filter(community=community, status="active").count()
    )


def test_appeal_once_decided_by_another_moderator(community, comment, moderator, manager):
    action = services.moderation_act(
        actor=moderator, kind="hide", reason="Looks abusive", comment=comment
    )
    author = comment.author
    with pytest.raises(PermissionDenied):
        services.appeal_create(appellant=moderator, action=action, text="not mine")
    appeal = services.appeal_create(appellant=author, action=action, text="It was a joke")
    with pytest.raises(Conflict):
        services.appeal_create(appellant=author, action=action, text="again")
    with pytest.raises(PermissionDenied):
        services.appeal_decide(actor=moderator, appeal=appeal, overturn=True, reason="mine")
    services.appeal_decide(actor=manager, appeal=appeal, overturn=True, reason="Fair point")
    appeal.refresh_from_db()
    comment.refresh_from_db()
    assert appeal.status == Appeal.Status.OVERTURNED
    assert comment.moderation_state == ModerationState.VISIBLE
    restore = ModerationAction.objects.get(kind="restore")
    assert restore.reverses == action and restore.actor == manager
    decided = OutboxEvent.objects.get(kind="moderation.appeal_decided")
    assert decided.payload["recipient_id"] == author.pk


def test_log_has_no_update_or_delete_path_in_code():
    """No code path changes a log row: the model is only ever created (checked by grep of
    the app's code) and the admin is read-only."""

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        if any(part in {".venv", "tests", "migrations"} for part in path.parts):
            continue
        text = path.read_text()
        if "ModerationAction.objects" in text:
            for line in text.splitlines():
                if "ModerationAction.objects" in line and any(
                    verb in line for verb in (".update(", ".delete(", "update_or_create")
                ):
                    offenders.append(f"{path}: {line.strip()}")
    assert offenders == []
    model_admin = admin.site._registry.get(ModerationAction)
    if model_admin is not None:
        assert not model_admin.has_change_permission(None)
        assert not model_admin.has_delete_permission(None)


@pytest.mark.django_db(transaction=True)
def test_database_refuses_to_change_the_log(organization):
    require_or_skip(uses_postgres(), "the append-only trigger is PostgreSQL's")

    community = CommunityFactory(organization=organization)
    moderator, member = UserFactory(), UserFactory()
    MembershipFactory(community=community, user=moderator, role="moderator")
    MembershipFactory(community=community, user=member)
    action = services.moderation_act(
        actor=moderator, kind="warn", reason="Be kind", member=member, community=community
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        ModerationAction.objects.filter(pk=action.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        ModerationAction.objects.filter(pk=action.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM moderation_moderationaction WHERE id = %s", [action.pk])
        assert cursor.fetchone()[0] == "Be kind"
