"""Demo apotek: ~150 drugs with batches (some near expiry, one expired), pack conversions, a few weeks of
over-the-counter sales. Runs after retail; idempotent (skips when the cooperative already has drugs)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from kopdes.core import audit

from . import services
from .demo_data import DRUGS
from .models import Drug


def build(ctx) -> None:
    k = ctx.koperasi
    if Drug.objects.filter(koperasi=k).exists():
        ctx.say("apotek: sudah ada, dilewati")
        return
    rng, today = ctx.rng, ctx.today
    apoteker = ctx.users.get("apoteker")
    with audit.bulk_mode():
        s = services.settings_for(k)
        s.pharmacist_name = "Nur Hidayah, A.Md.Farm."
        s.license_number = "SIPTTK 503/012/DINKES/2025"
        s.save()
        drugs = []
        n = 0
        for generic, strengths, form, cls, uom, price in DRUGS:
            for strength in strengths:
                n += 1
                public = Decimal(price)
                member = (public * Decimal("0.9")).quantize(Decimal("1"))
                het = (public * Decimal("1.2")).quantize(Decimal("1")) if n % 4 == 0 else None
                d = services.save_drug(k, {
                    "code": f"OB{n:03d}", "generic_name": generic, "strength": "" if strength == "-" else strength,
                    "form": form, "drug_class": cls, "base_uom": uom, "member_price": member, "public_price": public,
                    "het_price": het, "het_reference": "e-Katalog LKPP (contoh)" if het else "",
                    "min_stock": Decimal(20), "active": True})
                if uom in ("tablet", "kapsul", "kaplet"):
                    services.add_pack(d, name="strip", factor=10)
                    services.add_pack(d, name="box", factor=100)
                drugs.append(d)
        # stock: two batches per drug received 90 days ago; some near expiry; one expired batch (received long ago)
        received = today - dt.timedelta(days=90)
        lines = []
        for i, d in enumerate(drugs):
            cost = (d.public_price * Decimal("0.7")).quantize(Decimal("1"))
            qty = 1000 if d.base_uom in ("tablet", "kapsul", "kaplet") else 60
            first_days = rng.choice([25, 45, 70]) if i % 12 == 0 else rng.randint(200, 500)
            lines.append({"drug": d, "qty": qty // 2, "unit_cost": cost, "lot_number": f"B{d.code[2:]}A{rng.randint(10, 99)}",
                          "expiry_date": today + dt.timedelta(days=first_days)})
            lines.append({"drug": d, "qty": qty, "unit_cost": cost, "lot_number": f"B{d.code[2:]}B{rng.randint(10, 99)}",
                          "expiry_date": today + dt.timedelta(days=rng.randint(540, 900))})
        services.receive_stock(k, lines=lines, date=received, supplier_ref="FKT/PBF/0001", by=apoteker)
        old = drugs[2]  # one expired batch, received long ago (at the founding at the earliest)
        services.receive_stock(k, lines=[{"drug": old, "qty": 40, "unit_cost": old.public_price * Decimal("0.7"),
                                          "lot_number": "BEXP2024", "expiry_date": today - dt.timedelta(days=12)}],
                               date=max(today - dt.timedelta(days=540), k.founded_on or dt.date.min),
                               supplier_ref="FKT/PBF/OLD", by=apoteker)  # not before the books opened
        # over-the-counter sales of obat bebas/bebas terbatas over the last three weeks
        otc = [d for d in drugs if d.drug_class in ("bebas", "bebas_terbatas")]
        if apoteker is not None:
            for day in range(21, 0, -1):
                date = today - dt.timedelta(days=day)
                for _j in range(rng.randint(2, 5)):
                    picks = rng.sample(otc, rng.randint(1, 3))
                    lines = []
                    for d in picks:
                        if d.base_uom in ("tablet", "kapsul", "kaplet") and rng.random() < 0.4:
                            lines.append({"drug": d, "qty": rng.choice([1, 2]), "uom": "strip"})  # per strip
                        else:
                            lines.append({"drug": d, "qty": rng.choice([1, 2, 4, 10]) if d.base_uom == "tablet"
                                          else 1})
                    services.dispense(k, client_id=uuid.uuid4().hex, by=apoteker, date=date, lines=lines,
                                      patient_name=rng.choice(["", "Bu Sri", "Pak Slamet", "Mbak Tini", "Pak Wayan"]))
    audit.record("demo", koperasi_id=k.pk, summary=f"Demo apotek: {len(drugs)} obat, stok per batch, penjualan")
    ctx.say(f"apotek: {len(drugs)} obat dengan batch (beberapa hampir kedaluwarsa, satu kedaluwarsa)")
