"""Supervision benchmark: prints figures, asserts nothing.

With N simulated cooperatives (default 80,000; ``SUPERVISION_BENCH_N``) on PostgreSQL:
- ``kopdes simulate --cooperatives N``: time and peak memory (and the idempotent re-run);
- server time of the national, a provincial and a kabupaten dashboard, and of the cooperative table (median of
  several requests through Django's test client: URL routing, access checks, queries and template rendering);
- the full snapshot refresh (``supervision-refresh --all``) and the incremental refresh of one cooperative with books.

    python bench/supervision_bench.py          # re-runs itself under scripts/pgtemp.py (throwaway PostgreSQL)
    python scripts/pgtemp.py -- python bench/supervision_bench.py
    python bench/supervision_bench.py --child  # current DATABASE_URL as is (e.g. SQLite)
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("SUPERVISION_BENCH_N", "80000"))


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_now() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def _median_ms(fn, runs: int = 7) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times)


def child() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor}, N = {N:,}", flush=True)
    call_command("migrate", verbosity=0)
    from kopdes.core.regions import load_regions, regions_loaded

    if not regions_loaded():
        load_regions()
    from kopdes.core import services as core_services
    from kopdes.core.audit import acting_as
    from kopdes.core.models import Koperasi
    from kopdes.supervision import snapshots
    from kopdes.supervision.simulate import simulate

    base_rss = _rss_now()
    with acting_as(label="bench"):
        r, secs = _timed(simulate, N)
    print(f"simulate {r['created']:,} cooperatives: {secs:.1f} s, peak RSS {_rss_mb():.0f} MB "
          f"(process before: {base_rss:.0f} MB)", flush=True)
    with acting_as(label="bench"):
        r2, secs2 = _timed(simulate, N)
    print(f"simulate re-run (idempotent, {r2['created']} created): {secs2:.1f} s", flush=True)

    # a cooperative with books, for the incremental refresh
    free = Koperasi.objects.values("region_id")
    from kopdes.core.models import Region

    village = Region.objects.filter(level=4, code__startswith="16.").exclude(code__in=free).values_list(
        "code", flat=True).first()
    k = core_services.create_koperasi(village, slug="bench-buku", status="aktif")
    try:
        from kopdes.ledger.services import Line, post

        today = dt.date.today()
        for i in range(200):
            d = today - dt.timedelta(days=200 - i)
            post(k, date=d, memo=f"penjualan {i}", lines=[
                Line("1103", debit=Decimal("150000"), unit="sembako"),
                Line("4111", credit=Decimal("150000"), unit="sembako")])
        books = "200 journal entries"
    except Exception as exc:  # noqa: BLE001
        books = f"no ledger ({exc.__class__.__name__})"
    snapshots.refresh_koperasi(k)
    med, worst = _median_ms(lambda: snapshots.refresh_koperasi(k))
    print(f"incremental refresh of one cooperative ({books}; snapshot + health + 4 region rows): "
          f"median {med:.0f} ms, max {worst:.0f} ms", flush=True)

    from kopdes.core.services import create_user_with_role

    users = {}
    for role, region, name in [("nasional", None, "bench_nas"), ("dinas_provinsi", "16", "bench_prov"),
                               ("dinas_provinsi", "35", "bench_jatim"), ("dinas_kabupaten", "16.02", "bench_kab")]:
        users[name], _ = create_user_with_role(role=role, region=region, username=name, password="x-bench-12345")
    for label, user, url in [
        ("national dashboard", "bench_nas", "/pengawasan/"),
        ("provincial dashboard (Sumatera Selatan)", "bench_prov", "/pengawasan/"),
        ("provincial dashboard (Jawa Timur)", "bench_jatim", "/pengawasan/"),
        ("kabupaten dashboard (OKI)", "bench_kab", "/pengawasan/"),
        ("national cooperative table, page 1", "bench_nas", "/pengawasan/koperasi/"),
        ("national table filtered (warnings, sorted by assets)", "bench_nas",
         "/pengawasan/koperasi/?peringatan=ada&urut=-aset"),
        ("provincial villages stuck at stage 4", "bench_prov", "/pengawasan/desa/?tahap=4"),
    ]:
        c = Client()
        c.force_login(users[user])
        status = c.get(url).status_code
        med, worst = _median_ms(lambda c=c, url=url: c.get(url))
        print(f"{label}: median {med:.0f} ms, max {worst:.0f} ms (HTTP {status})", flush=True)
    c = Client()
    c.force_login(users["bench_prov"])
    _resp, secs = _timed(c.get, "/pengawasan/koperasi/?format=xlsx")
    print(f"Excel export, all cooperatives of Sumatera Selatan: {secs:.1f} s", flush=True)

    with acting_as(label="bench"):
        r3, secs3 = _timed(snapshots.refresh_all)
    print(f"full refresh: {secs3:.1f} s ({r3['from_books']} from books, {r3['rescored']:,} simulated re-scored, "
          f"{r3['regions']:,} region rows changed), peak RSS {_rss_mb():.0f} MB", flush=True)


def main() -> int:
    if "--child" in sys.argv or os.environ.get("DATABASE_URL", "").startswith("postgres"):
        child()
        return 0
    return subprocess.call([sys.executable, str(ROOT / "scripts" / "pgtemp.py"), "--", sys.executable,
                            str(Path(__file__).resolve()), "--child"], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
