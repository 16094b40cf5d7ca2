"""Per-cooperative named row locks, for limits that are a sum over many rows (a buyer's LPG purchases of the last
seven days) and so have no single row to lock with ``Model.objects.locked(koperasi)``.

    from kopdes.core import locks
    locks.hold(koperasi, f"lpg:{nik}")   # until the transaction ends; then read the sum and decide

One upsert per name (``INSERT … ON CONFLICT (koperasi_id, name) DO UPDATE``): on PostgreSQL and Citus the row of
that cooperative is locked until commit or rollback (a concurrent first insert of the same name waits on the unique
index, then locks the row the same way); on SQLite writers are serialised anyway. Several names are locked in
sorted order, so two transactions holding overlapping sets never deadlock on them.
"""

from __future__ import annotations

from django.db import connection

from .models import Koperasi, TenantLock

TABLE = TenantLock._meta.db_table


def hold(koperasi: Koperasi | int, *names: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("a row lock is held until the end of a transaction: call inside transaction.atomic")
    kid = koperasi if isinstance(koperasi, int) else koperasi.pk
    with connection.cursor() as cur:
        for name in sorted(set(names)):
            cur.execute(
                f"INSERT INTO {TABLE} (koperasi_id, name) VALUES (%s, %s) "
                f"ON CONFLICT (koperasi_id, name) DO UPDATE SET name = excluded.name",
                [kid, name[:80]],
            )
