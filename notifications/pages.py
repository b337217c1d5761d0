"""Notifications' pages in the community navigation (see ``communities.navigation``)."""

from django.utils.translation import gettext_lazy as _

from communities.navigation import Item, register


def register_pages() -> None:
    register(
        Item(
            "announcements",
            _("Announcements"),
            "notifications:announce",
            section="manage",
            order=50,
            perm="notifications.announce",
            also=("announcements/",),
        ),
    )
