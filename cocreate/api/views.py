"""Base classes for API views: authentication order, path-parameter safety, safe retries."""

from typing import Any

from django.http import Http404
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

from .idempotency import IdempotentWrites

# Largest value of a bigint primary key; anything larger cannot name a row.
MAX_ID = 2**63 - 1


class ApiView(IdempotentWrites, GenericAPIView):
    """Every Cocreate API view.

    Its authentication classes are the project's (``REST_FRAMEWORK`` in the settings): token
    authentication (``accounts.authentication``) first, so that an unauthenticated request gets
    ``401`` with ``WWW-Authenticate: Token`` rather than the ``403`` DRF gives when session
    authentication comes first; session authentication (with CSRF) still works for the browser.
    The class is named only in the settings: ``cocreate`` sits below ``accounts`` and does not
    import it.

    Every write takes an ``Idempotency-Key`` (``cocreate.api.idempotency``). ``initial`` runs
    DRF's checks (authentication, permissions, throttles), then the view's own
    (``resolve_scope``), then claims the key: a replay or a refused key never reaches the
    handler, and only a request that passed every check stores its answer.
    """

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.resolve_scope(request, *args, **kwargs)
        self.claim_idempotency_key(request)

    def resolve_scope(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Resolve and check what the path names before the handler runs (none by default)."""


def check_id(value: int) -> int:
    """A path id that fits the database's integer column, else 404 (never a database error)."""
    if not 0 < value <= MAX_ID:
        raise Http404
    return value
