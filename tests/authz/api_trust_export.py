"""Matrix cases for the data-export and erasure API. Everything is the signed-in person's own;
anonymous requests get 401, except the download: 404 to everyone but the export's owner,
signed out included."""

from .matrix import Case, expect
from .pages_trust_export import _member_export

OWN = expect(200, anonymous=401)

CASES = [
    Case("api-trust-exports", "GET", lambda w: "/api/v1/exports/", OWN),
    Case("api-trust-exports", "POST", lambda w: "/api/v1/exports/", expect(202, anonymous=401)),
    Case(
        "api-trust-export",
        "GET",
        lambda w: f"/api/v1/exports/{_member_export(w).pk}/",
        expect(404, member=200, anonymous=401),
    ),
    Case(
        "api-trust-export-download",
        "GET",
        lambda w: f"/api/v1/exports/{_member_export(w).pk}/download/",
        expect(404, member=200),
    ),
    Case(
        "api-trust-account-erase",
        "POST",
        lambda w: "/api/v1/account/erase/",
        expect(400, anonymous=401),
        data=lambda w: {"password": "not the password"},
        json=True,
        note="wrong-password",
    ),
    Case(
        "api-trust-account-erase",
        "POST",
        lambda w: "/api/v1/account/erase/",
        expect(200, anonymous=401),
        data=lambda w: {"password": "correct horse battery staple"},
        json=True,
    ),
]
