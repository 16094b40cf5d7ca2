"""On a Citus cluster (``scripts/citustemp.py``): the schema is distributed and the guards hold on the workers.

Skipped unless ``KOPDES_EXPECT_CITUS=1`` (then the session itself fails on a database without Citus, see
``conftest.py``). ``kopdes citus`` on a non-Citus database is tested on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from kopdes.core import citus, tenancy

ON_CITUS = os.environ.get("KOPDES_EXPECT_CITUS") == "1"
citus_only = pytest.mark.skipif(not ON_CITUS, reason="needs scripts/citustemp.py")


@pytest.mark.django_db
@pytest.mark.skipif(ON_CITUS, reason="the refusal is for databases without Citus")
def test_setup_refuses_without_citus_and_changes_nothing():
    with pytest.raises(CommandError, match="bukan Citus"):
        call_command("citus", "setup")
    with pytest.raises(CommandError, match="not Citus"):
        call_command("citus", "status", "--json")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="composite keys are PostgreSQL's")
def test_postgresql_tenant_keys_are_composite():
    assert citus.composite_keys() == []  # migrate already did it: nothing left
    with connection.cursor() as c:
        c.execute("""SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint
                     WHERE contype IN ('p', 'u', 'f') AND conrelid::regclass::text = ANY(%s)""",
                  [tenancy.tenant_tables()])
        rows = c.fetchall()
    pks = {t: d for t, d in rows if d.startswith("PRIMARY KEY")}
    assert set(pks) == set(tenancy.tenant_tables())
    assert set(pks.values()) == {"PRIMARY KEY (koperasi_id, id)"}
    assert [d for _t, d in rows if d.startswith("UNIQUE") and "koperasi_id" not in d] == []
    tenant_fks = [d for _t, d in rows if d.startswith("FOREIGN KEY")
                  and d.split("REFERENCES ", 1)[1].split("(", 1)[0] in tenancy.tenant_tables()]
    assert len(tenant_fks) > 100
    assert all(d.startswith("FOREIGN KEY (koperasi_id, ") and "(koperasi_id, id)" in d for d in tenant_fks)


@citus_only
@pytest.mark.django_db
def test_status_lists_every_tenant_table_distributed_and_setup_is_idempotent():
    out = StringIO()
    call_command("citus", "status", "--json", stdout=out)
    st = json.loads(out.getvalue())
    assert st["undistributed_tenant_tables"] == []
    assert st["distributed"] == len(tenancy.tenant_tables())
    assert st["reference"] == len(tenancy.reference_tables())
    assert citus.setup(log=lambda line: None) == st


def _worker_conn(koperasi_id: int):
    """A direct connection to the worker that holds this cooperative's shard of the ledger."""
    with connection.cursor() as c:
        c.execute("""SELECT nodeport, shard_name('ledger_journalentry'::regclass, s.shardid)
                     FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)
                     WHERE s.shardid = get_shard_id_for_distribution_column('ledger_journalentry', %s)""",
                    [koperasi_id])
        port, shard = c.fetchone()
    db = connection.settings_dict["NAME"]
    return psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname={db}", autocommit=True), shard


@citus_only
@pytest.mark.django_db(transaction=True)
def test_posted_entry_cannot_be_changed_or_deleted_on_the_worker(koperasi, make_user):
    from kopdes.ledger.services import Line, post

    entry = post(koperasi, date=dt.date.today(), memo="Setoran kas uji",
                 lines=[Line("1101", debit=Decimal("150000")), Line("4202", credit=Decimal("150000"))],
                 by=make_user("bendahara", koperasi=koperasi))
    conn, shard = _worker_conn(koperasi.pk)
    with conn:
        for sql in (f"UPDATE {shard} SET memo = 'diubah' WHERE id = %s", f"DELETE FROM {shard} WHERE id = %s"):
            with pytest.raises(psycopg.errors.RaiseException, match="tidak dapat diubah"):
                conn.execute(sql, [entry.pk])


@pytest.mark.django_db
@citus_only
def test_a_region_rebuild_then_a_formation_write_in_one_transaction(koperasi):
    """The demo's supervision step: region statistics read every shard, then the same transaction links the village
    formation (a coordinator table tied to a reference table). Citus refuses that after a parallel multi-shard read;
    Kopdes sessions run multi-shard statements one connection per node."""
    from kopdes.supervision import stats
    from kopdes.supervision.models import VillageFormation

    with connection.cursor() as c:
        c.execute("SHOW citus.multi_shard_modify_mode")
        assert c.fetchone()[0] == "sequential"
    VillageFormation.objects.create(region_id=koperasi.region_id)
    with transaction.atomic():
        stats.rebuild()
        assert VillageFormation.objects.filter(region_id=koperasi.region_id, koperasi__isnull=True).update(
            koperasi=koperasi) == 1


@pytest.mark.django_db
@citus_only
def test_single_shard_mode_names_a_multi_shard_statement_and_allows_declared_ones(koperasi, other_koperasi):
    """Under ``set_single_shard`` (the walk; KOPDES_CITUS_STRICT for the demo build) a statement over several
    shards fails and the error shows it; one cooperative's rows and reads declared across_cooperatives pass."""
    from django.db import DatabaseError

    from kopdes.ledger.models import Account
    from kopdes.members.services import other_memberships

    citus.set_single_shard(True)
    try:
        assert Account.objects.for_koperasi(koperasi).count() > 0  # one shard
        with pytest.raises(DatabaseError, match="multi-task query") as exc, transaction.atomic():
            Account.objects.count()  # every cooperative's accounts: every shard
        assert 'FROM "ledger_account"' in str(exc.value)  # the statement is named
        assert other_memberships(koperasi, "1602041234560001") == []  # the global NIK index: no shard asked
        with citus.across_cooperatives():
            assert Account.objects.count() > Account.objects.for_koperasi(koperasi).count()
        with pytest.raises(DatabaseError, match="multi-task query"), transaction.atomic():
            Account.objects.count()  # the declaration ended with its block
    finally:
        citus.set_single_shard(False)
