"""Demo: the standard KDMP fleet (Inpres 17/2025: a truck, a 4×4 pickup and two three-wheelers) with documents,
drivers, a maintenance schedule and a month of deliveries (supplier → gudang, gudang → gerai, to members and to a
rice mill) with proof of delivery, trip costs and fees posted to the logistics unit. Idempotent: does nothing if
the cooperative already has vehicles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.db import transaction
from django.utils import timezone

from kopdes.core import audit

from . import services
from .models import Vehicle

SIGNATURE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
             "RU5ErkJggg==")
DUSUN = ["Dusun I Sidomulyo", "Dusun II Sukamaju", "Dusun III Tanjung Sari", "Dusun IV Karang Anyar"]
FUEL_PRICE = {"truk": D("6800"), "pickup_4x4": D("6800"), "roda_tiga": D("10000")}  # solar / pertalite per litre
KM_PER_L = {"truk": 6, "pickup_4x4": 9, "roda_tiga": 25}


def build(ctx) -> None:
    k = ctx.koperasi
    if Vehicle.objects.filter(koperasi=k).exists():
        return
    from kopdes.members.models import Member

    members = list(Member.objects.filter(koperasi=k, status__in=Member.CURRENT_STATUSES).order_by("seq")[:40])
    rng = ctx.rng
    today = ctx.today
    user = ctx.users.get("logistik")
    with transaction.atomic(), audit.bulk_mode():
        truck = services.create_vehicle(k, code="TRK-01", kind="truk", plate="BG 8271 OK", brand="Mitsubishi Canter",
                                        year=2025, capacity_kg="4000", capacity_m3="14", odometer_km=3200)
        pickup = services.create_vehicle(k, code="PU-01", kind="pickup_4x4", plate="BG 8272 OK",
                                         brand="Toyota Hilux 4×4", year=2025, capacity_kg="1000", odometer_km=2100,
                                         requires_insurance=True)
        r3a = services.create_vehicle(k, code="R3-01", kind="roda_tiga", plate="BG 5531 OK", brand="Viar Karya",
                                      year=2025, capacity_kg="500", odometer_km=900)
        r3b = services.create_vehicle(k, code="R3-02", kind="roda_tiga", plate="BG 5532 OK", brand="Viar Karya",
                                      year=2025, capacity_kg="500", odometer_km=750)
        fleet = [truck, pickup, r3a, r3b]
        for v in fleet:
            services.add_document(v, kind="stnk", number=f"STNK-{v.code}", issued_on=dt.date(2025, 8, 1),
                                  valid_until=dt.date(2030, 8, 1))
            services.add_document(v, kind="pajak", number=f"PKB-{v.code}", valid_until=today + dt.timedelta(days=250))
            kir_until = today + dt.timedelta(days=12) if v is r3b else today + dt.timedelta(days=150)
            services.add_document(v, kind="kir", number=f"KIR-{v.code}", issued_on=today - dt.timedelta(days=40),
                                  valid_until=kir_until)
        services.add_document(pickup, kind="asuransi", number="POL-77120", valid_until=today + dt.timedelta(days=200))
        drivers = [services.create_driver(k, name=n, phone=p, license_class=c, license_number=f"SIM-{i:04d}",
                                          license_valid_until=today + dt.timedelta(days=400 + 100 * i))
                   for i, (n, p, c) in enumerate([("Joko Prasetyo", "081273000031", "B1"),
                                                  ("Rahmat Hidayat", "081273000032", "A"),
                                                  ("Slamet Riyadi", "081273000033", "C"),
                                                  ("Edi Santoso", "081273000034", "C")])]
        services.set_tariff(k, base_fee="10000", per_km="3000", per_kg="150", member_discount_pct="10",
                            effective_from=today - dt.timedelta(days=60), note="Keputusan pengurus No. 04/2025")
        for v in fleet:
            services.add_maintenance_plan(v, task="Ganti oli mesin", interval_km=5000 if v.kind != "roda_tiga" else 2000,
                                          last_done_km=max(0, v.odometer_km - 1500))
            services.add_maintenance_plan(v, task="Servis berkala", interval_days=90,
                                          last_done_on=today - dt.timedelta(days=70))
        start = today - dt.timedelta(days=30)
        stock = _own_stock(k, start - dt.timedelta(days=1), user)
        delivered = failed = 0
        day = start
        n = 0
        while day < today:
            if day.weekday() != 6:
                for vi, v in enumerate(fleet):
                    if rng.random() < 0.35:
                        continue
                    v.refresh_from_db()
                    orders = []
                    for _j in range(1 if v.kind == "truk" else rng.randint(1, 3)):
                        n += 1
                        orders.append(_order(k, v, day, n, rng, members, stock))
                    trip = services.start_trip(k, vehicle=v, driver=drivers[vi], date=day, deliveries=orders)
                    km = rng.randint(15, 60) if v.kind == "truk" else rng.randint(6, 25)
                    for o in orders:
                        services.set_status(o, "loaded", on=day)
                        services.set_status(o, "on_the_way", on=day)
                        at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + rng.randint(0, 6), 0)))
                        if n % 23 == 0:
                            services.fail_delivery(o, reason="Penerima tidak di tempat; dijadwalkan ulang", by=user)
                            failed += 1
                        else:
                            services.confirm_delivery(o, recipient_name=o.customer_name or "Kepala gerai", at=at,
                                                      signature=SIGNATURE, by=user)
                            delivered += 1
                    litres = (D(km) / KM_PER_L[v.kind]).quantize(D("0.1"))
                    services.add_trip_cost(trip, kind="bbm", amount=(litres * FUEL_PRICE[v.kind]).quantize(D("1")),
                                           liters=litres, by=user)
                    if v.kind == "truk":
                        services.add_trip_cost(trip, kind="uang_jalan", amount="50000", by=user)
                        services.add_trip_cost(trip, kind="bongkar_muat", amount="40000", by=user)
                    services.close_trip(trip, odometer_end=trip.odometer_start + km)
            day += dt.timedelta(days=1)
        truck.refresh_from_db()
        services.record_maintenance(truck, date=today - dt.timedelta(days=8), odometer_km=truck.odometer_km,
                                    description="Servis berkala + ganti filter solar", workshop="Bengkel Mesuji Jaya",
                                    cost="850000", plan=truck.maintenance_plans.get(task="Servis berkala"), by=user)
        for i in range(2):  # planned for tomorrow
            n += 1
            services.create_delivery(k, kind="ke_anggota", date=today + dt.timedelta(days=1), origin="Gerai KDMP",
                                     destination=DUSUN[i], items=[{"description": "Paket sembako", "qty": 20,
                                                                   "uom": "paket", "weight_kg": "200"}],
                                     member_id=members[i].pk if members else None,
                                     customer_name="" if members else "Warga", fee_basis="distance",
                                     distance_km=str(3 + i), by=user)
        audit.record("demo", koperasi_id=k.pk, summary=f"Demo logistik: {delivered} terkirim, {failed} gagal")
    ctx.say(f"logistik: armada standar 4 kendaraan, {delivered} pengiriman terkirim dan {failed} gagal dalam sebulan")


def _own_stock(k, day, user):
    """The cooperative's own rice and LPG in the warehouse's stock location (retail engine), bought from Bulog and
    the LPG agent, so the warehouse → kiosk deliveries move real stock. ``None`` without the kiosk's demo."""
    try:
        from kopdes.core.units import Unit
        from kopdes.retail.models import Product, Supplier
        from kopdes.retail.services import default_location, receive_goods
    except ImportError:  # pragma: no cover
        return None
    products = {p.code: p for p in Product.objects.filter(koperasi=k, code__in=["BRSSPHP", "LPG3"])}
    bulog = Supplier.objects.filter(koperasi=k, kind="bulog").first()
    lpg_agent = Supplier.objects.filter(koperasi=k, kind="lpg").first()
    if len(products) < 2 or bulog is None or lpg_agent is None:
        return None
    gudang, gerai = default_location(k, Unit.PERGUDANGAN), default_location(k, Unit.SEMBAKO)
    receive_goods(k, supplier=bulog, location=gudang, date=day, supplier_ref="DO-BULOG-SPHP-01", by=user,
                  lines=[{"product_id": products["BRSSPHP"].pk, "qty": "4000", "unit_cost": "11300"}])
    receive_goods(k, supplier=lpg_agent, location=gudang, date=day, supplier_ref="SA-LPG-01", by=user,
                  lines=[{"product_id": products["LPG3"].pk, "qty": "400", "unit_cost": "16000"}])
    return {"gudang": gudang, "gerai": gerai, "sphp": products["BRSSPHP"], "lpg": products["LPG3"]}


