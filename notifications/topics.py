"""What each domain event means to people: its topic (the unit of preference), who hears about
it, what the notification says and where it links. A new event type is one ``Topic`` entry;
delivery does not change."""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from events.models import OutboxEvent
from knowledge.models import COMMENT_OWNER, Challenge, Comment, Contribution, Follow
from moderation.models import APPEALABLE, CONTENT_KINDS
from moderation.wording import action_notice

from .models import Channel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FANOUT = "fanout"  # recipients: every active member of the event's community, in batches


@dataclass(frozen=True)
class Topic:
    key: str
    label: "StrOrPromise"
    default: str  # a Channel value


TOPICS: dict[str, Topic] = {
    t.key: t
    for t in [
        Topic("mentions", _("Someone mentions me"), Channel.EMAIL),
        Topic("replies", _("Replies to my contributions and comments"), Channel.DAILY),
        Topic("status", _("Status changes on contributions I wrote or follow"), Channel.EMAIL),
        Topic("official", _("Official responses from staff"), Channel.EMAIL),
        Topic("challenges", _("New challenges in my communities"), Channel.WEEKLY),
        Topic("membership", _("Join requests and invitations"), Channel.EMAIL),
        Topic("moderation", _("Moderation of my posts and my reports"), Channel.EMAIL),
        Topic("announcements", _("Announcements from community staff"), Channel.EMAIL),
        Topic("impact", _("What my knowledge did (impact reminder)"), Channel.WEEKLY),
        Topic("account", _("My account: my data export is ready"), Channel.EMAIL),
        Topic("uses", _("A use of my contributions is recorded"), Channel.EMAIL),
    ]
}


def _name(event: OutboxEvent) -> str:
    return str(event.actor.public_name) if event.actor_id and event.actor else str(_("Someone"))


def _contribution(event: OutboxEvent):
    cid = event.payload.get("contribution_id")
    return Contribution.objects.select_related("community").filter(pk=cid).first() if cid else None


def _url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _contribution_url(event: OutboxEvent, anchor: str = "") -> str:
    c = _contribution(event)
    if c is None:
        return ""
    url = _url("knowledge:contribution", slug=c.community.slug, pk=c.pk)
    return url + anchor if url else ""


def _comment_anchor(event: OutboxEvent) -> str:
    cid = event.payload.get("comment_id")
    return f"#comment-{cid}" if cid else ""


def _followers_and_author(event: OutboxEvent) -> list[int]:
    c = _contribution(event)
    if c is None:
        return []
    ids = set(
        Follow.objects.filter(discussion_id=c.discussion_id).values_list("user_id", flat=True)
    )
    ids.add(c.author_id)
    return sorted(ids)


def _title(event: OutboxEvent) -> str:
    c = _contribution(event)
    return c.title if c else ""


@dataclass(frozen=True)
class Route:
    topic: str
    recipients: Callable[[OutboxEvent], list[int] | str]
    text: Callable[[OutboxEvent], "StrOrPromise"]
    url: Callable[[OutboxEvent], str]


def _recipient(event: OutboxEvent) -> list[int]:
    rid = event.payload.get("recipient_id") or event.payload.get("user_id")
    return [rid] if rid else []


def _status_label(value: str) -> str:
    try:
        return str(Contribution.Status(value).label)
    except ValueError:
        return value


_lookups: ContextVar[dict | None] = ContextVar("notification_batch_lookups", default=None)


@contextmanager
def batch_lookups():
    """Within the block (one worker batch, one transaction), look each community up once."""
    token = _lookups.set({})
    try:
        yield
    finally:
        _lookups.reset(token)


def _community(community_id: int | None):
    if community_id is None:
        return None
    memo = _lookups.get()
    if memo is not None and ("community", community_id) in memo:
        return memo["community", community_id]
    community = Community.objects.filter(pk=community_id).only("slug", "name").first()
    if memo is not None:
        memo["community", community_id] = community
    return community


