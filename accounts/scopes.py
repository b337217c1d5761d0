"""Which cached copies a change to a user row or to their API token makes stale: the user's
generation token (and the API token's own), so cached copies (``accounts.auth_cache``, the
cached token authentication in ``accounts.authentication``, every page they see) stop
being served on the next request. Saves from the admin, allauth (password change, last
login) and DRF's token model all reach these declarations; a bulk ``update()`` on users must
call ``caching.changed`` with them.
"""

import hashlib

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from cocreate.caching import generations, invalidates


def _api_token_scope(key: str) -> str:
    return generations.api_token(hashlib.sha256(key.encode()).hexdigest())


@invalidates(get_user_model())
def _user(user, fields) -> list[str]:
    if user.pk is None:
        return []
    # A cached API token carries its user: it must not outlive a change to them.
    keys = Token.objects.filter(user_id=user.pk).values_list("key", flat=True)
    return [generations.user(user.pk), *map(_api_token_scope, keys)]


@invalidates(Token)
def _token(token: Token, fields) -> list[str]:
    scopes = [_api_token_scope(token.key)] if token.key else []
    if token.user_id is not None:
        scopes.append(generations.user(token.user_id))
    return scopes
