"""Matrix cases for the notifications API. Everything is about the signed-in member only:
401 without credentials, 404 for another member's notification (as for a missing id)."""

from .matrix import Case, expect
from .pages_notifications import _notification

API = "/api/v1"
SIGNED_IN = expect(200, anonymous=401)

CASES = [
    Case("api-notifications-list", "GET", lambda w: f"{API}/notifications/", SIGNED_IN),
    Case(
        "api-notifications-list",
        "GET",
        lambda w: (_notification(w), f"{API}/notifications/?unread=true")[1],
        SIGNED_IN,
        note="unread",
    ),
    Case(
        "api-notifications-unread-count",
        "GET",
        lambda w: f"{API}/notifications/unread-count/",
        SIGNED_IN,
    ),
    Case(
        "api-notifications-read",
        "POST",
        lambda w: f"{API}/notifications/{_notification(w).pk}/read/",
        expect(404, anonymous=401, member=200),
        json=True,
    ),
    Case(
        "api-notifications-read-all",
        "POST",
        lambda w: f"{API}/notifications/read-all/",
        SIGNED_IN,
        json=True,
    ),
    Case(
        "api-notifications-preferences",
        "GET",
        lambda w: f"{API}/notification-preferences/",
        SIGNED_IN,
    ),
    Case(
        "api-notifications-preferences",
        "PUT",
        lambda w: f"{API}/notification-preferences/",
        SIGNED_IN,
        data=lambda w: {
            "topics": [{"topic": "mentions", "channel": "off"}],
            "muted_communities": [w.community.slug],
        },
        json=True,
    ),
    Case(
        "api-notifications-preferences",
        "PATCH",
        lambda w: f"{API}/notification-preferences/",
        SIGNED_IN,
        data=lambda w: {"topics": [{"topic": "replies", "channel": "weekly"}]},
        json=True,
    ),
    Case(
        "api-notifications-preferences",
        "PATCH",
        lambda w: f"{API}/notification-preferences/",
        expect(400, anonymous=401, outsider=400),
        data=lambda w: {"muted_communities": [w.private_community.slug, "no-such"]},
        json=True,
        note="invisible-community",
    ),
]
