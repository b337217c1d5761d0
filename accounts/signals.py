"""Cache invalidation for accounts: every change to a user row or to their API token replaces
the user's generation token (and the API token's own), so cached copies (``accounts.auth_cache``,
the cached token authentication in ``cocreate.api.authentication``) stop being served on the
next request.

Signals are used here only because this is a decoupled cache: saves from the admin, allauth
(password change, last login) and DRF's token model all pass through them. Bulk
``QuerySet.update`` on users sends no signal; a service that does one must call
``generations.bump(generations.user(id))`` itself.
"""

import hashlib

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from cocreate import generations


def _api_token_scope(key: str) -> str:
    return generations.api_token(hashlib.sha256(key.encode()).hexdigest())


def user_changed(sender, instance, **kwargs) -> None:
    if instance.pk is not None:
        from rest_framework.authtoken.models import Token

        # A cached API token carries its user: it must not outlive a change to them.
        keys = Token.objects.filter(user_id=instance.pk).values_list("key", flat=True)
        generations.bump(generations.user(instance.pk), *map(_api_token_scope, keys))


def token_changed(sender, instance, **kwargs) -> None:
    scopes = [_api_token_scope(instance.key)] if instance.key else []
    if instance.user_id is not None:
        scopes.append(generations.user(instance.user_id))
    generations.bump(*scopes)


def connect() -> None:
    """Connect the receivers (called once from AccountsConfig.ready)."""
    from rest_framework.authtoken.models import Token

    user_model = settings.AUTH_USER_MODEL
    post_save.connect(user_changed, sender=user_model, dispatch_uid="accounts.user_saved")
    post_delete.connect(user_changed, sender=user_model, dispatch_uid="accounts.user_deleted")
    post_save.connect(token_changed, sender=Token, dispatch_uid="accounts.token_saved")
    post_delete.connect(token_changed, sender=Token, dispatch_uid="accounts.token_deleted")
