"""What knowledge adds to a community's home (see ``communities.landing``): how to share an
idea, the open challenges with their deadlines, recent and top ideas, the viewer's own posts
that wait for a moderator, the counts of ideas and ideas shipped, and for staff the ideas that
wait to be triaged. Each panel is only for viewers who may see the community's knowledge."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.types import Viewer
from cocreate.caching import fragment
from cocreate.permissions import allowed
from communities.landing import Count, Panel, Waiting, register
from communities.models import Community

from . import selectors
from .cards import card

fragment(
    "home_idea",
    "knowledge/home/_idea.html",
    fields=(
        "c.pk",
        "c.title",
        "c.status",
        "c.get_status_display",
        "c.author.public_name",
        "c.support_count",
        "c.comment_count",
        "community.slug",
    ),
)


def _sees_knowledge(user: Viewer, community: Community) -> bool:
    return allowed(user, "knowledge.view_knowledge", community)


def share_panel(user: Viewer, community: Community) -> dict[str, Any] | None:
    """ "Share an idea" for those who may, with what to do when nothing is open yet."""
    if not _sees_knowledge(user, community):
        return None
    return {
        "can_contribute": allowed(user, "knowledge.contribute", community),
        "refusal": selectors.participation_refusal(user, community),
        "has_toolkit": selectors.toolkits_for(user=user, community=community).exists(),
        "can_design": allowed(user, "knowledge.design_toolkit", community),
    }


def challenges_panel(user: Viewer, community: Community) -> dict[str, Any] | None:
    if not _sees_knowledge(user, community):
        return None
    return {
        "challenges": selectors.open_challenges(user=user, community=community),
        "can_pose": allowed(user, "knowledge.pose_challenge", community),
    }


def ideas_panel(user: Viewer, community: Community) -> dict[str, Any] | None:
    if not _sees_knowledge(user, community):
        return None
    rows = selectors.home_ideas(user=user, community=community)
    return {list_: [card(row) for row in found] for list_, found in rows.items()}


def held_panel(user: Viewer, community: Community) -> dict[str, Any] | None:
    """The viewer's own contributions and comments that others cannot see yet (waiting for a
    moderator's review, or hidden), so what they just did is where they look for it."""
    if not user.is_authenticated or not _sees_knowledge(user, community):
        return None
    if not selectors.has_held_posts(user=user, community=community):
        return None
    contributions = list(
        selectors.my_moderated(user=user, community=community)[: selectors.HOME_LIST_SIZE]
    )
    comments = selectors.my_held_comments(user=user, community=community)
    if not contributions and not comments:
        return None
    return {"contributions": contributions, "comments": comments}


def register_home() -> None:
    register(
        Panel("held", "knowledge/home/_held.html", held_panel, order=5),
        Panel("share", "knowledge/home/_share.html", share_panel, order=10),
        Panel("challenges", "knowledge/home/_challenges.html", challenges_panel, order=20),
        Panel("ideas", "knowledge/home/_ideas.html", ideas_panel, order=30),
        Count(
            "ideas",
            _("Ideas"),
            lambda community: selectors.knowledge_counts(community)["ideas"],
            order=10,
        ),
        Count(
            "shipped",
            _("Ideas shipped"),
            lambda community: selectors.knowledge_counts(community)["shipped"],
            order=20,
        ),
        Waiting(
            "triage",
            _("Ideas to triage"),
            "knowledge:triage",
            "knowledge.triage",
            lambda user, community: selectors.to_triage_count(user=user, community=community),
            order=30,
        ),
    )
