"""A recorded use reaches its contributor through the event bus and their preferences."""

import pytest

from notifications.models import Notification
from trust import services

from ..notifications.support import delivered

pytestmark = pytest.mark.django_db


def test_the_contributor_is_told_of_a_use(
    manager, member, idea, product, django_capture_on_commit_callbacks
):
    services.consent_grant(user=member, purpose=product)
    with delivered(django_capture_on_commit_callbacks):
        services.usage_record(
            actor=manager, contribution=idea, purpose=product, what="On the roadmap", where="Q3"
        )
    notification = Notification.objects.get(recipient=member, kind="usage.recorded")
    assert "Wax the chain" in notification.text and "On the roadmap" in notification.text
    assert "Product development" in notification.text
    assert notification.url == "/me/uses/"
    assert not Notification.objects.filter(recipient=manager, kind="usage.recorded").exists()


def test_a_refused_use_tells_nobody(
    manager, member, idea, product, django_capture_on_commit_callbacks
):
    with delivered(django_capture_on_commit_callbacks), pytest.raises(services.UsageRefused):
        services.usage_record(
            actor=manager, contribution=idea, purpose=product, what="On the roadmap", where="Q3"
        )
    assert not Notification.objects.filter(kind="usage.recorded").exists()
