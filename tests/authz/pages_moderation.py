"""Matrix cases for the moderation pages (see ``moderation/rules.py`` for the table).

Every page but transparency needs a signed-in person (anonymous: 302 to the login page).
Flag pages sit on knowledge content, which is members-only: outsiders get 404; the firm's staff
and platform admins, who are not members, may not flag (403). Staff pages answer 403 to anyone
who can see the community but may not moderate it (a moderator of another community included),
404 to anyone who cannot see it. A member's own moderation page and appeals are theirs alone:
someone else's action answers 404.
"""

from .matrix import Case, expect

PUBLIC = "/c/public-request"
PRIVATE = "/c/private-invite"
ELSEWHERE = "/c/elsewhere"

STAFF = {"moderator": 200, "manager": 200, "org_staff": 200, "platform_admin": 200}
STAFF_POST = dict.fromkeys(STAFF, 302)
MANAGERS = {"manager": 200, "org_staff": 200, "platform_admin": 200}
MANAGERS_POST = dict.fromkeys(MANAGERS, 302)
FLAGGERS = {"member": 200, "moderator": 200, "manager": 200}
FLAGGERS_POST = dict.fromkeys(FLAGGERS, 302)


def staff_only(private: bool = False, **allowed: int) -> dict[str, int]:
    """Anonymous to login; outsiders 403 (404 in a private community); ``allowed`` roles."""
    return expect(403, anonymous=302, outsider=404 if private else 403, **allowed)


def flag_gate(**allowed: int) -> dict[str, int]:
    return expect(403, anonymous=302, outsider=404, **allowed)


def _m(w, rest: str = "", base: str = PUBLIC) -> str:
    return f"{base}/moderation/{rest}"


def _reason(**extra):
    return lambda w: {"reason": "Checked against the community guidelines.", **extra}


