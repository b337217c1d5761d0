"""Matrix cases for the community pages: directory, creation, one community, manager pages and
invitation links. Manage pages answer 404 where the community is invisible, 403 where it is
visible but not managed; anonymous people are sent to the login page."""

from .matrix import Case, expect

PUBLIC = "/c/public-request"
PRIVATE = "/c/private-invite"
OPEN = "/c/public-open"
STAFF = {"manager": 200, "org_staff": 200, "platform_admin": 200}
STAFF_POST = {"manager": 302, "org_staff": 302, "platform_admin": 302}


def _create_data(w) -> dict:
    return {
        "organization": w.organization.pk,
        "name": "Fresh Community",
        "slug": "fresh-community",
        "visibility": "public",
        "join_policy": "open",
    }


def _settings_data(w) -> dict:
    return {
        "name": "Renamed",
        "tagline": "",
        "description": "",
        "visibility": "public",
        "join_policy": "request",
        "application_question": "Why?",
    }


CASES = [
    Case("communities:directory", "GET", lambda w: "/communities/", expect(200)),
    Case(
        "communities:directory",
        "GET",
        lambda w: "/communities/?q=a&join_policy=open&organization=matrix-firm&sort=popular",
        expect(200),
        note="filtered",
    ),
    Case(
        "communities:create",
        "GET",
        lambda w: "/communities/new/",
        expect(403, anonymous=302, org_staff=200, platform_admin=200),
    ),
    Case(
        "communities:create",
        "POST",
        lambda w: "/communities/new/",
        expect(403, anonymous=302, org_staff=302, platform_admin=302),
        data=_create_data,
    ),
    Case("communities:mine", "GET", lambda w: "/me/communities/", expect(200, anonymous=302)),
    Case("communities:home", "GET", lambda w: f"{PUBLIC}/", expect(200), note="public"),
    Case(
        "communities:home",
        "GET",
        lambda w: f"{PRIVATE}/",
        expect(200, anonymous=404, outsider=404),
        note="private",
    ),
    Case("communities:home", "GET", lambda w: "/c/no-such-thing/", expect(404), note="missing"),
    # GET shows the request form to those who may still join; members go back to the home page.
    Case(
        "communities:join",
        "GET",
        lambda w: f"{PUBLIC}/join/",
        expect(302, outsider=200, org_staff=200, platform_admin=200),
    ),
    Case(
        "communities:join",
        "POST",
        lambda w: f"{PUBLIC}/join/",
        expect(302),
        data=lambda w: {"answer": "I ride every day."},
        note="request-or-already-member",
    ),
    Case(
        "communities:join",
        "POST",
        lambda w: f"{PRIVATE}/join/",
        expect(302, outsider=404, org_staff=403, platform_admin=403),
        note="private-invitation-only",
    ),
    Case("communities:join", "POST", lambda w: f"{OPEN}/join/", expect(302), note="open"),
    # Leaving: success or a message ("not a member", "last manager"), always back to a page.
    Case("communities:leave", "POST", lambda w: f"{PUBLIC}/leave/", expect(302)),
    Case(
        "communities:leave",
        "POST",
        lambda w: f"{PRIVATE}/leave/",
        expect(302, outsider=404),
        note="private",
    ),
    Case(
        "communities:members",
        "GET",
        lambda w: f"{PUBLIC}/members/",
        expect(200, anonymous=302, outsider=403),
    ),
    Case(
        "communities:members",
        "GET",
        lambda w: f"{PRIVATE}/members/?role=manager",
        expect(200, anonymous=302, outsider=404),
        note="private",
    ),
    # One person's page (where an @mention leads): for those who may see the member list, and
    # only of an active or suspended member (a pending applicant is nobody's page).
    Case(
        "communities:member",
        "GET",
        lambda w: f"{PUBLIC}/members/{w.target.user_id}/",
        expect(200, anonymous=302, outsider=403),
        note="public",
    ),
    Case(
        "communities:member",
        "GET",
        lambda w: f"{PRIVATE}/members/{w.users['manager'].pk}/",
        expect(200, anonymous=302, outsider=404),
        note="private",
    ),
    Case(
        "communities:member",
        "GET",
        lambda w: f"{PUBLIC}/members/{w.pending.user_id}/",
        expect(404, anonymous=302, outsider=403),
        note="not-a-member",
    ),
    Case(
        "communities:requests",
        "GET",
        lambda w: f"{PUBLIC}/manage/requests/",
        expect(403, anonymous=302, **STAFF),
    ),
    Case(
        "communities:requests",
        "GET",
        lambda w: f"{PRIVATE}/manage/requests/",
        expect(403, anonymous=302, outsider=404, **STAFF),
        note="private",
    ),
    Case(
        "communities:request_decide",
        "POST",
        lambda w: f"{PUBLIC}/manage/requests/{w.pending.pk}/",
        expect(403, anonymous=302, **STAFF_POST),
        data=lambda w: {"decision": "approve", "message": "Welcome"},
    ),
    Case(
        "communities:member_role",
        "POST",
        lambda w: f"{PUBLIC}/manage/members/{w.target.pk}/role/",
        expect(403, anonymous=302, **STAFF_POST),
        data=lambda w: {"role": "moderator"},
    ),
    Case(
        "communities:invitations",
        "GET",
        lambda w: f"{PUBLIC}/manage/invitations/?state=open",
        expect(403, anonymous=302, **STAFF),
    ),
    Case(
        "communities:invitations",
        "POST",
        lambda w: f"{PRIVATE}/manage/invitations/",
        expect(403, anonymous=302, outsider=404, **STAFF_POST),
        data=lambda w: {"email": "new.person@example.test", "role": "member", "message": "Hi"},
    ),
    Case(
        "communities:invitation_revoke",
        "POST",
        lambda w: f"{PRIVATE}/manage/invitations/{w.invitation.pk}/revoke/",
        expect(403, anonymous=302, outsider=404, **STAFF_POST),
    ),
    Case(
        "communities:settings",
        "GET",
        lambda w: f"{PUBLIC}/manage/settings/",
        expect(403, anonymous=302, **STAFF),
    ),
    Case(
        "communities:settings",
        "POST",
        lambda w: f"{PUBLIC}/manage/settings/",
        expect(403, anonymous=302, **STAFF_POST),
        data=_settings_data,
    ),
    # Anyone holding the link sees the invitation; only the invited address may accept it.
    Case(
        "communities:invitation",
        "GET",
        lambda w: f"/invitations/{w.invitation_token}/",
        expect(200),
    ),
    Case(
        "communities:invitation",
        "POST",
        lambda w: f"/invitations/{w.invitation_token}/",
        expect(403, anonymous=302, outsider=302),
        note="only-the-invited-address",
    ),
    Case(
        "communities:invitation",
        "GET",
        lambda w: "/invitations/not-a-real-token/",
        expect(404),
        note="invalid",
    ),
]
