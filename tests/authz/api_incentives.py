"""Matrix cases for the points API (see ``incentives/rules.py`` for the table).

401 without credentials; 404 for a community the caller cannot see; a wallet and the rules are
read by members (the firm's staff and platform admins who are not members: 403); rules are
published by managers. No route writes entries."""

from .matrix import Case, expect

API = "/api/v1"
MEMBERS = {"member": 200, "moderator": 200, "manager": 200}


def _p(w, rest: str, which: str = "community") -> str:
    return f"{API}/communities/{getattr(w, which).slug}/points/{rest}"


def members(code: int = 200, private: bool = False) -> dict[str, int]:
    return expect(
        403, anonymous=401, outsider=404 if private else 403, **dict.fromkeys(MEMBERS, code)
    )


CASES = [
    Case("api-points-wallet", "GET", lambda w: _p(w, "wallet/"), members()),
    Case(
        "api-points-wallet",
        "GET",
        lambda w: _p(w, "wallet/", "private_community"),
        members(private=True),
    ),
    Case("api-points-history", "GET", lambda w: _p(w, "history/"), members()),
    # No rules published in the world: 204 for those who may read them.
    Case("api-points-rules", "GET", lambda w: _p(w, "rules/"), members(204)),
    Case(
        "api-points-rules",
        "POST",
        lambda w: _p(w, "rules/"),
        expect(403, anonymous=401, manager=201, org_staff=201, platform_admin=201),
        data=lambda w: {"submitted": 5, "accepted": 20},
        json=True,
    ),
]
