"""One permission helper over django-rules, each refusal message declared beside its rule.

Every app's ``rules.py`` registers its permissions with :func:`rule` (name, predicate, the
words a refused person reads); services, selectors, views and API views ask :func:`allowed`
or :func:`require`. Both go to ``rules.has_perm`` directly, never to ``user.has_perm``:
Django's superuser shortcut would let a platform admin past checks the role tables refuse.
Where admins may act, the rule says so with ``is_platform_admin``.

Nothing here imports an app: the rules and their messages come from the apps themselves.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import rules
from django.utils.translation import gettext as _

from .errors import PermissionDenied

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A refusal message: fixed words (translated when read), or a function of (user, obj) for
# rules whose reason depends on the person's standing (e.g. "suspended until ...").
# What a refusal says: words (lazy translations too), or a function of the user and object.
Message: TypeAlias = "StrOrPromise | Callable[[Any, Any], StrOrPromise]"

_messages: dict[str, Message] = {}


def rule(name: str, predicate: rules.Predicate, message: Message) -> None:
    """Register the permission ``name`` as ``predicate``, with what a refused person reads.

    ``message`` is lazily translated by the caller (``gettext_lazy``), so it is read in the
    language of the request that is refused."""
    rules.add_perm(name, predicate)
    _messages[name] = message


def allowed(user: Any, perm: str, obj: Any = None) -> bool:
    """Whether the rule ``perm`` allows ``user`` (signed in or anonymous) on ``obj``."""
    return rules.has_perm(perm, user, obj)


def refusal_message(user: Any, perm: str, obj: Any = None) -> str:
    """The words a refused person reads for ``perm`` (declared beside the rule)."""
    message = _messages.get(perm)
    if message is None:
        return _("You do not have permission to do this.")
    if callable(message):
        return str(message(user, obj))
    return str(message)


def refusal(user: Any, perm: str, obj: Any = None) -> str | None:
    """None when ``perm`` allows ``user`` on ``obj``; else why not, in their words."""
    if allowed(user, perm, obj):
        return None
    return refusal_message(user, perm, obj)


def require(user: Any, perm: str, obj: Any = None) -> None:
    """Raise PermissionDenied (HTTP 403) with the rule's message unless ``perm`` allows it."""
    if not allowed(user, perm, obj):
        raise PermissionDenied(refusal_message(user, perm, obj))


def registered(perm: str) -> bool:
    """Whether ``perm`` was declared through :func:`rule` (with a message)."""
    return perm in _messages
