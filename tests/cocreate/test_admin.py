"""The Django admin as a platform admin inspects it: every model worth looking at is listed
(knowledge, notifications, moderation), each section has its own name, the changelists show
rows, and nothing there writes around the services."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from knowledge import services as knowledge
from knowledge.models import Challenge, Comment, Contribution, Follow, Support, Toolkit
from moderation.models import ModerationSettings
from notifications.models import Notification

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "knowledge_contribution",
    "knowledge_toolkit",
    "knowledge_toolkitversion",
    "knowledge_challenge",
    "knowledge_comment",
    "knowledge_support",
    "knowledge_follow",
    "knowledge_scorecard",
    "knowledge_evaluation",
    "notifications_notification",
    "notifications_preference",
    "notifications_communitymute",
    "notifications_announcement",
    "notifications_fanoutchunk",
]


@pytest.fixture
def busy(community, member, manager, idea, toolkit):
    reader = UserFactory(display_name="Rita Reader")
    MembershipFactory(community=community, user=reader)
    knowledge.support_add(user=reader, contribution=idea)
    knowledge.follow_set(user=reader, discussion=idea.discussion, following=True)
    knowledge.comment_create(
        author=reader, discussion=idea.discussion, body=f"Nice, @{member.handle}"
    )
    knowledge.challenge_create(
        actor=manager, community=community, title="Quieter bikes", brief="How?", toolkits=[toolkit]
    )
    ModerationSettings.objects.create(community=community)
    Notification.objects.create(recipient=member, kind="comment.mention", text="Rita mentioned you")
    return idea


def test_every_knowledge_and_notification_model_is_in_the_admin():
    for model in (Contribution, Toolkit, Challenge, Comment, Support, Follow, Notification):
        assert admin.site.is_registered(model), model


def test_the_index_has_one_section_per_app_and_no_settingss(client, platform_admin, busy):
    client.force_login(platform_admin)
    html = client.get(reverse("admin:index")).content.decode()
    captions = re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', html)
    assert len(captions) == len(set(captions)), captions
    assert "Accounts" in captions and "People" in captions
    assert {"Knowledge", "Notifications", "Moderation"} <= set(captions)
    assert "settingss" not in html
    assert "Moderation settings" in html
    settings_list = client.get(reverse("admin:moderation_moderationsettings_changelist"))
    assert "settingss" not in settings_list.content.decode()


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelists_show_rows_and_offer_no_add(client, platform_admin, busy, name):
    client.force_login(platform_admin)
    response = client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1 or name.endswith(
        ("fanoutchunk", "announcement", "communitymute", "preference", "scorecard", "evaluation")
    )
    html = response.content.decode()
    assert f'href="{reverse(f"admin:{name}_add")}"' not in html
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_a_contribution_shows_its_timeline_read_only(client, platform_admin, busy, manager):
    knowledge.contribution_set_status(
        actor=manager, contribution=busy, status="under_review", reason="Promising"
    )
    client.force_login(platform_admin)
    page = client.get(reverse("admin:knowledge_contribution_change", args=[busy.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Promising" in html and 'name="_save"' not in html
    response = client.post(
        reverse("admin:knowledge_contribution_change", args=[busy.pk]), {"title": "Changed"}
    )
    assert response.status_code == 403
    assert Contribution.objects.get(pk=busy.pk).title == busy.title
