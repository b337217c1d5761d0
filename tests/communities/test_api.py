"""The communities API per role: directory, settings, joining, members, join requests,
invitations. Happy paths, refusals, and that a refused or invalid request writes nothing."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from communities import services
from communities.models import Community, Invitation, Membership, MembershipChange

from ..clients import session_client, token_client
from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


# --- Authentication ---------------------------------------------------------------------------


def test_every_list_needs_sign_in(community):
    client = session_client()
    for path in (
        f"{API}/communities/",
        f"{API}/communities/{community.slug}/",
        f"{API}/communities/{community.slug}/members/",
        f"{API}/me/memberships/",
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"


def test_token_and_session_auth_both_work(member, community):
    for client in (token_client(member), session_client(member)):
        response = client.get(f"{API}/communities/{community.slug}/")
        assert response.status_code == 200
        assert response.json()["viewer_membership"] == {"role": "member", "status": "active"}


def test_bad_token_is_401(community):
    client = session_client()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(f"{API}/communities/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


# --- Directory --------------------------------------------------------------------------------


def test_directory_shows_private_community_only_to_those_inside(
    member, outsider, community, private_community, open_community
):
    assert set(slugs(session_client(member).get(f"{API}/communities/"))) == {
        "trail-bike-lab",
        "secret-kitchen",
        "open-garage",
    }
    assert set(slugs(session_client(outsider).get(f"{API}/communities/"))) == {
        "trail-bike-lab",
        "open-garage",
    }


def test_directory_items_carry_the_viewers_membership(member, community, open_community):
    results = session_client(member).get(f"{API}/communities/").json()["results"]
    by_slug = {item["slug"]: item for item in results}
    assert by_slug["trail-bike-lab"]["viewer_membership"] == {"role": "member", "status": "active"}
    assert by_slug["open-garage"]["viewer_membership"] is None
    assert by_slug["trail-bike-lab"]["organization"] == {"slug": "northwind", "name": "Northwind"}


def test_directory_filters_and_orderings(member, community, open_community, private_community):
    client = session_client(member)
    assert slugs(client.get(f"{API}/communities/", {"q": "garage"})) == ["open-garage"]
    assert slugs(client.get(f"{API}/communities/", {"join_policy": "request"})) == [
        "trail-bike-lab"
    ]
    other = CommunityFactory(slug="elsewhere", name="Elsewhere")
    assert slugs(client.get(f"{API}/communities/", {"organization": other.organization.slug})) == [
        "elsewhere"
    ]
    assert slugs(client.get(f"{API}/communities/", {"mine": "true"})) == [
        "secret-kitchen",
        "trail-bike-lab",
    ]
    by_name = slugs(client.get(f"{API}/communities/", {"ordering": "name"}))
    assert by_name == ["elsewhere", "open-garage", "secret-kitchen", "trail-bike-lab"]
    popular = slugs(client.get(f"{API}/communities/", {"ordering": "popular"}))
    assert popular[:2] == ["trail-bike-lab", "secret-kitchen"] or popular[:2] == [
        "secret-kitchen",
        "trail-bike-lab",
    ]
    newest = slugs(client.get(f"{API}/communities/", {"ordering": "new"}))
    assert newest[0] == "elsewhere"


def test_directory_pages_with_a_cursor(db):
    for i in range(5):
        CommunityFactory(name=f"Lab {i}", slug=f"lab-{i}")
    client = session_client(UserFactory())
    seen: list[str] = []
    url = f"{API}/communities/?page_size=2&ordering=name"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen.extend(item["slug"] for item in body["results"])
        url = body["next"]
    assert seen == [f"lab-{i}" for i in range(5)]


def test_directory_rejects_bad_filters_and_cursors(member):
    client = session_client(member)
    response = client.get(f"{API}/communities/", {"join_policy": "whoever", "ordering": "random"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"join_policy", "ordering"}
    assert client.get(f"{API}/communities/", {"q": "a\x00b"}).status_code == 400
    garbage = client.get(f"{API}/communities/", {"cursor": "garbage"})
    assert garbage.status_code == 400 and "cursor" in garbage.json()["errors"]


# --- One community ----------------------------------------------------------------------------


def test_private_community_is_404_to_outsiders_like_a_missing_one(outsider, private_community):
    client = session_client(outsider)
    hidden = client.get(f"{API}/communities/{private_community.slug}/")
    missing = client.get(f"{API}/communities/no-such-place/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    for sub in ("members/", "join-requests/", "invitations/"):
        assert client.get(f"{API}/communities/{private_community.slug}/{sub}").status_code == 404


def test_org_staff_creates_a_community_and_manages_it(org_staff, organization):
    response = token_client(org_staff).post(
        f"{API}/communities/",
        {
            "organization": organization.slug,
            "name": "Kitchen Lab",
            "visibility": "private",
            "join_policy": "invitation",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "kitchen-lab"
    assert body["viewer_membership"] == {"role": "manager", "status": "active"}
    assert body["member_count"] == 1
    created = Community.objects.get(slug="kitchen-lab")
    assert created.memberships.get().user == org_staff


def test_member_cannot_create_a_community(member, organization):
    response = session_client(member).post(
        f"{API}/communities/", {"organization": organization.slug, "name": "Mine"}, format="json"
    )
    assert response.status_code == 403
    assert not Community.objects.filter(name="Mine").exists()


def test_staff_cannot_create_in_another_firm(org_staff):
    other = CommunityFactory().organization
    response = session_client(org_staff).post(
        f"{API}/communities/", {"organization": other.slug, "name": "Foreign"}, format="json"
    )
    assert response.status_code == 403
    assert not Community.objects.filter(name="Foreign").exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"organization", "name"}),
        ({"organization": "northwind", "name": "X", "visibility": "secret"}, {"visibility"}),
        ({"organization": "nowhere", "name": "X"}, {"organization"}),
        ({"organization": "northwind", "name": "Dup", "slug": "trail-bike-lab"}, {"slug"}),
        ({"organization": "northwind", "name": "X", "slug": "not a slug"}, {"slug"}),
    ],
)
def test_bad_create_bodies_are_400_and_write_nothing(org_staff, community, body, fields):
    before = Community.objects.count()
    response = session_client(org_staff).post(f"{API}/communities/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields
    assert Community.objects.count() == before


def test_manager_patches_settings(manager, community):
    response = session_client(manager).patch(
        f"{API}/communities/{community.slug}/",
        {"tagline": "  Faster trails ", "join_policy": "open"},
        format="json",
    )
    assert response.status_code == 200
    community.refresh_from_db()
    assert (community.tagline, community.join_policy) == ("Faster trails", "open")
    assert response.json()["viewer_membership"]["role"] == "manager"


def test_bad_patch_is_400_and_changes_nothing(manager, community):
    response = session_client(manager).patch(
        f"{API}/communities/{community.slug}/",
        {"tagline": "ok", "join_policy": "whoever", "name": ""},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"join_policy", "name"}
    community.refresh_from_db()
    assert community.tagline == "People making things together."


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_non_managers_cannot_patch(request, community, role):
    user = request.getfixturevalue(role)
    response = session_client(user).patch(
        f"{API}/communities/{community.slug}/", {"tagline": "mine now"}, format="json"
    )
    assert response.status_code == 403
    community.refresh_from_db()
    assert community.tagline != "mine now"


# --- Joining and leaving ----------------------------------------------------------------------


def test_join_open_community(outsider, open_community):
    response = session_client(outsider).post(f"{API}/communities/{open_community.slug}/join/")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["community"]["slug"] == "open-garage"
    open_community.refresh_from_db()
    assert open_community.member_count == 1


def test_join_request_needs_an_answer_then_waits(outsider, community):
    client = session_client(outsider)
    url = f"{API}/communities/{community.slug}/join/"
    response = client.post(url, {"answer": "   "}, format="json")
    assert response.status_code == 400
    assert "answer" in response.json()["errors"]
    assert not Membership.objects.filter(user=outsider).exists()

    response = client.post(url, {"answer": "A fat bike"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"

    again = client.post(url, {"answer": "again"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "pending"


def test_member_joining_again_is_409(member, community):
    response = session_client(member).post(
        f"{API}/communities/{community.slug}/join/", {"answer": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"


def test_invitation_only_community_cannot_be_joined_directly(org_staff, private_community):
    response = session_client(org_staff).post(f"{API}/communities/{private_community.slug}/join/")
    assert response.status_code == 403
    assert not Membership.objects.filter(user=org_staff).exists()


def test_leave_and_last_manager_stays(member, manager, community):
    response = session_client(member).post(f"{API}/communities/{community.slug}/leave/")
    assert response.status_code == 200
    assert response.json()["status"] == "left"
    community.refresh_from_db()
    assert community.member_count == 1

    response = session_client(manager).post(f"{API}/communities/{community.slug}/leave/")
    assert response.status_code == 409
    assert response.json()["code"] == "last_manager"
    assert Membership.objects.get(user=manager, community=community).status == "active"


def test_my_memberships(member, pending_applicant, community, private_community):
    body = session_client(member).get(f"{API}/me/memberships/").json()
    assert {item["community"]["slug"] for item in body["results"]} == {
        "trail-bike-lab",
        "secret-kitchen",
    }
    body = session_client(pending_applicant).get(f"{API}/me/memberships/").json()
    assert [(i["community"]["slug"], i["status"]) for i in body["results"]] == [
        ("trail-bike-lab", "pending")
    ]


# --- Members ----------------------------------------------------------------------------------


def test_members_list_never_shows_email(member, moderator, manager, community):
    response = session_client(member).get(f"{API}/communities/{community.slug}/members/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert {r["user"]["public_name"] for r in results} == {
        "Maya Member",
        "Milo Moderator",
        "Mia Manager",
    }
    assert "@" not in response.content.decode()
    filtered = session_client(member).get(
        f"{API}/communities/{community.slug}/members/", {"role": "manager"}
    )
    assert [r["user"]["public_name"] for r in filtered.json()["results"]] == ["Mia Manager"]


def test_outsider_cannot_list_members_of_public_community(outsider, community):
    response = session_client(outsider).get(f"{API}/communities/{community.slug}/members/")
    assert response.status_code == 403


def test_manager_changes_a_role_with_reason(member, manager, community):
    membership = Membership.objects.get(user=member, community=community)
    response = session_client(manager).patch(
        f"{API}/communities/{community.slug}/members/{membership.pk}/",
        {"role": "moderator", "reason": "Keeps threads kind."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["role"] == "moderator"
    change = MembershipChange.objects.filter(membership=membership).latest("id")
    assert (change.from_role, change.to_role, change.reason) == (
        "member",
        "moderator",
        "Keeps threads kind.",
    )


def test_bad_role_is_400_and_changes_nothing(member, manager, community):
    membership = Membership.objects.get(user=member, community=community)
    response = session_client(manager).patch(
        f"{API}/communities/{community.slug}/members/{membership.pk}/",
        {"role": "king"},
        format="json",
    )
    assert response.status_code == 400
    assert "role" in response.json()["errors"]
    membership.refresh_from_db()
    assert membership.role == "member"
    assert not MembershipChange.objects.filter(membership=membership, to_role="king").exists()


def test_last_manager_cannot_be_demoted(manager, community):
    membership = Membership.objects.get(user=manager, community=community)
    response = session_client(manager).patch(
        f"{API}/communities/{community.slug}/members/{membership.pk}/",
        {"role": "member"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "last_manager"
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_moderator_cannot_change_roles(member, moderator, community):
    membership = Membership.objects.get(user=member, community=community)
    response = session_client(moderator).patch(
        f"{API}/communities/{community.slug}/members/{membership.pk}/",
        {"role": "manager"},
        format="json",
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == "member"


def test_member_of_another_community_is_404_here(manager, community, open_community):
    elsewhere = MembershipFactory(community=open_community)
    response = session_client(manager).get(
        f"{API}/communities/{community.slug}/members/{elsewhere.pk}/"
    )
    assert response.status_code == 404


def test_huge_ids_are_404_not_500(manager, community):
    response = session_client(manager).get(f"{API}/communities/{community.slug}/members/{2**70}/")
    assert response.status_code == 404


# --- Join requests ----------------------------------------------------------------------------


def test_manager_sees_and_approves_a_request(manager, pending_applicant, community):
    client = session_client(manager)
    listing = client.get(f"{API}/communities/{community.slug}/join-requests/").json()["results"]
    assert [(r["user"]["public_name"], r["application_answer"]) for r in listing] == [
        ("Pat Pending", "A gravel bike.")
    ]
    request_id = listing[0]["id"]
    response = client.post(
        f"{API}/communities/{community.slug}/join-requests/{request_id}/approve/",
        {"message": "Welcome!"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    membership = Membership.objects.get(pk=request_id)
    assert (membership.status, membership.decision_message) == ("active", "Welcome!")
    # Decided: it is no longer a pending request.
    again = client.post(f"{API}/communities/{community.slug}/join-requests/{request_id}/decline/")
    assert again.status_code == 404


def test_manager_declines_with_message(manager, pending_applicant, community):
    membership = Membership.objects.get(user=pending_applicant)
    community.refresh_from_db()
    count = community.member_count
    response = session_client(manager).post(
        f"{API}/communities/{community.slug}/join-requests/{membership.pk}/decline/",
        {"message": "Not this season."},
        format="json",
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert (membership.status, membership.decision_message) == ("declined", "Not this season.")
    community.refresh_from_db()
    assert community.member_count == count


def test_moderator_cannot_decide_requests(moderator, pending_applicant, community):
    membership = Membership.objects.get(user=pending_applicant)
    response = session_client(moderator).post(
        f"{API}/communities/{community.slug}/join-requests/{membership.pk}/approve/"
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.status == "pending"


def test_too_long_decision_message_is_400_and_decides_nothing(
    manager, pending_applicant, community
):
    membership = Membership.objects.get(user=pending_applicant)
    response = session_client(manager).post(
        f"{API}/communities/{community.slug}/join-requests/{membership.pk}/approve/",
        {"message": "x" * 2001},
        format="json",
    )
    assert response.status_code == 400
    assert "message" in response.json()["errors"]
    membership.refresh_from_db()
    assert membership.status == "pending"


# --- Invitations ------------------------------------------------------------------------------


def test_invitation_response_never_carries_the_token(
    manager, private_community, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = session_client(manager).post(
            f"{API}/communities/{private_community.slug}/invitations/",
            {"email": "Newcomer@Example.test", "role": "moderator", "message": "Join us"},
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert "token" not in body and "token_hash" not in body
    assert (body["email"], body["role"], body["state"]) == (
        "newcomer@example.test",
        "moderator",
        "open",
    )
    assert body["invited_by"]["public_name"] == "Mia Manager"
    (email,) = mailoutbox
    token = re.search(r"/invitations/([^/\s]+)/", email.body).group(1)
    assert token not in response.content.decode()
    listing = session_client(manager).get(
        f"{API}/communities/{private_community.slug}/invitations/"
    )
    assert token not in listing.content.decode()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"email": "not-an-email"}, "email"), ({"email": "a@b.test", "role": "owner"}, "role")],
)
def test_bad_invitation_is_400_and_writes_nothing(manager, private_community, body, field):
    response = session_client(manager).post(
        f"{API}/communities/{private_community.slug}/invitations/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Invitation.objects.exists()


def test_inviting_a_member_is_409(manager, member, private_community):
    response = session_client(manager).post(
        f"{API}/communities/{private_community.slug}/invitations/",
        {"email": member.email},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"
    assert not Invitation.objects.exists()


def test_member_cannot_invite(member, private_community):
    response = session_client(member).post(
        f"{API}/communities/{private_community.slug}/invitations/",
        {"email": "friend@example.test"},
        format="json",
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def _invite(manager, community, email: str) -> tuple[Invitation, str]:
    return services.invitation_create(actor=manager, community=community, email=email)


def test_revoke_then_revoke_again_is_409(manager, private_community):
    invitation, _token = _invite(manager, private_community, "guest@example.test")
    client = session_client(manager)
    url = f"{API}/communities/{private_community.slug}/invitations/{invitation.pk}/revoke/"
    response = client.post(url)
    assert response.status_code == 200
    assert response.json()["state"] == "revoked"
    again = client.post(url)
    assert again.status_code == 409
    assert again.json()["code"] == "not_open"


def test_accept_invitation_and_reuse_is_409(manager, private_community):
    guest = UserFactory(email="guest@example.test")
    invitation, token = _invite(manager, private_community, guest.email)
    client = token_client(guest)
    response = client.post(f"{API}/invitations/accept/", {"token": token}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["role"]) == ("active", "member")
    assert response.json()["community"]["slug"] == "secret-kitchen"
    changes = MembershipChange.objects.count()

    again = client.post(f"{API}/invitations/accept/", {"token": token}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "This invitation has already been used.", "code": "used"}
    assert MembershipChange.objects.count() == changes


def test_expired_invitation_is_409_and_changes_nothing(manager, private_community):
    guest = UserFactory(email="late@example.test")
    invitation, token = _invite(manager, private_community, guest.email)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = session_client(guest).post(
        f"{API}/invitations/accept/", {"token": token}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "expired"
    assert "expired" in response.json()["detail"]
    assert not Membership.objects.filter(user=guest).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_revoked_invitation_is_409(manager, private_community):
    guest = UserFactory(email="gone@example.test")
    invitation, token = _invite(manager, private_community, guest.email)
    services.invitation_revoke(actor=manager, invitation=invitation)
    response = session_client(guest).post(
        f"{API}/invitations/accept/", {"token": token}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "revoked"
    assert not Membership.objects.filter(user=guest).exists()


def test_unknown_token_is_400_on_the_token_field(outsider):
    response = session_client(outsider).post(
        f"{API}/invitations/accept/", {"token": "made-up"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"token": ["This invitation link is not valid."]}
    missing = session_client(outsider).post(f"{API}/invitations/accept/", {}, format="json")
    assert missing.status_code == 400
    assert "token" in missing.json()["errors"]


def test_invitation_for_another_address_is_403(manager, outsider, private_community):
    invitation, token = _invite(manager, private_community, "someone-else@example.test")
    response = session_client(outsider).post(
        f"{API}/invitations/accept/", {"token": token}, format="json"
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider).exists()
    invitation.refresh_from_db()
    assert invitation.state == "open"
