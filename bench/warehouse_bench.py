"""Pergudangan benchmark: prints figures, asserts nothing.

- ingest of 1,000,000 cold-room temperature readings through the batched service the API exposes
  (``kopdes.warehouse.services.record_readings``, 1,000 readings per call, 10 sensors, with excursions), then a
  re-sent batch run (all duplicates, ignored);
- the temperature chart query of one room over 7 days with the full table;
- the occupancy report over a year: daily occupancy per facility and the monthly utilisation/revenue table from
  the custody register (20,000 lots, ~40,000 custody moves).

On SQLite (temporary file) and PostgreSQL (throwaway cluster via ``scripts/pgtemp.py`` when the server binaries
exist). Wall-clock time; memory is the process's peak RSS during the step.

    python bench/warehouse_bench.py            # both databases
    python bench/warehouse_bench.py --child    # current DATABASE_URL only
    WH_BENCH_READINGS=100000 python bench/warehouse_bench.py   # smaller run
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_READINGS = int(os.environ.get("WH_BENCH_READINGS", "1000000"))
BATCH = 1000
N_DEVICES = 10
N_LOTS = int(os.environ.get("WH_BENCH_LOTS", "20000"))


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _step(label: str, fn):
    import gc

    gc.collect()
    _reset_peak()
    t0 = time.perf_counter()
    result = fn()
    secs = time.perf_counter() - t0
    print(f"  {label:<62} {secs:8.2f} s   peak RSS {_rss_mb():7.0f} MB", flush=True)
    return result, secs


def child() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    import django

    django.setup()
    import datetime as dt
    import random
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction

    from kopdes.core.audit import bulk_mode
    from kopdes.core.regions import load_regions, regions_loaded
    from kopdes.core.services import create_koperasi
    from kopdes.warehouse import queries, services
    from kopdes.warehouse.models import CustodyMove, Excursion, StoredLot, TemperatureReading

    print(f"-- {connection.vendor}", flush=True)
    call_command("migrate", verbosity=0)
    if not regions_loaded():
        load_regions()
    k = create_koperasi("16.02.04.2006", slug=f"bench-{os.getpid()}")
    with bulk_mode():
        facilities = [services.create_facility(k, code=f"G{i}", name=f"Gudang {i}") for i in range(1, 4)]
        floors = [services.create_zone(f, code="A", name="Lantai A", capacity=Decimal("10000000")) for f in facilities]
        rooms = [services.create_zone(facilities[0], code=f"CS{i}", name=f"Cold room {i}", kind="cold_room",
                                      capacity=Decimal("5000"), temp_min=Decimal("0"), temp_max=Decimal("4"))
                 for i in (1, 2)]
        devices = [services.register_device(rooms[i % 2], name=f"Sensor {i}")[0] for i in range(N_DEVICES)]

    # --- ingest -------------------------------------------------------------------------------------------------
    per_device = N_READINGS // N_DEVICES
    t_start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rng = random.Random(3)

    def batches():
        """Round-robin over devices: batch b of device d covers minutes [b*BATCH, (b+1)*BATCH)."""
        for b in range(per_device // BATCH):
            for d, dev in enumerate(devices):
                out = []
                base = t_start + dt.timedelta(minutes=b * BATCH)
                for i in range(BATCH):
                    c = 2.0 + 1.5 * rng.random()
                    if (b * BATCH + i) % 5000 < 20 and d % 2 == 0:  # a 20-minute excursion every ~3.5 days
                        c = 6.5
                    out.append({"at": (base + dt.timedelta(minutes=i)).isoformat(), "celsius": f"{c:.2f}"})
                yield dev, out

    counts = {"stored": 0, "duplicates": 0, "calls": 0}

    def ingest():
        now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        for dev, readings in batches():
            r = services.record_readings(k, dev, readings, now=now)
            counts["stored"] += r["stored"]
            counts["duplicates"] += r["duplicates"]
            counts["calls"] += 1

    with bulk_mode():
        _r, secs = _step(f"ingest {N_READINGS:,} readings ({BATCH}/call, {N_DEVICES} sensors)", ingest)
    print(f"    {counts['stored']:,} stored in {counts['calls']} calls: {counts['stored'] / secs:,.0f} readings/s, "
          f"{secs / max(counts['calls'], 1) * 1000:.1f} ms per call; "
          f"{Excursion.objects.filter(koperasi=k).count()} excursions opened", flush=True)

    def resend():
        now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        dup = 0
        dev = devices[0]
        for b in range(10):
            base = t_start + dt.timedelta(minutes=b * BATCH)
            readings = [{"at": (base + dt.timedelta(minutes=i)).isoformat(), "celsius": "3.00"} for i in range(BATCH)]
            dup += services.record_readings(k, dev, readings, now=now)["duplicates"]
        return dup

    (dup, _s) = _step("re-send 10,000 readings already stored (duplicates ignored)", resend)
    print(f"    {dup:,} duplicates ignored; table has {TemperatureReading.objects.filter(koperasi=k).count():,} rows",
          flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    room = rooms[0]
    end = t_start + dt.timedelta(minutes=per_device)
    (pts, _s) = _step("chart data: one room, last 7 days (thinned to 500 points)",
                      lambda: queries.room_temperatures(room, end - dt.timedelta(days=7), end))
    print(f"    {len(pts)} points", flush=True)
    exc = Excursion.objects.filter(koperasi=k).first()
    if exc:
        _step("affected lots of one excursion", lambda: list(queries.affected_lots(exc)))

    # --- occupancy over a year ----------------------------------------------------------------------------------
    year = 2025

    def setup_lots():
        with bulk_mode(), transaction.atomic():
            lots, moves = [], []
            for i in range(N_LOTS):
                f_idx = i % 3
                intake = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
                net = Decimal(rng.randrange(500, 6000, 50))
                lots.append(StoredLot(
                    koperasi=k, number=f"B-{i:06d}", facility=facilities[f_idx], zone=floors[f_idx],
                    commodity="gabah", gross_kg=net, net_kg=net, remaining_kg=net, depositor_name=f"P{i}",
                    tariff_period="month", tariff_rate=Decimal("30"), intake_date=intake,
                    fees_through=intake - dt.timedelta(days=1)))
            StoredLot.objects.bulk_create(lots, batch_size=5000)
            for lot in StoredLot.objects.filter(koperasi=k).only("id", "facility_id", "zone_id", "intake_date",
                                                                   "net_kg"):
                moves.append(CustodyMove(koperasi=k, lot_id=lot.pk, facility_id=lot.facility_id, zone_id=lot.zone_id,
                                         date=lot.intake_date, kind="intake", kg=lot.net_kg))
                out = lot.intake_date + dt.timedelta(days=rng.randint(20, 200))
                if out.year == year:
                    moves.append(CustodyMove(koperasi=k, lot_id=lot.pk, facility_id=lot.facility_id,
                                             zone_id=lot.zone_id, date=out, kind="release", kg=-lot.net_kg))
            CustodyMove.objects.bulk_create(moves, batch_size=10000)
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("ANALYZE")
            return len(moves)

    (n_moves, _s) = _step(f"(setup) {N_LOTS:,} lots over {year}", setup_lots)
    print(f"    {n_moves:,} custody moves", flush=True)
    (series, _s) = _step("occupancy per facility, every day of the year",
                         lambda: queries.occupancy_series(k, dt.date(year, 1, 1), dt.date(year, 12, 31)))
    peak = max(max(f["kg"]) for f in series["facilities"].values())
    print(f"    {len(series['dates'])} days × {len(series['facilities'])} facilities; peak {peak:,.0f} kg", flush=True)
    (rows, _s) = _step("monthly utilisation & revenue report (screen/Excel/PDF data)",
                       lambda: queries.monthly_report(k, year))
    from kopdes.warehouse.documents import report_pdf, report_xlsx

    _step("  … rendered as Excel", lambda: report_xlsx(k, year, rows))
    _step("  … rendered as PDF", lambda: report_pdf(k, year, rows))


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
