"""Audit log: the chain head row, and triggers that make core_auditentry append-only.

The trigger SQL is written out here (not imported) so this migration keeps doing
what it did when it was written. Trigger names must match
``egov.core.audit.GUARD_TRIGGERS``.

SQLite caveat: Django alters a SQLite table by rebuilding it, which drops its
triggers. A later migration that alters core_auditentry on SQLite must re-create
them (run ``install_guard`` again); ``verify_audit`` warns when they are missing.
"""

from django.db import migrations

GENESIS_HASH = "0" * 64

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION core_auditentry_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- Emptying an already empty table loses nothing (test databases do it).
        IF TG_OP = 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM core_auditentry) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'The audit log (core_auditentry) is append-only: % refused.', TG_OP
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Audit entries are never changed or removed; record a new entry instead.';
    END;
    $$
    """,
    """
    CREATE TRIGGER core_auditentry_append_only
        BEFORE UPDATE OR DELETE ON core_auditentry
        FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse_change()
    """,
    """
    CREATE TRIGGER core_auditentry_no_truncate
        BEFORE TRUNCATE ON core_auditentry
        FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_refuse_change()
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_refuse_change()",
]

# RAISE(ABORT) reports SQLITE_CONSTRAINT, which Python turns into IntegrityError.
SQLITE_INSTALL = [
    """
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'The audit log (core_auditentry) is append-only: UPDATE refused.');
    END
    """,
    """
    CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'The audit log (core_auditentry) is append-only: DELETE refused.');
    END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]


def _run(schema_editor, statements):
    for sql in statements:
        # params=None: the SQL contains literal % signs (PL/pgSQL RAISE format).
        schema_editor.execute(sql, params=None)


def install_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_INSTALL)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_INSTALL)


def remove_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_REMOVE)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_REMOVE)


def create_chain_head(apps, schema_editor):
    head_model = apps.get_model("core", "AuditChainHead")
    head_model.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"last_entry_id": 0, "last_hash": GENESIS_HASH}
    )


def remove_chain_head(apps, schema_editor):
    # Only an untouched head goes: once entries exist it is part of the evidence.
    head_model = apps.get_model("core", "AuditChainHead")
    head_model.objects.using(schema_editor.connection.alias).filter(
        pk=1, last_entry_id=0
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_chain_head, remove_chain_head),
        migrations.RunPython(install_guard, remove_guard),
    ]
