"""The invariants PostgreSQL itself holds for trust (this migration installs them).

- ``trust_consentevent`` and ``trust_restrictionevent`` are append-only: UPDATE and DELETE are
  refused.
- A published ``trust_purposeversion`` is immutable: its words, hash, number and publication
  cannot change and it cannot be deleted; every version's hash is the SHA-256 of its text.
- ``trust_usagerecord`` is append-only, and a BEFORE INSERT trigger refuses a use unless the
  contribution's author (as the row says) has granted the purpose's current version, the
  purpose is live and in the contribution's community, and no active restriction excludes the
  contribution. It takes a share lock on the consent state row, so a concurrent withdrawal
  (which holds that row for update) is waited for and its outcome seen.

The embedded SQLite run has no triggers (as for the moderation log): there the service checks
in ``trust.services`` are the guard, and they run on PostgreSQL too.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CREATE = r"""
CREATE OR REPLACE FUNCTION trust_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trust_consentevent_append_only ON trust_consentevent;
CREATE TRIGGER trust_consentevent_append_only
    BEFORE UPDATE OR DELETE ON trust_consentevent
    FOR EACH ROW EXECUTE FUNCTION trust_append_only();

DROP TRIGGER IF EXISTS trust_restrictionevent_append_only ON trust_restrictionevent;
CREATE TRIGGER trust_restrictionevent_append_only
    BEFORE UPDATE OR DELETE ON trust_restrictionevent
    FOR EACH ROW EXECUTE FUNCTION trust_append_only();

DROP TRIGGER IF EXISTS trust_usagerecord_append_only ON trust_usagerecord;
CREATE TRIGGER trust_usagerecord_append_only
    BEFORE UPDATE OR DELETE ON trust_usagerecord
    FOR EACH ROW EXECUTE FUNCTION trust_append_only();

CREATE OR REPLACE FUNCTION trust_version_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.published_at IS NOT NULL THEN
            RAISE EXCEPTION 'a published purpose version cannot be deleted'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.text_sha256 IS DISTINCT FROM encode(sha256(convert_to(NEW.text, 'UTF8')), 'hex') THEN
        RAISE EXCEPTION 'text_sha256 is not the SHA-256 of the text'
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.published_at IS NOT NULL AND (
        NEW.text IS DISTINCT FROM OLD.text
        OR NEW.text_sha256 IS DISTINCT FROM OLD.text_sha256
        OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.title IS DISTINCT FROM OLD.title
        OR NEW.summary IS DISTINCT FROM OLD.summary
        OR NEW.purpose_id IS DISTINCT FROM OLD.purpose_id
        OR NEW.published_at IS DISTINCT FROM OLD.published_at
    ) THEN
        RAISE EXCEPTION 'a published purpose version is immutable: publish a new version'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trust_version_immutable ON trust_purposeversion;
CREATE TRIGGER trust_version_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON trust_purposeversion
    FOR EACH ROW EXECUTE FUNCTION trust_version_immutable();

CREATE OR REPLACE FUNCTION trust_usage_requires_consent() RETURNS trigger AS $$
DECLARE
    item_author bigint;
    item_community bigint;
    p_community bigint;
    p_archived timestamptz;
    p_current bigint;
    s_granted boolean;
    s_version bigint;
BEGIN
    SELECT author_id, community_id INTO item_author, item_community
        FROM knowledge_contribution WHERE id = NEW.contribution_id;
    IF item_author IS DISTINCT FROM NEW.author_id THEN
        RAISE EXCEPTION 'usage refused: the author is not the contribution''s author'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT community_id, archived_at, current_version_id
        INTO p_community, p_archived, p_current
        FROM trust_consentpurpose WHERE id = NEW.purpose_id;
    IF p_community IS DISTINCT FROM item_community THEN
        RAISE EXCEPTION 'usage refused: the purpose is not one of the contribution''s community'
            USING ERRCODE = 'check_violation';
    END IF;
    IF p_archived IS NOT NULL THEN
        RAISE EXCEPTION 'usage refused: the purpose is archived' USING ERRCODE = 'check_violation';
    END IF;
    IF p_current IS DISTINCT FROM NEW.version_id THEN
        RAISE EXCEPTION 'usage refused: not the purpose''s current version'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT granted, version_id INTO s_granted, s_version FROM trust_consentstate
        WHERE user_id = NEW.author_id AND purpose_id = NEW.purpose_id FOR SHARE;
    IF NOT FOUND OR NOT s_granted OR s_version IS DISTINCT FROM NEW.version_id THEN
        RAISE EXCEPTION 'usage refused: no active consent of the author for this version'
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM 1 FROM trust_contributionrestriction
        WHERE contribution_id = NEW.contribution_id AND purpose_id = NEW.purpose_id AND active
        FOR SHARE;
    IF FOUND THEN
        RAISE EXCEPTION 'usage refused: the contribution is restricted from this purpose'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trust_usage_requires_consent ON trust_usagerecord;
CREATE TRIGGER trust_usage_requires_consent
    BEFORE INSERT ON trust_usagerecord
    FOR EACH ROW EXECUTE FUNCTION trust_usage_requires_consent();
