"""The ledger guards in their Citus form: each trigger reads only the colocated shards of its own cooperative.

On plain PostgreSQL the guards of migration 0002 read ``ledger_journalline`` / ``ledger_journalentry`` by name.
Fired on a Citus shard, such a read would be a distributed query from inside a shard, which Citus refuses. Here the
same rules name the colocated shard of the row's ``koperasi_id`` (``shard_name`` of
``get_shard_id_for_distribution_column``: metadata lookups that every node answers locally), so the check stays on
the node, in the transaction, and under the lock of the write it guards.
"""

from __future__ import annotations

from django.db import connection

from .migrations import _guard_messages as m

E, L, A = "ledger_journalentry", "ledger_journalline", "ledger_account"

_SHARD = "shard_name('{t}'::regclass, get_shard_id_for_distribution_column('{t}', {k}))"

SQL = f"""
CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger AS $$
DECLARE d numeric; c numeric; n integer; bad integer; lt text; at text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'draft' THEN RAISE EXCEPTION '{m.MSG_INSERT_POSTED}'; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'posted' THEN RAISE EXCEPTION '{m.MSG_LINE_POSTED}'; END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'posted' THEN RAISE EXCEPTION '{m.MSG_LINE_POSTED}'; END IF;
  IF NEW.status = 'posted' THEN
    lt := {_SHARD.format(t=L, k="NEW.koperasi_id")};
    at := {_SHARD.format(t=A, k="NEW.koperasi_id")};
    EXECUTE format('SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0), COUNT(*) FROM %s '
                   'WHERE koperasi_id = $1 AND entry_id = $2', lt) INTO d, c, n USING NEW.koperasi_id, NEW.id;
    IF n < 2 OR d <= 0 OR d <> c OR d <> NEW.amount THEN RAISE EXCEPTION '{m.MSG_UNBALANCED}'; END IF;
    EXECUTE format('SELECT COUNT(*) FROM %s l LEFT JOIN %s a ON a.koperasi_id = l.koperasi_id AND a.id = l.account_id '
                   'WHERE l.koperasi_id = $1 AND l.entry_id = $2 AND (a.id IS NULL OR l.date <> $3)', lt, at)
      INTO bad USING NEW.koperasi_id, NEW.id, NEW.date;
    IF bad > 0 THEN RAISE EXCEPTION '{m.MSG_FOREIGN}'; END IF;
  END IF;
  RETURN NEW;
END; $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_line_guard() RETURNS trigger AS $$
DECLARE st text; et text; r record;
BEGIN
  IF TG_OP = 'INSERT' THEN r := NEW; ELSE r := OLD; END IF;
  et := {_SHARD.format(t=E, k="r.koperasi_id")};
  EXECUTE format('SELECT status FROM %s WHERE koperasi_id = $1 AND id = $2', et) INTO st
    USING r.koperasi_id, r.entry_id;
  IF TG_OP = 'INSERT' THEN
    IF st IS DISTINCT FROM 'draft' THEN RAISE EXCEPTION '{m.MSG_LINE_POSTED}'; END IF;
    RETURN NEW;
  END IF;
  IF st = 'posted' THEN RAISE EXCEPTION '{m.MSG_LINE_POSTED}'; END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  IF NEW.entry_id <> OLD.entry_id THEN
    EXECUTE format('SELECT status FROM %s WHERE koperasi_id = $1 AND id = $2', et) INTO st
      USING NEW.koperasi_id, NEW.entry_id;
    IF st IS DISTINCT FROM 'draft' THEN RAISE EXCEPTION '{m.MSG_LINE_POSTED}'; END IF;
  END IF;
  RETURN NEW;
END; $$ LANGUAGE plpgsql;
"""

TRIGGERS = [
    f"CREATE TRIGGER ledger_entry_guard BEFORE INSERT OR UPDATE OR DELETE ON {E} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard()",
    f"CREATE TRIGGER ledger_line_guard BEFORE INSERT OR UPDATE OR DELETE ON {L} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_line_guard()",
]


def drop_guards() -> None:
    """Lifted while tables are distributed (Citus copies rows into shards; the guards go back right after)."""
    with connection.cursor() as c:
        c.execute(f"DROP TRIGGER IF EXISTS ledger_entry_guard ON {E}")
        c.execute(f"DROP TRIGGER IF EXISTS ledger_line_guard ON {L}")


def install_guards() -> None:
    """The shard-safe functions and triggers (idempotent); propagated by Citus to every shard."""
    with connection.cursor() as c:
        c.execute("SET LOCAL citus.enable_unsafe_triggers = on" if not connection.get_autocommit()
                  else "SET citus.enable_unsafe_triggers = on")
        c.execute(SQL)
        drop_guards()
        for sql in TRIGGERS:
            c.execute(sql)
