"""Dates a person enters lie where every time zone can show them (``cocreate.dates``): a
deadline or a filter of the year 9999 is a validation error on its field, never a 500 on a
later page (issue 11)."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from knowledge import services
from knowledge.models import Challenge

pytestmark = pytest.mark.django_db

FAR = "9999-12-31T23:59:59Z"


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def test_a_deadline_in_9999_is_refused_by_the_api_the_form_and_the_service(
    client, community, manager
):
    api = _api(manager)
    response = api.post(
        f"/api/v1/communities/{community.slug}/challenges/",
        {"title": "Far", "brief": "Far away", "deadline": FAR, "phase": "open"},
        format="json",
    )
    assert response.status_code == 400 and "deadline" in response.json()["errors"]
    client.force_login(manager)
    page = client.post(
        f"/c/{community.slug}/challenges/new/",
        {"title": "Far", "brief": "Far away", "deadline": "9999-12-31T23:59", "phase": "open"},
    )
    assert page.status_code == 200 and "between the years 1 and 9998" in page.content.decode()
    with pytest.raises(Exception, match="9998"):
        services.challenge_create(
            actor=manager, community=community, title="Far", brief="b",
            deadline=datetime(9999, 12, 31, tzinfo=UTC),
        )  # fmt: skip
    assert not Challenge.objects.filter(title="Far").exists()


def test_the_latest_deadline_shows_in_the_time_zone_furthest_ahead(client, community, manager,
                                                                    member):  # fmt: skip
    challenge = services.challenge_create(
        actor=manager, community=community, title="Late", brief="b",
        deadline=datetime(9998, 12, 31, 12, tzinfo=UTC), phase="open",
    )  # fmt: skip
    member.timezone = "Pacific/Kiritimati"
    member.save()
    client.force_login(member)
    assert client.get(f"/c/{community.slug}/challenges/").status_code == 200
    page = client.get(f"/c/{community.slug}/challenges/{challenge.pk}/")
    assert page.status_code == 200
    with timezone.override(zoneinfo.ZoneInfo("Pacific/Kiritimati")):
        assert timezone.localtime(challenge.deadline).year == 9999


@pytest.mark.parametrize("field", ["since", "until"])
def test_the_moderation_log_refuses_a_filter_in_9999(client, community, manager, field):
    client.force_login(manager)
    page = client.get(f"/c/{community.slug}/moderation/log/", {field: "9999-12-31"})
    assert page.status_code == 200 and "between the years 1 and 9998" in page.content.decode()
    export = client.get(f"/c/{community.slug}/moderation/log.csv", {field: "9999-12-31"})
    assert export.status_code < 500
    api = _api(manager).get(
        f"/api/v1/communities/{community.slug}/moderation/actions/", {field: FAR}
    )
    assert api.status_code == 400 and field in api.json()["errors"]
