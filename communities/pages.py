"""The communities app's pages in the community navigation (see ``communities.navigation``)."""

from django.utils.translation import gettext_lazy as _

from . import selectors
from .landing import Count, Waiting
from .landing import register as register_on_home
from .navigation import Item, register


def register_pages() -> None:
    register(
        Item("overview", _("Overview"), "communities:home", order=0),
        Item(
            "members",
            _("Members"),
            "communities:members",
            order=50,
            perm="communities.view_members",
        ),
        Item(
            "requests",
            _("Join requests"),
            "communities:requests",
            section="manage",
            order=60,
            perm="communities.decide_join_request",
        ),
        Item(
            "invitations",
            _("Invitations"),
            "communities:invitations",
            section="manage",
            order=70,
            perm="communities.invite",
        ),
        Item(
            "settings",
            _("Settings"),
            "communities:settings",
            section="manage",
            order=90,
            perm="communities.manage_community",
        ),
    )


def register_home() -> None:
    register_on_home(
        Count("members", _("Members"), lambda community: community.member_count, order=0),
        Waiting(
            "join_requests",
            _("Join requests"),
            "communities:requests",
            "communities.decide_join_request",
            lambda user, community: selectors.join_requests(user=user, community=community).count(),
            order=10,
        ),
    )
