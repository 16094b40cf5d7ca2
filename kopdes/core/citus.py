"""Tenant keys on PostgreSQL and distribution on Citus (``kopdes citus setup`` / ``status``).

:func:`composite_keys` runs after every ``migrate`` on PostgreSQL (and again from ``citus setup``): each tenant
table gets primary key ``(koperasi_id, id)``, unique constraints/indexes that start with ``koperasi_id``, and
composite foreign keys ``(koperasi_id, x_id) → (koperasi_id, id)`` between tenant tables. It reads the catalog and
changes only what is not yet so, keeping every constraint's name. Django still sees ``id`` as the primary key
(it stays unique through its sequence); SQLite keeps the plain keys, the ORM behaves the same.

:func:`setup` (Citus only, idempotent, never drops data): reference tables first — with the foreign keys into
them lifted for the moment, so that Citus does not turn tenant tables into coordinator-only "Citus local" tables
(``citus.enable_local_reference_table_foreign_keys``) — then every tenant table distributed by ``koperasi_id``,
colocated, then the foreign keys back, then the ledger guards in their shard-safe form.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import DatabaseError, connection, connections, transaction

from . import tenancy


class NotCitus(Exception):
    pass


def _rows(sql: str, params: Iterable | None = None) -> list[tuple]:
    with connection.cursor() as c:
        c.execute(sql, list(params or []))
        return c.fetchall()


def _exec(sql: str) -> None:
    with connection.cursor() as c:
        c.execute(sql)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _existing(tables: list[str]) -> list[str]:
    have = {r[0] for r in _rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    return [t for t in tables if t in have]


def _constraints(table: str, types: str) -> list[tuple[str, str, list[str], str | None, list[str]]]:
    """(name, type, columns, referenced table, referenced columns) of one table's constraints."""
    rows = _rows(
        """
        SELECT c.conname, c.contype,
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o),
               CASE WHEN c.confrelid <> 0 THEN c.confrelid::regclass::text END,
               ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o)
        FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype = ANY(%s) ORDER BY c.conname
        """,
        [table, list(types)],
    )
    return [(n, t, list(cols), ref.strip('"') if ref else None, list(rcols)) for n, t, cols, ref, rcols in rows]


