"""Base classes for API views: authentication order and path-parameter safety."""

from django.http import Http404
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView

from .authentication import CachedTokenAuthentication

# Largest value of a bigint primary key; anything larger cannot name a row.
MAX_ID = 2**63 - 1


class ApiView(GenericAPIView):
    """Every Cocreate API view.

    Token authentication is listed first so that an unauthenticated request gets
    ``401`` with ``WWW-Authenticate: Token`` rather than the ``403`` DRF gives when session
    authentication comes first. Session authentication (with CSRF) still works for the browser.
    """

    authentication_classes = [CachedTokenAuthentication, SessionAuthentication]


def check_id(value: int) -> int:
    """A path id that fits the database's integer column, else 404 (never a database error)."""
    if not 0 < value <= MAX_ID:
        raise Http404
    return value