def _community_url(event: OutboxEvent) -> str:
    memo = _lookups.get()
    if memo is not None and ("url", event.community_id) in memo:
        return memo["url", event.community_id]
    community = _community(event.community_id)
    url = community.get_absolute_url() if community else ""
    if memo is not None:
        memo["url", event.community_id] = url
    return url


def _community_name(event: OutboxEvent) -> str:
    """The community's name as the event recorded it (older events: as it is now)."""
    name = event.payload.get("community_name")
    if name:
        return str(name)
    community = _community(event.community_id)
    return community.name if community else ""


# A notification's text is at most 300 characters; a manager's message may be 2,000. The whole
# message stays on the applicant's "My communities" page, where the notification leads.
MESSAGE_EXCERPT = 160


def _with_message(sentence: "StrOrPromise", event: OutboxEvent) -> str:
    """``sentence``, then the manager's message (shortened), if they wrote one."""
    message = " ".join(str(event.payload.get("message", "")).split())
    if not message:
        return str(sentence)
    if len(message) > MESSAGE_EXCERPT:
        message = message[: MESSAGE_EXCERPT - 1].rstrip() + "…"
    return str(
        _("%(sentence)s Message from the managers: “%(message)s”")
        % {"sentence": sentence, "message": message}
    )


def _join_decision_text(event: OutboxEvent) -> str:
    community = _community_name(event)
    if event.kind == "membership.approved":
        sentence = _("Your request to join %(community)s was approved.")
    else:
        sentence = _("Your request to join %(community)s was declined.")
    return _with_message(sentence % {"community": community}, event)


def _moderated_post(event: OutboxEvent) -> tuple[str, str, bool]:
    """The post a moderation action concerns: its title (for a comment, what it is on), the
    link to it and whether it is a comment; empty for an action on a membership."""
    if event.payload.get("comment_id"):
        comment = (
            Comment.objects.select_related(*COMMENT_OWNER)
            .filter(pk=event.payload["comment_id"])
            .first()
        )
        if comment is None:
            return "", "", True
        on = comment.discussion.owner
        return on.title, f"{on.get_absolute_url()}#comment-{comment.pk}", True
    c = _contribution(event)
    if c is None:
        return "", "", False
    return c.title, _url("knowledge:contribution", slug=c.community.slug, pk=c.pk), False


def _moderation_text(event: OutboxEvent) -> str:
    until = event.payload.get("until")
    title, _link, is_comment = _moderated_post(event)
    return action_notice(
        kind=event.payload.get("kind", ""),
        reason=event.payload.get("reason", ""),
        community=_community_name(event),
        title=title,
        is_comment=is_comment,
        until=datetime.fromisoformat(until) if until else None,
    )


def _moderation_url(event: OutboxEvent) -> str:
    """An action the member may appeal, or one on their membership: their moderation history at
    that action (what it concerns with a link to the post, the reason, the Appeal button).
    Any other action on a post (restored, approved, reopened): the post."""
    kind = event.payload.get("kind", "")
    if kind in CONTENT_KINDS and kind not in APPEALABLE:
        return _moderated_post(event)[1] or _community_url(event)
    community = _community(event.community_id)
    if community is None:
        return ""
    history = _url("moderation:mine", slug=community.slug)
    action_id = event.payload.get("action_id")
    return f"{history}#action-{action_id}" if history and action_id else history


def _challenge_url(event: OutboxEvent) -> str:
    ch = (
        Challenge.objects.select_related("community")
        .filter(pk=event.payload.get("challenge_id"))
        .first()
    )
    return _url("knowledge:challenge", slug=ch.community.slug, pk=ch.pk) if ch else ""


def _announcement_url(event: OutboxEvent) -> str:
    community = _community(event.community_id)
    aid = event.payload.get("announcement_id")
    if community is None:
        return ""
    if aid:
        url = _url("notifications:announcement", slug=community.slug, pk=aid)
        if url:
            return url
    return community.get_absolute_url()


