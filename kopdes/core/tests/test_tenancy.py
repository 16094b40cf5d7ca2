"""Tenancy in the ORM: every tenant relation, save and lock names the cooperative (what Citus needs)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopdes.core import tenancy
from kopdes.core.models import Koperasi, Region, TenantForeignKey, TenantModel, TenantOneToOneField


def test_every_model_is_classified_and_tenant_tables_have_a_required_koperasi():
    unclassified = [m._meta.db_table for m in apps.get_models() if tenancy.kind(m) is None]
    assert unclassified == []
    for m in tenancy.tenant_models():
        assert issubclass(m, TenantModel), m
        assert m._meta.get_field("koperasi").null is False, m
    assert "ledger_journalentry" in tenancy.tenant_tables()
    assert {"core_koperasi", "core_region", "core_user"} <= set(tenancy.reference_tables())
    assert not set(tenancy.tenant_tables()) & set(tenancy.reference_tables())


def test_every_relation_between_tenant_models_is_tenant_aware():
    plain = [
        f"{m._meta.label}.{f.name}"
        for m in tenancy.tenant_models()
        for f in m._meta.local_fields
        if f.is_relation and f.name != "koperasi" and f.related_model in set(tenancy.tenant_models())
        and not isinstance(f, (TenantForeignKey, TenantOneToOneField))
    ]
    assert plain == []


def test_joins_match_koperasi_both_ways():
    from kopdes.ledger.models import JournalEntry, JournalLine

    fwd = str(JournalLine.objects.for_koperasi(1).select_related("entry").query)
    assert '"ledger_journalline"."koperasi_id" = ("ledger_journalentry"."koperasi_id")' in fwd
    rev = str(JournalEntry.objects.for_koperasi(1).filter(lines__debit__gt=0).query)
    assert '"ledger_journalline"."koperasi_id" = ("ledger_journalentry"."koperasi_id")' in rev


@pytest.mark.django_db
def test_save_updates_with_koperasi_in_where_and_related_fetch_names_it():

    region = Region.objects.create(code="99.01.01.2001", name="Desa Uji", level=4)
    kop = Koperasi.objects.create(slug="uji", name="KDMP Uji", kind="desa", region=region)
    from kopdes.core.models import Bylaws

    b = Bylaws.objects.create(koperasi=kop, effective_date="2026-01-01", simpanan_pokok=100000,
                              simpanan_wajib_monthly=10000)
    b.decided_by = "RAT 2026"
    with CaptureQueriesContext(connection) as ctx:
        b.save()
    update = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(update) == 1 and f'"koperasi_id" = {kop.pk}' in update[0].split("WHERE", 1)[1]


@pytest.mark.django_db
def test_locked_filters_by_koperasi_and_locks_one_table():
    from kopdes.ledger.models import JournalLine

    qs = JournalLine.objects.locked(7).select_related("entry")
    assert qs.query.select_for_update and qs.query.select_for_update_of == ("self",)
    assert '"ledger_journalline"."koperasi_id" = 7' in str(qs.query)


def test_every_tenant_manager_can_scope_and_lock():
    missing = [f"{m._meta.label}.{mgr.name}" for m in tenancy.tenant_models() for mgr in m._meta.managers
               if not (hasattr(mgr, "locked") and hasattr(mgr, "for_koperasi"))]
    assert missing == []


def test_reverse_relations_name_the_cooperative():
    """``entry.lines`` reads one shard on Citus: the children are filtered by the parent's koperasi_id too."""
    from kopdes.ledger.models import JournalEntry

    sql = str(JournalEntry(pk=5, koperasi_id=7).lines.all().query)
    assert '"ledger_journalline"."entry_id" = 5' in sql and '"ledger_journalline"."koperasi_id" = 7' in sql


@pytest.mark.django_db
def test_prefetch_refresh_and_row_name_the_cooperative(koperasi):
    """Every way the ORM fetches a related or the same tenant row names koperasi_id (one shard on Citus): prefetch of
    a forward key, of a reverse key and of a reverse one-to-one; ``refresh_from_db``; ``objects.row(obj)``."""
    import datetime as dt
    from decimal import Decimal

    from kopdes.ledger.models import Account, JournalEntry, JournalLine
    from kopdes.ledger.services import Line, post, reverse

    entry = post(koperasi, date=dt.date(2026, 5, 1), memo="x",
                 lines=[Line("1101", debit=Decimal("5")), Line("4202", credit=Decimal("5"))])
    rev = reverse(entry, memo="salah")
    kid = f'"koperasi_id" = {koperasi.pk}'

    def selects(fn) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]

    # forward key: lines -> entry
    sqls = selects(lambda: [ln.entry.number for ln in JournalLine.objects.for_koperasi(koperasi)
                            .filter(entry=entry).prefetch_related("entry")])
    assert len(sqls) == 2 and all(kid in q for q in sqls), sqls
    # reverse key: entry -> lines
    sqls = selects(lambda: [len(e.lines.all()) for e in JournalEntry.objects.for_koperasi(koperasi)
                            .prefetch_related("lines")])
    assert len(sqls) == 2 and all(kid in q for q in sqls), sqls
    # reverse one-to-one, fetched and prefetched: entry -> reversed_by
    fresh = JournalEntry.objects.for_koperasi(koperasi).get(pk=entry.pk)
    sqls = selects(lambda: fresh.reversed_by)
    assert fresh.reversed_by == rev and len(sqls) == 1 and kid in sqls[0]
    sqls = selects(lambda: [getattr(e, "reversed_by", None) for e in JournalEntry.objects.for_koperasi(koperasi)
                            .prefetch_related("reversed_by")])
    assert len(sqls) == 2 and all(kid in q for q in sqls), sqls
    # the same row again
    sqls = selects(lambda: fresh.refresh_from_db())
    assert len(sqls) == 1 and kid in sqls[0]
    account = Account.objects.get(koperasi=koperasi, code="1101")
    with CaptureQueriesContext(connection) as ctx:
        assert Account.objects.row(account).update(name="Kas kantor") == 1
    assert kid in ctx.captured_queries[0]["sql"].split("WHERE", 1)[1]
    # a deferred koperasi_id still loads (refresh without the cooperative, no recursion)
    only = JournalEntry.objects.only("pk").get(koperasi=koperasi, pk=entry.pk)
    assert only.koperasi_id == koperasi.pk and only.memo == "x"


def test_filter_by_a_tenant_row_names_its_cooperative():
    """``filter(vehicle=v)`` and ``filter(vehicle__in=[v])`` also match v's koperasi_id (Citus: one shard); a bare
    id, or rows of several cooperatives, add nothing."""
    from kopdes.logistics.models import Trip, Vehicle

    v, w = Vehicle(pk=5, koperasi_id=7), Vehicle(pk=6, koperasi_id=8)
    kid = '"logistics_trip"."koperasi_id" = 7'
    assert kid in str(Trip.objects.filter(vehicle=v).query)
    assert kid in str(Trip.objects.filter(vehicle__in=[v]).query)
    assert "koperasi_id" not in str(Trip.objects.filter(vehicle=5).query).split("WHERE")[1]
    assert "koperasi_id" not in str(Trip.objects.filter(vehicle__in=[v, w]).query).split("WHERE")[1]
