"""Moderation's pages in the community navigation (see ``communities.navigation``): one entry
for staff; the moderation pages carry their own sub-navigation (queue, appeals, log...)."""

from django.utils.translation import gettext_lazy as _

from communities.navigation import Item, register


def register_pages() -> None:
    register(
        Item(
            "moderation",
            _("Moderation"),
            "moderation:queue",
            section="manage",
            order=40,
            perm="moderation.view_queue",
        ),
    )
