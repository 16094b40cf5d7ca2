"""Ledger benchmark: prints figures, asserts nothing.

1. Posting throughput through ``ledger.services.post`` (3-line entries), entries/second, on SQLite (temporary
   file) and PostgreSQL (throwaway cluster via ``scripts/pgtemp.py``).
2. Neraca saldo and laporan posisi keuangan for one cooperative with 1,000,000 journal lines (bulk-generated in
   SQL, month snapshots rebuilt in SQL): whole-year range (snapshots) and a range cutting two months (snapshots +
   lines). Target: < 0.5 s on PostgreSQL.
3. The same posting benchmark against django-hordak on PostgreSQL in the same run (separate settings module
   ``bench/ledger_hordak_settings.py``), printed as a ratio. If hordak cannot be imported or run, says why.

    python bench/ledger_bench.py                 # SQLite, then PostgreSQL (+ hordak)
    python bench/ledger_bench.py --child         # current DATABASE_URL only
Environment: LEDGER_BENCH_POSTS (default 2000), LEDGER_BENCH_LINES (default 1000000).
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
N_POSTS = int(os.environ.get("LEDGER_BENCH_POSTS", "2000"))
N_LINES = int(os.environ.get("LEDGER_BENCH_LINES", "1000000"))


def _setup(settings_module: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _koperasi(code: str, slug: str):
    from kopdes.core.models import Region
    from kopdes.core.services import create_koperasi

    Region.objects.get_or_create(code=code, defaults={"name": f"Bench {slug}", "level": 4})
    return create_koperasi(code, slug=slug)


def kopdes_poster(k):
    import datetime as dt
    from decimal import Decimal

    from kopdes.core.units import Unit
    from kopdes.ledger.services import Line, post

    units = [Unit.SEMBAKO, Unit.APOTEK, Unit.KLINIK]
    cash = {Unit.SEMBAKO: "1103", Unit.APOTEK: "1105", Unit.KLINIK: "1106"}
    income = {Unit.SEMBAKO: ("4111", "4112"), Unit.APOTEK: ("4121", "4122"), Unit.KLINIK: ("4131", "4132")}

    def one(i):
        u = units[i % 3]
        post(k, date=dt.date(2025, 1 + i % 12, 1 + i % 28), memo=f"Penjualan {i}", lines=[
            Line(cash[u], debit=Decimal("30000.50"), unit=u),
            Line(income[u][0], credit=Decimal("20000.25"), unit=u, member_id=1 + i % 300),
            Line(income[u][1], credit=Decimal("10000.25"), unit=u)],
            source="bench.Sale", source_id=str(i))
    return one


def hordak_poster():
    from django.db import transaction
    from djmoney.money import Money
    from hordak.models import Account, AccountType, Leg, Transaction

    cash = Account.objects.create(name="Kas", code="1", type=AccountType.asset, currencies=["IDR"])
    inc1 = Account.objects.create(name="Penjualan anggota", code="2", type=AccountType.income, currencies=["IDR"])
    inc2 = Account.objects.create(name="Penjualan umum", code="3", type=AccountType.income, currencies=["IDR"])

    def one(i):
        with transaction.atomic():
            t = Transaction.objects.create(description=f"Penjualan {i}")
            Leg.objects.create(transaction=t, account=cash, debit=Money("30000.50", "IDR"))
            Leg.objects.create(transaction=t, account=inc1, credit=Money("20000.25", "IDR"))
            Leg.objects.create(transaction=t, account=inc2, credit=Money("10000.25", "IDR"))
    return one


def measure(posters: dict, n: int, block: int = 50) -> dict:
    """Entries/s of each poster, run in alternating blocks so that machine load hits all alike."""
    from kopdes.core import audit

    spent = dict.fromkeys(posters, 0.0)
    done = dict.fromkeys(posters, 0)
    with audit.bulk_mode():
        for fn in posters.values():  # warm-up
            for i in range(20):
                fn(10_000_000 + i)
        i = 0
        while i < n:
            for name, fn in posters.items():
                t0 = time.perf_counter()
                for j in range(i, min(i + block, n)):
                    fn(j)
                spent[name] += time.perf_counter() - t0
                done[name] += min(i + block, n) - i
            i += block
    return {name: done[name] / spent[name] for name in posters}


def generate_lines(k) -> float:
    """Bulk-generate N_LINES lines (3 per entry) in SQL, then rebuild the month snapshots in SQL."""
    from django.db import connection, transaction

    from kopdes.ledger.models import Account

    n_entries = N_LINES // 3 + (N_LINES % 3 > 0)
    pairs = [("1103", "4111", "4112", "sembako"), ("1105", "4121", "4122", "apotek"),
             ("1106", "4131", "4132", "klinik"), ("1104", "4101", "4103", "simpan_pinjam"),
             ("1107", "4141", "4142", "pergudangan"), ("1108", "4151", "4152", "logistik"),
             ("1101", "4201", "4202", "kantor"), ("1111", "4104", "4105", "kantor")]
    ids = dict(Account.objects.filter(koperasi=k).values_list("code", "pk"))
    pg = connection.vendor == "postgresql"
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        if pg:
            cur.execute("SET LOCAL session_replication_role = replica")  # throwaway data: skip triggers
            series = "SELECT g FROM generate_series(1, %s) g"
            date_expr = "DATE '2025-01-01' + (g %% 365)"
        else:
            for t in ("ledger_entry_insert", "ledger_entry_post", "ledger_line_insert"):
                cur.execute(f"DROP TRIGGER IF EXISTS {t}")
            series = ("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %s) "
                      "SELECT g FROM s")
            date_expr = "date('2025-01-01', '+' || (g %% 365) || ' days')"
        cur.execute("CREATE TEMP TABLE bench_map (idx integer, role integer, account_id bigint, unit varchar(20))")
        rows = []
        for i, (c, a, b, u) in enumerate(pairs):
            rows += [(i, 0, ids[c], u), (i, 1, ids[a], u), (i, 2, ids[b], u)]
        cur.executemany("INSERT INTO bench_map VALUES (%s, %s, %s, %s)", rows)
        cur.execute(
            "INSERT INTO ledger_journalentry (koperasi_id, year, number, date, memo, source, source_id, status, "
            f"amount, created_at) SELECT %s, 2025, g, {date_expr}, 'bench', 'bench.Bulk', '', 'posted', 3000, "
            f"CURRENT_TIMESTAMP FROM ({series}) AS gs",
            [k.pk, n_entries])
        cur.execute(
            "INSERT INTO ledger_journalline (koperasi_id, entry_id, account_id, date, debit, credit, unit, member_id, "
            "partner_id, memo) SELECT e.koperasi_id, e.id, m.account_id, e.date, "
            "CASE WHEN m.role = 0 THEN 3000 ELSE 0 END, "
            "CASE WHEN m.role = 1 THEN 2000 WHEN m.role = 2 THEN 1000 ELSE 0 END, m.unit, "
            "CASE WHEN m.role = 1 THEN 1 + e.number %% 500 ELSE NULL END, NULL, '' "
            "FROM ledger_journalentry e JOIN bench_map m ON m.idx = e.number %% 8 WHERE e.koperasi_id = %s",
            [k.pk])
        y = "CAST(EXTRACT(YEAR FROM date) AS integer)" if pg else "CAST(strftime('%%Y', date) AS integer)"
        mo = "CAST(EXTRACT(MONTH FROM date) AS integer)" if pg else "CAST(strftime('%%m', date) AS integer)"
        cur.execute(
            "INSERT INTO ledger_accountmonth (koperasi_id, account_id, unit, year, month, debit, credit) "
            f"SELECT koperasi_id, account_id, unit, {y}, {mo}, SUM(debit), SUM(credit) FROM ledger_journalline "
            f"WHERE koperasi_id = %s GROUP BY koperasi_id, account_id, unit, {y}, {mo}", [k.pk])
        cur.execute("DROP TABLE bench_map")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - t0


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def child() -> None:
    from_hordak = os.environ.get("LEDGER_BENCH_HORDAK") == "1"
    settings_module = "bench.ledger_hordak_settings" if from_hordak else "kopdes.settings"
    hordak_error = ""
    try:
        _setup(settings_module)
    except Exception as exc:  # noqa: BLE001
        if not from_hordak:
            raise
        hordak_error = f"django-hordak settings failed: {type(exc).__name__}: {exc}"
        from_hordak = False
        _setup("kopdes.settings")
    import datetime as dt

    from django.db import connection

    from kopdes.ledger import reports
    from kopdes.ledger.models import JournalLine

    vendor = connection.vendor
    k = _koperasi("16.02.04.2006", "bench-post")
    posters = {"kopdes": kopdes_poster(k)}
    why = ""
    if vendor == "postgresql":
        if from_hordak:
            try:
                posters["hordak"] = hordak_poster()
            except Exception as exc:  # noqa: BLE001
                why = f"django-hordak failed to run: {type(exc).__name__}: {exc}"
        else:
            why = hordak_error or "django-hordak not installed (pip install django-hordak)"
    try:
        rates = measure(posters, N_POSTS)
    except Exception as exc:  # noqa: BLE001
        if "hordak" not in posters:
            raise
        why = f"django-hordak failed to run: {type(exc).__name__}: {exc}"
        posters.pop("hordak")
        rates = measure(posters, N_POSTS)
    print(f"  [{vendor}] posting through services.post (3-line entries): {rates['kopdes']:8.0f} entries/s "
          f"({N_POSTS} entries)", flush=True)
    if "hordak" in rates:
        print(f"  [{vendor}] django-hordak (Transaction + 3 Legs), interleaved: {rates['hordak']:8.0f} entries/s",
              flush=True)
        print(f"  [{vendor}] ratio kopdes / hordak:                           {rates['kopdes'] / rates['hordak']:8.2f} ×",
              flush=True)
    elif vendor == "postgresql":
        print(f"  [{vendor}] django-hordak comparison not run: {why}", flush=True)
    k2 = _koperasi("16.02.04.2001", "bench-big")
    secs = generate_lines(k2)
    n = JournalLine.objects.filter(koperasi=k2).count()
    print(f"  [{vendor}] generated {n:,} journal lines in SQL in {secs:.1f} s", flush=True)
    y0, y1 = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    c0, c1 = dt.date(2025, 1, 15), dt.date(2025, 11, 20)
    tb = reports.trial_balance(k2, y0, y1)
    bs = reports.balance_sheet(k2, y1)
    assert_ok = "ok" if tb.ok and bs.ok else "NOT BALANCED"
    for label, fn in [
        ("neraca saldo, full year (snapshots)", lambda: reports.trial_balance(k2, y0, y1)),
        ("laporan posisi keuangan + comparative (snapshots)", lambda: reports.balance_sheet(k2, y1)),
        ("neraca saldo, 15 Jan – 20 Nov (snapshots + cut months)", lambda: reports.trial_balance(k2, c0, c1)),
        ("laporan posisi keuangan at 20 Nov (snapshots + lines)", lambda: reports.balance_sheet(k2, c1)),
        ("laporan hasil usaha + comparative, full year", lambda: reports.income_statement(k2, y0, y1)),
    ]:
        print(f"  [{vendor}] {label:<58} {timed(fn) * 1000:8.1f} ms (median of 5)", flush=True)
    from django.db.models import Sum

    raw = timed(lambda: list(JournalLine.objects.filter(koperasi=k2).values("account_id")
                             .annotate(d=Sum("debit"), c=Sum("credit")).order_by()), repeat=3)
    print(f"  [{vendor}] for reference: one GROUP BY over all lines, no snapshots  {raw * 1000:8.1f} ms", flush=True)
    print(f"  [{vendor}] statements balanced: {assert_ok}", flush=True)


def main() -> int:
    if "--child" in sys.argv:
        child()
        return 0
    print(f"Ledger benchmark ({N_POSTS} postings, {N_LINES:,} lines)", flush=True)
    with tempfile.TemporaryDirectory(prefix="kopdes-ledger-bench-") as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", KOPDES_VAR_DIR=tmp)
        rc = subprocess.call([sys.executable, __file__, "--child"], env=env, cwd=ROOT)
    env = dict(os.environ, LEDGER_BENCH_HORDAK="1", PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory(prefix="kopdes-ledger-bench-") as tmp:
        env["KOPDES_VAR_DIR"] = tmp
        rc2 = subprocess.call([sys.executable, str(ROOT / "scripts" / "pgtemp.py"), "--", sys.executable, __file__,
                               "--child"], env=env, cwd=ROOT)
        if rc2 == 3:
            print("  PostgreSQL server binaries not found: PostgreSQL figures and hordak comparison skipped")
            rc2 = 0
    return rc or rc2


if __name__ == "__main__":
    sys.exit(main())
