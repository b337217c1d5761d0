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
"""

import rules

from communities.rules import can_manage_community, can_moderate_community, is_member

rules.add_perm("moderation.flag", is_member)
rules.add_perm("moderation.moderate", can_moderate_community)
rules.add_perm("moderation.view_log", can_manage_community)
rules.add_perm("moderation.configure", can_manage_community)
