"""What the demo's tests share: running ``seed_demo``, counting what it wrote, and checking
that the story is all there."""

from datetime import timedelta
from io import StringIO

from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from communities import services as communities
from communities.models import (
    Community,
    Membership,
    MembershipChange,
    Organization,
    OrganizationStaff,
)
from demo.people import PEOPLE
from events.models import Delivery, OutboxEvent
from knowledge import selectors
from knowledge.mentions import MENTION_RE
from knowledge.models import (
    Challenge,
    Comment,
    Contribution,
    ContributionTag,
    Evaluation,
    FieldType,
    Follow,
    ModerationState,
    Scorecard,
    StatusChange,
    Support,
    Toolkit,
    ToolkitVersion,
)
from moderation.models import Appeal, Flag, ModerationAction
from notifications.models import Announcement, FanoutChunk, Notification

S = Contribution.Status
# Every model the seed writes to, directly or through the services and the event consumers.
MODELS = [
    User,
    EmailAddress,
    Organization,
    OrganizationStaff,
    Community,
    Membership,
    MembershipChange,
    Toolkit,
    ToolkitVersion,
    Challenge,
    Contribution,
    ContributionTag,
    StatusChange,
    Comment,
    Support,
    Follow,
    Scorecard,
    Evaluation,
    Flag,
    ModerationAction,
    Appeal,
    Announcement,
    OutboxEvent,
    Delivery,
    FanoutChunk,
    Notification,
]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


def user(email: str) -> User:
    return User.objects.get(email=email)


def assert_story_told() -> None:
    lab = Community.objects.get(slug="trail-bike-lab")
    audio = Community.objects.get(slug="home-audio-insiders")
    now = timezone.now()

    # Ideas in every status, the draft Maya's, with reasons on every staff move.
    assert set(Contribution.objects.values_list("status", flat=True)) == set(S.values)
    draft = Contribution.objects.get(status=S.DRAFT)
    assert draft.author.email == "member@demo.cocreate.test"
    for status in (S.DUPLICATE, S.MERGED):
        moved = Contribution.objects.get(status=status)
        assert moved.related_to is not None and moved.related_to.community_id == lab.pk
    assert not StatusChange.objects.exclude(to_status=S.SUBMITTED).filter(reason="").exists()
    shipped = Contribution.objects.get(status=S.SHIPPED)
    steps = list(shipped.status_changes.order_by("created_at", "id"))
    assert [s.to_status for s in steps] == [
        S.SUBMITTED,
        S.UNDER_REVIEW,
        S.ACCEPTED,
        S.IN_DEVELOPMENT,
        S.SHIPPED,
    ]
    # The story has a past: the timeline spans weeks, in order, and ends before today.
    assert steps[0].created_at < now - timedelta(days=20)
    assert steps[-1].created_at < now - timedelta(days=1)
    assert shipped.submitted_at == steps[0].created_at

    # A toolkit of every field type; an open, a closed and an evaluated challenge.
    types = {f["type"] for v in ToolkitVersion.objects.all() for f in v.fields}
    assert types == set(FieldType.values)
    open_challenge = Challenge.objects.get(community=lab, phase=Challenge.Phase.OPEN)
    assert open_challenge.deadline > now + timedelta(days=14)
    closed = Challenge.objects.get(community=lab, phase=Challenge.Phase.CLOSED)
    assert closed.deadline < now and closed.contribution_count >= 3
    assert Challenge.objects.filter(phase=Challenge.Phase.EVALUATION).exists()
    assert Challenge.objects.filter(community=audio, phase=Challenge.Phase.OPEN).exists()

    # Threaded dialogue with mentions of members, and official responses from staff.
    handles = set(User.objects.exclude(handle=None).values_list("handle", flat=True))
    replies = Comment.objects.filter(parent__isnull=False)
    assert any(set(MENTION_RE.findall(c.body.lower())) & handles for c in replies)
    assert OutboxEvent.objects.filter(kind="comment.mention").count() >= 4
    assert Comment.objects.filter(is_official=True, discussion__community=lab).exists()
    assert Comment.objects.filter(is_official=True, discussion__community=audio).exists()

    # Supports from several members; scores on the triage board.
    assert Support.objects.values("user").distinct().count() >= 6
    top = Contribution.objects.annotate(n=Count("supports")).order_by("-n").first()
    assert top is not None and top.n >= 5 and top.support_count == top.n
    assert Evaluation.objects.values("evaluator").distinct().count() >= 2
    board = selectors.triage_board(user=user("manager@demo.cocreate.test"), community=lab)
    scored = [c for column in board.values() for c in column if c.avg_score is not None]
    assert len(scored) >= 4

    # The newcomer: a join request with his answer waits; his first idea waits for review.
    nico = user("newcomer@demo.cocreate.test")
    request = Membership.objects.get(community=audio, user=nico)
    assert request.status == Membership.Status.PENDING and request.application_answer
    joined = Membership.objects.get(community=lab, user=nico)
    assert joined.status == Membership.Status.ACTIVE
    assert joined.joined_at is not None and joined.joined_at > now - timedelta(hours=1)
    held = Contribution.objects.get(author=nico)
    assert held.moderation_state == ModerationState.PENDING and held.first_approval_pending

    # Moderation: an open flag in the queue; a hidden comment whose author appealed.
    assert Flag.objects.filter(community=lab, status=Flag.Status.OPEN).exists()
    hide = ModerationAction.objects.get(kind=ModerationAction.Kind.HIDE)
    assert hide.comment is not None and hide.comment.moderation_state == ModerationState.HIDDEN
    appeal = Appeal.objects.get(action=hide)
    assert appeal.status == Appeal.Status.OPEN and appeal.appellant_id == hide.comment.author_id
    assert Announcement.objects.filter(community_id=lab.pk).exists()

    # Every event reached its consumer, and every demo account has something in the bell.
    assert not Delivery.objects.filter(processed_at__isnull=True).exists()
    for person in PEOPLE:
        unread = Notification.objects.filter(recipient__email=person.email, read_at=None)
        assert unread.exists(), f"{person.email} has no unread notification"


