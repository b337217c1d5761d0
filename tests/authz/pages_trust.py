"""Matrix cases for the trust pages (see ``trust/rules.py`` for the table).

A person's own consent pages are theirs alone: everyone signed in sees their own. Answering a
community's purpose needs a membership there (else 404, as for a missing purpose); withdrawing
needs something granted. Consent purposes are for the community's managers, uses for its staff
(403 to anyone else who can see the community). A contribution's consent page is for its author
and the staff; restricting is the author's alone, recording a use the managers'.
"""

from .matrix import Case, expect

PUBLIC = "/c/public-request"
MANAGERS = {"manager": 200, "org_staff": 200, "platform_admin": 200}
MANAGERS_POST = dict.fromkeys(MANAGERS, 302)
STAFF = {"moderator": 200, **MANAGERS}


def _p(w) -> int:
    return w.extra["purpose"].pk


def _words(**extra):
    return lambda w: {
        "title": "Quote me in marketing",
        "summary": "We may quote you by name.",
        "text": "The firm may quote contributions by name in marketing.",
        **extra,
    }


CASES = [
    Case("trust:mine", "GET", lambda w: "/me/consent/", expect(200, anonymous=302)),
    Case("trust:my_uses", "GET", lambda w: "/me/uses/", expect(200, anonymous=302)),
    Case(
        "trust:grant",
        "POST",
        lambda w: f"/me/consent/{_p(w)}/grant/",
        expect(404, anonymous=302, member=302, moderator=302, manager=302),
    ),
    Case(
        "trust:withdraw",
        "POST",
        lambda w: f"/me/consent/{_p(w)}/withdraw/",
        expect(404, anonymous=302, member=302),
        note="only-the-member-granted",
    ),
    Case(
        "trust:purposes",
        "GET",
        lambda w: f"{PUBLIC}/consent/",
        expect(403, anonymous=302, **MANAGERS),
    ),
    Case(
        "trust:purposes",
        "POST",
        lambda w: f"{PUBLIC}/consent/",
        expect(403, anonymous=302, **MANAGERS_POST),
        data=_words(key="marketing"),
    ),
    Case(
        "trust:purpose",
        "GET",
        lambda w: f"{PUBLIC}/consent/{_p(w)}/",
        expect(403, anonymous=302, **MANAGERS),
    ),
    Case(
        "trust:purpose",
        "POST",
        lambda w: f"{PUBLIC}/consent/{_p(w)}/",
        expect(403, anonymous=302, **MANAGERS_POST),
        data=_words(),
    ),
    Case(
        "trust:publish",
        "POST",
        lambda w: f"{PUBLIC}/consent/{_p(w)}/publish/",
        expect(403, anonymous=302, **MANAGERS_POST),
    ),
    Case(
        "trust:uses",
        "GET",
        lambda w: f"{PUBLIC}/consent/uses/",
        expect(403, anonymous=302, **STAFF),
    ),
    Case(
        "trust:usable",
        "GET",
        lambda w: f"{PUBLIC}/consent/usable/",
        expect(403, anonymous=302, **STAFF),
        data=lambda w: {"purpose": _p(w)},
    ),
    Case(
        "trust:contribution",
        "GET",
        lambda w: f"{PUBLIC}/ideas/{w.contribution.pk}/use/",
        expect(404, anonymous=302, member=200, **STAFF),
    ),
    Case(
        "trust:restrict",
        "POST",
        lambda w: f"{PUBLIC}/ideas/{w.contribution.pk}/use/restrict/",
        expect(403, anonymous=302, outsider=404, member=302),
        data=lambda w: {"purpose": _p(w), "on": "1"},
    ),
    Case(
        "trust:record_use",
        "POST",
        lambda w: f"{PUBLIC}/ideas/{w.contribution.pk}/use/record/",
        expect(403, anonymous=302, outsider=404, **MANAGERS_POST),
        data=lambda w: {"purpose": _p(w), "what": "Roadmap item", "where": "Roadmap Q3"},
    ),
]
