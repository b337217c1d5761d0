"""Who may do what with notifications. Each person's own notifications and preferences are
theirs alone (the selectors filter by the signed-in user); the one community-wide act is:

| action                  | member | moderator | manager | org staff | admin |
|-------------------------|--------|-----------|---------|-----------|-------|
| send an announcement    |        |           | ✓       | ✓         | ✓     |
| read an announcement    | ✓      | ✓         | ✓       | ✓         | ✓     |
"""

from django.utils.translation import gettext_lazy as _

from cocreate.permissions import rule
from communities.rules import can_manage_community

rule(
    "notifications.announce",
    can_manage_community,
    _("Only managers can send announcements."),
)
