"""The ledger's invariants below the application, and the chart of accounts for existing cooperatives.

Triggers (SQLite and PostgreSQL):
- a journal entry is inserted as ``draft`` only;
- lines may only be inserted into a draft entry;
- draft → posted is refused unless the entry's lines are >= 2, SUM(debit) = SUM(credit) = amount > 0, every line
  has the entry's cooperative and date, and every account belongs to the entry's cooperative;
- a posted entry cannot be updated or deleted; lines of a posted entry cannot be updated or deleted.

Django's test flush: PostgreSQL uses TRUNCATE (row triggers do not fire), so there every DELETE is refused.
SQLite's flush runs ``DELETE FROM`` table by table in an unpredictable (set) order, so on SQLite there is no
DELETE trigger: the deferred foreign key from lines keeps an entry from being deleted alone, and a deleted line
leaves its entry with lines that no longer add up to its ``amount`` — ``integrity.check_integrity`` (run in CI
over all data) reports it, as it reports a gap in numbering.
"""

from django.db import migrations

E = "ledger_journalentry"
L = "ledger_journalline"
A = "ledger_account"
from ._guard_messages import MSG_FOREIGN, MSG_INSERT_POSTED, MSG_LINE_POSTED, MSG_UNBALANCED  # noqa: E402


PG_SQL = f"""
CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger AS $$
DECLARE d numeric; c numeric; n integer; bad integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'draft' THEN RAISE EXCEPTION '{MSG_INSERT_POSTED}'; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'posted' THEN RAISE EXCEPTION '{MSG_LINE_POSTED}'; END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'posted' THEN RAISE EXCEPTION '{MSG_LINE_POSTED}'; END IF;
  IF NEW.status = 'posted' THEN
    SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0), COUNT(*) INTO d, c, n
      FROM {L} WHERE entry_id = NEW.id;
    IF n < 2 OR d <= 0 OR d <> c OR d <> NEW.amount THEN RAISE EXCEPTION '{MSG_UNBALANCED}'; END IF;
    SELECT COUNT(*) INTO bad FROM {L} l JOIN {A} a ON a.id = l.account_id
      WHERE l.entry_id = NEW.id
        AND (l.koperasi_id <> NEW.koperasi_id OR a.koperasi_id <> NEW.koperasi_id OR l.date <> NEW.date);
    IF bad > 0 THEN RAISE EXCEPTION '{MSG_FOREIGN}'; END IF;
  END IF;
  RETURN NEW;
END; $$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_guard BEFORE INSERT OR UPDATE OR DELETE ON {E}
  FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard();

CREATE OR REPLACE FUNCTION ledger_line_guard() RETURNS trigger AS $$
DECLARE st text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT status INTO st FROM {E} WHERE id = NEW.entry_id;
    IF st IS DISTINCT FROM 'draft' THEN RAISE EXCEPTION '{MSG_LINE_POSTED}'; END IF;
    RETURN NEW;
  END IF;
  SELECT status INTO st FROM {E} WHERE id = OLD.entry_id;
  IF st = 'posted' THEN RAISE EXCEPTION '{MSG_LINE_POSTED}'; END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  IF NEW.entry_id <> OLD.entry_id THEN
    SELECT status INTO st FROM {E} WHERE id = NEW.entry_id;
    IF st IS DISTINCT FROM 'draft' THEN RAISE EXCEPTION '{MSG_LINE_POSTED}'; END IF;
  END IF;
  RETURN NEW;
END; $$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_line_guard BEFORE INSERT OR UPDATE OR DELETE ON {L}
  FOR EACH ROW EXECUTE FUNCTION ledger_line_guard();
"""

PG_DROP = f"""
DROP TRIGGER IF EXISTS ledger_entry_guard ON {E};
DROP TRIGGER IF EXISTS ledger_line_guard ON {L};
DROP FUNCTION IF EXISTS ledger_entry_guard();
DROP FUNCTION IF EXISTS ledger_line_guard();
"""

SQLITE_SQL = [
    f"""CREATE TRIGGER ledger_entry_insert BEFORE INSERT ON {E} WHEN NEW.status <> 'draft'
        BEGIN SELECT RAISE(ABORT, '{MSG_INSERT_POSTED}'); END;""",
    f"""CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE ON {E} WHEN OLD.status = 'posted'
        BEGIN SELECT RAISE(ABORT, '{MSG_LINE_POSTED}'); END;""",
    f"""CREATE TRIGGER ledger_entry_post BEFORE UPDATE ON {E}
        WHEN OLD.status = 'draft' AND NEW.status = 'posted'
        BEGIN
          SELECT RAISE(ABORT, '{MSG_UNBALANCED}') WHERE
            (SELECT COUNT(*) FROM {L} WHERE entry_id = NEW.id) < 2
            OR (SELECT COALESCE(SUM(debit), 0) FROM {L} WHERE entry_id = NEW.id) <= 0
            OR ABS((SELECT COALESCE(SUM(debit), 0) FROM {L} WHERE entry_id = NEW.id)
                 - (SELECT COALESCE(SUM(credit), 0) FROM {L} WHERE entry_id = NEW.id)) >= 0.005
            OR ABS((SELECT COALESCE(SUM(debit), 0) FROM {L} WHERE entry_id = NEW.id) - NEW.amount) >= 0.005;
          SELECT RAISE(ABORT, '{MSG_FOREIGN}') WHERE EXISTS (
            SELECT 1 FROM {L} l JOIN {A} a ON a.id = l.account_id WHERE l.entry_id = NEW.id
              AND (l.koperasi_id <> NEW.koperasi_id OR a.koperasi_id <> NEW.koperasi_id OR l.date <> NEW.date));
        END;""",
    f"""CREATE TRIGGER ledger_line_insert BEFORE INSERT ON {L}
        WHEN (SELECT status FROM {E} WHERE id = NEW.entry_id) IS NOT 'draft'
        BEGIN SELECT RAISE(ABORT, '{MSG_LINE_POSTED}'); END;""",
    f"""CREATE TRIGGER ledger_line_update BEFORE UPDATE ON {L}
        WHEN (SELECT status FROM {E} WHERE id = OLD.entry_id) = 'posted'
          OR (SELECT status FROM {E} WHERE id = NEW.entry_id) IS NOT 'draft'
        BEGIN SELECT RAISE(ABORT, '{MSG_LINE_POSTED}'); END;""",
]
SQLITE_DROP = ["ledger_entry_insert", "ledger_entry_immutable", "ledger_entry_post", "ledger_line_insert",
               "ledger_line_update"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_SQL)
    elif vendor == "sqlite":
        for sql in SQLITE_SQL:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        for name in SQLITE_DROP:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


def charts_for_existing(apps, schema_editor):
    from kopdes.ledger.chart import ensure_chart

    Koperasi = apps.get_model("core", "Koperasi")
    Account = apps.get_model("ledger", "Account")
    for kid in Koperasi.objects.values_list("pk", flat=True):
        ensure_chart(kid, Account)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("core", "0002_audit_append_only")]
    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(charts_for_existing, migrations.RunPython.noop),
    ]
