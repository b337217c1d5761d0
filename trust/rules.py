"""Who may do what with consent, restrictions and uses. A manager of one community has no power
in another; nobody reads or changes another member's consent.

| action                                       | member | moderator | manager | org staff | admin |
|----------------------------------------------|--------|-----------|---------|-----------|-------|
| grant a community's purpose                  | ✓ (1)  | ✓ (1)     | ✓ (1)   |           |       |
| withdraw a consent, see one's own consent    | ✓ (2)  | ✓ (2)     | ✓ (2)   | ✓ (2)     | ✓ (2) |
| restrict one's own contribution              | author | author    | author  |           |       |
| see restrictions, "usable for", uses, audit  |        | ✓         | ✓       | ✓         | ✓     |
| create purposes, publish versions, archive   |        |           | ✓       | ✓         | ✓     |
| record a use of a contribution               |        |           | ✓       | ✓         | ✓     |
| site-wide documents (terms, privacy notice)  |        |           |         |           | ✓     |

(1) members in good or suspended standing (joining grants through the join form). (2) always,
whatever the standing: saying no is never refused. Restricting is checked in the service (it is
about one contribution's author, not a role).
"""

from django.utils.translation import gettext_lazy as _

from cocreate.permissions import rule
from communities.rules import (
    can_manage_community,
    can_moderate_community,
    is_member_in_good_or_suspended_standing,
    is_platform_admin,
)

rule(
    "trust.grant",
    is_member_in_good_or_suspended_standing,
    _("Only members of this community can give it consent."),
)
rule(
    "trust.view_usage",
    can_moderate_community,
    _("Only this community's staff can see how contributions are used."),
)
rule(
    "trust.manage_purposes",
    can_manage_community,
    _("Only this community's managers can define consent purposes."),
)
rule(
    "trust.record_use",
    can_manage_community,
    _("Only this community's managers can record a use of a contribution."),
)
rule(
    "trust.manage_site_documents",
    is_platform_admin,
    _("Only platform admins can publish the terms of service and privacy notice."),
)
