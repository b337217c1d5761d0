"""Matrix cases for the account pages: allauth's routes under /accounts/ as this project
configures them (email login, mandatory verification, no login by code)."""

from .matrix import Case, expect

SIGNED_IN = {
    "outsider": 200,
    "member": 200,
    "moderator": 200,
    "manager": 200,
    "org_staff": 200,
    "platform_admin": 200,
}

CASES = [
    # allauth sends people who are already signed in away from login and sign-up.
    Case("account_login", "GET", lambda w: "/accounts/login/", expect(302, anonymous=200)),
    Case(
        "account_login",
        "POST",
        lambda w: "/accounts/login/",
        expect(302, anonymous=200),
        data=lambda w: {"login": "nobody@example.test", "password": "wrong"},
        note="bad-credentials-show-the-form",
    ),
    Case("account_signup", "GET", lambda w: "/accounts/signup/", expect(302, anonymous=200)),
    Case("account_logout", "GET", lambda w: "/accounts/logout/", expect(200, anonymous=302)),
    Case("account_logout", "POST", lambda w: "/accounts/logout/", expect(302)),
    Case("account_email", "GET", lambda w: "/accounts/email/", expect(200, anonymous=302)),
    Case(
        "account_change_password",
        "GET",
        lambda w: "/accounts/password/change/",
        expect(200, anonymous=302),
    ),
    Case(
        "account_set_password",
        "GET",
        lambda w: "/accounts/password/set/",
        expect(302),
        note="everyone-has-a-password-so-goes-to-change",
    ),
    Case("account_reset_password", "GET", lambda w: "/accounts/password/reset/", expect(200)),
    Case(
        "account_reset_password_done",
        "GET",
        lambda w: "/accounts/password/reset/done/",
        expect(200),
    ),
    Case(
        "account_reset_password_from_key",
        "GET",
        lambda w: "/accounts/password/reset/key/1-not-a-key/",
        expect(200),
        note="bad-key-page",
    ),
    Case(
        "account_reset_password_from_key_done",
        "GET",
        lambda w: "/accounts/password/reset/key/done/",
        expect(200),
    ),
    Case(
        "account_confirm_email",
        "GET",
        lambda w: "/accounts/confirm-email/not-a-key/",
        expect(200),
        note="bad-key-page",
    ),
    Case(
        "account_email_verification_sent",
        "GET",
        lambda w: "/accounts/confirm-email/",
        expect(200),
    ),
    Case("account_inactive", "GET", lambda w: "/accounts/inactive/", expect(200)),
    Case(
        "account_reauthenticate",
        "GET",
        lambda w: "/accounts/reauthenticate/",
        expect(200, anonymous=302),
    ),
    Case(
        "account_confirm_login_code",
        "GET",
        lambda w: "/accounts/login/code/confirm/",
        expect(302),
        note="no-login-code-pending",
    ),
]
