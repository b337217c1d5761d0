"""Token authentication without a database query per API request.

DRF's TokenAuthentication reads the token and its user on every request. Here the pair is kept
in the shared cache under the token's own generation token (``generations.api_token``), which
``accounts.scopes`` replaces whenever the token or its user is saved or deleted: a revoked or
regenerated token, a deactivated or deleted user, is seen on the very next request. Entry and
generation token are read in one round trip.

The answers are DRF's: "Invalid token." for an unknown key, "User inactive or deleted." for an
inactive user (checked on every request, cached or not), ``(user, token)`` otherwise. The cache
entry is keyed by a hash of the token key and does not store the key itself. Subclassing DRF's
class keeps drf-spectacular's ``tokenAuth`` security scheme (its extension matches subclasses).
"""

import hashlib

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from cocreate.caching import generations

from . import auth_cache

_TOKEN_KEY = "auth:token:v2:{}"


class CachedTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        user_model = model._meta.get_field("user").related_model
        digest = hashlib.sha256(key.encode()).hexdigest()

        def fetch():
            try:
                return model.objects.select_related("user").get(key=key)
            except model.DoesNotExist:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from None

        def build():
            token = fetch()
            auth = auth_cache.snapshot(token)
            auth["values"] = tuple(  # the key itself is not stored
                None if name == model._meta.pk.attname else value
                for name, value in zip(auth["names"], auth["values"], strict=True)
            )
            return {"user": auth_cache.snapshot(token.user), "auth": auth}, True

        # The pair and the generation token guarding it, in one round trip.
        entry = generations.cached(
            _TOKEN_KEY.format(digest),
            [generations.api_token(digest)],
            build,
            timeout=auth_cache.ROW_TIMEOUT,
        )
        user = auth_cache.restore(user_model, entry["user"])
        token = auth_cache.restore(model, entry["auth"])
        if user is None or token is None:  # columns changed since it was stored (a deploy)
            token = fetch()
        else:
            token.pk = key
            token.user = user

        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))

        return (token.user, token)
