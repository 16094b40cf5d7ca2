"""Apotek & klinik benchmark: prints figures, asserts nothing.

- FEFO picking and stock valuation for 2,000 drugs × 5 batches (10,000 lots; one expired batch per drug that
  must never be picked): single FEFO issues through the retail engine, full dispensings through the POS
  (stock + posting), valuation from the move ledger, per-product valuation, stock & expiry report, near-expiry;
- patient search over 50,000 patients: name prefix, name word, MRN, NIK, BPJS, phone.

On SQLite (temporary file) and PostgreSQL (throwaway cluster via ``scripts/pgtemp.py`` when available).

    python bench/pharmacy_bench.py            # both databases
    python bench/pharmacy_bench.py --child    # current DATABASE_URL only
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_DRUGS = int(os.environ.get("PHARMACY_BENCH_DRUGS", "2000"))
N_LOTS = 5
N_PATIENTS = int(os.environ.get("PHARMACY_BENCH_PATIENTS", "50000"))


def _step(label: str, fn):
    t0 = time.perf_counter()
    result = fn()
    print(f"  {label:<62} {time.perf_counter() - t0:8.2f} s", flush=True)
    return result


def _timed(label: str, fn, runs: int = 20):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    print(f"    {label:<44} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms", flush=True)
    return out


def child() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    import django

    django.setup()
    import datetime as dt
    import random
    import uuid
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from kopdes.clinic.models import Patient
    from kopdes.clinic.services import search_patients
    from kopdes.core.audit import bulk_mode
    from kopdes.core.identity import make_nik
    from kopdes.core.models import Role
    from kopdes.core.regions import load_regions, regions_loaded
    from kopdes.core.services import create_koperasi, create_user_with_role
    from kopdes.core.units import Unit
    from kopdes.pharmacy import queries, services
    from kopdes.pharmacy.models import Drug
    from kopdes.retail import stock
    from kopdes.retail.models import Lot, Product, StockMove, StockQuant

    print(f"-- {connection.vendor}", flush=True)
    call_command("migrate", verbosity=0)
    if not regions_loaded():
        load_regions()
    k = create_koperasi("16.02.04.2006", slug=f"bench-{os.getpid()}")
    user, _ra = create_user_with_role(role=Role.OPERATOR, koperasi=k, unit=Unit.APOTEK, username=f"apt{os.getpid()}",
                                      password="x-123456", full_name="Apoteker")
    today = timezone.localdate()
    rng = random.Random(7)
    loc = services.location(k)

    def setup():
        with bulk_mode():
            products = [Product(koperasi=k, unit=Unit.APOTEK, code=f"OBT-{i:05d}", name=f"Obat {i} 500 mg Tablet",
                                base_uom="tablet", member_price=Decimal(900), public_price=Decimal(1000),
                                inventory_account="1152", track_lots=True, requires_expiry=True,
                                stock_qty=Decimal(N_LOTS * 100), stock_value=Decimal(N_LOTS * 100 * 500))
                        for i in range(N_DRUGS)]
            Product.objects.bulk_create(products, batch_size=1000)
            products = list(Product.objects.filter(koperasi=k).order_by("pk"))
            Drug.objects.bulk_create([Drug(koperasi=k, product_id=p.pk, code=f"D{i:05d}", generic_name=f"Obat {i}",
                                           strength="500 mg", form="tablet",
                                           drug_class="keras" if i % 3 == 0 else "bebas", base_uom="tablet",
                                           member_price=Decimal(900), public_price=Decimal(1000))
                                      for i, p in enumerate(products)], batch_size=1000)
            lots = [Lot(koperasi=k, product=p, lot_number=f"L{j}",
                        expiry_date=today + dt.timedelta(days=(-5 if j == 0 else rng.randint(20, 900))))
                    for p in products for j in range(N_LOTS)]
            Lot.objects.bulk_create(lots, batch_size=2000)
            lots = list(Lot.objects.filter(koperasi=k).order_by("pk"))
            StockQuant.objects.bulk_create([StockQuant(koperasi=k, product_id=lot.product_id, location=loc, lot=lot,
                                                       qty=Decimal(100)) for lot in lots], batch_size=2000)
            StockMove.objects.bulk_create([StockMove(koperasi=k, product_id=lot.product_id, location=loc, lot=lot,
                                                     kind="opening", qty=Decimal(100), unit_cost=Decimal(500),
                                                     value=Decimal(50000), inventory_account="1152",
                                                     date=today - dt.timedelta(days=60))
                                           for lot in lots], batch_size=2000)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        return products

    products = _step(f"(setup) {N_DRUGS} drugs × {N_LOTS} batches, one expired per drug (bulk)", setup)
    drugs = list(Drug.objects.filter(koperasi=k, drug_class="bebas"))
    print(f"  FEFO over {Lot.objects.filter(koperasi=k).count()} lots:")
    sample = rng.sample(products, 200)

    def fefo_pick():
        p = rng.choice(sample)
        return stock.available_quants(k, p, loc, today)

    quants = _timed("FEFO candidate list for one drug", fefo_pick, runs=200)
    assert all(q.lot.expiry_date >= today for q in quants)

    def issue_many():
        with bulk_mode():
            for p in sample:
                stock.issue(k, product=p, location=loc, qty=Decimal(150), date=today, source="bench")

    _step("stock.issue ×200 (150 units each, spans 2 batches, FEFO)", issue_many)
    n = 100

    def dispense_many():
        with bulk_mode():
            for i in range(n):
                d = drugs[i]
                services.dispense(k, client_id=uuid.uuid4().hex, by=user, lines=[{"drug": d, "qty": 30}])

    _step(f"dispense ×{n} through POS (stock, sale, posting, labels data)", dispense_many)
    print("  valuation:")
    _timed("valuation from move ledger (all accounts)", lambda: stock.valuation(k), runs=10)
    _timed("valuation per product (unit apotek)", lambda: stock.valuation_by_product(k, unit=Unit.APOTEK), runs=5)
    _timed("stock & expiry export (every batch)",
           lambda: queries.expiry_rows(k, queries.expiry_quants(k, today), today), runs=3)
    _timed("stock & expiry page (first 50 batches + header totals)",
           lambda: (queries.expiry_rows(k, queries.expiry_quants(k, today)[:50], today),
                    queries.expiry_totals(k, today)), runs=5)
    _timed("near-expiry list (90 days)", lambda: list(services.near_expiry(k, on=today)), runs=5)
    _timed("dashboard summary", lambda: queries.summary(k, today), runs=5)

    # --- patients --------------------------------------------------------------------------------------------
    first = ["Siti", "Agus", "Sri", "Budi", "Made", "Wayan", "Joko", "Dewi", "Slamet", "Rina", "Ahmad", "Nur"]
    last = ["Aminah", "Santoso", "Wahyuni", "Prasetyo", "Sudarma", "Lestari", "Hidayat", "Rahayu", "Saputra"]

    def grow():
        objs = []
        with bulk_mode():
            for i in range(N_PATIENTS):
                birth = dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
                name = f"{first[i % 12]} {last[(i // 12) % 9]} {i}"
                objs.append(Patient(koperasi=k, seq=i + 1, mrn=f"RM-{i + 1:06d}", name=name, name_key=name.lower(),
                                    nik=make_nik("16.02.05", birth, "L", 1 + i // 600), birth_date=birth, sex="L",
                                    bpjs_number=f"{i:013d}", phone=f"0815{i:08d}"))
                if len(objs) == 5000:
                    Patient.objects.bulk_create(objs)
                    objs = []
            Patient.objects.bulk_create(objs)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    _step(f"(setup) {N_PATIENTS} patients (bulk)", grow)
    qs = Patient.objects.filter(koperasi=k)
    probe = qs.order_by("-seq").first()
    print(f"  patient search over {qs.count()} patients (first 30), 20 runs each:")
    for label, q in [("name prefix 'siti aminah'", "siti aminah"), ("name word 'rahayu'", "rahayu"),
                     ("name prefix 'agus santoso 12'", "agus santoso 12"), ("MRN", probe.mrn), ("NIK", probe.nik),
                     ("BPJS", probe.bpjs_number), ("phone", probe.phone), ("no hit 'zzz'", "zzz")]:
        rows = _timed(label, lambda q=q: search_patients(qs, q, 30))
        print(f"      hits on first page: {len(rows)}")


def main() -> int:
    if "--child" in sys.argv:
        child()
        return 0
    rc = 0
    with tempfile.TemporaryDirectory(prefix="kopdes-bench-") as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", KOPDES_VAR_DIR=tmp)
        rc |= subprocess.call([sys.executable, __file__, "--child"], env=env, cwd=ROOT)
    sys.path.insert(0, str(ROOT / "scripts"))
    import pgtemp

    if pgtemp.find_bindir():
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        rc |= subprocess.call([sys.executable, str(ROOT / "scripts" / "pgtemp.py"), "--", sys.executable, __file__,
                               "--child"], env=env, cwd=ROOT)
    else:
        print("-- postgresql: server binaries not found, skipped")
    return rc


if __name__ == "__main__":
    sys.exit(main())
