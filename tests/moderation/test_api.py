"""The moderation API per role: flags, queue, actions (one and bulk), log, appeals, settings,
transparency. Errors have the shape ``{"detail", "code", "errors"}``."""

import inspect
from datetime import timedelta

import pytest
from django.contrib import admin
from django.utils import timezone
from rest_framework.views import APIView

from knowledge import services as knowledge
from knowledge.models import Comment, ModerationState
from moderation import api as moderation_api
from moderation import services
from moderation.models import Appeal, Flag, ModerationAction, ModerationSettings

from ..clients import session_client, token_client
from ..factories import CommunityFactory, MembershipFactory, UserFactory
from .helpers import established

pytestmark = pytest.mark.django_db

API = "/api/v1"
M = f"{API}/communities/trail-bike-lab/moderation"


# --- Flags ----------------------------------------------------------------------------------------


def test_member_flags_once_with_clear_errors(community, member, comment, post, author):
    client = token_client(member)
    response = client.post(
        f"{API}/flags/", {"comment": comment.pk, "reason": "spam"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "open" and response.json()["community"] == community.slug
    again = client.post(
        f"{API}/flags/", {"comment": comment.pk, "reason": "abusive"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_flagged"
    other = client.post(
        f"{API}/flags/", {"contribution": post.pk, "reason": "other"}, format="json"
    )
    assert other.status_code == 400 and "note" in other.json()["errors"]
    both = client.post(
        f"{API}/flags/",
        {"contribution": post.pk, "comment": comment.pk, "reason": "spam"},
        format="json",
    )
    assert both.status_code == 400 and both.json()["detail"]
    own = token_client(author).post(
        f"{API}/flags/", {"contribution": post.pk, "reason": "spam"}, format="json"
    )
    assert own.status_code == 409 and own.json()["code"] == "own_post"
    mine = client.get(f"{API}/flags/").json()["results"]
    assert [f["comment"] for f in mine] == [comment.pk]
    assert Flag.objects.count() == 1


def test_flag_refusals(outsider, org_staff, comment):
    body = {"comment": comment.pk, "reason": "spam"}
    assert session_client().post(f"{API}/flags/", body, format="json").status_code in (401, 403)
    assert token_client(outsider).post(f"{API}/flags/", body, format="json").status_code == 404
    staff = token_client(org_staff).post(f"{API}/flags/", body, format="json")
    assert staff.status_code == 403 and staff.json()["code"] == "permission_denied"


# --- Queue ----------------------------------------------------------------------------------------


def test_queue_shows_flags_and_standing_never_reporters(community, moderator, member, comment):
    reporter = established(community, "Rita Reporter")
    services.flag_create(reporter=reporter, comment=comment, reason="spam", note="Advert")
    response = token_client(moderator).get(f"{M}/queue/")
    assert response.status_code == 200
    item = response.json()["results"][0]
    assert item["type"] == "comment" and item["id"] == comment.pk
    assert item["flags"] == {"count": 1, "reasons": {"spam": 1}, "notes": ["Advert"]}
    assert item["author_standing"]["status"] == "active"
    assert item["author"]["public_name"] == "Alex Author"
    assert "Rita" not in response.content.decode()
    assert token_client(member).get(f"{M}/queue/").status_code == 403
    bad = token_client(moderator).get(f"{M}/queue/?state=bogus")
    assert bad.status_code == 400 and "state" in bad.json()["errors"]


# --- Actions --------------------------------------------------------------------------------------


def test_hide_then_conflict_and_validation(community, moderator, comment):
    client = token_client(moderator)
    body = {"kind": "hide", "reason": "Advertising", "comment": comment.pk}
    response = client.post(f"{M}/actions/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "hide" and response.json()["reason"] == "Advertising"
    assert Comment.objects.get(pk=comment.pk).moderation_state == ModerationState.HIDDEN
    again = client.post(f"{M}/actions/", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_hidden"
    no_reason = client.post(
        f"{M}/actions/", {"kind": "hide", "reason": "", "comment": comment.pk}, format="json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    wrong_target = client.post(
        f"{M}/actions/", {"kind": "warn", "reason": "x", "comment": comment.pk}, format="json"
    )
    assert wrong_target.status_code == 400
    assert ModerationAction.objects.count() == 1


def test_suspend_needs_duration_and_takes_effect(community, moderator, member, post):
    client = token_client(moderator)
    missing = client.post(
        f"{M}/actions/",
        {"kind": "suspend", "reason": "Cool down", "member": member.pk},
        format="json",
    )
    assert missing.status_code == 400 and "duration_hours" in missing.json()["errors"]
    done = client.post(
        f"{M}/actions/",
        {"kind": "suspend", "reason": "Cool down", "member": member.pk, "duration_hours": 48},
        format="json",
    )
    assert done.status_code == 201 and done.json()["until"]
    # The very next request of the suspended member is refused.
    refused = token_client(member).post(
        f"{API}/flags/", {"contribution": post.pk, "reason": "spam"}, format="json"
    )
    assert refused.status_code == 403


def test_moderator_of_another_community_is_refused(organization, comment):
    elsewhere = CommunityFactory(organization=organization, slug="elsewhere")
    stranger = UserFactory()
    MembershipFactory(community=elsewhere, user=stranger, role="moderator")
    client = token_client(stranger)
    body = {"kind": "hide", "reason": "x", "comment": comment.pk}
    assert client.post(f"{M}/actions/", body, format="json").status_code == 403
    # Acting "from" their own community on a comment of another one: not found there.
    there = client.post(f"{API}/communities/elsewhere/moderation/actions/", body, format="json")
    assert there.status_code == 404
    assert ModerationAction.objects.count() == 0


def test_bulk_reports_each_item(community, moderator, author, post):
    a = knowledge.comment_create(author=author, discussion=post.discussion, body="a")
    b = knowledge.comment_create(author=author, discussion=post.discussion, body="b")
    services.moderation_act(actor=moderator, kind="hide", reason="Earlier", comment=b)
    response = token_client(moderator).post(
        f"{M}/actions/bulk/",
        {
            "kind": "hide",
            "reason": "Spam wave",
            "items": [{"type": "comment", "id": a.pk}, {"type": "comment", "id": b.pk}],
        },
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["done"], data["failed"]) == (1, 1)
    assert data["results"][0]["ok"] and data["results"][0]["action"]["kind"] == "hide"
    assert data["results"][1] == {
        "type": "comment",
        "id": b.pk,
        "ok": False,
        "action": None,
        "detail": "This is already hidden.",
        "code": "already_hidden",
    }
    empty = token_client(moderator).post(
        f"{M}/actions/bulk/", {"kind": "hide", "reason": "x", "items": []}, format="json"
    )
    assert empty.status_code == 400


def test_log_is_for_managers_with_filters(community, moderator, manager, member, comment):
    services.moderation_act(actor=moderator, kind="hide", reason="Spam", comment=comment)
    services.moderation_act(
        actor=moderator, kind="warn", reason="Be kind", member=member, community=community
    )
    assert token_client(moderator).get(f"{M}/actions/").status_code == 403
    client = token_client(manager)
    assert [a["kind"] for a in client.get(f"{M}/actions/").json()["results"]] == ["warn", "hide"]
    warn_only = client.get(f"{M}/actions/?kind=warn").json()["results"]
    assert [a["reason"] for a in warn_only] == ["Be kind"]
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert client.get(f"{M}/actions/", {"since": later}).json()["results"] == []
    assert client.get(f"{M}/actions/?actor={manager.pk}").json()["results"] == []
    # The log cannot be changed through the API: no method but GET and POST.
    assert client.delete(f"{M}/actions/").status_code == 405
    assert client.patch(f"{M}/actions/", {}, format="json").status_code == 405


# --- Appeals --------------------------------------------------------------------------------------


def test_appeal_flow(community, moderator, manager, author, comment):
    action = services.moderation_act(actor=moderator, kind="hide", reason="Spam", comment=comment)
    client = token_client(author)
    mine = client.get(f"{M}/my-actions/").json()["results"]
    assert mine[0]["reason"] == "Spam" and mine[0]["appealable"] and mine[0]["appeal"] is None
    assert "actor" not in mine[0]
    created = client.post(
        f"{M}/my-actions/{action.pk}/appeal/", {"text": "It was a link to my blog"}, format="json"
    )
    assert created.status_code == 201 and created.json()["status"] == "open"
    again = client.post(f"{M}/my-actions/{action.pk}/appeal/", {"text": "x"}, format="json")
    assert again.status_code == 409
    appeal_id = created.json()["id"]
    open_appeals = token_client(manager).get(f"{M}/appeals/").json()["results"]
    assert [a["id"] for a in open_appeals] == [appeal_id]
    same = token_client(moderator).post(
        f"{M}/appeals/{appeal_id}/decide/", {"decision": "overturn", "reason": "x"}, format="json"
    )
    assert same.status_code == 403 and "different moderator" in same.json()["detail"]
    decided = token_client(manager).post(
        f"{M}/appeals/{appeal_id}/decide/",
        {"decision": "overturn", "reason": "Fair enough"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "overturned"
    assert Comment.objects.get(pk=comment.pk).moderation_state == ModerationState.VISIBLE
    twice = token_client(manager).post(
        f"{M}/appeals/{appeal_id}/decide/", {"decision": "uphold", "reason": "x"}, format="json"
    )
    assert twice.status_code == 409
    shown = client.get(f"{M}/my-actions/").json()["results"]
    hide = next(a for a in shown if a["id"] == action.pk)
    assert hide["appeal"]["status"] == "overturned"
    assert hide["appeal"]["decision_reason"] == "Fair enough"
    # Someone else's action is not there to appeal.
    other = token_client(manager).post(
        f"{M}/my-actions/{action.pk}/appeal/", {"text": "mine?"}, format="json"
    )
    assert other.status_code == 404
    assert Appeal.objects.count() == 1


def test_banned_member_still_reads_and_appeals(private_community, moderator, member):
    action = services.moderation_act(
        actor=moderator, kind="ban", reason="Threats", member=member, community=private_community
    )
    client = token_client(member)
    base = f"{API}/communities/{private_community.slug}/moderation"
    assert client.get(f"{base}/my-actions/").json()["results"][0]["reason"] == "Threats"
    created = client.post(
        f"{base}/my-actions/{action.pk}/appeal/", {"text": "Sorry"}, format="json"
    )
    assert created.status_code == 201


# --- Settings and transparency --------------------------------------------------------------------


def test_settings(community, moderator, manager):
    assert token_client(moderator).get(f"{M}/settings/").status_code == 403
    client = token_client(manager)
    assert client.get(f"{M}/settings/").json()["flag_threshold"] == 3
    bad = client.patch(f"{M}/settings/", {"flag_threshold": 0}, format="json")
    assert bad.status_code == 400 and "flag_threshold" in bad.json()["errors"]
    assert not ModerationSettings.objects.exists()
    ok = client.patch(
        f"{M}/settings/", {"flag_threshold": 5, "premoderate_new_members": False}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["flag_threshold"] == 5
    conf = ModerationSettings.objects.get(community=community)
    assert conf.flag_threshold == 5 and not conf.premoderate_new_members


def test_transparency_counts_without_names(community, outsider, moderator, comment, author):
    action = services.moderation_act(actor=moderator, kind="hide", reason="Spam", comment=comment)
    services.appeal_create(appellant=author, action=action, text="please")
    response = token_client(outsider).get(f"{M}/transparency/?period=year")
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == "year" and data["totals"]["hide"] == 1
    assert data["appeals"] == {"open": 1, "upheld": 0, "overturned": 0}
    assert data["periods"][0]["counts"] == {"hide": 1} and data["periods"][0]["total"] == 1
    text = response.content.decode()
    assert "Milo" not in text and "Alex" not in text and "Spam" not in text


def test_no_view_or_api_method_can_change_the_log(client, manager, moderator, member, community):
    """The log's only writers are the services' creates: no moderation API view answers PUT or
    DELETE, the only PATCH is the settings one, the pages refuse DELETE, and the admin is
    read-only (adding included)."""

    for _name, view in inspect.getmembers(moderation_api, inspect.isclass):
        if issubclass(view, APIView) and view.__module__ == moderation_api.__name__:
            assert not hasattr(view, "put") and not hasattr(view, "delete"), view
            if hasattr(view, "patch"):
                assert view is moderation_api.SettingsView
    action = services.moderation_act(
        actor=moderator, kind="warn", reason="Be kind", member=member, community=community
    )
    client.force_login(manager)
    for path in ("/c/trail-bike-lab/moderation/log/", "/c/trail-bike-lab/moderation/"):
        assert client.delete(path).status_code == 405
        assert client.put(path).status_code == 405
    model_admin = admin.site._registry[ModerationAction]
    assert not model_admin.has_add_permission(None)
    assert not model_admin.has_change_permission(None, action)
    assert not model_admin.has_delete_permission(None, action)
    assert ModerationAction.objects.get(pk=action.pk).reason == "Be kind"
