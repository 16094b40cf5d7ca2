"""Fleet documents, delivery orders with proof and fees, trip costs, maintenance — and the unit's P&L."""

import datetime as dt
from decimal import Decimal

import pytest

from kopdes.core.errors import DomainError
from kopdes.core.units import Unit
from kopdes.logistics import services as s
from kopdes.logistics.models import DeliveryOrder, Trip
from kopdes.logistics.queries import (
    document_alerts,
    maintenance_due,
    trip_metrics,
    unit_pnl,
    vehicle_utilisation,
)

D = Decimal
DAY = dt.date(2026, 3, 10)
SIG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


@pytest.fixture
def member(koperasi):
    from kopdes.core.identity import make_nik
    from kopdes.members.services import register_member

    bd = dt.date(1979, 5, 5)
    return register_member(koperasi, nik=make_nik("16.02.04", bd, "L", 7), name="Darmo", birth_date=bd, sex="L",
                           registered_on=dt.date(2026, 1, 2))


@pytest.fixture
def fleet(koperasi, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    truck = s.create_vehicle(koperasi, code="TRK1", kind="truk", plate="bg 8123 ab", capacity_kg="4000",
                             odometer_km=1000)
    s.add_document(truck, kind="stnk", valid_until=dt.date(2027, 1, 1))
    s.add_document(truck, kind="kir", valid_until=dt.date(2026, 6, 30))
    driver = s.create_driver(koperasi, name="Joko", license_class="B1", license_valid_until=dt.date(2028, 1, 1))
    s.set_tariff(koperasi, base_fee="10000", per_km="2500", per_kg="100", member_discount_pct="10",
                 effective_from=dt.date(2026, 1, 1))
    return {"truck": truck, "driver": driver}


def _items(w="500"):
    return [{"description": "Beras medium", "qty": "10", "uom": "karung", "weight_kg": w}]


@pytest.mark.django_db
def test_delivery_proof_and_costs_in_logistics_pnl(koperasi, fleet, member):
    truck, driver = fleet["truck"], fleet["driver"]
    assert truck.plate == "BG 8123 AB"
    do = s.create_delivery(koperasi, kind="ke_anggota", date=DAY, origin="Gudang KDMP", destination="Dusun II",
                           items=_items("800"), member_id=member.pk, fee_basis="distance", distance_km="12")
    # (10000 + 2500*12) * 90% = 36000
    assert do.fee_amount == D("36000.00") and do.customer_name == "Darmo"
    do2 = s.create_delivery(koperasi, kind="ke_pembeli", date=DAY, origin="Gudang", destination="PT Beras Jaya",
                            items=_items("1500"), customer_name="PT Beras Jaya", fee_basis="weight", payment="piutang")
    assert do2.fee_amount == D("160000.00")  # 10000 + 100*1500
    trip = s.start_trip(koperasi, vehicle=truck, driver=driver, date=DAY, deliveries=[do, do2])
    assert trip.odometer_start == 1000
    for o in (do, do2):
        s.set_status(o, "loaded", on=DAY)
        s.set_status(o, "on_the_way", on=DAY)
    s.add_trip_cost(trip, kind="bbm", amount="150000", liters="22.5")
    s.add_trip_cost(trip, kind="uang_jalan", amount="50000")

    with pytest.raises(DomainError) as e:
        s.confirm_delivery(do, recipient_name="Darmo")
    assert e.value.code == "proof_required"
    with pytest.raises(DomainError) as e:
        s.confirm_delivery(do, recipient_name="", signature=SIG)
    assert e.value.field == "recipient_name"
    do = s.confirm_delivery(do, recipient_name="Darmo", signature=SIG,
                            at=dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
    assert do.status == DeliveryOrder.Status.DELIVERED and do.proofs.get().kind == "ttd" and do.journal_entry_id
    s.fail_delivery(do2, reason="Gudang pembeli tutup")
    s.close_trip(trip, odometer_end=1080)
    truck.refresh_from_db()
    assert truck.odometer_km == 1080

    m = trip_metrics(Trip.objects.get(pk=trip.pk))
    assert m["km"] == 80 and m["cost"] == D("200000") and m["cost_per_km"] == D("2500.00")
    assert m["weight_kg"] == D("800") and m["cost_per_tonne"] == D("250000.00")
    assert m["revenue"] == D("36000")

    pnl = unit_pnl(koperasi)
    by_code = {r["code"]: r["amount"] for r in pnl["rows"]}
    assert by_code == {"4151": D("36000.00"), "6104": D("50000.00"), "6108": D("150000.00")}
    assert pnl["result"] == D("-164000.00")

    from kopdes.ledger.queries import account_balance

    assert account_balance(koperasi, "4151", member_id=member.pk) == D("36000.00")
    assert account_balance(koperasi, "1108", unit=Unit.LOGISTIK) == D("-164000.00")
    assert account_balance(koperasi, "4152") == 0  # the failed delivery earned nothing

    u = {r["vehicle"].code: r for r in vehicle_utilisation(koperasi, dt.date(2026, 3, 1), dt.date(2026, 3, 31))}
    assert u["TRK1"]["days_used"] == 1 and u["TRK1"]["km"] == 80


@pytest.mark.django_db
def test_delivery_on_vehicle_with_expired_documents_refused(koperasi, fleet):
    truck = fleet["truck"]
    later = dt.date(2026, 7, 1)  # KIR expired 30-06-2026
    with pytest.raises(DomainError) as e:
        s.create_delivery(koperasi, kind="gudang_gerai", date=later, origin="Gudang", destination="Gerai",
                          items=_items(), vehicle=truck)
    assert e.value.code == "vehicle_documents_expired" and "Uji KIR habis berlaku 30-06-2026" in e.value.message_id
    assert not DeliveryOrder.objects.exists()
    do = s.create_delivery(koperasi, kind="gudang_gerai", date=later, origin="Gudang", destination="Gerai",
                           items=_items())
    with pytest.raises(DomainError) as e:
        s.assign(do, vehicle=truck)
    assert e.value.code == "vehicle_documents_expired"
    with pytest.raises(DomainError):
        s.start_trip(koperasi, vehicle=truck, driver=fleet["driver"], date=later)
    assert not Trip.objects.exists()
    s.add_document(truck, kind="kir", valid_until=dt.date(2026, 12, 31))
    s.assign(do, vehicle=truck)
    # no STNK at all: refused too
    pick = s.create_vehicle(koperasi, code="PU1", kind="pickup_4x4", plate="BG 1 X", capacity_kg="1000")
    with pytest.raises(DomainError) as e:
        s.assign(do, vehicle=pick)
    assert "STNK belum dicatat" in e.value.message_id


@pytest.mark.django_db
def test_document_alerts_and_maintenance(koperasi, fleet):
    truck = fleet["truck"]
    alerts = document_alerts(koperasi, dt.date(2026, 6, 15))
    assert [(a["document"].kind, a["days_left"]) for a in alerts] == [("kir", 15)]
    assert document_alerts(koperasi, dt.date(2026, 7, 2))[0]["expired"]
    plan = s.add_maintenance_plan(truck, task="Ganti oli", interval_km=5000, last_done_km=0)
    assert plan.due_state(DAY) == "ok"
    truck.odometer_km = 4700
    truck.save()
    assert [r["state"] for r in maintenance_due(koperasi, DAY)] == ["soon"]
    rec = s.record_maintenance(truck, date=DAY, odometer_km=4800, description="Ganti oli mesin", cost="450000",
                               plan=plan)
    assert rec.journal_entry_id
    assert maintenance_due(koperasi, DAY) == []
    from kopdes.ledger.queries import account_balance

    assert account_balance(koperasi, "6109", unit=Unit.LOGISTIK) == D("450000.00")


@pytest.mark.django_db
def test_status_flow_and_bad_input(koperasi, fleet):
    do = s.create_delivery(koperasi, kind="pemasok_gudang", date=DAY, origin="Pupuk Indonesia", destination="Gudang",
                           items=_items())
    with pytest.raises(DomainError) as e:
        s.set_status(do, "loaded", on=DAY)
    assert e.value.code == "vehicle_required"
    with pytest.raises(DomainError) as e:
        s.confirm_delivery(do, recipient_name="x", signature=SIG)
    assert e.value.code == "invalid_transition"
    with pytest.raises(DomainError) as e:
        s.create_delivery(koperasi, kind="lain", date=DAY, origin="a", destination="b", items=_items("5000"),
                          vehicle=fleet["truck"])
    assert e.value.code == "over_capacity"
    with pytest.raises(DomainError) as e:
        s.create_delivery(koperasi, kind="lain", date=DAY, origin="a", destination="b", items=[])
    assert e.value.field == "items"
    with pytest.raises(DomainError) as e:
        s.create_vehicle(koperasi, code="X", kind="truk", plate="BG 8123 AB", capacity_kg="1")
    assert e.value.code == "duplicate_plate"
    trip = s.start_trip(koperasi, vehicle=fleet["truck"], driver=fleet["driver"], date=DAY)
    with pytest.raises(DomainError) as e:
        s.close_trip(trip, odometer_end=900)
    assert e.value.code == "odometer_back"
    with pytest.raises(DomainError) as e:
        s.start_trip(koperasi, vehicle=fleet["truck"], driver=fleet["driver"], date=DAY)
    assert e.value.code == "vehicle_busy"


@pytest.mark.django_db
def test_delivery_idempotent_and_expired_licence(koperasi, fleet):
    kw = dict(kind="lain", date=DAY, origin="a", destination="b", items=_items(), idempotency_key="do-1")
    a = s.create_delivery(koperasi, **kw)
    b = s.create_delivery(koperasi, **kw)
    assert a.pk == b.pk and DeliveryOrder.objects.count() == 1
    old = s.create_driver(koperasi, name="Lama", license_valid_until=dt.date(2025, 1, 1))
    with pytest.raises(DomainError) as e:
        s.start_trip(koperasi, vehicle=fleet["truck"], driver=old, date=DAY)
    assert e.value.code == "driver_license_expired"
    assert not Trip.objects.exists()
