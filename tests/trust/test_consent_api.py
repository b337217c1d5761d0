"""The trust API per role: answers, refusals with their reason, restrictions, purposes."""

import pytest

from trust import services
from trust.models import ConsentEvent, UsageRecord, UsageRefusal

from ..clients import token_client

pytestmark = pytest.mark.django_db

API = "/api/v1"
C = f"{API}/communities/trail-bike-lab"


def test_grant_and_withdraw_through_the_api(member, marketing):
    api = token_client(member)
    sha = marketing.current_version.text_sha256
    response = api.post(f"{API}/consent/{marketing.pk}/grant/", {"text_sha256": sha}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "granted"
    assert ConsentEvent.objects.get(user=member).channel == "api"
    response = api.post(f"{API}/consent/{marketing.pk}/withdraw/", format="json")
    assert response.json()["state"] == "withdrawn"
    history = api.get(f"{API}/consent/history/").json()["results"]
    assert [e["action"] for e in history] == ["withdraw", "grant"]


def test_a_stale_hash_is_409_and_writes_nothing(member, marketing):
    api = token_client(member)
    response = api.post(
        f"{API}/consent/{marketing.pk}/grant/", {"text_sha256": "0" * 64}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "stale"
    assert not ConsentEvent.objects.exists()


def test_a_member_reads_only_their_own_consent(member, other_member, marketing):
    services.consent_grant(user=member, purpose=marketing)
    theirs = token_client(other_member).get(f"{API}/consent/history/").json()["results"]
    assert theirs == []
    states = {
        a["purpose"]["key"]: a["state"]
        for a in token_client(other_member).get(f"{API}/consent/").json()
    }
    assert states["marketing"] == "unanswered"


def test_a_refused_use_is_409_with_its_reason_and_audited(manager, member, idea, marketing):
    response = token_client(manager).post(
        f"{C}/consent/uses/",
        {"contribution": idea.pk, "purpose": marketing.pk, "what": "Quote", "where": "Newsletter"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "no_consent"
    assert not UsageRecord.objects.exists() and UsageRefusal.objects.count() == 1


def test_a_use_with_consent_is_201_and_the_author_lists_it(manager, member, idea, marketing):
    services.consent_grant(user=member, purpose=marketing)
    response = token_client(manager).post(
        f"{C}/consent/uses/",
        {"contribution": idea.pk, "purpose": marketing.pk, "what": "Quote", "where": "Newsletter"},
        format="json",
    )
    assert response.status_code == 201
    mine = token_client(member).get(f"{API}/consent/uses/").json()["results"]
    assert [u["where"] for u in mine] == ["Newsletter"]
    assert mine[0]["recorded_by"]["public_name"] == manager.public_name


def test_restricting_someone_elses_contribution_is_refused(other_member, idea, marketing):
    response = token_client(other_member).post(
        f"{C}/consent/contributions/{idea.pk}/restrictions/",
        {"purpose": marketing.pk, "restricted": True},
        format="json",
    )
    assert response.status_code == 404  # not the author, not staff: nothing to see here


def test_the_author_restricts_and_staff_see_why_not_usable(manager, member, idea, marketing):
    services.consent_grant(user=member, purpose=marketing)
    response = token_client(member).post(
        f"{C}/consent/contributions/{idea.pk}/restrictions/",
        {"purpose": marketing.pk, "restricted": True},
        format="json",
    )
    rows = {r["purpose_key"]: r for r in response.json()}
    assert rows["marketing"]["restricted"] is True and rows["marketing"]["usable"] is None
    staff = token_client(manager).get(f"{C}/consent/contributions/{idea.pk}/restrictions/").json()
    rows = {r["purpose_key"]: r for r in staff}
    assert rows["marketing"]["usable"] is False and rows["marketing"]["refusal"] == "restricted"


def test_managers_create_draft_and_publish(manager, member):
    api = token_client(manager)
    words = {"title": "Research", "summary": "Interviews.", "text": "We may contact you."}
    created = api.post(f"{C}/consent/purposes/", {"key": "research", **words}, format="json")
    assert created.status_code == 201
    pid = created.json()["id"]
    published = api.post(f"{C}/consent/purposes/{pid}/publish/", format="json")
    assert published.status_code == 200 and published.json()["number"] == 1
    assert api.post(f"{C}/consent/purposes/{pid}/publish/", format="json").status_code == 409
    listed = token_client(member).get(f"{C}/consent/purposes/").json()
    assert [p["key"] for p in listed] == ["research"]
