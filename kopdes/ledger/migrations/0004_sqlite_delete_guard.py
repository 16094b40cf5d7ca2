"""SQLite: refuse DELETE of a posted journal entry and of a line of a posted entry (PostgreSQL has done so since
0002). The trigger lets the whole-database flush through via ``ledger_guard_off()`` (see ``ledger/dbguard.py``).
"""

from django.db import migrations

E = "ledger_journalentry"
L = "ledger_journalline"
MSG = "jurnal yang sudah diposting tidak dapat dihapus / a posted journal entry cannot be deleted"

SQLITE_SQL = [
    f"""CREATE TRIGGER ledger_entry_delete BEFORE DELETE ON {E}
        WHEN OLD.status = 'posted' AND ledger_guard_off() = 0
        BEGIN SELECT RAISE(ABORT, '{MSG}'); END;""",
    f"""CREATE TRIGGER ledger_line_delete BEFORE DELETE ON {L}
        WHEN (SELECT status FROM {E} WHERE id = OLD.entry_id) = 'posted' AND ledger_guard_off() = 0
        BEGIN SELECT RAISE(ABORT, '{MSG}'); END;""",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_SQL:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in ("ledger_entry_delete", "ledger_line_delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_operations")]
    operations = [migrations.RunPython(forwards, backwards)]
