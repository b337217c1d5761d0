"""The export covers every model that points at the user: a model walk over the app registry.

``trust.archive`` exports each user-linked model through its registry entry, or through the
generic fallback when it has none, so no model is silently left out of an archive. This test
makes the fallback a review step: it fails for any user-linked model (a new app's, such as
consent records, ledger entries or attribution shares) that is neither declared nor excluded
with a reason, so a person decides which of its rows and columns are the member's."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from trust import archive

pytestmark = pytest.mark.django_db


def _walk_independently() -> set[str]:
    """Every concrete model with a FK or one-to-one to the user, found without archive's help."""
    user = apps.get_model(settings.AUTH_USER_MODEL)
    found = {user._meta.label_lower}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.concrete
                and field.related_model is user
            ):
                found.add(model._meta.label_lower)
    return found


def test_every_user_linked_model_is_declared_or_excluded():
    declared = set(archive.declared_kinds())
    missing = sorted(_walk_independently() - declared - set(archive.EXCLUDED))
    assert not missing, (
        "user-linked models without a declared export (trust/archive.py: add a registry entry "
        f"saying which rows and columns are the member's, or an EXCLUDED reason): {missing}"
    )


def test_the_plan_exports_every_walked_model_not_excluded():
    planned = {kind.name for kind in archive.plan()}
    expected = _walk_independently() - set(archive.EXCLUDED) | set(archive.REACHED_THROUGH)
    assert planned == expected


def test_declared_entries_name_real_user_linked_models():
    walked = _walk_independently()
    stale = sorted(set(archive.declared_kinds()) - walked - set(archive.REACHED_THROUGH))
    assert not stale, f"registry entries for models that are not user-linked: {stale}"
    assert set(archive.EXCLUDED) <= walked


def test_the_fallback_exports_an_undeclared_model_with_its_secrets_left_out():
    from rest_framework.authtoken.models import Token  # noqa: PLC0415

    kind = archive.generic_kind(Token)
    assert "key" not in kind.columns  # a secret
    assert "user_id" in kind.columns and "created" in kind.columns


def test_no_secret_column_is_ever_exported():
    for kind in archive.plan():
        for column in kind.columns:
            assert not any(word in column for word in ("password", "token", "hash")), (
                kind.name,
                column,
            )
