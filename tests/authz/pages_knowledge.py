"""Matrix cases for the knowledge pages. Every knowledge page needs a signed-in person
(anonymous: 302 to the login page). Knowledge is members-only even in a public community:
outsiders get 404, as for a missing page. Staff pages answer 403 to members; contributing,
commenting and supporting are for active members, so the firm's staff and platform admins
(who may read and moderate) get 403 there."""

from .matrix import Case, expect

PUBLIC = "/c/public-request"
PRIVATE = "/c/private-invite"

INSIDERS = {
    "member": 200,
    "moderator": 200,
    "manager": 200,
    "org_staff": 200,
    "platform_admin": 200,
}
INSIDERS_POST = dict.fromkeys(INSIDERS, 302)
PARTICIPANTS_POST = {"member": 302, "moderator": 302, "manager": 302}
PARTICIPANTS = {"member": 200, "moderator": 200, "manager": 200}
STAFF = {"moderator": 200, "manager": 200, "org_staff": 200, "platform_admin": 200}
STAFF_POST = dict.fromkeys(STAFF, 302)
MANAGERS = {"manager": 200, "org_staff": 200, "platform_admin": 200}
MANAGERS_POST = dict.fromkeys(MANAGERS, 302)


def gate(default: int = 403, **overrides: int) -> dict[str, int]:
    """Anonymous to login, outsiders 404, everyone else ``default`` unless overridden."""
    return expect(default, anonymous=302, outsider=404, **overrides)


def _idea(w) -> str:
    return f"{PUBLIC}/ideas/{w.contribution.pk}"


def _contribute_data(w) -> dict:
    return {
        "title": "Quieter hubs",
        "body": "Grease them.",
        "tags": "hubs",
        "field_problem": "Clicking hubs",
        "action": "submit",
    }


