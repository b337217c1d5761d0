"""Incentives' pages in the community navigation (``communities.navigation``)."""

from django.utils.translation import gettext_lazy as _

from communities.navigation import Item, register


def register_pages() -> None:
    register(
        Item(
            "points", _("My points"), "incentives:wallet", order=60, perm="incentives.view_wallet"
        ),
        Item(
            "points_rules",
            _("Points"),
            "incentives:rules",
            section="manage",
            order=80,
            perm="incentives.manage_rules",
        ),
    )
