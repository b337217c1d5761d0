"""Knowledge counts per community (published ideas, ideas shipped), kept by triggers on
``knowledge_contribution`` so every write counts, whatever made it: an idea is a visible
contribution that is not a draft. Back-filled from the contributions in the same transaction."""

import django.db.models.deletion
from django.db import migrations, models

# PostgreSQL: one row trigger for insert, delete and the updates that can change what counts.
POSTGRES = """
CREATE OR REPLACE FUNCTION knowledge_counts_track() RETURNS trigger AS $$
DECLARE
    was_idea int := 0; was_shipped int := 0; is_idea int := 0; is_shipped int := 0;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.moderation_state = 'visible' AND OLD.status <> 'draft' THEN
        was_idea := 1;
        was_shipped := (OLD.status = 'shipped')::int;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.moderation_state = 'visible' AND NEW.status <> 'draft' THEN
        is_idea := 1;
        is_shipped := (NEW.status = 'shipped')::int;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.community_id = NEW.community_id
            AND was_idea = is_idea AND was_shipped = is_shipped THEN
        RETURN NULL;  -- nothing that counts changed: leave the community's row alone
    END IF;
    IF was_idea = 1 THEN
        UPDATE knowledge_knowledgecounts SET ideas = ideas - 1, shipped = shipped - was_shipped
         WHERE community_id = OLD.community_id;
    END IF;
    IF is_idea = 1 THEN
        INSERT INTO knowledge_knowledgecounts AS counts (community_id, ideas, shipped)
        VALUES (NEW.community_id, 1, is_shipped)
        ON CONFLICT (community_id) DO UPDATE
           SET ideas = counts.ideas + 1, shipped = counts.shipped + EXCLUDED.shipped;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER knowledge_counts_track
    AFTER INSERT OR DELETE OR UPDATE OF status, moderation_state, community_id
    ON knowledge_contribution FOR EACH ROW EXECUTE FUNCTION knowledge_counts_track();
INSERT INTO knowledge_knowledgecounts (community_id, ideas, shipped)
SELECT community_id, COUNT(*), COUNT(*) FILTER (WHERE status = 'shipped')
  FROM knowledge_contribution
 WHERE moderation_state = 'visible' AND status <> 'draft'
 GROUP BY community_id;
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS knowledge_counts_track ON knowledge_contribution;
DROP FUNCTION IF EXISTS knowledge_counts_track();
"""

# SQLite (the embedded default): the same as three triggers, one statement each.
_IDEA = "{row}.moderation_state = 'visible' AND {row}.status <> 'draft'"
_SUBTRACT = (
    "UPDATE knowledge_knowledgecounts SET ideas = ideas - 1,"
    " shipped = shipped - (OLD.status = 'shipped') WHERE community_id = OLD.community_id;"
)
_ADD = (
    "INSERT OR IGNORE INTO knowledge_knowledgecounts (community_id, ideas, shipped)"
    " VALUES (NEW.community_id, 0, 0);"
    " UPDATE knowledge_knowledgecounts SET ideas = ideas + 1,"
    " shipped = shipped + (NEW.status = 'shipped') WHERE community_id = NEW.community_id;"
)
SQLITE = [
    f"CREATE TRIGGER knowledge_counts_insert AFTER INSERT ON knowledge_contribution"
    f" WHEN {_IDEA.format(row='NEW')} BEGIN {_ADD} END;",
    f"CREATE TRIGGER knowledge_counts_delete AFTER DELETE ON knowledge_contribution"
    f" WHEN {_IDEA.format(row='OLD')} BEGIN {_SUBTRACT} END;",
    "CREATE TRIGGER knowledge_counts_update_old"
    " AFTER UPDATE OF status, moderation_state, community_id ON knowledge_contribution"
    f" WHEN {_IDEA.format(row='OLD')} BEGIN {_SUBTRACT} END;",
    "CREATE TRIGGER knowledge_counts_update_new"
    " AFTER UPDATE OF status, moderation_state, community_id ON knowledge_contribution"
    f" WHEN {_IDEA.format(row='NEW')} BEGIN {_ADD} END;",
    "INSERT INTO knowledge_knowledgecounts (community_id, ideas, shipped)"
    " SELECT community_id, COUNT(*), SUM(status = 'shipped') FROM knowledge_contribution"
    " WHERE moderation_state = 'visible' AND status <> 'draft' GROUP BY community_id;",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS knowledge_counts_{name};"
    for name in ("insert", "delete", "update_old", "update_new")
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0003_membership_approved_posts"),
        ("knowledge", "0010_discussion_required"),
    ]

    operations = [
        migrations.CreateModel(
            name="KnowledgeCounts",
            fields=[
                (
                    "community",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="knowledge_counts",
                        serialize=False,
                        to="communities.community",
                    ),
                ),
                ("ideas", models.IntegerField(default=0)),
                ("shipped", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "knowledge counts",
                "verbose_name_plural": "knowledge counts",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ideas__gte", models.F("shipped")), ("shipped__gte", 0)
                        ),
                        name="knowledgecounts_shipped_within_ideas",
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
