"""Simpan pinjam benchmark: prints figures, asserts nothing.

- schedule generation for 100,000 loans (pure Python, mixed methods/tenors/frequencies);
- the ageing + provision run (dpd, class, history rows, PPAP journal) for 100,000 active loans with 12 instalments
  each (1.2 million schedule rows), first run and re-run of the same date.

On SQLite (temporary file) and PostgreSQL (throwaway cluster via ``scripts/pgtemp.py`` when the server binaries
exist). Wall-clock time; memory is the process's peak RSS during the step.

    python bench/loans_bench.py            # both databases
    python bench/loans_bench.py --child    # current DATABASE_URL only
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
N_LOANS = int(os.environ.get("LOANS_BENCH_N", "100000"))
N_MEMBERS = max(N_LOANS // 5, 1)


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
    print(f"  {label:<60} {secs:8.2f} s   peak RSS {_rss_mb():7.0f} MB", flush=True)
    return result


def schedules() -> None:
    import datetime as dt
    import random
    from decimal import Decimal

    from kopdes.loans.schedule import Terms, generate

    rng = random.Random(1)
    terms = []
    for _ in range(N_LOANS):
        freq = rng.choice(["bulanan", "bulanan", "bulanan", "mingguan", "musiman"])
        tenor = {"bulanan": rng.randint(3, 36), "mingguan": rng.randint(10, 52), "musiman": rng.randint(1, 3)}[freq]
        terms.append(Terms(principal=Decimal(rng.randint(5, 250) * 100_000), rate=Decimal(rng.choice(["1", "1.25",
                                                                                                      "1.5", "2"])),
                           tenor=tenor, method=rng.choice(["flat", "anuitas", "menurun"]), frequency=freq,
                           balloon=freq == "musiman", start_date=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(
                               0, 300)), grace_principal=rng.choice([0, 0, 0, 1]) if tenor > 2 else 0))
    rows = 0

    def run():
        nonlocal rows
        for t in terms:
            rows += len(generate(t).rows)

    _step(f"generate {N_LOANS} schedules (mixed methods)", run)
    print(f"    {rows} instalment rows, {rows / N_LOANS:.1f} per loan", flush=True)


def child(with_schedules: bool) -> None:
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
    from kopdes.core.identity import make_nik
    from kopdes.core.regions import load_regions, regions_loaded
    from kopdes.core.services import create_koperasi
    from kopdes.loans import services
    from kopdes.loans.models import Loan, LoanProduct
    from kopdes.members.models import Member

    print(f"-- {connection.vendor}", flush=True)
    if with_schedules:
        schedules()
    call_command("migrate", verbosity=0)
    if not regions_loaded():
        load_regions()
    k = create_koperasi("16.02.04.2006", slug=f"bench-{os.getpid()}")
    product = services.default_products(k)[0]
    rng = random.Random(2)
    as_of = dt.date(2026, 11, 30)

    def setup():
        with bulk_mode(), transaction.atomic():
            objs = []
            for i in range(N_MEMBERS):
                birth = dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
                objs.append(Member(koperasi=k, seq=i + 1, number=f"{i + 1:06d}",
                                   nik=make_nik("16.02.04", birth, "L", 1 + i // 600), name=f"Anggota {i}",
                                   name_key=f"anggota {i}", birth_date=birth, sex="L", registered_on=birth,
                                   status="aktif", phone=f"0813{i:08d}"))
            Member.objects.bulk_create(objs, batch_size=5000)
            mids = list(Member.objects.filter(koperasi=k).values_list("id", flat=True))
            loans = []
            for i in range(N_LOANS):
                disb = as_of - dt.timedelta(days=rng.randint(30, 340))  # ≤ 11 instalments due: still active
                # most borrowers are current; 15% stopped paying some time ago
                due_by_now = sum(1 for n in range(1, 13) if disb + dt.timedelta(days=30 * n) <= as_of)
                paid = due_by_now if rng.random() < 0.85 else rng.randint(max(due_by_now - 10, 0), due_by_now)
                loans.append(Loan(dpd=paid, koperasi=k, number=f"PJ-B-{i:07d}", member_id=mids[i % len(mids)],
                                  product=product,
                                  status="aktif", applied_on=disb, disbursed_on=disb, amount=Decimal(1_200_000),
                                  tenor=12, method="flat", rate=Decimal("1.5"), rate_period="bulan",
                                  day_count="30/360", frequency="bulanan", purpose="produktif", sector="pertanian",
                                  outstanding=Decimal(1_200_000), collateral_value=Decimal(
                                      rng.choice([0, 0, 1_500_000]))))
            Loan.objects.bulk_create(loans, batch_size=5000)
            # 12 monthly rows per loan, generated set-based; the number of paid rows per loan was parked in dpd
            pg = connection.vendor == "postgresql"
            due = "l.disbursed_on + 30 * n.n" if pg else "date(l.disbursed_on, '+' || (30 * n.n) || ' days')"
            nums = ("generate_series(1, 12) AS n(n)" if pg else
                    "(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 12) SELECT n FROM c) n")
            with connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO loans_installment (koperasi_id, loan_id, version, superseded, no, due_date, "
                    "principal_due, interest_due, principal_paid, interest_paid, penalty_paid, penalty_waived, "
                    "settled) "
                    f"SELECT l.koperasi_id, l.id, 1, %s, n.n, {due}, 100000, 18000, "
                    "CASE WHEN n.n <= l.dpd THEN 100000 ELSE 0 END, CASE WHEN n.n <= l.dpd THEN 18000 ELSE 0 END, "
                    f"0, 0, n.n <= l.dpd FROM loans_loan l CROSS JOIN {nums} WHERE l.koperasi_id = %s",
                    [False, k.pk])
                cur.execute("UPDATE loans_loan SET outstanding = 1200000 - 100000 * dpd, dpd = 0 "
                            "WHERE koperasi_id = %s", [k.pk])
                cur.execute("ANALYZE")

    _step(f"(setup) {N_LOANS} active loans, {N_LOANS * 12} schedule rows", setup)
    run = _step(f"ageing + PPAP run, {N_LOANS} loans (first)", lambda: services.run_ageing(k, as_of=as_of))
    print(f"    classes {dict((c, v['count']) for c, v in sorted(run.by_class.items()))}; outstanding "
          f"Rp{run.outstanding:,.0f}; PPAP Rp{run.provision_required:,.0f}; posted Rp{run.provision_posted:,.0f}"
          .replace(",", "."), flush=True)
    print(f"    steps (cumulative s): {services.LAST_AGEING_TIMINGS}", flush=True)
    _step(f"ageing + PPAP run, {N_LOANS} loans (same date again)", lambda: services.run_ageing(k, as_of=as_of))
    print(f"    steps (cumulative s): {services.LAST_AGEING_TIMINGS}", flush=True)
    _step(f"ageing + PPAP run, {N_LOANS} loans (next month)",
          lambda: services.run_ageing(k, as_of=as_of + dt.timedelta(days=31)))
    print(f"    steps (cumulative s): {services.LAST_AGEING_TIMINGS}", flush=True)
    from kopdes.loans.queries import portfolio_summary

    s = _step("portfolio summary (live classification)", lambda: portfolio_summary(k, as_of))
    print(f"    NPL {s['npl_ratio']}%, PAR30 {s['par30_ratio']}%, PAR90 {s['par90_ratio']}%", flush=True)
    _ = LoanProduct


def main() -> int:
    if "--child" in sys.argv:
        child("--schedules" in sys.argv)
        return 0
    rc = 0
    if "--pg-only" in sys.argv:
        return subprocess.call([sys.executable, str(ROOT / "scripts" / "pgtemp.py"), "--", sys.executable, __file__,
                                "--child"], cwd=ROOT)
    with tempfile.TemporaryDirectory(prefix="kopdes-bench-") as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", KOPDES_VAR_DIR=tmp)
        rc |= subprocess.call([sys.executable, __file__, "--child", "--schedules"], env=env, cwd=ROOT)
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
