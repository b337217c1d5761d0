"""Sessions read from the cache and written through to the database, surviving a cache outage.

The database holds every session; the cache holds copies. While the cache is unreachable
(``cocreate.caching.backend``: reads miss, writes raise ``CacheUnavailable``), sessions are read
from and written to the database only: signed-in people stay signed in, and sign-in and
sign-out work. A copy that could not be written or deleted is owed (``cocreate.caching.owed``):
its key is deleted from Redis before Redis is used again, so a session signed out, rotated or
changed during the outage never comes back from a copy made before it.
"""

import logging

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends import cached_db

from cocreate.caching import owed
from cocreate.caching.backend import CacheUnavailable

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # e.g. a key the backend refuses; read the database
            data = None
        if data is not None:
            return data
        found = self._get_session_from_db()
        if not found:
            return {}
        data = self.decode(found.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=found.expire_date))
        except CacheUnavailable:
            pass  # the data did not change here: a surviving older copy holds the same
        except Exception:
            logger.warning("Error saving to cache (%s)", self._cache, exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("Error reading the cache (%s)", self._cache, exc_info=True)
        return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create=False):
        super(cached_db.SessionStore, self).save(must_create)  # the database first
        if must_create:  # a new key: no older copy can exist, a failed write costs nothing
            try:
                self._cache.set(self.cache_key, self._session, self.get_expiry_age())
            except Exception:
                logger.debug("session not cached", exc_info=True)
            return
        # An older copy may be in the cache: replaced, or owed for deletion.
        owed.replace_many(self._cache, {self.cache_key: self._session}, self.get_expiry_age())

    def delete(self, session_key=None):
        super(cached_db.SessionStore, self).delete(session_key)  # the database first
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # Deleted from the cache, or owed: a signed-out session never comes back.
        owed.delete_many(self._cache, [self.cache_key_prefix + session_key])

    # The app runs under WSGI; the async API gives the same guarantees, through the above.
    async def aload(self):
        return await sync_to_async(self.load)()

    async def aexists(self, session_key):
        return await sync_to_async(self.exists)(session_key)

    async def asave(self, must_create=False):
        return await sync_to_async(self.save)(must_create)

    async def adelete(self, session_key=None):
        return await sync_to_async(self.delete)(session_key)
