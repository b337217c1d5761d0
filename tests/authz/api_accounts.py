"""Matrix cases for the signed-in person's API: profile and API token.

The whole API needs a signed-in caller (401 otherwise), except asking for a token.
"""

from ..factories import TEST_PASSWORD
from .matrix import Case, expect

ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"

CASES = [
    Case("api-me", "GET", lambda w: ME, expect(200, anonymous=401)),
    Case(
        "api-me",
        "PATCH",
        lambda w: ME,
        expect(200, anonymous=401),
        data=lambda w: {"display_name": "Renamed", "expertise_tags": ["bikes"]},
        json=True,
    ),
    Case(
        "api-auth-token",
        "POST",
        lambda w: TOKEN,
        expect(200),
        data=lambda w: {"email": w.users["member"].email, "password": TEST_PASSWORD},
        json=True,
        note="anyone-with-the-right-password",
    ),
    Case(
        "api-auth-token",
        "POST",
        lambda w: TOKEN,
        expect(400),
        data=lambda w: {"email": w.users["member"].email, "password": "wrong"},
        json=True,
        note="wrong-password",
    ),
    Case("api-auth-token", "DELETE", lambda w: TOKEN, expect(204, anonymous=401), json=True),
]
