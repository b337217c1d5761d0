"""A manager's decision on a join request reaches the applicant: an in-app notification and an
email that name the community and carry the manager's message, and "My communities" shows the
community as theirs (with the message)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from communities.models import Community, Membership
from notifications.models import Notification

from ..factories import UserFactory
from .support import delivered

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(lab):
    Community.objects.filter(pk=lab.community.pk).update(join_policy=Community.JoinPolicy.REQUEST)
    person = UserFactory(display_name="Nia Newbie")
    Membership.objects.create(
        community=lab.community,
        user=person,
        role=Membership.Role.MEMBER,
        status=Membership.Status.PENDING,
        application_answer="A hardtail.",
    )
    return person


def _decide(lab, applicant, capture, *, decision: str, message: str = ""):
    membership = Membership.objects.get(community=lab.community, user=applicant)
    manager = Client()
    manager.force_login(lab.manager)
    mail.outbox.clear()
    with delivered(capture):
        response = manager.post(
            reverse(
                "communities:request_decide",
                kwargs={"slug": lab.community.slug, "pk": membership.pk},
            ),
            {"decision": decision, "message": message},
        )
    assert response.status_code == 302


def test_approval_notifies_the_applicant_naming_the_community_with_the_message(
    lab, applicant, django_capture_on_commit_callbacks
):
    _decide(
        lab,
        applicant,
        django_capture_on_commit_callbacks,
        decision="approve",
        message="Welcome aboard!",
    )

    notification = Notification.objects.get(recipient=applicant, kind="membership.approved")
    assert notification.text == (
        "Your request to join Trail Bike Lab was approved. "
        "Message from the managers: “Welcome aboard!”"
    )
    assert notification.url == lab.community.get_absolute_url()

    (email,) = [m for m in mail.outbox if applicant.email in m.to]
    assert "Trail Bike Lab" in email.subject
    assert "Your request to join Trail Bike Lab was approved." in email.body
    assert "Welcome aboard!" in email.body
    assert lab.community.get_absolute_url() in email.body

    member = Client()
    member.force_login(applicant)
    page = member.get(reverse("communities:mine")).content.decode()
    assert "Trail Bike Lab" in page
    assert "Member since" in page
    assert "Request pending" not in page
    assert "Welcome aboard!" in page
    inbox = member.get(reverse("notifications:list")).content.decode()
    assert "Your request to join Trail Bike Lab was approved." in inbox


def test_approval_without_a_message_is_one_sentence(
    lab, applicant, django_capture_on_commit_callbacks
):
    _decide(lab, applicant, django_capture_on_commit_callbacks, decision="approve")

    notification = Notification.objects.get(recipient=applicant, kind="membership.approved")
    assert notification.text == "Your request to join Trail Bike Lab was approved."
    member = Client()
    member.force_login(applicant)
    page = member.get(reverse("communities:mine")).content.decode()
    assert "Message from the managers" not in page


def test_a_declined_request_names_the_community_and_has_no_dangling_colon(
    lab, applicant, django_capture_on_commit_callbacks
):
    _decide(lab, applicant, django_capture_on_commit_callbacks, decision="decline")

    notification = Notification.objects.get(recipient=applicant, kind="membership.declined")
    assert notification.text == "Your request to join Trail Bike Lab was declined."
    assert notification.url == reverse("communities:mine")


def test_a_long_message_is_shortened_in_the_notification_and_kept_on_my_communities(
    lab, applicant, django_capture_on_commit_callbacks
):
    message = "Thanks for applying. " * 60  # about 1,260 characters
    _decide(
        lab,
        applicant,
        django_capture_on_commit_callbacks,
        decision="decline",
        message=message,
    )

    notification = Notification.objects.get(recipient=applicant, kind="membership.declined")
    assert len(notification.text) <= 300
    assert notification.text.startswith("Your request to join Trail Bike Lab was declined.")
    assert notification.text.endswith("…”")
    member = Client()
    member.force_login(applicant)
    page = member.get(reverse("communities:mine")).content.decode()
    assert message.strip() in page
