"""The bell on every page: the signed-in member's unread count.

Lazy and cached per request: the count is one query, made only if a template shows the bell,
and at most once however many templates ask (anonymous visitors cost nothing)."""

from django.utils.functional import cached_property

from .selectors import UNREAD_CAP, unread_count

_ATTR = "_notification_bell"


class Bell:
    def __init__(self, request) -> None:
        self._request = request

    @cached_property
    def unread(self) -> int:
        user = getattr(self._request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return unread_count(user=user)

    @property
    def label(self) -> str:
        """What the badge shows: the number, or "99+" beyond the cap."""
        return f"{UNREAD_CAP - 1}+" if self.unread >= UNREAD_CAP else str(self.unread)


def bell(request) -> dict:
    found = getattr(request, _ATTR, None)
    if found is None:
        found = Bell(request)
        setattr(request, _ATTR, found)
    return {"notification_bell": found}
