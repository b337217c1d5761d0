"""Trust's page in the community navigation (see ``communities.navigation``): consent purposes,
for managers."""

from django.utils.translation import gettext_lazy as _

from communities.navigation import Item, register


def register_pages() -> None:
    register(
        Item(
            "consent",
            _("Consent purposes"),
            "trust:purposes",
            section="manage",
            order=45,
            perm="trust.manage_purposes",
        ),
    )
