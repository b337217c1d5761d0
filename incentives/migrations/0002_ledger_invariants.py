"""The ledger's invariants, held by the database itself (see ``incentives.models.ledger``).

PostgreSQL: insert-only transactions, entries and earning-rule versions; every transaction balanced at commit (a
deferred constraint trigger, as django-hordak does); balances written only by the triggers
that apply entries and holds; a resolved hold frozen; accounts never deleted.

SQLite (the embedded demo run) has no deferred triggers: there the same triggers keep the
balances and refuse changes to entries, transactions and resolved holds, and the services check
balance before writing."""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION incentives_insert_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is insert-only: % on % refused (book a reversal instead)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER incentives_transaction_insert_only
    BEFORE UPDATE OR DELETE ON incentives_transaction
    FOR EACH ROW EXECUTE FUNCTION incentives_insert_only();
CREATE TRIGGER incentives_entry_insert_only
    BEFORE UPDATE OR DELETE ON incentives_entry
    FOR EACH ROW EXECUTE FUNCTION incentives_insert_only();
-- A version of the earning rules is never edited: a change publishes a new version.
CREATE TRIGGER incentives_rules_insert_only
    BEFORE UPDATE OR DELETE ON incentives_earningrules
    FOR EACH ROW EXECUTE FUNCTION incentives_insert_only();

-- Debits equal credits in every transaction, checked at commit: a path that writes entries
-- one by one is free to, as long as the transaction balances when it commits.
CREATE OR REPLACE FUNCTION incentives_transaction_balanced() RETURNS trigger AS $$
DECLARE
    debits bigint;
    credits bigint;
BEGIN
    SELECT coalesce(sum(amount) FILTER (WHERE side = 'D'), 0),
           coalesce(sum(amount) FILTER (WHERE side = 'C'), 0)
      INTO debits, credits
      FROM incentives_entry WHERE transaction_id = NEW.transaction_id;
    IF debits <> credits THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: debits % <> credits %',
            NEW.transaction_id, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER incentives_entry_balanced
    AFTER INSERT ON incentives_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION incentives_transaction_balanced();

-- An entry moves its account's posted balance; the account's CHECK then refuses a wallet
-- whose available points would go below zero.
CREATE OR REPLACE FUNCTION incentives_entry_post() RETURNS trigger AS $$
BEGIN
    UPDATE incentives_account
       SET posted = posted + CASE WHEN NEW.side = 'C' THEN NEW.amount ELSE -NEW.amount END
     WHERE id = NEW.account_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incentives_entry_post
    AFTER INSERT ON incentives_entry
    FOR EACH ROW EXECUTE FUNCTION incentives_entry_post();

-- A hold reserves points when placed and releases them when resolved, once.
CREATE OR REPLACE FUNCTION incentives_hold_apply() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'pending' THEN
            RAISE EXCEPTION 'a hold is placed pending' USING ERRCODE = 'check_violation';
        END IF;
        UPDATE incentives_account SET held = held + NEW.amount WHERE id = NEW.account_id;
    ELSE
        UPDATE incentives_account SET held = held - OLD.amount WHERE id = OLD.account_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incentives_hold_placed
    AFTER INSERT ON incentives_hold
    FOR EACH ROW EXECUTE FUNCTION incentives_hold_apply();
CREATE TRIGGER incentives_hold_resolved
    AFTER UPDATE ON incentives_hold
    FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status <> 'pending')
    EXECUTE FUNCTION incentives_hold_apply();

CREATE OR REPLACE FUNCTION incentives_hold_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'holds are never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'hold % is already %: a hold resolves once', OLD.id, OLD.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.amount <> OLD.amount OR NEW.account_id <> OLD.account_id
       OR NEW.counter_account_id <> OLD.counter_account_id OR NEW.key <> OLD.key
       OR NEW.community_id <> OLD.community_id THEN
        RAISE EXCEPTION 'a hold''s amount, accounts and key never change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incentives_hold_guard
    BEFORE UPDATE OR DELETE ON incentives_hold
    FOR EACH ROW EXECUTE FUNCTION incentives_hold_guard();

