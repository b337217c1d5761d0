"""Matrix cases for project-level routes: health, admin, schema and docs, profile, language."""

from .matrix import Case, expect

CASES = [
    Case("healthz", "GET", lambda w: "/healthz", expect(200)),
    Case(
        "admin:index",
        "GET",
        lambda w: "/admin/",
        expect(302, platform_admin=200),
        note="others-go-to-the-rate-limited-login",
    ),
    Case(
        "admin:communities_membership_changelist",
        "GET",
        lambda w: "/admin/communities/membership/",
        expect(302, platform_admin=200),
    ),
    Case(
        "admin:accounts_user_changelist",
        "GET",
        lambda w: "/admin/accounts/user/",
        expect(302, platform_admin=200),
    ),
    Case(
        "admin:knowledge_contribution_changelist",
        "GET",
        lambda w: "/admin/knowledge/contribution/",
        expect(302, platform_admin=200),
    ),
    Case(
        "admin:notifications_notification_changelist",
        "GET",
        lambda w: "/admin/notifications/notification/",
        expect(302, platform_admin=200),
    ),
    Case("api-schema", "GET", lambda w: "/api/schema/", expect(200)),
    Case("api-docs", "GET", lambda w: "/api/docs/", expect(200)),
    Case("profile_edit", "GET", lambda w: "/accounts/profile/", expect(200, anonymous=302)),
    # The language switch: everyone may use it (signed in, it also saves the profile's language).
    Case(
        "set_language",
        "POST",
        lambda w: "/i18n/setlang/",
        expect(302),
        data=lambda w: {"language": "en", "next": "/communities/"},
    ),
    Case(
        "set_language",
        "GET",
        lambda w: "/i18n/setlang/?next=/communities/",
        expect(302),
        note="only-redirects",
    ),
]

CASES.append(Case("root", "GET", lambda w: "/", expect(302)))
CASES.append(Case("favicon", "GET", lambda w: "/favicon.ico", expect(301)))
