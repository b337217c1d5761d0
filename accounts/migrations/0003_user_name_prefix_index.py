"""An index for display names by their first letters, whatever the case (mention suggestions:
``UPPER(display_name) LIKE 'MA%'`` is what ``istartswith`` asks). PostgreSQL only: a LIKE prefix
uses a B-tree only with the pattern operator class, which SQLite has no use for."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS accounts_user_name_upper_prefix "
            "ON accounts_user (UPPER(display_name::text) text_pattern_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS accounts_user_name_upper_prefix")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_handle")]

    operations = [migrations.RunPython(create_index, drop_index)]