def composite_keys() -> list[str]:
    """Make the tenant keys composite (PostgreSQL). Returns what it changed; empty when nothing was left."""
    if connection.vendor != "postgresql":
        return []
    tenant = set(_existing(tenancy.tenant_tables()))
    done: list[str] = []
    with transaction.atomic():
        # 1. foreign keys between tenant tables are lifted first (they depend on the old primary keys)
        lifted: list[tuple[str, str, str, str, str]] = []
        for t in sorted(tenant):
            for name, _type, cols, ref, rcols in _constraints(t, "f"):
                if ref in tenant and cols != ["koperasi_id"] and cols[:1] != ["koperasi_id"]:
                    _exec(f"ALTER TABLE {_q(t)} DROP CONSTRAINT {_q(name)}")
                    lifted.append((t, name, cols[0], ref, rcols[0]))
        # 2. primary keys and unique constraints/indexes
        for t in sorted(tenant):
            for name, _type, cols, _ref, _r in _constraints(t, "p"):
                if cols != ["koperasi_id", "id"]:
                    _exec(f"ALTER TABLE {_q(t)} DROP CONSTRAINT {_q(name)}, "
                          f"ADD CONSTRAINT {_q(name)} PRIMARY KEY (koperasi_id, id)")
                    done.append(f"{t}: primary key (koperasi_id, id)")
            for name, _type, cols, _ref, _r in _constraints(t, "u"):
                if "koperasi_id" not in cols:
                    collist = ", ".join(_q(c) for c in ["koperasi_id", *cols])
                    _exec(f"ALTER TABLE {_q(t)} DROP CONSTRAINT {_q(name)}, ADD CONSTRAINT {_q(name)} UNIQUE ({collist})")
                    done.append(f"{t}: unique {name} with koperasi_id")
            for name, indexdef in _rows(
                """SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                   WHERE x.indrelid = %s::regclass AND x.indisunique AND NOT x.indisprimary
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
                [t],
            ):
                head, rest = indexdef.split(" USING btree (", 1)
                if "koperasi_id" not in rest.split(")", 1)[0]:
                    _exec(f"DROP INDEX {_q(name)}")
                    _exec(f"{head} USING btree (koperasi_id, {rest}")
                    done.append(f"{t}: unique index {name} with koperasi_id")
        # 3. the foreign keys back, composite
        for t, name, col, ref, _rcol in lifted:
            _exec(f"ALTER TABLE {_q(t)} ADD CONSTRAINT {_q(name)} FOREIGN KEY (koperasi_id, {_q(col)}) "
                  f"REFERENCES {_q(ref)} (koperasi_id, id) DEFERRABLE INITIALLY DEFERRED")
            done.append(f"{t}: foreign key {name} composite")
    return done


# ---------------------------------------------------------------- Citus

STRICT_ENV = "KOPDES_CITUS_STRICT"
"""With ``KOPDES_CITUS_STRICT=1`` (the Citus half of the tests sets it for the demo build) every session on a Citus
coordinator makes a statement that would read or write more than one shard an error
(``citus.multi_task_query_log_level = error``), except inside :func:`across_cooperatives`. Cooperative work names
its ``koperasi_id`` and stays on one shard; this finds the statements that do not (the error names the statement)."""


def strict() -> bool:
    import os

    return os.environ.get(STRICT_ENV) == "1"


def set_single_shard(on: bool, using: str = "default") -> None:
    """Make (or stop making) a multi-shard statement an error on this Citus session, for code that checks that
    cooperative work stays on one shard (``scripts/walk.py --single-shard``; :data:`STRICT_ENV` sets it for every
    session). :func:`across_cooperatives` lifts it for the reads that span cooperatives on purpose."""
    from .db.postgresql.base import _name_multi_shard_statement

    conn = connections[using]
    conn.ensure_connection()
    conn.kopdes_single_shard = on
    if on and _name_multi_shard_statement not in conn.execute_wrappers:
        conn.execute_wrappers.append(_name_multi_shard_statement)
    if not getattr(conn, "kopdes_across", 0):
        with conn.cursor() as c:
            c.execute(f"SET citus.multi_task_query_log_level = {'error' if on else 'off'}")


@contextmanager
def across_cooperatives(using: str = "default"):
    """A read that spans cooperatives on purpose (region statistics, nationwide checks, one NIK's memberships):
    allowed to touch several shards where :func:`set_single_shard` is on. A no-op everywhere else."""
    conn = connections[using]
    if not getattr(conn, "kopdes_single_shard", False) or conn.connection is None:
        yield
        return
    depth = getattr(conn, "kopdes_across", 0)
    conn.kopdes_across = depth + 1
    if depth == 0:
        with conn.cursor() as c:
            c.execute("SET citus.multi_task_query_log_level = off")
    try:
        yield
    finally:
        conn.kopdes_across = depth
        if depth == 0 and conn.connection is not None and conn.kopdes_single_shard:
            try:
                with conn.cursor() as c:
                    c.execute("SET citus.multi_task_query_log_level = error")
            except DatabaseError:  # an aborted transaction: its rollback restores the session's setting
                pass


def is_citus() -> bool:
    return connection.vendor == "postgresql" and bool(_rows("SELECT 1 FROM pg_extension WHERE extname = 'citus'"))


def _partition() -> dict[str, str]:
    """Table → Citus kind ('h' distributed, 'n' reference/local-managed) from pg_dist_partition."""
    return {r[0]: r[1] for r in _rows(
        "SELECT logicalrelid::regclass::text, CASE WHEN partmethod = 'h' THEN 'distributed' "
        "WHEN repmodel = 't' THEN 'reference' ELSE 'citus_local' END FROM pg_dist_partition")}


def status() -> dict:
    if not is_citus():
        raise NotCitus()
    part = {k.strip('"'): v for k, v in _partition().items()}
    all_tables = [r[0] for r in _rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    tenant = _existing(tenancy.tenant_tables()) + _existing(tenancy.tenant_m2m_tables())
    return {
        "distributed": sum(1 for v in part.values() if v == "distributed"),
        "reference": sum(1 for v in part.values() if v == "reference"),
        "local": sum(1 for t in all_tables if part.get(t) in (None, "citus_local")),
        "undistributed_tenant_tables": sorted(t for t in tenant if part.get(t) != "distributed"),
    }


def _foreign_keys_into(targets: set[str]) -> list[tuple[str, str, str]]:
    """(table, constraint, definition) of every foreign key pointing into ``targets``."""
    return [(r[0].strip('"'), r[1], r[2]) for r in _rows(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid::regclass::text = ANY(%s)", [sorted(targets)])]


PENDING = "kopdes_citus_pending_fk"


def setup(log=print) -> dict:
    """Distribute the schema (see the module docstring). Safe to run again; finishes a half-done run.

    Each step commits on its own (Citus refuses to mix distributing tables with converting local ones in one
    transaction). The foreign keys lifted for the distribution are written to ``kopdes_citus_pending_fk`` first,
    so a run cut off half-way puts them back the next time.
    """
    if not is_citus():
        raise NotCitus()
    for line in composite_keys():
        log(f"  kunci / key: {line}")
    tenant = _existing(tenancy.tenant_tables())
    reference = _existing(tenancy.reference_tables())
    part = {k.strip('"'): v for k, v in _partition().items()}
    todo_ref = [t for t in reference if part.get(t) != "reference"]
    todo_dist = [t for t in tenant if part.get(t) != "distributed"]
    _exec(f"CREATE TABLE IF NOT EXISTS {PENDING} (tbl text, name text, definition text, PRIMARY KEY (tbl, name))")
    if todo_ref or todo_dist:
        from kopdes.ledger.citus_guards import drop_guards

        fks = _foreign_keys_into(set(todo_ref) | set(todo_dist))
        fks += [fk for fk in _foreign_keys_into(set(reference) | set(tenant)) if fk[0] in todo_dist and fk not in fks]
        with transaction.atomic():
            drop_guards()
            for table, name, definition in fks:
                _rows(f"INSERT INTO {PENDING} VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
                      [table, name, definition])
                _exec(f"ALTER TABLE {_q(table)} DROP CONSTRAINT IF EXISTS {_q(name)}")
        for t in todo_ref:
            _rows("SELECT create_reference_table(%s)", [t])
            log(f"  tabel referensi / reference table: {t}")
        anchor = next((t for t in tenant if part.get(t) == "distributed"), None)
        for t in todo_dist:
            _rows("SELECT create_distributed_table(%s, 'koperasi_id', colocate_with => %s)", [t, anchor or "none"])
            anchor = anchor or t
            log(f"  terdistribusi / distributed: {t}")
    for table, name, definition in _rows(f"SELECT tbl, name, definition FROM {PENDING} ORDER BY tbl, name"):
        with transaction.atomic():
            # a local table pointing to a reference table becomes a coordinator-managed "Citus local" table
            _exec("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
            if not _rows("SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s", [table, name]):
                _exec(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
            _rows(f"DELETE FROM {PENDING} WHERE tbl = %s AND name = %s RETURNING 1", [table, name])
    from kopdes.ledger.citus_guards import install_guards

    with transaction.atomic():
        install_guards()
    return status()
