"""The one base class of every API view under /communities/{slug}/ (in every app).

In the manner of Sentry's ``ProjectEndpoint`` (``convert_args`` + ``scope_map``): the community
is resolved through the access boundary in ``resolve_scope()`` (``ApiView.initial`` calls it) —
after authentication and throttling, before the handler reads a byte of the body (and before
an ``Idempotency-Key`` is claimed) — and each HTTP method declares the permission it needs.
So every community-scoped endpoint answers in the same order: 401 (no credentials), 404
(missing or invisible, the same body), 403 with the rule's message (banned, suspended, not
allowed), and only then 400 for the body.

A subclass declares::

    within = "knowledge.view_knowledge"           # what must be visible (else 404)
    permissions = {"POST": "knowledge.contribute"}  # per method (else 403, rule's message)

and may override :meth:`convert_args` to resolve the object of the path the same way (e.g.
``access_contribution``), keeping handlers free of lookups and checks.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from rest_framework.request import Request

from cocreate.api.views import ApiView

from .access import VIEW_COMMUNITY, Standing, access_community, access_own_standing
from .models import Community


class CommunityEndpoint(ApiView):
    """An API view scoped to the community at the ``slug`` of its path."""

    # The permission that makes the community (or the part of it this view serves) visible.
    within: ClassVar[str] = VIEW_COMMUNITY
    # HTTP method -> the permission the method needs on the community; none: visibility only.
    permissions: ClassVar[Mapping[str, str]] = {}
    # A page of the caller's own standing (their moderation record, appeals): reached by its
    # suspended, banned and departed members too, through ``access_own_standing``.
    own_standing: ClassVar[bool] = False

    standing: Standing

    def resolve_scope(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if self.own_standing:
            self.standing = access_own_standing(request.user, kwargs["slug"])
        else:
            self.standing = access_community(
                request.user,
                kwargs["slug"],
                within=self.within,
                need=self.permissions.get(request.method or ""),
            )
        self.convert_args(request, *args, **kwargs)

    def convert_args(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Resolve the path's other objects through their accessors (none by default)."""

    def get_community(self) -> Community:
        return self.standing.community
