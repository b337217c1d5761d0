"""Token authentication without a database query per API request.

DRF's TokenAuthentication reads the token and its user on every request. Here the pair is kept
in the shared cache under the token's own generation token (``generations.api_token``), which
``accounts.signals`` replaces whenever the token or its user is saved or deleted: a revoked or
regenerated token, a deactivated or deleted user, is seen on the very next request. Entry and
generation token are read in one round trip.

The answers are DRF's: "Invalid token." for an unknown key, "User inactive or deleted." for an
inactive user (checked on every request, cached or not), ``(user, token)`` otherwise. The cache
entry is keyed by a hash of the token key and does not store the key itself. Subclassing DRF's
class keeps drf-spectacular's ``tokenAuth`` security scheme (its extension matches subclasses).
"""

import hashlib

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts import auth_cache
from cocreate import generations

_TOKEN_KEY = "auth:token:v1:{}"


class CachedTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        user_model = model._meta.get_field("user").related_model
        digest = hashlib.sha256(key.encode()).hexdigest()
        entry_key = _TOKEN_KEY.format(digest)
        scope = generations.api_token(digest)
        scope_key = generations.token_key(scope)
        try:
            # The cached pair and the generation token guarding it, in one round trip.
            found = cache.get_many([entry_key, scope_key])
        except Exception:
            found = None
        user = token = None
        if found is not None:
            entry, current = found.get(entry_key), found.get(scope_key)
            if isinstance(entry, dict) and current is not None and entry.get("token") == current:
                user = auth_cache.restore(user_model, entry.get("user", {}))
                token = auth_cache.restore(model, entry.get("auth", {}))
        if user is not None and token is not None:
            token.pk = key  # not stored in the cache
            token.user = user
        else:
            # Tokens before the database: a change landing meanwhile makes this copy stale.
            current = generations.tokens([scope]) if found is not None else None
            try:
                token = model.objects.select_related("user").get(key=key)
            except model.DoesNotExist:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
            if current is not None:
                auth = auth_cache.snapshot(token)
                auth["values"] = tuple(
                    None if name == model._meta.pk.attname else value
                    for name, value in zip(auth["names"], auth["values"], strict=True)
                )
                auth_cache.cache_set(
                    entry_key,
                    {
                        "token": current[scope],
                        "user": auth_cache.snapshot(token.user),
                        "auth": auth,
                    },
                )

        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))

        return (token.user, token)
