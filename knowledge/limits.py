"""Rate limits on new posts, applied by the page and API views (services take no requests):
per member, per client address, and tighter for new members. Moderation sets the limits
(``moderation.ratelimits``); knowledge asks through ``gates``."""

from django.http import HttpRequest

from communities.models import Community

from . import gates
from .rendering import count_links


def client_ip(request: HttpRequest) -> str | None:
    """The address the connection came from. X-Forwarded-For is not trusted: anyone can send
    it; a proxy in front must set REMOTE_ADDR (e.g. gunicorn's --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") or None


def check_post_rate(
    request: HttpRequest, community: Community, *, body: str, is_reply: bool = False
) -> None:
    """Count one new contribution or comment by the request's user in ``community``; raise
    ``cocreate.errors.RateLimited`` (with the seconds to wait) when it is one too many."""
    user = request.user
    assert user.is_authenticated  # only signed-in members reach a posting view
    gates.check_post_rate(
        user=user,
        community=community,
        ip=client_ip(request),
        is_reply=is_reply,
        links=count_links(body),
    )
