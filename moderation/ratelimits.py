"""Fixed-window rate limits on the shared cache (Redis in production): an atomic increment per
(scope, subject, window), so concurrent clients can never get more than the limit through.

New members (see ``trust``) get the community's tighter limits; limits apply per member and
per client IP, and a refusal says how many seconds to wait (Retry-After). While Redis is
unreachable the same windows are counted in the database (``cocreate.caching.backend.count``):
the limits hold through an outage."""

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate.caching.backend import count as shared_count
from cocreate.errors import RateLimited
from communities.models import Community

from .trust import is_established, settings_for


def hit(*, scope: str, subject: str, limit: int, period: int) -> None:
    """Count one request; raise RateLimited when this window already had ``limit``."""
    if limit <= 0:
        raise RateLimited(_("This is not allowed right now."), period)
    now = time.time()
    window = int(now // period)
    key = f"rl:{scope}:{subject}:{window}"
    count = shared_count(cache, key, period + 1)
    if count > limit:
        retry_after = int((window + 1) * period - now) + 1
        raise RateLimited(
            _("You are doing that too often. Try again in %(s)s seconds.") % {"s": retry_after},
            retry_after,
        )


def check_post(
    *, user: User, community: Community, ip: str | None, is_reply: bool, links: int
) -> None:
    """Limits for a new contribution or comment by ``user`` in ``community`` from ``ip``.
    Knowledge asks through ``knowledge.gates``."""
    conf = settings_for(community)
    established = is_established(user, community)
    if not established and links > conf.new_links_per_post:
        raise RateLimited(
            _("New members can include at most %(n)s links in a post.")
            % {"n": conf.new_links_per_post},
            60,
        )
    per_minute = conf.posts_per_minute if established else conf.new_posts_per_minute
    hit(scope=f"post:{community.pk}", subject=f"u{user.pk}", limit=per_minute, period=60)
    if is_reply and not established:
        hit(
            scope=f"reply:{community.pk}",
            subject=f"u{user.pk}",
            limit=conf.new_replies_per_day,
            period=86400,
        )
    if ip:
        # Per address: several accounts behind one address share a generous allowance.
        hit(scope="post-ip", subject=ip, limit=conf.posts_per_minute * 3, period=60)
