"""The cache boundary: everything about cached pages, cached fragments and the generation
tokens that keep them fresh. Nothing outside this package handles cache keys or tokens.

- ``pages``: ``cached_page`` / ``cached_api``, decorators by which a view declares the scopes its
  page depends on (and the query parameters it reads);
- ``fragments`` (with the ``caching`` template tags): fragments declared with the fields their
  templates read, keyed by exactly those values;
- ``generations``: scope names and their tokens (``bump``, ``tokens``, ``cached``);
- ``invalidation``: ``invalidates`` (each app's ``scopes.py`` declares what a model's change
  makes stale) and ``changed``, the one call a service makes after a write that bypasses
  ``save()``;
- ``values``: ``remembered``, a small database result kept while its scopes are unchanged;
- ``backend``: the Redis cache backend and its atomic window counter;
- ``forget``: ``forget_containing``, deleting cached copies that hold erased words.
"""

from .forget import forget_containing
from .fragments import form_state, fragment
from .invalidation import changed, invalidates
from .pages import cached_api, cached_page
from .values import remembered

__all__ = [
    "cached_api",
    "cached_page",
    "changed",
    "forget_containing",
    "form_state",
    "fragment",
    "invalidates",
    "remembered",
]
