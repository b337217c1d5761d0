"""The notification page and API lists cost the same number of queries at 5 and at 50 items."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Notification, OutboxEvent

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


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _same_at_5_and_50(lab, client, url: str) -> int:
    _add(lab, 5)
    at_5 = _count(client, url)
    _add(lab, 45)
    at_50 = _count(client, url)
    assert at_5 == at_50, f"{url}: {at_5} queries at 5, {at_50} at 50"
    return at_50


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
    assert _count(api, "/api/v1/notification-preferences/") <= 3
