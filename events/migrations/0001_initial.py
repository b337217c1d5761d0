"""The outbox moves from notifications to events: the table, its ids and its rows stay where they
are (this migration only takes over the model's state), and each consumer gets a delivery table."""

import django.db.models.deletion
import django.db.models.fields.json
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

COMMENT_EVENT_KINDS = (
    "comment.mention",
    "comment.official_response",
    "comment.reply",
    "contribution.commented",
)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("notifications", "0003_fanout_chunks_and_queue_times"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The model as notifications left it, on its existing table: no SQL.
            state_operations=[
                migrations.CreateModel(
                    name="OutboxEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("kind", models.CharField(max_length=80, verbose_name="kind")),
                        ("payload", models.JSONField(default=dict, verbose_name="payload")),
                        (
                            "community_id",
                            models.BigIntegerField(blank=True, null=True, verbose_name="community"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="created"
                            ),
                        ),
                        (
                            "processed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="processed"),
                        ),
                        (
                            "attempts",
                            models.PositiveIntegerField(
                                default=0, verbose_name="delivery attempts"
                            ),
                        ),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        (
                            "enqueued_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="last handed to the broker"
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="processing started"
                            ),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="actor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "outbox event",
                        "verbose_name_plural": "outbox events",
                        "ordering": ["id"],
                        "db_table": "notifications_outboxevent",
                        "indexes": [
                            models.Index(
                                condition=models.Q(("processed_at__isnull", True)),
                                fields=["created_at"],
                                name="outbox_pending",
                            ),
                            models.Index(
                                django.db.models.fields.json.KeyTransform("comment_id", "payload"),
                                condition=models.Q(("kind__in", COMMENT_EVENT_KINDS)),
                                name="outbox_by_comment",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="Delivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("consumer", models.CharField(max_length=40, verbose_name="consumer")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "enqueued_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="last handed to the broker"
                    ),
                ),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="processing started"),
                ),
                (
                    "processed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="processed"),
                ),
                (
                    "attempts",
                    models.PositiveIntegerField(default=0, verbose_name="delivery attempts"),
                ),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="events.outboxevent",
                    ),
                ),
            ],
            options={
                "verbose_name": "delivery",
                "verbose_name_plural": "deliveries",
                "ordering": ["id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "consumer"), name="uniq_delivery_per_consumer"
                    )
                ],
                "indexes": [
                    models.Index(
                        condition=models.Q(("processed_at__isnull", True)),
                        fields=["consumer", "created_at"],
                        name="delivery_pending",
                    )
                ],
            },
        ),
    ]
