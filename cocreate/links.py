"""``reverse`` for the addresses every card and fragment key asks for, remembered.

A directory page asks for twenty community addresses, a feed page for twenty ideas' and their
communities' ones, and each fragment key asks again: Django's ``reverse`` costs about as much
as the rest of a fragment's key. An address is a function of the route's name, its arguments,
the URL prefix and the URLconf, so those are the key of a bounded memo; a changed URLconf (a
test's ``override_settings``) clears it.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=50_000)
def _reverse(prefix: str, urlconf: str | None, name: str, kwargs: tuple) -> str:
    return reverse(name, urlconf=urlconf, kwargs=dict(kwargs))


def link(name: str, **kwargs: str | int) -> str:
    """``reverse(name, kwargs=kwargs)``, remembered per URL prefix and URLconf."""
    return _reverse(get_script_prefix(), get_urlconf(), name, tuple(sorted(kwargs.items())))


@receiver(setting_changed)
def _forget(*, setting: str, **_kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()
