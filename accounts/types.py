"""Who is asking: the types that say whether a caller may be anonymous."""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from rest_framework.request import Request

from accounts.models import User

# Whoever views a page or calls the API: a signed-in user or an anonymous visitor. Reads
# (selectors, rules) take a Viewer; writes (services) take a User, so a caller holding a
# Viewer narrows it first (``viewer.is_authenticated``, or a signed-in-only view).
Viewer: TypeAlias = User | AnonymousUser


class AuthenticatedRequest(Request):
    """The request of an API view whose permission admits signed-in users only
    (``IsAuthenticated``, the API's default): its ``user`` is a ``User``.

    An annotation only; DRF still builds a plain ``Request``. Views that also serve
    anonymous visitors (``AllowAny``) keep ``Request`` and narrow its user themselves."""

    user: User