def _order(k, v, day, n, rng, members, stock=None):
    kind = v.kind
    if kind == "truk":
        choice = n % 3
        if choice == 0:
            return services.create_delivery(
                k, kind="pemasok_gudang", date=day, origin="Gudang Lini III Pupuk Indonesia, Kayuagung",
                destination="Gudang KDMP Surya Adi", vehicle=v,
                items=[{"description": "Urea bersubsidi 50 kg", "qty": 40, "uom": "karung", "weight_kg": "2000"},
                       {"description": "NPK Phonska 50 kg", "qty": 30, "uom": "karung", "weight_kg": "1500"}])
        if choice == 1:
            w = rng.randrange(2000, 3800, 100)
            return services.create_delivery(
                k, kind="ke_pembeli", date=day, origin="Gudang KDMP Surya Adi", destination="PB Sumber Rejeki, Mesuji",
                customer_name="PB Sumber Rejeki (penggilingan)", vehicle=v, fee_basis="weight", payment="piutang",
                items=[{"description": "Gabah kering giling anggota", "qty": w // 50, "uom": "karung",
                        "weight_kg": str(w)}])
        if stock is not None:  # the cooperative's own stock: moves gudang → gerai when the kiosk signs
            return services.create_delivery(
                k, kind="gudang_gerai", date=day, origin="Gudang KDMP Surya Adi",
                destination="Gerai KDMP Surya Adi", vehicle=v, from_location=stock["gudang"],
                to_location=stock["gerai"],
                items=[{"product_id": stock["sphp"].pk, "qty": "500", "weight_kg": "500"},
                       {"product_id": stock["lpg"].pk, "qty": "50", "weight_kg": "400"}])
        return services.create_delivery(
            k, kind="gudang_gerai", date=day, origin="Gudang KDMP Surya Adi", destination="Gerai KDMP Surya Adi",
            vehicle=v, items=[{"description": "Beras SPHP 5 kg", "qty": 200, "uom": "sak", "weight_kg": "1000"},
                              {"description": "LPG 3 kg (isi)", "qty": 100, "uom": "tabung", "weight_kg": "800"}])
    m = members[n % len(members)] if members else None
    cap = int(v.capacity_kg)
    w = rng.randrange(40, max(60, cap // 3), 10)
    return services.create_delivery(
        k, kind="ke_anggota", date=day, origin="Gerai KDMP Surya Adi", destination=rng.choice(DUSUN),
        member_id=m.pk if m else None, customer_name="" if m else "Warga", vehicle=v, fee_basis="distance",
        distance_km=str(rng.randint(2, 9)),
        items=[{"description": "Sembako pesanan (beras, minyak, gula)", "qty": 1, "uom": "paket", "weight_kg": str(w)}])
