"""Demo: the standard KDMP warehouse (20×30 m) of Surya Adi with a cold room; a season of members' harvest stored
and released (fees charged, two receipts pledged), a week of cold-room temperatures with one excursion.
Idempotent: does nothing if the cooperative already has a warehouse facility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.db import transaction
from django.utils import timezone

from kopdes.core import audit
from kopdes.core.units import Unit

from . import services
from .models import Facility, StoredLot

HARVEST = [  # commodity, zone code, kg range, moisture range, grade
    ("gabah", "A", (1500, 6000), (13.5, 15.0), "GKG"),
    ("gabah", "A", (1000, 4000), (14.0, 16.5), "GKP"),
    ("jagung", "A", (1000, 3500), (14.0, 17.0), "Mutu II"),
    ("kopi", "B", (300, 900), (11.0, 12.5), "Grade 3"),
    ("kakao", "B", (200, 600), (7.0, 8.0), "Mutu II"),
]


def build(ctx) -> None:
    k = ctx.koperasi
    if Facility.objects.filter(koperasi=k).exists():
        return
    from kopdes.members.models import Member

    members = list(Member.objects.filter(koperasi=k, status__in=Member.CURRENT_STATUSES).order_by("seq")[:60])
    if not members:
        return
    rng = ctx.rng
    today = ctx.today
    user = ctx.users.get("gudang")
    with transaction.atomic(), audit.bulk_mode():
        f = services.create_facility(k, code="GDG", name="Gudang KDMP Surya Adi",
                                     address="Jl. Poros Desa Surya Adi (bangunan standar 20×30 m)")
        floor = services.create_zone(f, code="A", name="Lantai A — gabah & jagung", capacity=D("150000"))
        rack = services.create_zone(f, code="B", name="Rak B — kopi & kakao", kind="rak", capacity=D("60"),
                                    capacity_unit="pallet")
        cold = services.create_zone(f, code="CS1", name="Cold room ikan & sayur", kind="cold_room",
                                    capacity=D("5000"), temp_min=D("0"), temp_max=D("4"))
        try:
            from kopdes.retail.services import default_location

            Facility.objects.row(f).update(stock_location_id=default_location(k, Unit.PERGUDANGAN).pk)
        except ImportError:  # pragma: no cover
            pass
        start = today - dt.timedelta(days=180)
        services.set_tariff(k, member_rate=D("30"), public_rate=D("50"), period="month", effective_from=start,
                            note="Keputusan pengurus No. 03/KDMP-SA/2025")
        services.set_tariff(k, member_rate=D("100"), public_rate=D("150"), period="day", cold=True,
                            effective_from=start, note="Keputusan pengurus No. 03/KDMP-SA/2025")
        zones = {"A": floor, "B": rack}
        lots = []
        for i in range(48):
            commodity, zcode, (lo, hi), (mlo, mhi), grade = HARVEST[i % len(HARVEST)]
            day = start + dt.timedelta(days=int(i * 2.5) + rng.randint(0, 2))
            public = i % 9 == 4
            net = D(rng.randrange(lo, hi, 50))
            m = members[i % len(members)]
            lot = services.intake(
                k, zone=zones[zcode], commodity=commodity, gross_kg=net + D(rng.randint(10, 60)), net_kg=net,
                date=day, member_id=None if public else m.pk,
                depositor_name=rng.choice(["H. Rusdi", "Pak Wartono", "Ibu Lasmini"]) if public else "",
                grade=grade, moisture_pct=D(str(round(rng.uniform(mlo, mhi), 1))),
                impurities_pct=D(str(round(rng.uniform(0.5, 3.0), 1))), bags=int(net / 50),
                pallets=D(max(1, int(net / 250))) if zcode == "B" else None, by=user,
            )
            lots.append(lot)
        # two receipts pledged: one to the loan unit (released by the lender, then collected), one to the bank
        s1, s2 = lots[3], lots[10]
        services.pledge(s1.receipt, lender_kind="usp", lender_name="Unit Simpan Pinjam KDMP Surya Adi",
                        reference="PJ-RESI-001", amount=D("8000000"), date=s1.intake_date + dt.timedelta(days=3),
                        by=user)
        services.release_pledge(s1.receipt, date=s1.intake_date + dt.timedelta(days=60), reference="LUNAS-001",
                                by=user)
        services.pledge(s2.receipt, lender_kind="bank", lender_name="BRI Unit Mesuji", reference="KUR-RG-2025-17",
                        amount=D("15000000"), date=s2.intake_date + dt.timedelta(days=5), by=user)
        released = 0
        for i, lot in enumerate(lots):
            if lot.pk == s2.pk:
                continue
            first = lot.intake_date + dt.timedelta(days=rng.randint(30, 120))
            if lot.pk == s1.pk:
                first = lot.intake_date + dt.timedelta(days=61)
            if first >= today or i % 6 == 5:
                continue
            lot.refresh_from_db()
            if i % 3 == 0:  # partial release, the rest later (or still stored)
                part = (lot.remaining_kg / 2).quantize(D("1"))
                services.release(lot, kg=part, date=first, collected_by=lot.depositor_name, by=user)
                second = first + dt.timedelta(days=rng.randint(20, 60))
                if second < today:
                    lot.refresh_from_db()
                    services.release(lot, kg=lot.remaining_kg, date=second, payment="piutang" if i % 4 == 0
                                     else "tunai", by=user)
            else:
                services.release(lot, kg=lot.remaining_kg, date=first, collected_by=lot.depositor_name, by=user)
            released += 1
        # cold room: catch and vegetables of the last two weeks
        cold_lots = []
        for j in range(8):
            day = today - dt.timedelta(days=14 - j * 2)
            m = members[(j * 7) % len(members)]
            com = "ikan" if j % 2 == 0 else "sayuran"
            net = D(rng.randrange(100, 400, 10))
            lot = services.intake(k, zone=cold, commodity=com, gross_kg=net + 5, net_kg=net, date=day,
                                  member_id=m.pk, grade="Segar", by=user)
            cold_lots.append(lot)
        for lot in cold_lots[:3]:
            services.release(lot, kg=lot.net_kg, date=lot.intake_date + dt.timedelta(days=4), by=user)
        device, token = services.register_device(cold, name="Sensor CS1 (LoRa)", serial="TS-0091")
        now = timezone.now().replace(second=0, microsecond=0)
        t0 = now - dt.timedelta(days=7)
        exc_start = now - dt.timedelta(days=3, hours=5)
        readings = []
        t = t0
        while t <= now:
            base = 2.2 + 0.8 * rng.random()
            if exc_start <= t < exc_start + dt.timedelta(hours=2, minutes=15):  # compressor fault
                minutes = (t - exc_start).total_seconds() / 60
                base = 4.6 + min(4.0, minutes / 25)
            readings.append({"at": t.isoformat(), "celsius": f"{base:.2f}"})
            t += dt.timedelta(minutes=15)
        for i in range(0, len(readings), 500):
            services.record_readings(k, device, readings[i:i + 500], now=now)
        for e in cold.excursions.all():
            services.acknowledge_excursion(e, note="Kompresor macet; teknisi mengganti kapasitor, ikan diperiksa "
                                                   "mutu, pemilik lot diberi tahu.", by=user)
        audit.record("demo", koperasi_id=k.pk, summary=f"Demo gudang: {len(lots) + len(cold_lots)} lot, "
                     f"{released} dikeluarkan, {len(readings)} data suhu")
    stored = StoredLot.objects.filter(koperasi=k, status=StoredLot.Status.STORED).count()
    ctx.say(f"gudang: {len(lots) + len(cold_lots)} lot titipan ({stored} masih tersimpan), 2 resi dijaminkan, "
            f"{len(readings)} data suhu dengan 1 penyimpangan; token sensor demo: {token}")
