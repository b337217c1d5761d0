"""The notification page and API lists cost the same number of queries at 5 and at 50 items."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import OutboxEvent
from notifications.models import Notification

from ..querycount import get_queries, same_get_at_5_and_50

pytestmark = pytest.mark.django_db


def _add(lab, n: int) -> None:
    """Notifications for the peer of every shape the inbox renders: about a contribution (follow
    button), in a community (mute button), read and unread, over several days."""
    now = timezone.now()
    for i in range(n):
        event = OutboxEvent.objects.create(
            kind="comment.mention",
            payload={"contribution_id": lab.contribution.pk, "comment_id": i},
            community_id=lab.community.pk,
        )
        Notification.objects.create(
            recipient=lab.peer,
            event=event,
            kind=event.kind,
            community_id=lab.community.pk,
            text=f"Mention {i}",
            url="/",
            created_at=now - timedelta(hours=7 * i),
            read_at=now if i % 3 == 0 else None,
        )


def _same_at_5_and_50(lab, client, url: str) -> int:
    # No warm-up request: the budgets below include looking up the signed-in user.
    return same_get_at_5_and_50(lambda n: _add(lab, n), client, url, warm_up=False)


def test_notifications_page(client, lab):
    client.force_login(lab.peer)
    # session, user, notifications (+events), follows, communities, mutes
    assert _same_at_5_and_50(lab, client, reverse("notifications:list")) <= 8


def test_notifications_api_list(lab):
    api = APIClient()
    api.force_authenticate(lab.peer)
    assert _same_at_5_and_50(lab, api, "/api/v1/notifications/") <= 2


def test_unread_count_api(lab):
    api = APIClient()
    api.force_authenticate(lab.peer)
    assert _same_at_5_and_50(lab, api, "/api/v1/notifications/unread-count/") == 1


def test_preferences_page_and_api(client, lab):
    client.force_login(lab.peer)
    assert _same_at_5_and_50(lab, client, reverse("notifications:preferences")) <= 6
    api = APIClient()
    api.force_authenticate(lab.peer)
    assert get_queries(api, "/api/v1/notification-preferences/", warm_up=False) <= 3