CASES = [
    # --- Flagging
    Case(
        "moderation:flag_contribution",
        "GET",
        lambda w: f"{PUBLIC}/ideas/{w.contribution.pk}/flag/",
        flag_gate(**FLAGGERS),
        note="member-sees-own-post-message",
    ),
    Case(
        "moderation:flag_contribution",
        "POST",
        lambda w: f"{PUBLIC}/ideas/{w.contribution.pk}/flag/",
        flag_gate(**FLAGGERS_POST),
        data=lambda w: {"reason": "off_topic"},
    ),
    Case(
        "moderation:flag_contribution",
        "GET",
        lambda w: f"{PUBLIC}/ideas/{w.draft.pk}/flag/",
        expect(404, anonymous=302),
        note="draft",
    ),
    Case(
        "moderation:flag_comment",
        "GET",
        lambda w: f"{PUBLIC}/comments/{w.comment.pk}/flag/",
        flag_gate(**FLAGGERS),
    ),
    Case(
        "moderation:flag_comment",
        "POST",
        lambda w: f"{PUBLIC}/comments/{w.comment.pk}/flag/",
        flag_gate(**FLAGGERS_POST),
        data=lambda w: {"reason": "other", "note": "Reads like an advert."},
    ),
    Case(
        "moderation:flag_comment",
        "GET",
        lambda w: f"{PRIVATE}/comments/{w.comment.pk}/flag/",
        expect(404, anonymous=302),
        note="wrong-community",
    ),
    # --- The queue
    Case("moderation:queue", "GET", lambda w: _m(w), staff_only(**STAFF)),
    Case(
        "moderation:queue",
        "GET",
        lambda w: _m(w, "?kind=comment&reason=spam&state=flagged"),
        staff_only(**STAFF),
        note="filtered",
    ),
    Case(
        "moderation:queue",
        "GET",
        lambda w: _m(w, base=PRIVATE),
        staff_only(private=True, **STAFF),
        note="private",
    ),
    Case(
        "moderation:queue",
        "GET",
        lambda w: _m(w, base=ELSEWHERE),
        staff_only(org_staff=200, platform_admin=200),
        note="moderator-of-another-community",
    ),
    Case(
        "moderation:queue",
        "POST",
        lambda w: _m(w),
        staff_only(**STAFF_POST),
        data=lambda w: {
            "item": f"comment:{w.extra['target_comment'].pk}",
            "action": "hide",
            "reason": "Advertising.",
        },
    ),
    Case(
        "moderation:queue",
        "POST",
        lambda w: _m(w, base=ELSEWHERE),
        staff_only(org_staff=302, platform_admin=302),
        data=lambda w: {
            "item": f"comment:{w.extra['target_comment'].pk}",
            "action": "hide",
            "reason": "Advertising.",
        },
        note="moderator-of-another-community",
    ),
    # --- One post, one member
    Case(
        "moderation:contribution",
        "GET",
        lambda w: _m(w, f"contributions/{w.contribution.pk}/"),
        staff_only(**STAFF),
    ),
    Case(
        "moderation:contribution",
        "POST",
        lambda w: _m(w, f"contributions/{w.contribution.pk}/"),
        staff_only(**STAFF_POST),
        data=_reason(kind="lock"),
    ),
    Case(
        "moderation:contribution",
        "GET",
        lambda w: _m(w, f"contributions/{w.contribution.pk}/", base=ELSEWHERE),
        staff_only(org_staff=404, platform_admin=404),
        note="moderator-of-another-community",
    ),
    Case(
        "moderation:comment",
        "GET",
        lambda w: _m(w, f"comments/{w.extra['target_comment'].pk}/"),
        staff_only(**STAFF),
    ),
    Case(
        "moderation:comment",
        "POST",
        lambda w: _m(w, f"comments/{w.extra['target_comment'].pk}/"),
        staff_only(**STAFF_POST),
        data=_reason(kind="hide"),
    ),
    Case(
        "moderation:member",
        "GET",
        lambda w: _m(w, f"members/{w.target.user_id}/"),
        staff_only(**STAFF),
    ),
    Case(
        "moderation:member",
        "POST",
        lambda w: _m(w, f"members/{w.target.user_id}/"),
        staff_only(**STAFF_POST),
        data=_reason(kind="suspend", duration="24"),
    ),
    Case(
        "moderation:member",
        "GET",
        lambda w: _m(w, f"members/{w.users['outsider'].pk}/"),
        staff_only(**dict.fromkeys(STAFF, 404)),
        note="not-a-member",
    ),
    # --- Appeals
    Case("moderation:appeals", "GET", lambda w: _m(w, "appeals/"), staff_only(**STAFF)),
    Case(
        "moderation:appeals",
        "GET",
        lambda w: _m(w, "appeals/?status=all"),
        staff_only(**STAFF),
        note="all",
    ),
    Case(
        "moderation:appeal_decide",
        "POST",
        lambda w: _m(w, f"appeals/{w.extra['appeal'].pk}/decide/"),
        staff_only(**STAFF_POST),
        data=_reason(decision="overturn"),
    ),
    # --- The log
    Case("moderation:log", "GET", lambda w: _m(w, "log/"), staff_only(**MANAGERS)),
    Case(
        "moderation:log",
        "GET",
        lambda w: _m(w, "log/?kind=warn&since=2020-01-01&until=2100-01-01"),
        staff_only(**MANAGERS),
        note="filtered",
    ),
    Case("moderation:log_csv", "GET", lambda w: _m(w, "log.csv"), staff_only(**MANAGERS)),
    Case(
        "moderation:log_csv",
        "GET",
        lambda w: _m(w, "log.csv", base=PRIVATE),
        staff_only(private=True, **MANAGERS),
        note="private",
    ),
    # --- Settings and transparency
    Case("moderation:settings", "GET", lambda w: _m(w, "settings/"), staff_only(**MANAGERS)),
    Case(
        "moderation:settings",
        "POST",
        lambda w: _m(w, "settings/"),
        staff_only(**MANAGERS_POST),
        data=lambda w: {
            "flag_threshold": "2",
            "established_after_posts": "3",
            "established_after_days": "7",
            "premoderate_new_members": "on",
            "new_posts_per_minute": "2",
            "new_replies_per_day": "30",
            "new_links_per_post": "2",
            "posts_per_minute": "10",
        },
    ),
    Case("moderation:transparency", "GET", lambda w: _m(w, "transparency/"), expect(200)),
    Case(
        "moderation:transparency",
        "GET",
        lambda w: _m(w, "transparency/?period=week", base=PRIVATE),
        expect(200, anonymous=404, outsider=404),
        note="private",
    ),
    # --- The member's own side
    Case("moderation:mine", "GET", lambda w: _m(w, "mine/"), expect(200, anonymous=302)),
    Case(
        "moderation:mine",
        "GET",
        lambda w: _m(w, "mine/", base=PRIVATE),
        expect(200, anonymous=302, outsider=404),
        note="private",
    ),
    Case(
        "moderation:appeal",
        "GET",
        lambda w: _m(w, f"mine/{w.extra['member_warning'].pk}/appeal/"),
        expect(404, anonymous=302, member=200),
    ),
    Case(
        "moderation:appeal",
        "POST",
        lambda w: _m(w, f"mine/{w.extra['member_warning'].pk}/appeal/"),
        expect(404, anonymous=302, member=302),
        data=lambda w: {"text": "I was answering a question."},
    ),
]
