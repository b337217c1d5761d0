"""The outbox model now belongs to events (events.0001 took over its state); notifications'
foreign keys point at it there. The database already has them right: no SQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_fanout_chunks_and_queue_times"),
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="fanoutchunk",
                    name="event",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="fanout_chunks",
                        to="events.outboxevent",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="event",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="events.outboxevent",
                    ),
                ),
                migrations.DeleteModel(name="OutboxEvent"),
            ],
            database_operations=[],
        ),
    ]
