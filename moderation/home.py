"""What moderation adds to a community's home (see ``communities.landing``): the community's
safety links for everyone, and for moderators what waits in the queue and among appeals."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.types import Viewer
from cocreate.permissions import allowed
from communities.landing import Panel, Waiting, register
from communities.models import Community

from . import selectors


def safety_panel(user: Viewer, community: Community) -> dict[str, Any]:
    membership = getattr(community, "viewer_membership", None)
    return {
        "can_view_log": allowed(user, "moderation.view_log", community),
        "has_history": membership is not None and membership.status != "pending",
    }


def register_home() -> None:
    register(
        Panel("safety", "moderation/home/_safety.html", safety_panel, area="side", order=50),
        Waiting(
            "moderation_queue",
            _("Moderation queue"),
            "moderation:queue",
            "moderation.view_queue",
            lambda user, community: selectors.queue_size(user=user, community=community),
            order=20,
        ),
        Waiting(
            "appeals",
            _("Open appeals"),
            "moderation:appeals",
            "moderation.view_appeals",
            lambda user, community: selectors.appeals(user=user, community=community).count(),
            order=25,
        ),
    )
