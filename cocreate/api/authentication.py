"""Token authentication without a database query per API request.

DRF's TokenAuthentication reads the token and its user on every request. Here the pair is kept
in the shared cache under the user's generation token (``generations.user``), which
``accounts.signals`` replaces whenever the user or their token is saved or deleted: a revoked or
regenerated token, a deactivated or deleted user, is seen on the very next request.

The answers are DRF's: "Invalid token." for an unknown key, "User inactive or deleted." for an
inactive user (checked on every request, cached or not), ``(user, token)`` otherwise. The cache
entry is keyed by a hash of the token key and does not store the key itself. Subclassing DRF's
class keeps drf-spectacular's ``tokenAuth`` security scheme (its extension matches subclasses).
"""

import hashlib

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts import auth_cache
from cocreate import generations

_TOKEN_KEY = "auth:token:v1:{}"


def _entry_key(key: str) -> str:
    return _TOKEN_KEY.format(hashlib.sha256(key.encode()).hexdigest())


class CachedTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        user_model = model._meta.get_field("user").related_model
        entry_key = _entry_key(key)
        entry = auth_cache.cache_get(entry_key)
        if not isinstance(entry, dict) or "user_id" not in entry:
            entry = None

        # The owner of the key, to know whose generation token to read first. A stale entry
        # still names it; without one, ask the database (the key's owner never changes, and
        # the full read below confirms it).
        if entry is not None:
            user_id = entry["user_id"]
        else:
            user_id = model.objects.filter(key=key).values_list("user_id", flat=True).first()
            if user_id is None:
                raise exceptions.AuthenticationFailed(_("Invalid token."))

        scope = generations.user(user_id)
        current = generations.tokens([scope])
        user = token = None
        if current is not None and entry is not None and entry.get("token") == current[scope]:
            user = auth_cache.restore(user_model, entry.get("user", {}))
            token = auth_cache.restore(model, entry.get("auth", {}))
        if user is not None and token is not None and user.pk == user_id:
            token.pk = key  # not stored in the cache
            token.user = user
        else:
            try:
                token = model.objects.select_related("user").get(key=key)
            except model.DoesNotExist:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
            if current is not None and token.user_id == user_id:
                auth = auth_cache.snapshot(token)
                names = auth["names"]
                auth["values"] = tuple(
                    None if name == model._meta.pk.attname else value
                    for name, value in zip(names, auth["values"], strict=True)
                )
                auth_cache.cache_set(
                    entry_key,
                    {
                        "token": current[scope],
                        "user_id": user_id,
                        "user": auth_cache.snapshot(token.user),
                        "auth": auth,
                    },
                )

        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))

        return (token.user, token)
