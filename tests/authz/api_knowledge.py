"""Matrix cases for the knowledge API: toolkits, challenges, contributions and their lifecycle,
dialogue, evaluation, search, triage. Every route and method, for every role; see
``knowledge/rules.py`` for the table.

Unauthenticated requests get 401 everywhere (token authentication answers first). A
community's knowledge answers 404 to outsiders, the same as a missing id; inside, a refused
action is 403. The firm's staff and platform admins read, evaluate and manage, but do not
contribute, comment or support (they are not members; the checks use ``rules.has_perm``, so
Django's superuser shortcut does not apply).
"""

from .matrix import Case, expect

API = "/api/v1"
MANAGERS = {"manager": 200, "org_staff": 200, "platform_admin": 200}
STAFF = {"moderator": 200, **MANAGERS}
CREATED_BY_MANAGERS = {"manager": 201, "org_staff": 201, "platform_admin": 201}
CREATED_BY_MEMBERS = {"member": 201, "moderator": 201, "manager": 201}


def _c(w, which: str = "community") -> str:
    return f"{API}/communities/{getattr(w, which).slug}"


def _contribution(w) -> str:
    return f"{_c(w)}/contributions/{w.contribution.pk}"


def _draft(w) -> str:
    return f"{_c(w)}/contributions/{w.draft.pk}"


def _challenge(w) -> str:
    return f"{_c(w)}/challenges/{w.challenge.pk}"


def _toolkit(w) -> str:
    return f"{_c(w)}/toolkits/{w.toolkit.pk}"


VIEWERS = expect(200, anonymous=401, outsider=404)
TOOLKIT_BODY = {
    "title": "Report a problem",
    "guidance": "What went wrong?",
    "fields": [{"label": "Where", "type": "short_text", "required": True}],
}

