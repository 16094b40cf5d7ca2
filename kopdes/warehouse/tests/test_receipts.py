"""A receipt's life keeps custody, receipt state and the ledger consistent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from kopdes.core.errors import DomainError
from kopdes.core.units import Unit
from kopdes.warehouse import services as s
from kopdes.warehouse.models import CustodyMove, Release, StoredLot, WarehouseReceipt
from kopdes.warehouse.queries import member_storage

D = Decimal


def _custody(lot):
    return CustodyMove.objects.filter(lot=lot).aggregate(s=Sum("kg"))["s"]


def _bal(k, code, **kw):
    from kopdes.ledger.queries import account_balance

    return account_balance(k, code, **kw)


@pytest.mark.django_db
def test_receipt_life_intake_fees_pledge_release(koperasi, wh, member_factory, make_user):
    m = member_factory(koperasi)
    user = make_user("operator", koperasi=koperasi, unit=Unit.PERGUDANGAN)
    lot = s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="5100", net_kg="5000",
                   moisture_pct="14", impurities_pct="1.5", date=dt.date(2026, 3, 1), member_id=m.pk, by=user)
    r = lot.receipt
    assert r.status == WarehouseReceipt.Status.VALID and r.number.startswith(f"RG-{koperasi.pk:04d}-2026-")
    assert lot.depositor_name == m.name and lot.tariff_rate == D("3")
    assert _custody(lot) == D("5000")

    # fees accrue: 3 Rp/kg/month, 31 days (1–31 March) on 5000 kg = 5000*3*31/30 = 15500
    assert lot.accrued_fee(dt.date(2026, 3, 31)) == D("15500.00")

    s.pledge(r, lender_kind="bank", lender_name="BRI Unit Mesuji", reference="PK-77", amount="20000000",
             date=dt.date(2026, 3, 10), by=user)
    r.refresh_from_db()
    assert r.status == WarehouseReceipt.Status.PLEDGED

    with pytest.raises(DomainError) as e:
        s.release(lot, kg="1000", date=dt.date(2026, 3, 31), by=user)
    assert e.value.code == "receipt_pledged" and "BRI Unit Mesuji" in e.value.message_id
    lot.refresh_from_db()
    assert lot.remaining_kg == D("5000") and Release.objects.count() == 0 and _custody(lot) == D("5000")
    assert _bal(koperasi, "4141", unit=Unit.PERGUDANGAN) == 0

    s.release_pledge(r, date=dt.date(2026, 3, 30), reference="ROYA-1", by=user)
    r.refresh_from_db()
    assert r.status == WarehouseReceipt.Status.VALID

    # partial release: fee on everything stored up to that day
    rel1 = s.release(lot, kg="2000", date=dt.date(2026, 3, 31), by=user)
    assert rel1.fee_days == 31 and rel1.fee_amount == D("15500.00") and rel1.journal_entry_id
    lot.refresh_from_db()
    assert lot.remaining_kg == D("3000") and lot.status == StoredLot.Status.STORED
    assert _custody(lot) == lot.remaining_kg
    r.refresh_from_db()
    assert r.status == WarehouseReceipt.Status.VALID

    # full release 30 days later on credit: 3000*3*30/30 = 9000
    rel2 = s.release(lot, kg="3000", date=dt.date(2026, 4, 30), payment="piutang", by=user)
    assert rel2.fee_amount == D("9000.00") and rel2.fee_days == 30
    lot.refresh_from_db()
    r.refresh_from_db()
    assert lot.remaining_kg == 0 and lot.status == StoredLot.Status.RELEASED and lot.closed_on == dt.date(2026, 4, 30)
    assert r.status == WarehouseReceipt.Status.RELEASED
    assert _custody(lot) == 0
    assert lot.fees_charged == D("24500.00")

    # ledger: member revenue with member_id, cash and receivable in the warehouse unit
    assert _bal(koperasi, "4141", unit=Unit.PERGUDANGAN) == D("24500.00")
    assert _bal(koperasi, "4141", member_id=m.pk) == D("24500.00")
    assert _bal(koperasi, "1107", unit=Unit.PERGUDANGAN) == D("15500.00")
    assert _bal(koperasi, "1143", unit=Unit.PERGUDANGAN) == D("9000.00")
    assert _bal(koperasi, "4142") == 0

    # nothing more to release
    with pytest.raises(DomainError) as e:
        s.release(lot, kg="1", date=dt.date(2026, 5, 1))
    assert e.value.code == "lot_released"

    ms = member_storage(koperasi, m.pk)
    assert len(ms) == 1 and ms[0]["receipt_status"] == "released" and ms[0]["fees_charged"] == D("24500.00")


@pytest.mark.django_db
def test_public_depositor_pays_public_rate_to_nonmember_income(koperasi, wh):
    lot = s.intake(koperasi, zone=wh["floor"], commodity="jagung", gross_kg="1000", net_kg="1000",
                   depositor_name="Pak Umum", date=dt.date(2026, 3, 1))
    assert lot.member_id is None and lot.tariff_rate == D("6")
    rel = s.release(lot, kg="1000", date=dt.date(2026, 3, 30))
    assert rel.fee_amount == D("6000.00")  # 1000*6*30/30
    assert _bal(koperasi, "4142", unit=Unit.PERGUDANGAN) == D("6000.00")
    assert _bal(koperasi, "4141") == 0


@pytest.mark.django_db
def test_intake_above_capacity_refused_nothing_written(koperasi, wh, member_factory):
    m = member_factory(koperasi)
    s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="8000", net_kg="8000", member_id=m.pk,
             date=dt.date(2026, 3, 1))
    with pytest.raises(DomainError) as e:
        s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="2500", net_kg="2500", member_id=m.pk,
                 date=dt.date(2026, 3, 2))
    assert e.value.code == "over_capacity" and e.value.field == "net_kg"
    assert "tersisa 2000" in e.value.message_id
    assert StoredLot.objects.filter(koperasi=koperasi).count() == 1
    assert WarehouseReceipt.objects.filter(koperasi=koperasi).count() == 1
    # exactly the free space fits
    s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="2000", net_kg="2000", member_id=m.pk,
             date=dt.date(2026, 3, 2))


@pytest.mark.django_db
def test_pallet_zone_capacity(koperasi, wh):
    z = s.create_zone(wh["facility"], code="R1", name="Rak 1", kind="rak", capacity="10", capacity_unit="pallet")
    with pytest.raises(DomainError) as e:
        s.intake(koperasi, zone=z, commodity="kopi", gross_kg="600", net_kg="600", depositor_name="X",
                 date=dt.date(2026, 3, 1))
    assert e.value.code == "pallets_required"
    s.intake(koperasi, zone=z, commodity="kopi", gross_kg="600", net_kg="600", pallets="8", depositor_name="X",
             date=dt.date(2026, 3, 1))
    with pytest.raises(DomainError) as e:
        s.intake(koperasi, zone=z, commodity="kopi", gross_kg="300", net_kg="300", pallets="3", depositor_name="Y",
                 date=dt.date(2026, 3, 1))
    assert e.value.code == "over_capacity"


@pytest.mark.django_db
def test_release_more_than_stored_refused(koperasi, wh):
    lot = s.intake(koperasi, zone=wh["floor"], commodity="kopi", gross_kg="510", net_kg="500",
                   depositor_name="Bu Sari", date=dt.date(2026, 3, 1))
    with pytest.raises(DomainError) as e:
        s.release(lot, kg="500.5", date=dt.date(2026, 3, 5))
    assert e.value.code == "over_release" and e.value.field == "kg" and "500" in e.value.message_id
    lot.refresh_from_db()
    assert lot.remaining_kg == D("500") and not Release.objects.exists()
    with pytest.raises(DomainError) as e:
        s.release(lot, kg="10", date=dt.date(2026, 2, 1))
    assert e.value.code == "invalid_date"


@pytest.mark.django_db
def test_bad_intake_input(koperasi, wh, other_koperasi):
    with pytest.raises(DomainError) as e:
        s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="100", net_kg="120",
                 depositor_name="A", date=dt.date(2026, 3, 1))
    assert e.value.code == "net_above_gross"
    with pytest.raises(DomainError) as e:
        s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="100", net_kg="100", date=dt.date(2026, 3, 1))
    assert e.value.field == "depositor_name"
    with pytest.raises(DomainError) as e:
        s.intake(other_koperasi, zone=wh["floor"], commodity="gabah", gross_kg="1", net_kg="1", depositor_name="A",
                 date=dt.date(2026, 3, 1))
    assert e.value.code == "unknown_zone"
    with pytest.raises(DomainError) as e:
        s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="1", net_kg="1", depositor_name="A",
                 date=dt.date(2025, 3, 1))
    assert e.value.code == "no_tariff"
    assert not StoredLot.objects.exists()


@pytest.mark.django_db
def test_intake_and_release_idempotent(koperasi, wh):
    kw = dict(zone=wh["floor"], commodity="kakao", gross_kg="300", net_kg="300", depositor_name="A",
              date=dt.date(2026, 3, 1), idempotency_key="k1")
    a = s.intake(koperasi, **kw)
    b = s.intake(koperasi, **kw)
    assert a.pk == b.pk and StoredLot.objects.count() == 1
    r1 = s.release(a, kg="100", date=dt.date(2026, 3, 2), idempotency_key="r1")
    r2 = s.release(a, kg="100", date=dt.date(2026, 3, 2), idempotency_key="r1")
    assert r1.pk == r2.pk
    a.refresh_from_db()
    assert a.remaining_kg == D("200")


@pytest.mark.django_db
def test_pledge_rules(koperasi, wh):
    lot = s.intake(koperasi, zone=wh["floor"], commodity="kopi", gross_kg="100", net_kg="100",
                   depositor_name="A", date=dt.date(2026, 3, 1))
    with pytest.raises(DomainError) as e:
        s.release_pledge(lot.receipt, date=dt.date(2026, 3, 2))
    assert e.value.code == "not_pledged"
    s.pledge(lot.receipt, lender_kind="usp", lender_name="USP KDMP", date=dt.date(2026, 3, 2))
    with pytest.raises(DomainError) as e:
        s.pledge(lot.receipt, lender_kind="bank", lender_name="BNI", date=dt.date(2026, 3, 2))
    assert e.value.code == "already_pledged"
