"""Base classes for API views: authentication order and path-parameter safety."""

from django.http import Http404
from rest_framework.generics import GenericAPIView

# Largest value of a bigint primary key; anything larger cannot name a row.
MAX_ID = 2**63 - 1


class ApiView(GenericAPIView):
    """Every Cocreate API view.

    Its authentication classes are the project's (``REST_FRAMEWORK`` in the settings): token
    authentication (``accounts.authentication``) first, so that an unauthenticated request gets
    ``401`` with ``WWW-Authenticate: Token`` rather than the ``403`` DRF gives when session
    authentication comes first; session authentication (with CSRF) still works for the browser.
    The class is named only in the settings: ``cocreate`` sits below ``accounts`` and does not
    import it.
    """


def check_id(value: int) -> int:
    """A path id that fits the database's integer column, else 404 (never a database error)."""
    if not 0 < value <= MAX_ID:
        raise Http404
    return value