"""

DROP = """
DROP TRIGGER IF EXISTS trust_usage_requires_consent ON trust_usagerecord;
DROP FUNCTION IF EXISTS trust_usage_requires_consent();
DROP TRIGGER IF EXISTS trust_version_immutable ON trust_purposeversion;
DROP FUNCTION IF EXISTS trust_version_immutable();
DROP TRIGGER IF EXISTS trust_usagerecord_append_only ON trust_usagerecord;
DROP TRIGGER IF EXISTS trust_restrictionevent_append_only ON trust_restrictionevent;
DROP TRIGGER IF EXISTS trust_consentevent_append_only ON trust_consentevent;
DROP FUNCTION IF EXISTS trust_append_only();
"""


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0003_membership_approved_posts'),
        ('knowledge', '0012_challenge_deadline_displayable'),
        ('trust', '0002_export'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ConsentPurpose',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('purpose', 'Community purpose'), ('terms', 'Terms of service'), ('privacy', 'Privacy notice')], default='purpose', max_length=10, verbose_name='kind')),
                ('key', models.SlugField(verbose_name='key')),
                ('required', models.BooleanField(default=False, verbose_name='required to join')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('archived_at', models.DateTimeField(blank=True, null=True, verbose_name='archived at')),
                ('community', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='consent_purposes', to='communities.community', verbose_name='community')),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ConsentEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('grant', 'Granted'), ('withdraw', 'Withdrawn')], max_length=8, verbose_name='action')),
                ('channel', models.CharField(choices=[('signup', 'Sign-up'), ('join', 'Joining'), ('settings', 'Privacy & consent page'), ('api', 'API')], max_length=8, verbose_name='channel')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('text_sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the text shown')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consent_events', to=settings.AUTH_USER_MODEL)),
                ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='trust.consentpurpose')),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='PurposeVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('summary', models.TextField(max_length=1000, verbose_name='in plain words')),
                ('text', models.TextField(max_length=50000, verbose_name='full text')),
                ('text_sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the text')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='trust.consentpurpose')),
            ],
            options={
                'ordering': ['purpose', 'number'],
            },
        ),
        migrations.CreateModel(
            name='ConsentState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('granted', models.BooleanField()),
                ('since', models.DateTimeField()),
                ('last_event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trust.consentevent')),
                ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='states', to='trust.consentpurpose')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consent_states', to=settings.AUTH_USER_MODEL)),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trust.purposeversion')),
            ],
        ),
        migrations.AddField(
            model_name='consentpurpose',
            name='current_version',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trust.purposeversion'),
        ),
        migrations.AddField(
            model_name='consentevent',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='trust.purposeversion'),
        ),
        migrations.CreateModel(
            name='RestrictionEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('set', 'Restricted'), ('clear', 'Restriction lifted')], max_length=5)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('contribution', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='knowledge.contribution')),
                ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trust.consentpurpose')),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='UsageRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('what', models.CharField(max_length=300, verbose_name='what')),
                ('where', models.CharField(max_length=300, verbose_name='where')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='uses_of_mine', to=settings.AUTH_USER_MODEL)),
                ('contribution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='uses', to='knowledge.contribution')),
                ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='uses', to='trust.consentpurpose')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='uses_recorded', to=settings.AUTH_USER_MODEL)),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='uses', to='trust.purposeversion')),
            ],
            options={
                'ordering': ['-recorded_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='UsageRefusal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('no_consent', 'The author never granted this purpose'), ('withdrawn', 'The author withdrew consent'), ('outdated', 'The author has not answered the current version'), ('restricted', 'The author restricted this contribution'), ('archived', 'The purpose is archived'), ('unpublished', 'The purpose has no published version')], max_length=12)),
                ('what', models.CharField(max_length=300)),
                ('where', models.CharField(max_length=300)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('attempted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('contribution', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='refused_uses', to='knowledge.contribution')),
                ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trust.consentpurpose')),
            ],
            options={
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ContributionRestriction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('active', models.BooleanField(default=True)),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('contribution', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consent_restrictions', to='knowledge.contribution')),
                ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='restrictions', to='trust.consentpurpose')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('contribution', 'purpose'), name='trust_one_restriction')],
            },
        ),
        migrations.AddConstraint(
            model_name='purposeversion',
            constraint=models.UniqueConstraint(fields=('purpose', 'number'), name='trust_version_number'),
        ),
        migrations.AddConstraint(
            model_name='purposeversion',
            constraint=models.UniqueConstraint(condition=models.Q(('published_at__isnull', True)), fields=('purpose',), name='trust_one_draft_per_purpose'),
        ),
        migrations.AddIndex(
            model_name='consentstate',
            index=models.Index(condition=models.Q(('granted', True)), fields=['purpose', 'user'], name='trust_granted'),
        ),
        migrations.AddConstraint(
            model_name='consentstate',
            constraint=models.UniqueConstraint(fields=('user', 'purpose'), name='trust_one_state'),
        ),
        migrations.AddConstraint(
            model_name='consentpurpose',
            constraint=models.UniqueConstraint(condition=models.Q(('community__isnull', False)), fields=('community', 'key'), name='trust_purpose_key_per_community'),
        ),
        migrations.AddConstraint(
            model_name='consentpurpose',
            constraint=models.UniqueConstraint(condition=models.Q(('community__isnull', True)), fields=('key',), name='trust_site_document_key'),
        ),
        migrations.AddConstraint(
            model_name='consentpurpose',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('community__isnull', False), ('kind', 'purpose')), models.Q(('community__isnull', True), ('kind__in', ['terms', 'privacy'])), _connector='OR'), name='trust_purpose_kind_matches_scope'),
        ),
        migrations.AddIndex(
            model_name='consentevent',
            index=models.Index(fields=['user', 'purpose', 'at'], name='trust_event_history'),
        ),
        migrations.AddIndex(
            model_name='usagerecord',
            index=models.Index(fields=['author', '-recorded_at'], name='trust_uses_of_author'),
        ),
        migrations.AddIndex(
            model_name='usagerecord',
            index=models.Index(fields=['contribution', '-recorded_at'], name='trust_uses_of_item'),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
