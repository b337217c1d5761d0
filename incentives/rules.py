"""Who may do what with points.

| action                                   | member | moderator | manager | org staff | admin |
|------------------------------------------|--------|-----------|---------|-----------|-------|
| see one's own wallet and history         | ✓      | ✓         | ✓       | ✓ (1)     | ✓ (1) |
| publish earning rules                    |        |           | ✓       | ✓         | ✓     |

(1) when they are members of the community (a wallet belongs to a membership's person).
Nobody books or edits entries by hand: points are booked by the bookkeeping consumer, holds by
redemptions, corrections as reversals.

Each permission is declared with the words a refused person reads (``cocreate.permissions``).
"""

from django.utils.translation import gettext_lazy as _

from cocreate.permissions import rule
from communities.rules import can_manage_community, is_member

rule("incentives.view_wallet", is_member, _("Only members of this community have points here."))
rule(
    "incentives.manage_rules",
    can_manage_community,
    _("Only the community's managers can change how points are earned."),
)
