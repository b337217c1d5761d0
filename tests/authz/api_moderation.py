"""Matrix cases for the moderation API (see ``moderation/rules.py`` for the table).

Unauthenticated requests get 401 everywhere. A community the caller cannot see answers 404;
one they see but may not moderate answers 403 (a moderator of another community included).
Flags are for active members only: the firm's staff and platform admins get 403. A member's
own actions and appeals are theirs alone: someone else's action answers 404.
"""

from .matrix import Case, expect

API = "/api/v1"
STAFF = {"moderator": 200, "manager": 200, "org_staff": 200, "platform_admin": 200}
MANAGERS = {"manager": 200, "org_staff": 200, "platform_admin": 200}


def _m(w, rest: str, which: str = "community") -> str:
    slug = w.extra["elsewhere"].slug if which == "elsewhere" else getattr(w, which).slug
    return f"{API}/communities/{slug}/moderation/{rest}"


def refused(private: bool = False, **allowed: int) -> dict[str, int]:
    return expect(403, anonymous=401, outsider=404 if private else 403, **allowed)


REASON = "Checked against the community guidelines."

CASES = [
    # --- Flags
    Case("api-moderation-flag-list", "GET", lambda w: f"{API}/flags/", expect(200, anonymous=401)),
    Case(
        "api-moderation-flag-list",
        "POST",
        lambda w: f"{API}/flags/",
        expect(403, anonymous=401, outsider=404, member=201, moderator=409, manager=201),
        data=lambda w: {"comment": w.comment.pk, "reason": "abusive"},
        json=True,
        note="moderator-own-comment-409",
    ),
    Case(
        "api-moderation-flag-list",
        "POST",
        lambda w: f"{API}/flags/",
        expect(403, anonymous=401, outsider=404, member=409, moderator=201, manager=201),
        data=lambda w: {"contribution": w.contribution.pk, "reason": "spam"},
        json=True,
        note="contribution-own-post-409",
    ),
    # --- The queue
    Case("api-moderation-queue", "GET", lambda w: _m(w, "queue/"), refused(**STAFF)),
    Case(
        "api-moderation-queue",
        "GET",
        lambda w: _m(w, "queue/", "private_community"),
        refused(private=True, **STAFF),
        note="private",
    ),
    Case(
        "api-moderation-queue",
        "GET",
        lambda w: _m(w, "queue/", "elsewhere"),
        refused(org_staff=200, platform_admin=200),
        note="moderator-of-another-community",
    ),
    # --- Actions and the log
    Case("api-moderation-action-list", "GET", lambda w: _m(w, "actions/"), refused(**MANAGERS)),
    Case(
        "api-moderation-action-list",
        "POST",
        lambda w: _m(w, "actions/"),
        refused(**dict.fromkeys(STAFF, 201)),
        data=lambda w: {
            "kind": "hide",
            "reason": REASON,
            "comment": w.extra["target_comment"].pk,
        },
        json=True,
    ),
    Case(
        "api-moderation-action-list",
        "POST",
        lambda w: _m(w, "actions/", "elsewhere"),
        refused(org_staff=404, platform_admin=404),
        data=lambda w: {
            "kind": "hide",
            "reason": REASON,
            "comment": w.extra["target_comment"].pk,
        },
        json=True,
        note="moderator-of-another-community",
    ),
    Case(
        "api-moderation-action-list",
        "POST",
        lambda w: _m(w, "actions/"),
        refused(**dict.fromkeys(STAFF, 201)),
        data=lambda w: {
            "kind": "suspend",
            "reason": REASON,
            "member": w.target.user_id,
            "duration_hours": 24,
        },
        json=True,
        note="suspend",
    ),
    Case(
        "api-moderation-action-bulk",
        "POST",
        lambda w: _m(w, "actions/bulk/"),
        refused(**STAFF),
        data=lambda w: {
            "kind": "dismiss_flags",
            "reason": REASON,
            "items": [{"type": "comment", "id": w.extra["target_comment"].pk}],
        },
        json=True,
    ),
    # --- The member's side and appeals
    Case(
        "api-moderation-my-actions",
        "GET",
        lambda w: _m(w, "my-actions/"),
        expect(200, anonymous=401),
    ),
    Case(
        "api-moderation-my-actions",
        "GET",
        lambda w: _m(w, "my-actions/", "private_community"),
        expect(200, anonymous=401, outsider=404),
        note="private",
    ),
    Case(
        "api-moderation-appeal-create",
        "POST",
        lambda w: _m(w, f"my-actions/{w.extra['member_warning'].pk}/appeal/"),
        expect(404, anonymous=401, member=201),
        data=lambda w: {"text": "I was answering a question."},
        json=True,
    ),
    Case("api-moderation-appeal-list", "GET", lambda w: _m(w, "appeals/"), refused(**STAFF)),
    Case(
        "api-moderation-appeal-decide",
        "POST",
        lambda w: _m(w, f"appeals/{w.extra['appeal'].pk}/decide/"),
        refused(**STAFF),
        data=lambda w: {"decision": "uphold", "reason": REASON},
        json=True,
    ),
    # --- Settings and transparency
    Case("api-moderation-settings", "GET", lambda w: _m(w, "settings/"), refused(**MANAGERS)),
    Case(
        "api-moderation-settings",
        "PATCH",
        lambda w: _m(w, "settings/"),
        refused(**MANAGERS),
        data=lambda w: {"flag_threshold": 2},
        json=True,
    ),
    Case(
        "api-moderation-transparency",
        "GET",
        lambda w: _m(w, "transparency/"),
        expect(200, anonymous=401),
    ),
    Case(
        "api-moderation-transparency",
        "GET",
        lambda w: _m(w, "transparency/?period=year", "private_community"),
        expect(200, anonymous=401, outsider=404),
        note="private",
    ),
]
