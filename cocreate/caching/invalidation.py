"""The one way cached pages learn that data changed.

Each app's ``scopes.py`` declares, per model, which scopes (``generations``) a changed row
shows on::

    @invalidates(Membership)
    def _membership(row, fields):
        return [generations.directory(), generations.user(row.user_id)]

A declaration runs after every ``save()`` and ``delete()`` of the model (``fields`` is the
save's ``update_fields``, ``None`` when unknown), and whenever a service calls ``changed``.

``changed`` is for writes that send no signal: ``QuerySet.update()``, ``bulk_create()``,
``bulk_update()``, ``F()`` counters. Call it with the rows written (instances, or unsaved
stand-ins holding the ids the model's declaration reads) and the fields changed; it runs the
same declarations a save would and bumps everything in one round trip. That is the whole rule:
after a write that bypasses ``save()``, call ``changed`` in the same transaction.
``tests/cocreate/test_bulk_writes.py`` fails for a service that does not.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from . import generations

Declaration = Callable[[Any, frozenset[str] | None], Iterable[str]]

_declared: dict[type[models.Model], list[Declaration]] = {}


def invalidates(model: type[models.Model]) -> Callable[[Declaration], Declaration]:
    """Declare ``declaration(row, fields)`` as the scopes a change to a ``model`` row makes
    stale; it runs on the model's saves and deletes and on ``changed``."""

    def register(declaration: Declaration) -> Declaration:
        found = _declared.setdefault(model, [])
        if declaration not in found:
            found.append(declaration)

        def receiver(sender, instance, update_fields=None, **kwargs) -> None:
            fields = frozenset(update_fields) if update_fields is not None else None
            generations.bump(*declaration(instance, fields))

        uid = f"caching:{declaration.__module__}.{declaration.__qualname__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
        return declaration

    return register


def declared_models() -> frozenset[type[models.Model]]:
    """Every model whose changes some cached page shows."""
    return frozenset(_declared)


def changed(*rows: models.Model | Iterable[models.Model], fields: Iterable[str] = ()) -> None:
    """``rows`` were written without ``save()`` (``update()``, ``bulk_create()``, ``F()``):
    bump what their saves would have (every scope their models' declarations name), in one
    round trip, now and again after the transaction commits. ``fields`` names the columns
    written (empty: unknown, so everything the row shows). Raises ``LookupError`` for a model
    no ``scopes.py`` declares, so a call can never silently do nothing."""
    written = frozenset(fields) or None
    scopes: list[str] = []
    for row in _flatten(rows):
        model = row._meta.concrete_model or type(row)
        declarations = _declared.get(model) or _declared.get(type(row))
        if not declarations:
            raise LookupError(f"no scopes.py declares what {model.__name__} invalidates")
        for declaration in declarations:
            scopes.extend(declaration(row, written))
    generations.bump(*scopes)


def _flatten(rows) -> Iterable[models.Model]:
    for item in rows:
        if isinstance(item, models.Model):
            yield item
        else:
            yield from item
