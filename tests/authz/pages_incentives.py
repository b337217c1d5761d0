"""Matrix cases for the points pages (see ``incentives/rules.py`` for the table).

A wallet is a member's own (the firm's staff and platform admins who are not members have none:
403 with the reason); the rules page is the managers'. Anonymous people go to the login page;
a private community answers 404 to anyone who cannot see it."""

from .matrix import Case, expect

PUBLIC = "/c/public-request"
PRIVATE = "/c/private-invite"

MEMBERS = {"member": 200, "moderator": 200, "manager": 200}
MANAGERS = {"manager": 200, "org_staff": 200, "platform_admin": 200}


def _rules(w):
    return {
        "submitted": 5,
        "accepted": 20,
        "shipped": 50,
        "official_response": 3,
        "helpful": 2,
        "support": 1,
        "supports_per_day": 10,
        "daily_cap": 200,
    }


CASES = [
    Case(
        "incentives:wallet",
        "GET",
        lambda w: f"{PUBLIC}/points/",
        expect(403, anonymous=302, **MEMBERS),
    ),
    Case(
        "incentives:wallet",
        "GET",
        lambda w: f"{PRIVATE}/points/",
        expect(403, anonymous=302, outsider=404, **MEMBERS),
    ),
    Case(
        "incentives:rules",
        "GET",
        lambda w: f"{PUBLIC}/manage/points/",
        expect(403, anonymous=302, **MANAGERS),
    ),
    Case(
        "incentives:rules",
        "POST",
        lambda w: f"{PUBLIC}/manage/points/",
        expect(403, anonymous=302, **dict.fromkeys(MANAGERS, 302)),
        data=_rules,
    ),
]
