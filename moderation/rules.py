"""Who may moderate. A moderator of one community has no power in another.

| action                               | member | moderator | manager | org staff | admin |
|--------------------------------------|--------|-----------|---------|-----------|-------|
| flag content                         | ✓ (1)  | ✓         | ✓       |           |       |
| queue, hide/restore, lock, warn,     |        | ✓         | ✓       | ✓         | ✓     |
|   suspend, ban, dismiss, decide      |        |           |         |           |       |
|   appeals (not one's own action)     |        |           |         |           |       |
| read the moderation log, export CSV  |        |           | ✓       | ✓         | ✓     |
| moderation settings                  |        |           | ✓       | ✓         | ✓     |
| transparency page (counts only)      | ✓      | ✓         | ✓       | ✓         | ✓     |

(1) active members; suspended and banned members cannot flag.

Each permission is declared with the words a refused person reads (``cocreate.permissions``).
"""

from django.utils.translation import gettext_lazy as _

from cocreate.permissions import rule
from communities.rules import can_manage_community, can_moderate_community, is_member

rule("moderation.flag", is_member, _("Only active members can flag content."))
rule(
    "moderation.moderate",
    can_moderate_community,
    _("Only this community's moderators can do this."),
)
rule(
    "moderation.view_queue",
    can_moderate_community,
    _("Only this community's moderators can see the queue."),
)
rule(
    "moderation.view_appeals",
    can_moderate_community,
    _("Only this community's moderators can see appeals."),
)
rule(
    "moderation.decide_appeal",
    can_moderate_community,
    _("Only this community's moderators can decide appeals."),
)
rule(
    "moderation.view_log",
    can_manage_community,
    _("Only this community's managers can read the moderation log."),
)
rule(
    "moderation.configure",
    can_manage_community,
    _("Only managers can change moderation settings."),
)
