import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from cocreate.errors import Conflict, PermissionDenied, ValidationError
from communities import services
from communities.models import Community, Invitation, Membership, MembershipChange
from events.models import OutboxEvent

from ..factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_join_open_community_activates_and_counts(open_community, outsider):
    membership = services.membership_join(user=outsider, community=open_community)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.joined_at is not None
    open_community.refresh_from_db()
    assert open_community.member_count == 1
    change = MembershipChange.objects.get(membership=membership)
    assert (change.from_status, change.to_status, change.actor) == ("", "active", outsider)


def test_join_request_needs_answer_and_writes_nothing_without(community, outsider):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_join(user=outsider, community=community, answer="  ")
    assert "answer" in excinfo.value.message_dict
    assert not Membership.objects.filter(user=outsider).exists()


def test_join_request_is_pending_and_not_counted(community, outsider):
    membership = services.membership_join(user=outsider, community=community, answer="A fat bike")
    assert membership.status == Membership.Status.PENDING
    community.refresh_from_db()
    assert community.member_count == 0
    with pytest.raises(Conflict):
        services.membership_join(user=outsider, community=community, answer="again")


def test_invitation_only_community_refuses_join(private_community, outsider):
    with pytest.raises(PermissionDenied):
        services.membership_join(user=outsider, community=private_community)


def test_approve_and_decline(community, manager, pending_applicant, outsider):
    pending = Membership.objects.get(user=pending_applicant, community=community)
    before = Community.objects.get(pk=community.pk).member_count
    approved = services.join_request_decide(
        actor=manager, membership=pending, approve=True, message="Welcome!"
    )
    assert approved.status == Membership.Status.ACTIVE
    assert Community.objects.get(pk=community.pk).member_count == before + 1
    assert OutboxEvent.objects.filter(kind="membership.approved").count() == 1
    with pytest.raises(Conflict):
        services.join_request_decide(actor=manager, membership=pending, approve=False)

    other = services.membership_join(user=outsider, community=community, answer="BMX")
    declined = services.join_request_decide(
        actor=manager, membership=other, approve=False, message="Not now"
    )
    assert declined.status == Membership.Status.DECLINED
    assert declined.decision_message == "Not now"
    # A declined applicant may ask again.
    again = services.membership_join(user=outsider, community=community, answer="BMX, really")
    assert again.status == Membership.Status.PENDING


def test_member_cannot_decide_requests(community, member, pending_applicant):
    pending = Membership.objects.get(user=pending_applicant, community=community)
    with pytest.raises(PermissionDenied):
        services.join_request_decide(actor=member, membership=pending, approve=True)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_last_manager_cannot_leave_or_be_demoted(community, manager):
    with pytest.raises(Conflict):
        services.membership_leave(user=manager, community=community)
    membership = Membership.objects.get(user=manager, community=community)
    with pytest.raises(Conflict):
        services.membership_change_role(actor=manager, membership=membership, role="member")


def test_role_change_logs_history(community, manager, member):
    membership = Membership.objects.get(user=member, community=community)
    services.membership_change_role(
        actor=manager, membership=membership, role="moderator", reason="Helpful"
    )
    change = membership.changes.order_by("-id").first()
    assert (change.from_role, change.to_role, change.reason) == ("member", "moderator", "Helpful")


def test_leave_decrements_count(community, member):
    before = Community.objects.get(pk=community.pk).member_count
    services.membership_leave(user=member, community=community)
    assert Community.objects.get(pk=community.pk).member_count == before - 1


def test_invitation_is_single_use(private_community, manager, django_capture_on_commit_callbacks):
    invitee = UserFactory(email="guest@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            actor=manager, community=private_community, email="Guest@Example.test"
        )
    assert invitation.email == "guest@example.test"
    assert token not in invitation.token_hash
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    # The raw token does not stay in the database once the email is out.
    assert token not in str(OutboxEvent.objects.get(kind="invitation.created").payload)

    membership = services.invitation_accept(user=invitee, token=token)
    assert membership.status == Membership.Status.ACTIVE
    with pytest.raises(Conflict) as excinfo:
        services.invitation_accept(user=invitee, token=token)
    assert excinfo.value.code == "used"


def test_expired_invitation_changes_nothing(private_community, manager):
    invitee = UserFactory(email="late@example.test")
    invitation, token = services.invitation_create(
        actor=manager, community=private_community, email=invitee.email
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(Conflict) as excinfo:
        services.invitation_accept(user=invitee, token=token)
    assert excinfo.value.code == "expired"
    assert not Membership.objects.filter(user=invitee).exists()


def test_invitation_for_another_address_is_refused(private_community, manager, outsider):
    _, token = services.invitation_create(
        actor=manager, community=private_community, email="someone@example.test"
    )
    with pytest.raises(PermissionDenied):
        services.invitation_accept(user=outsider, token=token)


def test_staff_create_community_becomes_manager(organization, org_staff, outsider):
    community = services.community_create(
        actor=org_staff, organization=organization, name="Bike Lights"
    )
    assert community.slug == "bike-lights"
    assert community.member_count == 1
    assert Membership.objects.get(community=community, user=org_staff).role == "manager"
    with pytest.raises(ValidationError):
        services.community_create(actor=org_staff, organization=organization, name="Bike Lights")
    with pytest.raises(PermissionDenied):
        services.community_create(actor=outsider, organization=organization, name="Nope")


def test_rolled_back_change_records_no_event(open_community, outsider):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.membership_join(user=outsider, community=open_community)
        raise RuntimeError("boom")
    assert not OutboxEvent.objects.exists()
    assert not Membership.objects.filter(user=outsider).exists()


def test_member_count_matches_rows_after_many_changes(organization, manager):
    community = CommunityFactory(organization=organization, join_policy="open")
    people = [UserFactory() for _ in range(6)]
    for person in people:
        services.membership_join(user=person, community=community)
    for person in people[:3]:
        services.membership_leave(user=person, community=community)
    services.membership_join(user=people[0], community=community)
    community.refresh_from_db()
    assert (
        community.member_count
        == Membership.objects.filter(community=community, status="active").count()
        == 4
    )