ROUTES: dict[str, Route] = {
    "comment.mention": Route(
        "mentions",
        _recipient,
        lambda e: _("%(who)s mentioned you") % {"who": _name(e)},
        lambda e: _contribution_url(e, _comment_anchor(e)),
    ),
    "comment.reply": Route(
        "replies",
        _recipient,
        lambda e: _("%(who)s replied to your comment") % {"who": _name(e)},
        lambda e: _contribution_url(e, _comment_anchor(e)),
    ),
    "contribution.commented": Route(
        "replies",
        _recipient,
        lambda e: _("%(who)s commented on “%(title)s”") % {"who": _name(e), "title": _title(e)},
        lambda e: _contribution_url(e, _comment_anchor(e)),
    ),
    "contribution.status_changed": Route(
        "status",
        _followers_and_author,
        lambda e: (
            _("“%(title)s” is now %(status)s: %(reason)s")
            % {
                "title": _title(e),
                "status": _status_label(e.payload.get("to", "")),
                "reason": e.payload.get("reason", ""),
            }
        ),
        lambda e: _contribution_url(e, "#timeline"),
    ),
    "comment.official_response": Route(
        "official",
        _followers_and_author,
        lambda e: _("Official response on “%(title)s”") % {"title": _title(e)},
        lambda e: _contribution_url(e, _comment_anchor(e)),
    ),
    "challenge.opened": Route(
        "challenges",
        lambda e: FANOUT,
        lambda e: _("New challenge: %(title)s") % {"title": e.payload.get("title", "")},
        _challenge_url,
    ),
    "membership.approved": Route(
        "membership",
        _recipient,
        _join_decision_text,
        _community_url,
    ),
    "membership.declined": Route(
        "membership",
        _recipient,
        _join_decision_text,
        lambda e: _url("communities:mine"),
    ),
    "moderation.action": Route(
        "moderation",
        _recipient,
        _moderation_text,
        _moderation_url,
    ),
    "moderation.appeal_decided": Route(
        "moderation",
        _recipient,
        lambda e: (
            _("Your appeal was decided (%(status)s): %(reason)s")
            % {"status": e.payload.get("status", ""), "reason": e.payload.get("reason", "")}
        ),
        _community_url,
    ),
    "flag.outcome": Route(
        "moderation",
        lambda e: list(e.payload.get("reporter_ids", [])),
        lambda e: (
            _("Thank you for your report. Outcome: %(outcome)s")
            % {"outcome": e.payload.get("outcome", "")}
        ),
        _community_url,
    ),
    "export.ready": Route(
        "account",
        _recipient,
        lambda e: _("Your data export is ready. You can download it for 7 days."),
        lambda e: _url("trust:data"),
    ),
    "announcement.created": Route(
        "announcements",
        lambda e: FANOUT,
        lambda e: _("Announcement: %(title)s") % {"title": e.payload.get("title", "")},
        _announcement_url,
    ),
    # trust: the contributor hears of every use of their knowledge (what, where, for what).
    "usage.recorded": Route(
        "uses",
        lambda e: [e.payload["author_id"]] if e.payload.get("author_id") else [],
        lambda e: (
            _("“%(title)s” was used for %(purpose)s: %(what)s (%(where)s)")
            % {
                "title": _title(e),
                "purpose": e.payload.get("purpose_title", ""),
                "what": e.payload.get("what", ""),
                "where": e.payload.get("where", ""),
            }
        ),
        lambda e: _url("trust:my_uses"),
    ),
}


def kinds_for(topic: str) -> list[str]:
    """Every event kind delivered under a topic (the unit of preference)."""
    kinds = [kind for kind, route in ROUTES.items() if route.topic == topic]
    if topic == "impact":
        kinds.append(IMPACT_KIND)
    return kinds


def topic_for(kind: str) -> str | None:
    if kind == IMPACT_KIND:
        return "impact"
    route = ROUTES.get(kind)
    return route.topic if route else None


# Impact reminders are built per member and period (notifications.impact), not from one event.
IMPACT_KIND = "impact.reminder"
