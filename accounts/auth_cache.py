"""The signed-in user without a database query on every request.

Django's ``get_user`` loads the user row for each request that carries a session. Here the row
is kept in the shared cache under the user's generation token (``generations.user``), which
``accounts.scopes`` replaces on every save and delete of the user and of their API token, so a
cached row is served only while nothing about the user has changed since it was read.

Everything else Django's ``get_user`` decides is still decided on every request, unchanged: the
session's backend must be one of AUTHENTICATION_BACKENDS, that backend decides whether the user
may authenticate (``user_can_authenticate``: inactive users are refused), and the session auth
hash is checked against the password hash (with SECRET_KEY_FALLBACKS; a mismatch flushes the
session). Backends with their own ``get_user`` are asked directly, uncached.

Only the row's column values are cached, never a model instance with whatever a request attached
to it (permission caches, related objects); ``Model.from_db`` rebuilds a fresh instance from them.
If the cache cannot be reached, the row comes from the database as before and nothing is stored
(``generations.cached``).
"""

from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from cocreate.caching import generations

# Minutes, not hours: covers a bump lost while the cache was briefly unreachable.
ROW_TIMEOUT = 5 * 60
_USER_KEY = "auth:user:v2:{}"


# --- rows as plain values ---------------------------------------------------------------


def _field_names(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def snapshot(instance: models.Model) -> dict:
    """The instance's column values (and the database it came from), nothing else."""
    names = _field_names(type(instance))
    return {
        "db": instance._state.db,
        "names": names,
        "values": tuple(instance.__dict__[name] for name in names),
    }


def restore(model: type[models.Model], data: dict) -> models.Model | None:
    """A fresh instance from ``snapshot`` data, or None when the model's columns have changed
    since (a deploy with a migration): then the caller reads the row again."""
    names = _field_names(model)
    if data.get("names") != names:
        return None
    return model.from_db(data["db"], list(names), list(data["values"]))


# --- the user row -----------------------------------------------------------------------


def _fetch_user(user_id):
    model = get_user_model()
    try:
        # The same lookup as ModelBackend.get_user.
        return model._default_manager.get(pk=user_id)
    except model.DoesNotExist:
        return None


def load_user(user_id):
    """The user row with primary key ``user_id`` (active or not), or None if there is none.

    Served from the cache only while the user's generation token is the one it was stored under
    (``generations.cached``: token and row in one round trip; the token is read before the
    database, so a row read while the user changed is never served later).
    """

    def build():
        user = _fetch_user(user_id)
        return (snapshot(user) if user is not None else None), user is not None

    data = generations.cached(
        _USER_KEY.format(user_id), [generations.user(user_id)], build, timeout=ROW_TIMEOUT
    )
    user = restore(get_user_model(), data) if data is not None else None
    if data is not None and (user is None or user.pk != user_id):
        return _fetch_user(user_id)  # columns changed since it was stored (a deploy)
    return user


def backend_get_user(backend, user_id):
    """What ``backend.get_user(user_id)`` answers, with ModelBackend's row lookup cached."""
    if getattr(type(backend), "get_user", None) is not ModelBackend.get_user:
        return backend.get_user(user_id)
    user = load_user(user_id)
    return user if user is not None and backend.user_can_authenticate(user) else None


# --- django.contrib.auth.get_user, with the cached lookup -------------------------------


def get_user(request):
    """Mirror of ``django.contrib.auth.get_user`` (Django 5.2); only the row lookup differs.

    Return the user of the request's session, or AnonymousUser.
    """
    user = None
    try:
        user_id = get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = backend_get_user(backend, user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # A session signed with a fallback secret is re-signed with the current one;
                    # any other mismatch (password changed, no hash) ends the session.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None

    return user or AnonymousUser()


async def aget_user(request):
    """See ``get_user``; the session and cache backends here are synchronous."""
    return await sync_to_async(get_user)(request)


# --- what the middleware puts on the request (as django.contrib.auth.middleware) ---------


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


async def _request_auser(request):
    if not hasattr(request, "_acached_user"):
        request._acached_user = await aget_user(request)
    return request._acached_user


def attach(request) -> None:
    """Set ``request.user`` (lazy) and ``request.auser`` as AuthenticationMiddleware does."""
    request.user = SimpleLazyObject(lambda: _request_user(request))
    request.auser = partial(_request_auser, request)