def _field_rows(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def _toolkit_data(w) -> dict:
    return {
        "title": "Report a problem",
        "kind": "problem",
        "guidance": "What went wrong?",
        **_field_rows("fields", [{"label": "Where", "type": "short_text", "required": "on"}]),
    }


def _scorecard_data(w) -> dict:
    return {
        "title": "Feasibility",
        "challenge": "",
        **_field_rows("criteria", [{"label": "Cost", "weight": "2"}]),
    }


CASES = [
    # --- Feed and search
    Case("knowledge:feed", "GET", lambda w: f"{PUBLIC}/ideas/", gate(200)),
    Case(
        "knowledge:feed",
        "GET",
        lambda w: (
            f"{PUBLIC}/ideas/?sort=top&kind=idea&status=submitted&tag=chains"
            f"&challenge={w.challenge.pk}"
        ),
        gate(200),
        note="filtered",
    ),
    Case(
        "knowledge:feed",
        "GET",
        lambda w: f"{PRIVATE}/ideas/",
        gate(200),
        note="private",
    ),
    Case("knowledge:feed", "GET", lambda w: "/c/no-such-thing/ideas/", gate(404), note="missing"),
    Case("knowledge:search", "GET", lambda w: f"{PUBLIC}/search/?q=wax", gate(200)),
    # --- Writing
    Case(
        "knowledge:contribute",
        "GET",
        lambda w: f"{PUBLIC}/ideas/new/",
        gate(**PARTICIPANTS),
        note="choose-toolkit",
    ),
    Case(
        "knowledge:contribute",
        "GET",
        lambda w: f"{PUBLIC}/ideas/new/?toolkit={w.toolkit.pk}&challenge={w.challenge.pk}",
        gate(**PARTICIPANTS),
        note="form",
    ),
    Case(
        "knowledge:contribute",
        "POST",
        lambda w: f"{PUBLIC}/ideas/new/?toolkit={w.toolkit.pk}&challenge={w.challenge.pk}",
        gate(**PARTICIPANTS_POST),
        data=_contribute_data,
    ),
    # --- One contribution
    Case("knowledge:contribution", "GET", lambda w: f"{_idea(w)}/", gate(200)),
    Case(
        "knowledge:contribution",
        "GET",
        lambda w: f"{PUBLIC}/ideas/{w.draft.pk}/",
        gate(404, member=200),
        note="draft-author-only",
    ),
    Case(
        "knowledge:contribution",
        "GET",
        lambda w: f"{PUBLIC}/ideas/999999/",
        gate(404),
        note="missing",
    ),
    Case("knowledge:edit", "GET", lambda w: f"{_idea(w)}/edit/", gate(member=200)),
    Case(
        "knowledge:edit",
        "POST",
        lambda w: f"{_idea(w)}/edit/",
        gate(member=302),
        data=lambda w: {"title": "Wax it", "body": "", "tags": "", "field_problem": "Squeaks"},
    ),
    Case(
        "knowledge:submit",
        "POST",
        lambda w: f"{PUBLIC}/ideas/{w.draft.pk}/submit/",
        gate(404, member=302),  # another's draft: as if missing
    ),  # fmt: skip
    Case(
        "knowledge:support",
        "POST",
        lambda w: f"{_idea(w)}/support/",
        gate(**PARTICIPANTS_POST),
        data=lambda w: {"on": "1"},
    ),
    Case(
        "knowledge:follow",
        "POST",
        lambda w: f"{_idea(w)}/follow/",
        gate(**INSIDERS_POST),
        data=lambda w: {"on": "1"},
    ),
    Case(
        "knowledge:status",
        "POST",
        lambda w: f"{_idea(w)}/status/",
        gate(**STAFF_POST),
        data=lambda w: {"status": "under_review", "reason": "We are looking at it."},
    ),
    Case(
        "knowledge:evaluate",
        "POST",
        lambda w: f"{_idea(w)}/evaluate/",
        gate(**STAFF_POST),
        data=lambda w: {
            "scorecard": w.scorecard.pk,
            f"sc{w.scorecard.pk}-score_impact": "4",
            f"sc{w.scorecard.pk}-note": "Promising",
        },
    ),
    Case(
        "knowledge:lock",
        "POST",
        lambda w: f"{_idea(w)}/lock/",
        gate(**STAFF_POST),
        data=lambda w: {"on": "1"},
    ),
    # --- Dialogue
    Case(
        "knowledge:comment",
        "POST",
        lambda w: f"{_idea(w)}/comments/",
        gate(**PARTICIPANTS_POST),
        data=lambda w: {"body": "Nice idea", "parent": w.comment.pk},
    ),
    Case(
        "knowledge:comment_edit",
        "GET",
        lambda w: f"{PUBLIC}/comments/{w.comment.pk}/edit/",
        gate(moderator=200),
    ),
    Case(
        "knowledge:comment_edit",
        "POST",
        lambda w: f"{PUBLIC}/comments/{w.comment.pk}/edit/",
        gate(moderator=302),
        data=lambda w: {"body": "Tell us much more."},
    ),
    # The contribution's author (the member) and staff may mark comments helpful.
    Case(
        "knowledge:comment_helpful",
        "POST",
        lambda w: f"{PUBLIC}/comments/{w.comment.pk}/helpful/",
        gate(**INSIDERS_POST),
        data=lambda w: {"on": "1"},
    ),
    Case(
        "knowledge:replies",
        "GET",
        lambda w: f"{PUBLIC}/comments/{w.comment.pk}/replies/",
        gate(200),
    ),
    Case(
        "knowledge:replies",
        "GET",
        lambda w: f"{PRIVATE}/comments/{w.comment.pk}/replies/",
        gate(404),
        note="other-community",
    ),
    # --- Challenges
    Case("knowledge:challenges", "GET", lambda w: f"{PUBLIC}/challenges/", gate(200)),
    Case(
        "knowledge:challenge",
        "GET",
        lambda w: f"{PUBLIC}/challenges/{w.challenge.pk}/",
        gate(200),
    ),
    Case(
        "knowledge:challenge_new", "GET", lambda w: f"{PUBLIC}/challenges/new/", gate(**MANAGERS)
    ),  # fmt: skip
    Case(
        "knowledge:challenge_new",
        "POST",
        lambda w: f"{PUBLIC}/challenges/new/",
        gate(**MANAGERS_POST),
        data=lambda w: {
            "title": "Lighter frames",
            "brief": "How could frames be lighter?",
            "wanted": "Ideas",
            "toolkits": [w.toolkit.pk],
            "deadline": "",
            "phase": "draft",
        },
    ),
    Case(
        "knowledge:challenge_edit",
        "GET",
        lambda w: f"{PUBLIC}/challenges/{w.challenge.pk}/edit/",
        gate(**MANAGERS),
    ),
    Case(
        "knowledge:challenge_edit",
        "POST",
        lambda w: f"{PUBLIC}/challenges/{w.challenge.pk}/edit/",
        gate(**MANAGERS_POST),
        data=lambda w: {"phase": "evaluation"},
    ),
    Case(
        "knowledge:challenge_comment",
        "POST",
        lambda w: f"{PUBLIC}/challenges/{w.challenge.pk}/comments/",
        gate(**PARTICIPANTS_POST),
        data=lambda w: {"body": "When is the deadline?"},
    ),
    Case(
        "knowledge:challenge_follow",
        "POST",
        lambda w: f"{PUBLIC}/challenges/{w.challenge.pk}/follow/",
        gate(**INSIDERS_POST),
        data=lambda w: {"on": "1"},
    ),
    Case(
        "knowledge:challenge_lock",
        "POST",
        lambda w: f"{PUBLIC}/challenges/{w.challenge.pk}/lock/",
        gate(**STAFF_POST),
        data=lambda w: {"on": "1"},
    ),
    # --- Staff pages
    Case("knowledge:toolkits", "GET", lambda w: f"{PUBLIC}/toolkits/", gate(**MANAGERS)),
    Case(
        "knowledge:toolkits",
        "POST",
        lambda w: f"{PUBLIC}/toolkits/",
        gate(**MANAGERS_POST),
        data=_toolkit_data,
    ),
    Case(
        "knowledge:toolkit_edit",
        "GET",
        lambda w: f"{PUBLIC}/toolkits/{w.toolkit.pk}/",
        gate(**MANAGERS),
    ),
    Case(
        "knowledge:toolkit_edit",
        "POST",
        lambda w: f"{PUBLIC}/toolkits/{w.toolkit.pk}/",
        gate(**MANAGERS_POST),
        data=lambda w: {"action": "version", **_toolkit_data(w)},
        note="new-version",
    ),
    Case(
        "knowledge:toolkit_edit",
        "POST",
        lambda w: f"{PUBLIC}/toolkits/{w.toolkit.pk}/",
        gate(**MANAGERS_POST),
        data=lambda w: {"action": "active", "on": "0"},
        note="deactivate",
    ),
    Case("knowledge:triage", "GET", lambda w: f"{PUBLIC}/triage/", gate(**STAFF)),
    Case(
        "knowledge:triage",
        "GET",
        lambda w: f"{PUBLIC}/triage/?challenge={w.challenge.pk}",
        gate(**STAFF),
        note="challenge",
    ),
    Case("knowledge:scorecards", "GET", lambda w: f"{PUBLIC}/scorecards/", gate(**STAFF)),
    Case(
        "knowledge:scorecards",
        "POST",
        lambda w: f"{PUBLIC}/scorecards/",
        gate(**MANAGERS_POST),
        data=_scorecard_data,
    ),
]
