"""The communities app's pages in the community navigation (see ``communities.navigation``)."""

from django.utils.translation import gettext_lazy as _

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
