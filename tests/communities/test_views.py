"""Page tests for communities: each page for the right roles, bad input writes nothing, and
clear messages where a service says no."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import Community, Invitation, Membership, MembershipChange
from events.models import OutboxEvent

from ..factories import CommunityFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, int, int, int]:
    """Counts of every row a membership page could write."""
    return (
        Membership.objects.count(),
        MembershipChange.objects.count(),
        Invitation.objects.count(),
        OutboxEvent.objects.count(),
    )


def _unmasked(response) -> str:
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Directory ----------------------------------------------------------------------------------


class TestDirectory:
    def test_lists_public_communities_with_org_and_policy(self, client, community, open_community):
        response = client.get(reverse("communities:directory"))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Trail Bike Lab" in body
        assert "Open Garage" in body
        assert "Northwind" in body
        assert "Join by request" in body
        assert "Open to all" in body

    def test_private_community_hidden_from_outsider_shown_to_member(
        self, client, outsider, member, private_community
    ):
        client.force_login(outsider)
        assert "Secret Kitchen" not in client.get("/communities/").content.decode()
        client.force_login(member)
        assert "Secret Kitchen" in client.get("/communities/").content.decode()

    def test_search_and_filters(self, client, community, open_community):
        other_org = OrganizationFactory(name="Contoso", slug="contoso")
        CommunityFactory(organization=other_org, name="Coffee Circle", slug="coffee")
        body = client.get("/communities/", {"q": "bike"}).content.decode()
        assert "Trail Bike Lab" in body and "Open Garage" not in body
        body = client.get("/communities/", {"join_policy": "open"}).content.decode()
        assert "Open Garage" in body and "Trail Bike Lab" not in body
        body = client.get("/communities/", {"organization": "contoso"}).content.decode()
        assert "Coffee Circle" in body and "Trail Bike Lab" not in body

    def test_invalid_filter_values_are_ignored(self, client, community):
        response = client.get("/communities/", {"sort": "evil", "join_policy": "x", "cursor": "z"})
        assert response.status_code == 200
        assert "Trail Bike Lab" in response.content.decode()

    def test_viewer_status_badge(self, client, community, pending_applicant):
        client.force_login(pending_applicant)
        assert "Request pending" in client.get("/communities/").content.decode()

    def test_keyset_pagination_keeps_filters(self, client, organization, settings):
        settings.COMMUNITY_PAGE_SIZE = 3
        for i in range(5):
            CommunityFactory(organization=organization, name=f"Lab {i}", slug=f"lab-{i}")
        first = client.get("/communities/", {"q": "lab", "sort": "name"})
        names = [c.name for c in first.context["cards"]]
        assert names == ["Lab 0", "Lab 1", "Lab 2"]
        cursor = first.context["page"].next_cursor
        assert cursor and "q=lab" in first.content.decode()
        second = client.get("/communities/", {"q": "lab", "sort": "name", "cursor": cursor})
        assert [c.name for c in second.context["cards"]] == ["Lab 3", "Lab 4"]
        assert not second.context["page"].has_next

    def test_create_link_only_for_staff(self, client, outsider, org_staff):
        client.force_login(outsider)
        assert reverse("communities:create") not in client.get("/communities/").content.decode()
        client.force_login(org_staff)
        assert reverse("communities:create") in client.get("/communities/").content.decode()


# --- Creating a community ------------------------------------------------------------------------


class TestCreate:
    def _data(self, organization, **extra):
        data = {
            "organization": organization.pk,
            "name": "Quiet Bikes",
            "slug": "",
            "tagline": "Less noise",
            "description": "",
            "visibility": "public",
            "join_policy": "request",
            "application_question": "Why quiet?",
        }
        data.update(extra)
        return data

    def test_staff_creates_and_becomes_manager(self, client, org_staff, organization):
        client.force_login(org_staff)
        response = client.post("/communities/new/", self._data(organization))
        community = Community.objects.get(slug="quiet-bikes")
        assert response.status_code == 302
        assert response["Location"] == community.get_absolute_url()
        membership = Membership.objects.get(community=community, user=org_staff)
        assert membership.role == Membership.Role.MANAGER

    def test_taken_address_is_a_field_error_and_writes_nothing(
        self, client, org_staff, organization, community
    ):
        client.force_login(org_staff)
        before = (Community.objects.count(), _snapshot())
        response = client.post("/communities/new/", self._data(organization, slug="trail-bike-lab"))
        assert response.status_code == 200
        assert response.context["form"].errors["slug"]
        assert (Community.objects.count(), _snapshot()) == before

    def test_only_own_organisations_offered(self, client, org_staff, organization):
        other = OrganizationFactory(name="Elsewhere")
        client.force_login(org_staff)
        response = client.get("/communities/new/")
        assert "Northwind" in response.content.decode()
        assert "Elsewhere" not in response.content.decode()
        before = Community.objects.count()
        response = client.post("/communities/new/", self._data(other))
        assert response.status_code == 200
        assert "organization" in response.context["form"].errors
        assert Community.objects.count() == before

    def test_outsider_forbidden_anonymous_to_login(self, client, outsider):
        assert client.get("/communities/new/")["Location"].startswith("/accounts/login/")
        client.force_login(outsider)
        assert client.get("/communities/new/").status_code == 403


# --- My communities --------------------------------------------------------------------------


class TestMine:
    def test_memberships_and_declined_message(self, client, member, community, open_community):
        other = CommunityFactory(name="Closed Door", slug="closed-door")
        MembershipFactory(
            community=other,
            user=member,
            status=Membership.Status.DECLINED,
            decision_message="Not now <b>sorry</b>",
        )
        client.force_login(member)
        body = client.get("/me/communities/").content.decode()
        assert "Trail Bike Lab" in body and "Secret Kitchen" in body
        assert "Request declined" in body
        assert "Not now &lt;b&gt;sorry&lt;/b&gt;" in body
        assert "Open Garage" not in body

    def test_pending_request_listed(self, client, pending_applicant):
        client.force_login(pending_applicant)
        body = client.get("/me/communities/").content.decode()
        assert "Trail Bike Lab" in body and "Request pending" in body


# --- Community home ---------------------------------------------------------------------------


class TestHome:
    def test_request_form_with_question_for_outsider(self, client, outsider, community):
        client.force_login(outsider)
        body = client.get(community.get_absolute_url()).content.decode()
        assert "What do you ride?" in body
        assert "Request to join" in body

    def test_open_join_button(self, client, outsider, open_community):
        client.force_login(outsider)
        assert "Join community" in client.get("/c/open-garage/").content.decode()

    def test_invitation_only_notice(self, client, organization, outsider):
        CommunityFactory(
            organization=organization, slug="vip", join_policy=Community.JoinPolicy.INVITATION
        )
        client.force_login(outsider)
        assert "by invitation only" in client.get("/c/vip/").content.decode()

    def test_member_sees_leave_pending_sees_notice(self, client, member, pending_applicant):
        client.force_login(member)
        body = client.get("/c/trail-bike-lab/").content.decode()
        assert "Leave community" in body and "Join requests" not in body
        client.force_login(pending_applicant)
        body = client.get("/c/trail-bike-lab/").content.decode()
        assert "waiting for a manager" in body and "Withdraw request" in body

    def test_manager_sees_manage_links_and_pending_count(self, client, manager, pending_applicant):
        client.force_login(manager)
        response = client.get("/c/trail-bike-lab/")
        requests_url = reverse("communities:requests", args=["trail-bike-lab"])
        # "Waiting for you" names the one pending request, linked to where it is decided.
        assert ("Join requests", requests_url, 1) in [
            (str(label), url, n) for label, url, n in response.context["landing"].waiting
        ]
        assert requests_url in response.content.decode()

    def test_announcements_are_reached_from_the_home_by_managers_only(
        self, client, manager, member
    ):
        announce = reverse("notifications:announce", args=["trail-bike-lab"])
        client.force_login(manager)
        assert f'href="{announce}"' in client.get("/c/trail-bike-lab/").content.decode()
        client.force_login(member)
        assert announce not in client.get("/c/trail-bike-lab/").content.decode()

    def test_description_is_escaped(self, client, organization):
        CommunityFactory(
            organization=organization, slug="xss", description="<script>alert(1)</script>"
        )
        body = client.get("/c/xss/").content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;" in body

    def test_private_is_404_for_outsider_like_a_missing_slug(
        self, client, outsider, private_community
    ):
        client.force_login(outsider)
        private = client.get("/c/secret-kitchen/")
        missing = client.get("/c/no-such-community/")
        assert private.status_code == missing.status_code == 404
        # Byte for byte the same page, once the per-response CSRF masking is set aside.
        assert _unmasked(private) == _unmasked(missing)


# --- Joining and leaving ------------------------------------------------------------------------


class TestJoin:
    def test_open_community_joins_at_once(self, client, outsider, open_community):
        client.force_login(outsider)
        response = client.post("/c/open-garage/join/")
        assert response.status_code == 302
        membership = Membership.objects.get(user=outsider, community=open_community)
        assert membership.status == Membership.Status.ACTIVE
        open_community.refresh_from_db()
        assert open_community.member_count == 1

    def test_request_with_answer_is_pending(self, client, outsider, community):
        client.force_login(outsider)
        response = client.post("/c/trail-bike-lab/join/", {"answer": "A fat bike"}, follow=True)
        membership = Membership.objects.get(user=outsider, community=community)
        assert membership.status == Membership.Status.PENDING
        assert membership.application_answer == "A fat bike"
        assert any("request was sent" in m for m in _messages(response))

    def test_missing_answer_is_a_field_error_and_writes_nothing(self, client, outsider, community):
        client.force_login(outsider)
        before = _snapshot()
        response = client.post("/c/trail-bike-lab/join/", {"answer": "   "})
        assert response.status_code == 200
        assert response.context["form"].errors["answer"] == [
            "Please answer the community's question."
        ]
        assert _snapshot() == before

    def test_get_shows_the_request_form(self, client, outsider, community):
        client.force_login(outsider)
        response = client.get("/c/trail-bike-lab/join/")
        assert response.status_code == 200
        assert "What do you ride?" in response.content.decode()

    def test_already_member_gets_a_message(self, client, member):
        client.force_login(member)
        before = _snapshot()
        response = client.post("/c/trail-bike-lab/join/", {"answer": "x"}, follow=True)
        assert "You are already a member of this community." in _messages(response)
        assert _snapshot() == before

    def test_invitation_only_is_403_with_message(self, client, org_staff, private_community):
        client.force_login(org_staff)
        before = _snapshot()
        response = client.post("/c/secret-kitchen/join/")
        assert response.status_code == 403
        assert "by invitation only" in response.content.decode()
        assert _snapshot() == before

    def test_anonymous_goes_to_login(self, client, community):
        response = client.post("/c/trail-bike-lab/join/", {"answer": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


class TestLeave:
    def test_member_leaves(self, client, member, community):
        client.force_login(member)
        before = Community.objects.get(pk=community.pk).member_count
        client.post("/c/trail-bike-lab/leave/")
        membership = Membership.objects.get(user=member, community=community)
        assert membership.status == Membership.Status.LEFT
        assert Community.objects.get(pk=community.pk).member_count == before - 1

    def test_last_manager_cannot_leave(self, client, manager, community):
        client.force_login(manager)
        response = client.post("/c/trail-bike-lab/leave/", follow=True)
        assert any("last manager" in m for m in _messages(response))
        assert Membership.objects.get(user=manager, community=community).is_active

    def test_leaving_private_community_goes_to_my_communities(
        self, client, member, private_community
    ):
        client.force_login(member)
        response = client.post("/c/secret-kitchen/leave/")
        assert response["Location"] == reverse("communities:mine")


# --- Members ----------------------------------------------------------------------------------


class TestPerson:
    """/c/<slug>/members/<id>/: one member as the others see them (where a mention leads)."""

    def _url(self, community, user) -> str:
        return reverse("communities:member", args=[community.slug, user.pk])

    def test_shows_name_handle_role_bio_and_expertise(self, client, member, manager, community):
        manager.bio = "I run the workshop.\n<script>alert(1)</script>"
        manager.expertise_tags = ["frames", "<b>welding</b>"]
        manager.save(update_fields=["bio", "expertise_tags"])
        client.force_login(member)
        response = client.get(self._url(community, manager))
        assert response.status_code == 200
        body = response.content.decode()
        assert '<h1 id="person-name">Mia Manager</h1>' in body
        assert f"@{manager.handle}" in body and "Manager</span>" in body
        assert "I run the workshop." in body and "&lt;script&gt;" in body
        assert "&lt;b&gt;welding&lt;/b&gt;" in body and "<script>alert" not in body
        assert manager.email not in body
        assert "Moderate Mia Manager" not in body  # members do not moderate

    def test_moderators_get_a_link_to_moderate(self, client, moderator, member, community):
        client.force_login(moderator)
        body = client.get(self._url(community, member)).content.decode()
        assert reverse("moderation:member", args=[community.slug, member.pk]) in body

    def test_a_suspended_member_is_shown_as_suspended(self, client, member, community):
        other = UserFactory(display_name="Sid Suspended")
        MembershipFactory(community=community, user=other, status=Membership.Status.SUSPENDED)
        client.force_login(member)
        assert "Suspended" in client.get(self._url(community, other)).content.decode()

    @pytest.mark.parametrize(
        "status", [Membership.Status.PENDING, Membership.Status.LEFT, Membership.Status.BANNED]
    )
    def test_nobody_outside_the_community_has_a_page_there(self, client, member, community, status):
        other = UserFactory(display_name="Not Here")
        MembershipFactory(community=community, user=other, status=status)
        client.force_login(member)
        assert client.get(self._url(community, other)).status_code == 404
        assert client.get(self._url(community, UserFactory())).status_code == 404

    def test_outsiders_are_refused_like_on_the_member_list(
        self, client, outsider, member, community, private_community
    ):
        client.force_login(outsider)
        assert client.get(self._url(community, member)).status_code == 403
        assert client.get(self._url(private_community, member)).status_code == 404


class TestMembers:
    def test_member_sees_list_without_role_controls(self, client, member, manager, moderator):
        client.force_login(member)
        response = client.get("/c/trail-bike-lab/members/")
        body = response.content.decode()
        assert "Mia Manager" in body and "Milo Moderator" in body
        assert 'name="role"' in body  # the filter
        assert "Change role" not in body

    def test_the_list_shows_handles_and_links_each_person(self, client, member, community):
        client.force_login(member)
        body = client.get("/c/trail-bike-lab/members/").content.decode()
        person = reverse("communities:member", args=[community.slug, member.pk])
        assert f'id="member-{member.handle}"' in body
        assert f'<a href="{person}">Maya Member</a>' in body
        assert f'<span class="member-handle muted">@{member.handle}</span>' in body

    def test_role_filter(self, client, member, manager):
        client.force_login(member)
        response = client.get("/c/trail-bike-lab/members/", {"role": "manager"})
        names = [m.user.public_name for m in response.context["page"].items]
        assert names == ["Mia Manager"]

    def test_manager_changes_role(self, client, manager, member, community):
        client.force_login(manager)
        assert "Change role" in client.get("/c/trail-bike-lab/members/").content.decode()
        target = Membership.objects.get(user=member, community=community)
        response = client.post(
            reverse("communities:member_role", args=["trail-bike-lab", target.pk]),
            {"role": "moderator"},
        )
        assert response.status_code == 302
        target.refresh_from_db()
        assert target.role == Membership.Role.MODERATOR

    def test_bad_role_changes_nothing(self, client, manager, member, community):
        client.force_login(manager)
        target = Membership.objects.get(user=member, community=community)
        before = _snapshot()
        response = client.post(
            reverse("communities:member_role", args=["trail-bike-lab", target.pk]),
            {"role": "emperor"},
            follow=True,
        )
        assert any("Choose member" in m for m in _messages(response))
        target.refresh_from_db()
        assert target.role == Membership.Role.MEMBER
        assert _snapshot() == before

    def test_outsider_forbidden(self, client, outsider, community):
        client.force_login(outsider)
        assert client.get("/c/trail-bike-lab/members/").status_code == 403


# --- Join requests ---------------------------------------------------------------------------


class TestRequests:
    def _pending(self, community):
        return Membership.objects.get(community=community, status=Membership.Status.PENDING)

    def test_manager_sees_escaped_answer(self, client, manager, community):
        user = UserFactory(display_name="Eve")
        MembershipFactory(
            community=community,
            user=user,
            status=Membership.Status.PENDING,
            application_answer="<img src=x onerror=alert(1)>",
        )
        client.force_login(manager)
        body = client.get("/c/trail-bike-lab/manage/requests/").content.decode()
        assert "Eve" in body
        assert "<img src=x" not in body and "&lt;img src=x" in body

    def test_plain_form_approves(self, client, manager, pending_applicant, community):
        client.force_login(manager)
        pending = self._pending(community)
        response = client.post(
            reverse("communities:request_decide", args=["trail-bike-lab", pending.pk]),
            {"decision": "approve", "message": ""},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("communities:requests", args=["trail-bike-lab"])
        pending.refresh_from_db()
        assert pending.status == Membership.Status.ACTIVE

    def test_htmx_decline_swaps_the_row(self, client, manager, pending_applicant, community):
        client.force_login(manager)
        pending = self._pending(community)
        response = client.post(
            reverse("communities:request_decide", args=["trail-bike-lab", pending.pk]),
            {"decision": "decline", "message": "Full <i>for now</i>"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert f'id="request-{pending.pk}"' in body and "<html" not in body
        pending.refresh_from_db()
        assert pending.status == Membership.Status.DECLINED
        assert pending.decision_message == "Full <i>for now</i>"
        # The applicant sees the message, escaped.
        client.force_login(pending_applicant)
        mine = client.get("/me/communities/").content.decode()
        assert "Full &lt;i&gt;for now&lt;/i&gt;" in mine

    def test_missing_decision_changes_nothing(self, client, manager, pending_applicant, community):
        client.force_login(manager)
        pending = self._pending(community)
        before = _snapshot()
        url = reverse("communities:request_decide", args=["trail-bike-lab", pending.pk])
        response = client.post(url, {"decision": "maybe"}, follow=True)
        assert any("approve or decline" in m for m in _messages(response))
        response = client.post(url, {"decision": ""}, HTTP_HX_REQUEST="true")
        assert "approve or decline" in response.content.decode()
        pending.refresh_from_db()
        assert pending.status == Membership.Status.PENDING
        assert _snapshot() == before

    def test_decided_request_is_gone(self, client, manager, pending_applicant, community):
        client.force_login(manager)
        pending = self._pending(community)
        url = reverse("communities:request_decide", args=["trail-bike-lab", pending.pk])
        client.post(url, {"decision": "approve"})
        assert client.post(url, {"decision": "decline"}).status_code == 404
        pending.refresh_from_db()
        assert pending.status == Membership.Status.ACTIVE

    def test_member_forbidden_outsider_private_404(
        self, client, member, outsider, community, private_community
    ):
        client.force_login(member)
        assert client.get("/c/trail-bike-lab/manage/requests/").status_code == 403
        client.force_login(outsider)
        assert client.get("/c/secret-kitchen/manage/requests/").status_code == 404


# --- Invitations (manager side) -----------------------------------------------------------------


class TestInvitationsPage:
    def test_create_sends_email(
        self, client, manager, private_community, django_capture_on_commit_callbacks
    ):
        client.force_login(manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/c/secret-kitchen/manage/invitations/",
                {"email": "Chef@Example.test", "role": "member", "message": "Come cook"},
            )
        assert response.status_code == 302
        invitation = Invitation.objects.get(community=private_community)
        assert invitation.email == "chef@example.test"
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chef@example.test"]
        assert "/invitations/" in mail.outbox[0].body

    def test_bad_email_is_a_field_error_and_writes_nothing(self, client, manager):
        client.force_login(manager)
        before = _snapshot()
        response = client.post(
            "/c/secret-kitchen/manage/invitations/", {"email": "not-an-email", "role": "member"}
        )
        assert response.status_code == 200
        assert "email" in response.context["form"].errors
        assert _snapshot() == before and mail.outbox == []

    def test_inviting_a_member_is_a_clear_error(self, client, manager, member):
        client.force_login(manager)
        before = _snapshot()
        response = client.post(
            "/c/secret-kitchen/manage/invitations/", {"email": member.email, "role": "member"}
        )
        assert response.context["form"].errors["email"] == ["This person is already a member."]
        assert _snapshot() == before

    def test_state_filter_and_revoke(self, client, manager, private_community):
        open_inv, _ = services.invitation_create(
            actor=manager, community=private_community, email="a@example.test"
        )
        old, _ = services.invitation_create(
            actor=manager, community=private_community, email="b@example.test"
        )
        Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
        client.force_login(manager)
        page = client.get("/c/secret-kitchen/manage/invitations/", {"state": "expired"})
        assert [i.email for i in page.context["page"].items] == ["b@example.test"]
        page = client.get("/c/secret-kitchen/manage/invitations/", {"state": "open"})
        assert [i.email for i in page.context["page"].items] == ["a@example.test"]
        client.post(reverse("communities:invitation_revoke", args=["secret-kitchen", open_inv.pk]))
        open_inv.refresh_from_db()
        assert open_inv.state == "revoked"
        response = client.post(
            reverse("communities:invitation_revoke", args=["secret-kitchen", old.pk]), follow=True
        )
        assert any("can no longer be revoked" in m for m in _messages(response))


# --- Settings -----------------------------------------------------------------------------------


class TestSettings:
    def test_manager_updates(self, client, manager, community):
        client.force_login(manager)
        form = client.get("/c/trail-bike-lab/manage/settings/").context["form"]
        assert form.initial["name"] == "Trail Bike Lab"
        data = {**form.initial, "tagline": "Ride and tell", "join_policy": "open"}
        response = client.post("/c/trail-bike-lab/manage/settings/", data)
        assert response.status_code == 302
        community.refresh_from_db()
        assert community.tagline == "Ride and tell"
        assert community.join_policy == Community.JoinPolicy.OPEN

    def test_bad_input_changes_nothing(self, client, manager, community):
        client.force_login(manager)
        data = {"name": "", "visibility": "secret", "join_policy": "open"}
        response = client.post("/c/trail-bike-lab/manage/settings/", data)
        assert response.status_code == 200
        assert {"name", "visibility"} <= set(response.context["form"].errors)
        community.refresh_from_db()
        assert community.name == "Trail Bike Lab"
        assert community.join_policy == Community.JoinPolicy.REQUEST


# --- Invitation links -------------------------------------------------------------------------


class TestInvitationLink:
    @pytest.fixture
    def invited(self, manager, private_community, outsider):
        invitation, token = services.invitation_create(
            actor=manager, community=private_community, email=outsider.email, message="Hi <b>"
        )
        return invitation, token

    def test_shows_community_and_inviter(self, client, invited):
        invitation, token = invited
        # An afternoon time: "3 p.m." already ends in a period; the sentence adds none.
        afternoon = timezone.now().replace(hour=15, minute=0) + timedelta(days=3)
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=afternoon)
        response = client.get(f"/invitations/{token}/")
        body = response.content.decode()
        assert response.status_code == 200
        assert "Secret Kitchen" in body and "Mia Manager" in body
        assert "Hi &lt;b&gt;" in body
        assert "Sign in to accept" in body
        assert "You can accept this invitation until " in body and "p.m.," in body
        assert "m.." not in body

    def test_anonymous_accept_goes_to_login_and_back(self, client, invited):
        _inv, token = invited
        response = client.post(f"/invitations/{token}/")
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next=/invitations/{token}/"

    def test_invitee_accepts(self, client, invited, outsider, private_community):
        invitation, token = invited
        client.force_login(outsider)
        response = client.post(f"/invitations/{token}/")
        assert response["Location"] == private_community.get_absolute_url()
        assert Membership.objects.get(user=outsider, community=private_community).is_active
        invitation.refresh_from_db()
        assert invitation.state == "accepted"

    def test_wrong_address_changes_nothing(self, client, invited, org_staff):
        invitation, token = invited
        client.force_login(org_staff)
        assert (
            "sent to another email address" in client.get(f"/invitations/{token}/").content.decode()
        )
        before = _snapshot()
        response = client.post(f"/invitations/{token}/")
        assert response.status_code == 403
        assert "sent to another email address" in response.content.decode()
        assert _snapshot() == before
        invitation.refresh_from_db()
        assert invitation.state == "open"

    def test_reused_link_is_gone(self, client, invited, outsider):
        _inv, token = invited
        client.force_login(outsider)
        client.post(f"/invitations/{token}/")
        before = _snapshot()
        for method in (client.get, client.post):
            response = method(f"/invitations/{token}/")
            assert response.status_code == 410
            assert "already been used" in response.content.decode()
        assert _snapshot() == before

    def test_expired_link_is_gone_and_changes_nothing(
        self, client, invited, outsider, private_community
    ):
        invitation, token = invited
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        client.force_login(outsider)
        before = _snapshot()
        response = client.post(f"/invitations/{token}/")
        assert response.status_code == 410
        assert "has expired" in response.content.decode()
        assert _snapshot() == before
        assert not Membership.objects.filter(user=outsider, community=private_community).exists()

    def test_revoked_link_is_gone(self, client, invited, manager, outsider):
        invitation, token = invited
        services.invitation_revoke(actor=manager, invitation=invitation)
        client.force_login(outsider)
        response = client.get(f"/invitations/{token}/")
        assert response.status_code == 410
        assert "withdrawn" in response.content.decode()

    def test_invalid_token_is_404(self, client):
        response = client.get("/invitations/nonsense/")
        assert response.status_code == 404
        assert "not valid" in response.content.decode()
