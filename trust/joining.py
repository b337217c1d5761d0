"""What trust answers when someone joins a community (``communities.join_hooks``): the
community's published purposes in plain words, and the recording of the ticked ones."""

from collections.abc import Iterable

from accounts.models import User
from communities.join_hooks import JoinQuestion
from communities.models import Community

from .selectors import live_purposes
from .services import consents_on_join


def join_questions(community: Community) -> list[JoinQuestion]:
    """The community's live purposes, required first-listed as the managers ordered them."""
    return [
        JoinQuestion(
            key=p.key,
            title=p.current_version.title,
            summary=p.current_version.summary,
            text=p.current_version.text,
            required=p.required,
        )
        for p in live_purposes(community=community)
        if p.current_version is not None
    ]


def record_join_consents(
    *, user: User, community: Community, granted: Iterable[str], channel: str
) -> None:
    """Grant the ticked purposes in the join's transaction; a required one missing raises."""
    consents_on_join(user=user, community=community, granted_keys=granted, channel=channel)
