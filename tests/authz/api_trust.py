"""Matrix cases for the trust API (see ``trust/rules.py`` for the table).

Unauthenticated requests get 401 everywhere. The caller's own consent, history and uses are
theirs alone. Answering a community's purpose needs a membership (else 404, as for a missing
purpose); withdrawing needs something granted. Purposes are listed to whoever sees the
community, created and published by its managers; uses are listed to its staff and recorded by
its managers (403 to others who see it); a contribution's restrictions are for its author and
the staff (404 to anyone else), set by its author alone.
"""

from .matrix import Case, expect

API = "/api/v1"
C = f"{API}/communities/public-request"
STAFF = {"moderator": 200, "manager": 200, "org_staff": 200, "platform_admin": 200}
MANAGERS = ("manager", "org_staff", "platform_admin")


def _p(w) -> int:
    return w.extra["purpose"].pk


def _managers(status: int) -> dict[str, int]:
    return dict.fromkeys(MANAGERS, status)


WORDS = {"title": "Quote me", "summary": "We may quote you.", "text": "Quoting by name."}

CASES = [
    Case("api-trust-consent", "GET", lambda w: f"{API}/consent/", expect(200, anonymous=401)),
    Case(
        "api-trust-history", "GET", lambda w: f"{API}/consent/history/", expect(200, anonymous=401)
    ),
    Case("api-trust-my-uses", "GET", lambda w: f"{API}/consent/uses/", expect(200, anonymous=401)),
    Case(
        "api-trust-grant",
        "POST",
        lambda w: f"{API}/consent/{_p(w)}/grant/",
        expect(404, anonymous=401, member=200, moderator=200, manager=200),
        data=lambda w: {},
        json=True,
    ),
    Case(
        "api-trust-withdraw",
        "POST",
        lambda w: f"{API}/consent/{_p(w)}/withdraw/",
        expect(404, anonymous=401, member=200),
        json=True,
    ),
    Case(
        "api-trust-purpose-list",
        "GET",
        lambda w: f"{C}/consent/purposes/",
        expect(200, anonymous=401),
    ),
    Case(
        "api-trust-purpose-list",
        "POST",
        lambda w: f"{C}/consent/purposes/",
        expect(403, anonymous=401, **_managers(201)),
        data=lambda w: {"key": "marketing", **WORDS},
        json=True,
    ),
    Case(
        "api-trust-purpose-draft",
        "POST",
        lambda w: f"{C}/consent/purposes/{_p(w)}/draft/",
        expect(403, anonymous=401, **_managers(200)),
        data=lambda w: WORDS,
        json=True,
    ),
    Case(
        "api-trust-purpose-publish",
        "POST",
        lambda w: f"{C}/consent/purposes/{_p(w)}/publish/",
        expect(403, anonymous=401, **_managers(409)),
        json=True,
        note="no-draft-409",
    ),
    Case(
        "api-trust-use-list",
        "GET",
        lambda w: f"{C}/consent/uses/",
        expect(403, anonymous=401, **STAFF),
    ),
    Case(
        "api-trust-use-list",
        "POST",
        lambda w: f"{C}/consent/uses/",
        expect(403, anonymous=401, **_managers(201)),
        data=lambda w: {
            "contribution": w.contribution.pk,
            "purpose": _p(w),
            "what": "Roadmap item",
            "where": "Roadmap Q3",
        },
        json=True,
    ),
    Case(
        "api-trust-use-list",
        "POST",
        lambda w: f"{API}/communities/{w.extra['elsewhere'].slug}/consent/uses/",
        expect(403, anonymous=401, org_staff=400, platform_admin=400),
        data=lambda w: {
            "contribution": w.contribution.pk,
            "purpose": _p(w),
            "what": "Roadmap item",
            "where": "Roadmap Q3",
        },
        json=True,
        note="manager-of-another-community-403-firm-staff-400-not-its-contribution",
    ),
    Case(
        "api-trust-restrictions",
        "GET",
        lambda w: f"{C}/consent/contributions/{w.contribution.pk}/restrictions/",
        expect(404, anonymous=401, member=200, **STAFF),
    ),
    Case(
        "api-trust-restrictions",
        "POST",
        lambda w: f"{C}/consent/contributions/{w.contribution.pk}/restrictions/",
        expect(403, anonymous=401, outsider=404, member=200),
        data=lambda w: {"purpose": _p(w), "restricted": True},
        json=True,
    ),
]
