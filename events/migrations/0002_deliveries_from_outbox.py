"""Each existing event's processing state (processed, attempts, last error, queue times) becomes
the notifications consumer's delivery of it, then leaves the event; the table is renamed to
events_outboxevent. Ids and payloads are untouched."""

import django.db.models.fields.json
from django.db import migrations, models

CONSUMER = "notifications"  # the only consumer there was
STATE = ("created_at", "enqueued_at", "started_at", "processed_at", "attempts", "last_error")


def deliveries_from_events(apps, schema_editor):
    OutboxEvent = apps.get_model("events", "OutboxEvent")
    Delivery = apps.get_model("events", "Delivery")
    qn = schema_editor.connection.ops.quote_name
    columns = ", ".join(qn(c) for c in STATE)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(Delivery._meta.db_table)} (event_id, consumer, {columns}) "
            f"SELECT id, %s, {columns} FROM {qn(OutboxEvent._meta.db_table)}",
            [CONSUMER],
        )


def events_from_deliveries(apps, schema_editor):
    OutboxEvent = apps.get_model("events", "OutboxEvent")
    Delivery = apps.get_model("events", "Delivery")
    qn = schema_editor.connection.ops.quote_name
    event, delivery = qn(OutboxEvent._meta.db_table), qn(Delivery._meta.db_table)
    sets = ", ".join(
        f"{qn(c)} = (SELECT d.{qn(c)} FROM {delivery} d "
        f"WHERE d.event_id = {event}.id AND d.consumer = %s)"
        for c in STATE[1:]
    )
    where = f"EXISTS (SELECT 1 FROM {delivery} d WHERE d.event_id = {event}.id AND d.consumer = %s)"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {event} SET {sets} WHERE {where}", [CONSUMER] * (len(STATE) - 1) + [CONSUMER]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("notifications", "0004_outbox_moves_to_events"),
    ]

    operations = [
        migrations.RunPython(deliveries_from_events, events_from_deliveries),
        migrations.RemoveIndex(model_name="outboxevent", name="outbox_pending"),
        migrations.RemoveIndex(model_name="outboxevent", name="outbox_by_comment"),
        migrations.AddIndex(
            model_name="outboxevent",
            index=models.Index(
                django.db.models.fields.json.KeyTransform("comment_id", "payload"),
                condition=models.Q(("payload__has_key", "comment_id")),
                name="outbox_by_comment",
            ),
        ),
        migrations.RemoveField(model_name="outboxevent", name="processed_at"),
        migrations.RemoveField(model_name="outboxevent", name="attempts"),
        migrations.RemoveField(model_name="outboxevent", name="last_error"),
        migrations.RemoveField(model_name="outboxevent", name="enqueued_at"),
        migrations.RemoveField(model_name="outboxevent", name="started_at"),
        migrations.AlterModelTable(name="outboxevent", table=None),
    ]
