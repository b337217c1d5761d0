"""Matrix cases for the communities API: directory, settings, joining, members, join requests,
invitations. Every route and method, for every role; see ``communities/rules.py`` for the table.

Unauthenticated requests get 401 everywhere. A private community answers 404 to outsiders, the
same as a missing one; a visible community answers 403 to those without the right.
"""

from communities.models import Membership

from .matrix import Case, expect

API = "/api/v1"
MANAGERS = {"manager": 200, "org_staff": 200, "platform_admin": 200}


def _c(w, which: str = "community") -> str:
    return f"{API}/communities/{getattr(w, which).slug}"


def _private_member_id(w) -> int:
    return Membership.objects.get(community=w.private_community, user=w.users["member"]).pk


CASES = [
    # --- Directory and creation ---
    Case("api-community-list", "GET", lambda w: f"{API}/communities/", expect(200, anonymous=401)),
    Case(
        "api-community-list",
        "POST",
        lambda w: f"{API}/communities/",
        expect(403, anonymous=401, org_staff=201, platform_admin=201),
        data=lambda w: {"organization": w.organization.slug, "name": "New Lab", "slug": "new-lab"},
        json=True,
    ),
    # --- One community ---
    Case(
        "api-community-detail",
        "GET",
        lambda w: f"{_c(w)}/",
        expect(200, anonymous=401),
        note="public",
    ),
    Case(
        "api-community-detail",
        "GET",
        lambda w: f"{_c(w, 'private_community')}/",
        expect(200, anonymous=401, outsider=404),
        note="private",
    ),
    Case(
        "api-community-detail",
        "PATCH",
        lambda w: f"{_c(w)}/",
        expect(403, anonymous=401, **MANAGERS),
        data=lambda w: {"tagline": "New tagline"},
        json=True,
        note="public",
    ),
    Case(
        "api-community-detail",
        "PATCH",
        lambda w: f"{_c(w, 'private_community')}/",
        expect(403, anonymous=401, outsider=404, **MANAGERS),
        data=lambda w: {"tagline": "New tagline"},
        json=True,
        note="private",
    ),
    # --- Joining and leaving ---
    Case(
        "api-community-join",
        "POST",
        lambda w: f"{_c(w, 'open_community')}/join/",
        expect(409, anonymous=401, outsider=200, org_staff=200, platform_admin=200),
        data=lambda w: {},
        json=True,
        note="open",
    ),
    Case(
        "api-community-join",
        "POST",
        lambda w: f"{_c(w)}/join/",
        expect(409, anonymous=401, outsider=200, org_staff=200, platform_admin=200),
        data=lambda w: {"answer": "I ride gravel."},
        json=True,
        note="by-request",
    ),
    Case(
        "api-community-join",
        "POST",
        lambda w: f"{_c(w, 'private_community')}/join/",
        expect(409, anonymous=401, outsider=404, org_staff=403, platform_admin=403),
        data=lambda w: {},
        json=True,
        note="private-invitation-only",
    ),
    Case(
        "api-community-leave",
        "POST",
        lambda w: f"{_c(w, 'open_community')}/leave/",
        expect(409, anonymous=401, member=200, moderator=200),
        json=True,
        note="last-manager-and-non-members-409",
    ),
    Case(
        "api-community-leave",
        "POST",
        lambda w: f"{_c(w, 'private_community')}/leave/",
        expect(409, anonymous=401, outsider=404, member=200, moderator=200),
        json=True,
        note="private",
    ),
    # --- Members ---
    Case(
        "api-member-list",
        "GET",
        lambda w: f"{_c(w)}/members/",
        expect(200, anonymous=401, outsider=403),
        note="public",
    ),
    Case(
        "api-member-list",
        "GET",
        lambda w: f"{_c(w, 'private_community')}/members/",
        expect(200, anonymous=401, outsider=404),
        note="private",
    ),
    # Suggestions for @mentions: for those who may see the member list.
    Case(
        "api-mention-suggestions",
        "GET",
        lambda w: f"{_c(w)}/mentions/?q=ta",
        expect(200, anonymous=401, outsider=403),
        note="public",
    ),
    Case(
        "api-mention-suggestions",
        "GET",
        lambda w: f"{_c(w, 'private_community')}/mentions/?q=ma",
        expect(200, anonymous=401, outsider=404),
        note="private",
    ),
    Case(
        "api-mention-suggestions",
        "GET",
        lambda w: f"{_c(w)}/mentions/",
        expect(400, anonymous=401, outsider=403),
        note="no-query-400",
    ),
    Case(
        "api-member-detail",
        "GET",
        lambda w: f"{_c(w)}/members/{w.target.pk}/",
        expect(200, anonymous=401, outsider=403),
    ),
    Case(
        "api-member-detail",
        "PATCH",
        lambda w: f"{_c(w)}/members/{w.target.pk}/",
        expect(403, anonymous=401, **MANAGERS),
        data=lambda w: {"role": "moderator", "reason": "Helps a lot."},
        json=True,
        note="public",
    ),
    Case(
        "api-member-detail",
        "PATCH",
        lambda w: f"{_c(w, 'private_community')}/members/{_private_member_id(w)}/",
        expect(403, anonymous=401, outsider=404, **MANAGERS),
        data=lambda w: {"role": "moderator"},
        json=True,
        note="private",
    ),
    # --- Join requests ---
    Case(
        "api-join-request-list",
        "GET",
        lambda w: f"{_c(w)}/join-requests/",
        expect(403, anonymous=401, **MANAGERS),
        note="public",
    ),
    Case(
        "api-join-request-list",
        "GET",
        lambda w: f"{_c(w, 'private_community')}/join-requests/",
        expect(403, anonymous=401, outsider=404, **MANAGERS),
        note="private",
    ),
    Case(
        "api-join-request-approve",
        "POST",
        lambda w: f"{_c(w)}/join-requests/{w.pending.pk}/approve/",
        expect(403, anonymous=401, **MANAGERS),
        data=lambda w: {"message": "Welcome!"},
        json=True,
    ),
    Case(
        "api-join-request-decline",
        "POST",
        lambda w: f"{_c(w)}/join-requests/{w.pending.pk}/decline/",
        expect(403, anonymous=401, **MANAGERS),
        data=lambda w: {"message": "Not this time."},
        json=True,
    ),
    # --- Invitations ---
    Case(
        "api-invitation-list",
        "GET",
        lambda w: f"{_c(w, 'private_community')}/invitations/",
        expect(403, anonymous=401, outsider=404, **MANAGERS),
        note="private",
    ),
    Case(
        "api-invitation-list",
        "GET",
        lambda w: f"{_c(w)}/invitations/",
        expect(403, anonymous=401, **MANAGERS),
        note="public",
    ),
    Case(
        "api-invitation-list",
        "POST",
        lambda w: f"{_c(w, 'private_community')}/invitations/",
        expect(403, anonymous=401, outsider=404, manager=201, org_staff=201, platform_admin=201),
        data=lambda w: {"email": "newcomer@example.test", "role": "member"},
        json=True,
    ),
    Case(
        "api-invitation-revoke",
        "POST",
        lambda w: f"{_c(w, 'private_community')}/invitations/{w.invitation.pk}/revoke/",
        expect(403, anonymous=401, outsider=404, **MANAGERS),
        json=True,
    ),
    Case(
        "api-invitation-accept",
        "POST",
        lambda w: f"{API}/invitations/accept/",
        expect(403, anonymous=401, outsider=200),
        data=lambda w: {"token": w.invitation_token},
        json=True,
        note="only-the-invited-address",
    ),
    # --- Mine ---
    Case(
        "api-my-memberships", "GET", lambda w: f"{API}/me/memberships/", expect(200, anonymous=401)
    ),
]