-- Balances change only through the triggers above (depth > 1), never by a statement; an
-- account's identity never changes and no account is deleted.
CREATE OR REPLACE FUNCTION incentives_account_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'ledger accounts are never deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.posted <> OLD.posted OR NEW.held <> OLD.held) AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'balances are kept by the ledger: book entries or holds instead'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.kind <> OLD.kind OR NEW.community_id <> OLD.community_id
       OR NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
        RAISE EXCEPTION 'an account''s kind, community and owner never change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incentives_account_guard
    BEFORE UPDATE OR DELETE ON incentives_account
    FOR EACH ROW EXECUTE FUNCTION incentives_account_guard();

CREATE OR REPLACE FUNCTION incentives_account_opens_empty() RETURNS trigger AS $$
BEGIN
    IF NEW.posted <> 0 OR NEW.held <> 0 THEN
        RAISE EXCEPTION 'an account opens empty' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incentives_account_opens_empty
    BEFORE INSERT ON incentives_account
    FOR EACH ROW EXECUTE FUNCTION incentives_account_opens_empty();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS incentives_account_opens_empty ON incentives_account;
DROP TRIGGER IF EXISTS incentives_account_guard ON incentives_account;
DROP TRIGGER IF EXISTS incentives_hold_guard ON incentives_hold;
DROP TRIGGER IF EXISTS incentives_hold_resolved ON incentives_hold;
DROP TRIGGER IF EXISTS incentives_hold_placed ON incentives_hold;
DROP TRIGGER IF EXISTS incentives_entry_post ON incentives_entry;
DROP TRIGGER IF EXISTS incentives_entry_balanced ON incentives_entry;
DROP TRIGGER IF EXISTS incentives_entry_insert_only ON incentives_entry;
DROP TRIGGER IF EXISTS incentives_transaction_insert_only ON incentives_transaction;
DROP TRIGGER IF EXISTS incentives_rules_insert_only ON incentives_earningrules;
DROP FUNCTION IF EXISTS incentives_account_opens_empty();
DROP FUNCTION IF EXISTS incentives_account_guard();
DROP FUNCTION IF EXISTS incentives_hold_guard();
DROP FUNCTION IF EXISTS incentives_hold_apply();
DROP FUNCTION IF EXISTS incentives_entry_post();
DROP FUNCTION IF EXISTS incentives_transaction_balanced();
DROP FUNCTION IF EXISTS incentives_insert_only();
"""

SQLITE_CREATE = [
    *(
        f"""CREATE TRIGGER incentives_{table}_no_{op.lower()} BEFORE {op} ON incentives_{table}
        BEGIN SELECT RAISE(ABORT, 'the ledger is insert-only'); END"""
        for table in ("transaction", "entry", "earningrules")
        for op in ("UPDATE", "DELETE")
    ),
    """CREATE TRIGGER incentives_entry_post AFTER INSERT ON incentives_entry
    BEGIN
        UPDATE incentives_account
           SET posted = posted + CASE WHEN NEW.side = 'C' THEN NEW.amount ELSE -NEW.amount END
         WHERE id = NEW.account_id;
    END""",
    """CREATE TRIGGER incentives_hold_placed AFTER INSERT ON incentives_hold
    BEGIN
        UPDATE incentives_account SET held = held + NEW.amount WHERE id = NEW.account_id;
    END""",
    """CREATE TRIGGER incentives_hold_resolved AFTER UPDATE ON incentives_hold
    WHEN OLD.status = 'pending' AND NEW.status <> 'pending'
    BEGIN
        UPDATE incentives_account SET held = held - OLD.amount WHERE id = OLD.account_id;
    END""",
    """CREATE TRIGGER incentives_hold_frozen BEFORE UPDATE ON incentives_hold
    WHEN OLD.status <> 'pending'
    BEGIN SELECT RAISE(ABORT, 'a hold resolves once'); END""",
]
SQLITE_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS incentives_{table}_no_{op.lower()}"
        for table in ("transaction", "entry", "earningrules")
        for op in ("update", "delete")
    ),
    "DROP TRIGGER IF EXISTS incentives_entry_post",
    "DROP TRIGGER IF EXISTS incentives_hold_placed",
    "DROP TRIGGER IF EXISTS incentives_hold_resolved",
    "DROP TRIGGER IF EXISTS incentives_hold_frozen",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("incentives", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
