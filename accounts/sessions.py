"""Sessions read from the cache and written through to the database, surviving a cache outage.

Django's ``cached_db`` store already logs and ignores a failed cache write when saving, but
not when a session read from the database is copied back into the cache: with Redis down,
every signed-in request failed with a 500 there. Here that copy is best-effort too, and so is
asking the cache whether a key exists. Deleting still fails loudly: a sign-out that could not
remove the cached copy must not look like it worked.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            data = None
        if data is not None:
            return data
        found = self._get_session_from_db()
        if not found:
            return {}
        data = self.decode(found.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=found.expire_date))
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