CASES = [
    # --- Toolkits ---
    Case("api-knowledge-toolkit-list", "GET", lambda w: f"{_c(w)}/toolkits/", VIEWERS),
    Case(
        "api-knowledge-toolkit-list",
        "GET",
        lambda w: f"{_c(w, 'private_community')}/toolkits/",
        VIEWERS,
        note="private",
    ),
    Case(
        "api-knowledge-toolkit-list",
        "POST",
        lambda w: f"{_c(w)}/toolkits/",
        expect(403, anonymous=401, outsider=404, **CREATED_BY_MANAGERS),
        data=lambda w: TOOLKIT_BODY,
        json=True,
    ),
    Case("api-knowledge-toolkit-detail", "GET", lambda w: f"{_toolkit(w)}/", VIEWERS),
    Case(
        "api-knowledge-toolkit-detail",
        "PUT",
        lambda w: f"{_toolkit(w)}/",
        expect(403, anonymous=401, outsider=404, **MANAGERS),
        data=lambda w: TOOLKIT_BODY,
        json=True,
    ),
    Case(
        "api-knowledge-toolkit-detail",
        "PATCH",
        lambda w: f"{_toolkit(w)}/",
        expect(403, anonymous=401, outsider=404, **MANAGERS),
        data=lambda w: {"title": "Share an idea, please"},
        json=True,
    ),
    # --- Challenges ---
    Case("api-knowledge-challenge-list", "GET", lambda w: f"{_c(w)}/challenges/", VIEWERS),
    Case(
        "api-knowledge-challenge-list",
        "POST",
        lambda w: f"{_c(w)}/challenges/",
        expect(403, anonymous=401, outsider=404, **CREATED_BY_MANAGERS),
        data=lambda w: {
            "title": "Lighter racks",
            "brief": "Racks weigh too much.",
            "phase": "open",
        },
        json=True,
    ),
    Case("api-knowledge-challenge-detail", "GET", lambda w: f"{_challenge(w)}/", VIEWERS),
    Case(
        "api-knowledge-challenge-phase",
        "POST",
        lambda w: f"{_challenge(w)}/phase/",
        expect(403, anonymous=401, outsider=404, **MANAGERS),
        data=lambda w: {"phase": "evaluation"},
        json=True,
    ),
    Case(
        "api-knowledge-challenge-comments", "GET", lambda w: f"{_challenge(w)}/comments/", VIEWERS
    ),
    Case(
        "api-knowledge-challenge-comments",
        "POST",
        lambda w: f"{_challenge(w)}/comments/",
        expect(403, anonymous=401, outsider=404, **CREATED_BY_MEMBERS),
        data=lambda w: {"body": "What counts as quiet?"},
        json=True,
    ),
    # --- Contributions ---
    Case("api-knowledge-contribution-list", "GET", lambda w: f"{_c(w)}/contributions/", VIEWERS),
    Case(
        "api-knowledge-contribution-list",
        "GET",
        lambda w: f"{_c(w, 'private_community')}/contributions/?sort=top",
        VIEWERS,
        note="private",
    ),
    Case(
        "api-knowledge-contribution-list",
        "POST",
        lambda w: f"{_c(w)}/contributions/",
        expect(403, anonymous=401, outsider=404, **CREATED_BY_MEMBERS),
        data=lambda w: {
            "toolkit": w.toolkit.pk,
            "challenge": w.challenge.pk,
            "title": "Belt drive",
            "fields": {"problem": "Chains are loud"},
            "tags": ["drivetrain"],
        },
        json=True,
    ),
    Case(
        "api-knowledge-contribution-detail",
        "GET",
        lambda w: f"{_contribution(w)}/",
        VIEWERS,
        note="published",
    ),
    Case(
        "api-knowledge-contribution-detail",
        "GET",
        lambda w: f"{_draft(w)}/",
        expect(404, anonymous=401, member=200),
        note="draft-author-only",
    ),
    Case(
        "api-knowledge-contribution-detail",
        "PATCH",
        lambda w: f"{_contribution(w)}/",
        expect(403, anonymous=401, outsider=404, member=200),
        data=lambda w: {"title": "Wax the chain, weekly"},
        json=True,
        note="author-only",
    ),
    Case(
        "api-knowledge-contribution-submit",
        "POST",
        lambda w: f"{_draft(w)}/submit/",
        expect(404, anonymous=401, member=400),  # another's draft: as if missing
        json=True,
        note="draft-missing-required-field",
    ),
    Case(
        "api-knowledge-contribution-submit",
        "POST",
        lambda w: f"{_contribution(w)}/submit/",
        expect(403, anonymous=401, outsider=404, member=409),
        json=True,
        note="already-submitted",
    ),
    Case(
        "api-knowledge-contribution-support",
        "POST",
        lambda w: f"{_contribution(w)}/support/",
        expect(
            403,
            anonymous=401,
            outsider=404,
            moderator=200,
            manager=200,
        ),
        json=True,
        note="own-idea",  # the member wrote it: no one supports their own idea
    ),
    Case(
        "api-knowledge-contribution-support",
        "DELETE",
        lambda w: f"{_contribution(w)}/support/",
        VIEWERS,
        json=True,
    ),
    Case(
        "api-knowledge-contribution-follow",
        "POST",
        lambda w: f"{_contribution(w)}/follow/",
        VIEWERS,
        json=True,
    ),
    Case(
        "api-knowledge-contribution-follow",
        "DELETE",
        lambda w: f"{_contribution(w)}/follow/",
        VIEWERS,
        json=True,
    ),
    Case(
        "api-knowledge-contribution-status",
        "POST",
        lambda w: f"{_contribution(w)}/status/",
        expect(403, anonymous=401, outsider=404, **STAFF),
        data=lambda w: {"status": "under_review", "reason": "We are looking into it."},
        json=True,
    ),
    Case(
        "api-knowledge-contribution-lock",
        "POST",
        lambda w: f"{_contribution(w)}/lock/",
        expect(403, anonymous=401, outsider=404, **STAFF),
        data=lambda w: {"locked": True},
        json=True,
    ),
    Case(
        "api-knowledge-contribution-comments",
        "GET",
        lambda w: f"{_contribution(w)}/comments/",
        VIEWERS,
    ),
    Case(
        "api-knowledge-contribution-comments",
        "POST",
        lambda w: f"{_contribution(w)}/comments/",
        expect(403, anonymous=401, outsider=404, **CREATED_BY_MEMBERS),
        data=lambda w: {"body": "How often?", "parent": w.comment.pk},
        json=True,
    ),
    Case(
        "api-knowledge-contribution-evaluations",
        "GET",
        lambda w: f"{_contribution(w)}/evaluations/",
        expect(403, anonymous=401, outsider=404, **STAFF),
    ),
    Case(
        "api-knowledge-contribution-evaluations",
        "POST",
        lambda w: f"{_contribution(w)}/evaluations/",
        expect(
            403,
            anonymous=401,
            outsider=404,
            moderator=201,
            manager=201,
            org_staff=201,
            platform_admin=201,
        ),
        data=lambda w: {"scorecard": w.scorecard.pk, "scores": {"impact": 4}, "note": "Cheap."},
        json=True,
    ),
    # --- Comments by id ---
    Case("api-knowledge-comment", "GET", lambda w: f"{API}/comments/{w.comment.pk}/", VIEWERS),
    Case(
        "api-knowledge-comment",
        "PATCH",
        lambda w: f"{API}/comments/{w.comment.pk}/",
        expect(403, anonymous=401, outsider=404, moderator=200),
        data=lambda w: {"body": "Tell us more, please."},
        json=True,
        note="author-only",
    ),
    Case(
        "api-knowledge-comment-replies",
        "GET",
        lambda w: f"{API}/comments/{w.comment.pk}/replies/",
        VIEWERS,
    ),
    Case(
        "api-knowledge-comment-helpful",
        "POST",
        lambda w: f"{API}/comments/{w.comment.pk}/helpful/",
        VIEWERS,
        data=lambda w: {"helpful": True},
        json=True,
        note="contribution-author-and-staff",
    ),
    # --- Search, triage, scorecards ---
    Case("api-knowledge-search", "GET", lambda w: f"{_c(w)}/search/?q=chain", VIEWERS),
    Case(
        "api-knowledge-triage",
        "GET",
        lambda w: f"{_c(w)}/triage/",
        expect(403, anonymous=401, outsider=404, **STAFF),
    ),
    Case(
        "api-knowledge-scorecard-list",
        "GET",
        lambda w: f"{_c(w)}/scorecards/",
        expect(403, anonymous=401, outsider=404, **STAFF),
    ),
    Case(
        "api-knowledge-scorecard-list",
        "POST",
        lambda w: f"{_c(w)}/scorecards/",
        expect(403, anonymous=401, outsider=404, **CREATED_BY_MANAGERS),
        data=lambda w: {"title": "Feasibility", "criteria": [{"label": "Cost", "weight": 2}]},
        json=True,
    ),
]
