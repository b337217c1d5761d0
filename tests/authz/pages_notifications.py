"""Matrix cases for the notification pages. A notification belongs to its recipient alone:
anyone else gets 404, as for a missing one; anonymous visitors go to the login page.
Unsubscribe links work without signing in (the signed token is the authority). Announcing is
for the community's managers (and the firm's staff and platform admins): 403 where the
community is visible, 404 where it is not; reading an announcement is for its members and
staff."""

from events.models import OutboxEvent
from notifications.mail import unsubscribe_token
from notifications.models import Notification
from notifications.services import announcement_create
from notifications.topics import TOPICS

from .matrix import Case, expect

PUBLIC = "/c/public-request"
PRIVATE = "/c/private-invite"
OWNER_ONLY = expect(404, anonymous=302, member=302)
SIGNED_IN = expect(200, anonymous=302)
MANAGERS = {"manager": 200, "org_staff": 200, "platform_admin": 200}
MANAGERS_POST = {"manager": 302, "org_staff": 302, "platform_admin": 302}


def _notification(w):
    """The member's notification about the moderator's comment on their contribution."""
    if "notification" not in w.extra:
        event = OutboxEvent.objects.create(
            kind="comment.mention",
            payload={"contribution_id": w.contribution.pk, "comment_id": w.comment.pk},
            actor=w.users["moderator"],
            community_id=w.community.pk,
        )
        w.extra["notification"] = Notification.objects.create(
            recipient=w.users["member"],
            event=event,
            kind=event.kind,
            community_id=w.community.pk,
            actor=w.users["moderator"],
            text="Moderator mentioned you",
            url=f"{w.contribution.get_absolute_url()}#comment-{w.comment.pk}",
        )
    return w.extra["notification"]


def _token(w, topic: str = "mentions") -> str:
    return unsubscribe_token(user_id=w.users["member"].pk, topic=topic)


def _announcement(w):
    if "announcement" not in w.extra:
        w.extra["announcement"] = announcement_create(
            actor=w.users["manager"], community=w.community, title="Ride out", body="Saturday."
        )
    return w.extra["announcement"]


def _preferences_data(w) -> dict:
    return {f"topic_{key}": "in_app" for key in TOPICS}


CASES = [
    Case("notifications:list", "GET", lambda w: "/notifications/", SIGNED_IN),
    Case(
        "notifications:list",
        "GET",
        lambda w: (_notification(w), "/notifications/?cursor=not-a-cursor")[1],
        SIGNED_IN,
        note="bad-cursor",
    ),
    Case(
        "notifications:open",
        "GET",
        lambda w: f"/notifications/{_notification(w).pk}/open/",
        OWNER_ONLY,
    ),
    Case(
        "notifications:open",
        "POST",
        lambda w: f"/notifications/{_notification(w).pk}/open/",
        OWNER_ONLY,
    ),
    Case(
        "notifications:open",
        "GET",
        lambda w: "/notifications/999999999/open/",
        expect(404, anonymous=302),
        note="missing",
    ),
    Case(
        "notifications:read",
        "POST",
        lambda w: f"/notifications/{_notification(w).pk}/read/",
        OWNER_ONLY,
    ),
    Case("notifications:read_all", "POST", lambda w: "/notifications/read-all/", expect(302)),
    Case(
        "notifications:follow",
        "POST",
        lambda w: f"/notifications/{_notification(w).pk}/follow/",
        OWNER_ONLY,
        data=lambda w: {"following": "1"},
    ),
    Case("notifications:preferences", "GET", lambda w: "/notifications/preferences/", SIGNED_IN),
    Case(
        "notifications:preferences",
        "POST",
        lambda w: "/notifications/preferences/",
        expect(302),
        data=_preferences_data,
    ),
    Case(
        "notifications:mute",
        "POST",
        lambda w: "/notifications/mute/",
        expect(302),
        data=lambda w: {"community": w.community.pk, "muted": "on"},
    ),
    Case(
        "notifications:mute",
        "POST",
        lambda w: "/notifications/mute/",
        expect(302, outsider=404),
        data=lambda w: {"community": w.private_community.pk, "muted": "on"},
        note="private",
    ),
    Case("notifications:impact", "GET", lambda w: "/notifications/impact/", SIGNED_IN),
    Case(
        "notifications:impact",
        "GET",
        lambda w: "/notifications/impact/?days=365",
        SIGNED_IN,
        note="year",
    ),
    Case(
        "notifications:unsubscribe",
        "GET",
        lambda w: f"/notifications/unsubscribe/{_token(w)}/",
        expect(200),
    ),
    Case(
        "notifications:unsubscribe",
        "POST",
        lambda w: f"/notifications/unsubscribe/{_token(w)}/",
        expect(200),
        data=lambda w: {"List-Unsubscribe": "One-Click"},
        note="one-click",
    ),
    Case(
        "notifications:unsubscribe",
        "POST",
        lambda w: f"/notifications/unsubscribe/{_token(w, 'digest_daily')}/",
        expect(200),
        note="digest",
    ),
    Case(
        "notifications:unsubscribe",
        "GET",
        lambda w: "/notifications/unsubscribe/forged-token/",
        expect(404),
        note="forged",
    ),
    Case(
        "notifications:announce",
        "GET",
        lambda w: f"{PUBLIC}/announce/",
        expect(403, anonymous=302, **MANAGERS),
    ),
    Case(
        "notifications:announce",
        "GET",
        lambda w: f"{PRIVATE}/announce/",
        expect(403, anonymous=302, outsider=404, **MANAGERS),
        note="private",
    ),
    Case(
        "notifications:announce",
        "POST",
        lambda w: f"{PUBLIC}/announce/",
        expect(403, anonymous=302, **MANAGERS_POST),
        data=lambda w: {"title": "Ride out", "body": "Saturday at nine."},
    ),
    Case(
        "notifications:announcement",
        "GET",
        lambda w: f"{PUBLIC}/announcements/{_announcement(w).pk}/",
        expect(200, anonymous=302, outsider=404),
    ),
    Case(
        "notifications:announcement",
        "GET",
        lambda w: f"{PRIVATE}/announcements/{_announcement(w).pk}/",
        expect(404, anonymous=302),
        note="wrong-community",
    ),
]
