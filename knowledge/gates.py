"""What knowledge asks the apps above it before a post goes out: the narrow interface through
which knowledge consults moderation without importing it (moderation sits above knowledge).

Two questions, each answered by one registered callable:

- ``check_post_rate``: may this person post once more now? It raises
  ``cocreate.errors.RateLimited`` (with the seconds to wait) when not.
- ``held_for_review``: does a new post by this author wait for a moderator (pre-moderation)?

``moderation`` registers its answers in ``ModerationConfig.ready()``, so they are in place
before any request or task runs. With nothing registered (an installation without the
moderation app) the defaults apply: no rate limit, and every post is published at once — the
only safe choice, since with nobody to approve it a held post would wait forever.
``tests/knowledge/test_gates.py`` checks that moderation's answers are the ones registered.
"""

from dataclasses import dataclass
from typing import Protocol

from accounts.models import User
from communities.models import Community


class PostRateCheck(Protocol):
    def __call__(
        self, *, user: User, community: Community, ip: str | None, is_reply: bool, links: int
    ) -> None: ...


class ReviewHold(Protocol):
    def __call__(self, *, author: User, community: Community) -> bool: ...


def no_rate_limit(
    *, user: User, community: Community, ip: str | None, is_reply: bool, links: int
) -> None:
    """The default rate check: every post may go out."""


def never_held(*, author: User, community: Community) -> bool:
    """The default review hold: every post is published at once."""
    return False


@dataclass(frozen=True)
class Gates:
    """The callables knowledge consults; ``register`` replaces them."""

    post_rate: PostRateCheck = no_rate_limit
    review_hold: ReviewHold = never_held


_registered = Gates()


def register(
    *, post_rate: PostRateCheck | None = None, review_hold: ReviewHold | None = None
) -> None:
    """Install the answers to knowledge's questions (each one optional; the others stay).
    Call from an ``AppConfig.ready()`` of an app above knowledge."""
    global _registered
    _registered = Gates(
        post_rate=post_rate or _registered.post_rate,
        review_hold=review_hold or _registered.review_hold,
    )


def registered() -> Gates:
    """The callables in force."""
    return _registered


def check_post_rate(
    *, user: User, community: Community, ip: str | None, is_reply: bool, links: int
) -> None:
    """Count one new contribution or comment by ``user`` in ``community`` from ``ip`` (with
    ``links`` links); raise ``RateLimited`` when it is one too many."""
    _registered.post_rate(user=user, community=community, ip=ip, is_reply=is_reply, links=links)


def held_for_review(*, author: User, community: Community) -> bool:
    """Whether a new post by ``author`` in ``community`` waits for a moderator."""
    return _registered.review_hold(author=author, community=community)
