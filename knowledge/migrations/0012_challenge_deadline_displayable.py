"""Deadlines only where every time zone can show them (``cocreate.dates``): the field's
validator, and any deadline already stored beyond the end of 9998 brought back to it (such a
deadline made the challenge's pages answer 500 in time zones ahead of UTC)."""

import datetime

from django.db import migrations, models

import cocreate.dates

LAST_MOMENT = datetime.datetime(9998, 12, 31, 12, 0, tzinfo=datetime.UTC)


def bring_back(apps, schema_editor):
    Challenge = apps.get_model("knowledge", "Challenge")
    Challenge.objects.filter(deadline__gt=LAST_MOMENT).update(deadline=LAST_MOMENT)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0011_knowledge_counts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="challenge",
            name="deadline",
            field=models.DateTimeField(
                blank=True,
                null=True,
                validators=[cocreate.dates.displayable_date],
                verbose_name="deadline",
            ),
        ),
        migrations.RunPython(bring_back, migrations.RunPython.noop),
    ]
