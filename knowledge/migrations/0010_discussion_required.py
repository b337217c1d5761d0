"""Discussions, step 3 of 3: every contribution, challenge, comment and follow has its
discussion (NOT NULL); the contribution-or-challenge columns and the owners' lock flags go,
the thread index and the one-follow-per-person constraint are re-expressed on the
discussion."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0009_discussions_for_owners"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="comment", name="comment_thread"),
        migrations.RemoveIndex(model_name="comment", name="comment_ch_thread"),
        migrations.AlterField(
            model_name="contribution",
            name="discussion",
            field=models.OneToOneField(
                editable=False,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="contribution",
                to="knowledge.discussion",
            ),
        ),
        migrations.AlterField(
            model_name="challenge",
            name="discussion",
            field=models.OneToOneField(
                editable=False,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="challenge",
                to="knowledge.discussion",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="discussion",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="comments",
                to="knowledge.discussion",
            ),
        ),
        migrations.AlterField(
            model_name="follow",
            name="discussion",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="follows",
                to="knowledge.discussion",
            ),
        ),
        migrations.RemoveField(model_name="comment", name="contribution"),
        migrations.RemoveField(model_name="comment", name="challenge"),
        migrations.RemoveField(model_name="follow", name="contribution"),
        migrations.RemoveField(model_name="follow", name="challenge"),
        migrations.RemoveField(model_name="contribution", name="is_locked"),
        migrations.RemoveField(model_name="challenge", name="is_locked"),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                fields=["discussion", "parent", "created_at", "id"], name="comment_thread"
            ),
        ),
        migrations.AddConstraint(
            model_name="follow",
            constraint=models.UniqueConstraint(fields=("discussion", "user"), name="uniq_follow"),
        ),
    ]
