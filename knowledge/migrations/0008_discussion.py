"""Discussions, step 1 of 3: the ``Discussion`` table and a nullable ``discussion`` on
contributions, challenges, comments and follows, beside the old contribution-or-challenge
foreign keys. The exactly-one-target checks go now (the old columns are emptied last, and
reversing fills them again before the checks come back)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0003_membership_approved_posts"),
        # After the approved-posts backfill, which reads the comments' old owner columns.
        ("knowledge", "0007_backfill_membership_approved_posts"),
    ]

    operations = [
        migrations.CreateModel(
            name="Discussion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "is_locked",
                    models.BooleanField(default=False, verbose_name="discussion locked"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="created"
                    ),
                ),
                (
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="discussions",
                        to="communities.community",
                        verbose_name="community",
                    ),
                ),
            ],
            options={"verbose_name": "discussion", "verbose_name_plural": "discussions"},
        ),
        migrations.AddField(
            model_name="contribution",
            name="discussion",
            field=models.OneToOneField(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="contribution",
                to="knowledge.discussion",
            ),
        ),
        migrations.AddField(
            model_name="challenge",
            name="discussion",
            field=models.OneToOneField(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="challenge",
                to="knowledge.discussion",
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="discussion",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="comments",
                to="knowledge.discussion",
            ),
        ),
        migrations.AddField(
            model_name="follow",
            name="discussion",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="follows",
                to="knowledge.discussion",
            ),
        ),
        migrations.RemoveConstraint(model_name="comment", name="comment_has_one_target"),
        migrations.RemoveConstraint(model_name="follow", name="follow_has_one_target"),
        migrations.RemoveConstraint(model_name="follow", name="uniq_follow_contribution"),
        migrations.RemoveConstraint(model_name="follow", name="uniq_follow_challenge"),
    ]