def old_demo() -> None:
    """What the previous seed_demo created: six people, the firm, four communities, and the
    manager, moderator and (where anyone may join) member in each; no knowledge at all."""
    people = {
        role: user_create(
            email=email,
            password="cocreate-demo",
            display_name=name,
            email_verified=True,
            is_superuser=role == "admin",
        )
        for email, name, role in [
            ("admin@demo.cocreate.test", "Ada Admin", "admin"),
            ("staff@demo.cocreate.test", "Sam Staff", "staff"),
            ("manager@demo.cocreate.test", "Mia Manager", "manager"),
            ("moderator@demo.cocreate.test", "Milo Moderator", "moderator"),
            ("member@demo.cocreate.test", "Maya Member", "member"),
            ("newcomer@demo.cocreate.test", "Nico Newcomer", "none"),
        ]
    }
    staff = people["staff"]
    org = communities.organization_create(name="Northwind Outdoor & Home", slug="northwind")
    communities.organization_add_staff(organization=org, user=staff)
    for name, visibility, policy, question in [
        ("Trail Bike Lab", "public", "open", ""),
        ("Home Audio Insiders", "public", "request", "What do you listen on?"),
        ("Kitchen Prototype Circle", "private", "invitation", ""),
        ("Accessibility Council", "public", "invitation", ""),
    ]:
        community = communities.community_create(
            actor=staff,
            organization=org,
            name=name,
            visibility=visibility,
            join_policy=policy,
            application_question=question,
        )
        roles = ["manager", "moderator"] + (["member"] if policy != "invitation" else [])
        for role in roles:
            communities.membership_grant(
                actor=staff, community=community, user=people[role], role=role
            )
    Membership.objects.update(joined_at=timezone.now() - timedelta(days=30))
