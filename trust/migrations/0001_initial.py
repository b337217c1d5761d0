"""The app's first migration, empty: the consent and export models arrive in their own
migrations after it."""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations: list[migrations.operations.base.Operation] = []
