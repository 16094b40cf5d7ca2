"""The audit trail is append-only below the application.

PostgreSQL: a trigger refuses UPDATE and DELETE (TRUNCATE stays possible for an operator's purge and test flush).
SQLite: a trigger refuses UPDATE (DELETE stays possible because Django's test flush uses DELETE on SQLite).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION kopdes_audit_append_only() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION 'jejak audit hanya bisa ditambah (append-only) / audit trail is append-only';
            END; $$ LANGUAGE plpgsql;
            """
        )
        schema_editor.execute(
            "CREATE TRIGGER core_auditlog_append_only BEFORE UPDATE OR DELETE ON core_auditlog "
            "FOR EACH ROW EXECUTE FUNCTION kopdes_audit_append_only();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog "
            "BEGIN SELECT RAISE(ABORT, 'jejak audit hanya bisa ditambah / audit trail is append-only'); END;"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;")
        schema_editor.execute("DROP FUNCTION IF EXISTS kopdes_audit_append_only();")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditlog_no_update;")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
