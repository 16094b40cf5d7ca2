"""Scale-out benchmark: plain PostgreSQL (without and with composite tenant keys) against Citus with 1 and 2 workers.

Each configuration runs in its own throwaway cluster (``scripts/pgtemp.py`` / ``scripts/citustemp.py``), one after
the other, and prints one line of figures; the summary puts them side by side:

- ``kopdes simulate --cooperatives N`` (default 2000, ``CITUS_BENCH_COOPS``): time;
- posting: ``CITUS_BENCH_CLIENTS`` (8) threads, each posting balanced 3-line entries (``ledger.services.post``)
  round-robin to 4 cooperatives of its own (``CITUS_BENCH_ENTRIES`` per thread, 120): aggregate entries/s; and one
  client alone: ms/entry;
- the POS: one cashier, 5-line cash sales (``pos.checkout``): ms/sale;
- supervision dashboards (national, province 16, kabupaten 16.02) as Satgas / Dinas: median server time of 5 GETs;
- a cooperative's own pages (home, journal, trial balance) as its ketua, after the posting: median of 5.

Every configuration runs ``--rounds`` times (2), the order reversed each round; the table shows medians. Ratios:
Citus 2 workers / 1 worker (posting throughput), composite keys / plain keys on PostgreSQL (posting, POS). On a
2-core machine the workers share the cores with the coordinator and the clients: the 2/1 ratio shows what spreading
cooperatives over workers costs, not the gain of real extra machines.

    python bench/citus_bench.py                     # all four configurations
    python bench/citus_bench.py --only citus2       # one of: pg-plain, pg, citus1, citus2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
COOPS = int(os.environ.get("CITUS_BENCH_COOPS", "2000"))
CLIENTS = int(os.environ.get("CITUS_BENCH_CLIENTS", "8"))
ENTRIES = int(os.environ.get("CITUS_BENCH_ENTRIES", "120"))
SALES = int(os.environ.get("CITUS_BENCH_SALES", "60"))

CONFIGS = {
    "pg-plain": ("PostgreSQL, plain keys (before)", [PY, "scripts/pgtemp.py", "--"], ["--plain-keys"]),
    "pg": ("PostgreSQL, composite keys", [PY, "scripts/pgtemp.py", "--"], []),
    "citus1": ("Citus, 1 worker", [PY, "scripts/citustemp.py", "--workers", "1", "--"], []),
    "citus2": ("Citus, 2 workers", [PY, "scripts/citustemp.py", "--workers", "2", "--"], []),
}


def _median_ms(fn, n: int = 5) -> float:
    fn()  # warm
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(out), 1)


def child(plain_keys: bool) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt
    import uuid
    from decimal import Decimal

    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models.signals import post_migrate
    from django.test import Client

    from kopdes.core import citus
    from kopdes.core.audit import acting_as
    from kopdes.core.models import Koperasi, Role, User
    from kopdes.core.regions import load_regions
    from kopdes.core.services import assign_role
    from kopdes.core.units import Unit
    from kopdes.ledger.chart import ensure_chart
    from kopdes.ledger.services import Line, post
    from kopdes.supervision.simulate import simulate

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    import logging

    logging.getLogger("kopdes.request").setLevel(logging.WARNING)
    if plain_keys:  # the schema as it was before: primary keys (id), single-column foreign keys
        post_migrate.disconnect(sender=apps.get_app_config("core"), dispatch_uid="kopdes_tenant_keys")
    r: dict = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    on_citus = citus.is_citus()
    if on_citus:
        citus.setup(log=lambda line: None)
    load_regions()
    r["setup_s"] = round(time.perf_counter() - t0, 1)
    with acting_as(label="bench"):
        r["simulate_s"] = simulate(COOPS)["seconds"]
    coops = list(Koperasi.objects.filter(slug__startswith="sim-").order_by("pk")[:CLIENTS * 4])
    for k in coops:
        ensure_chart(k)

    def poster(k, i):
        post(k, date=dt.date(2026, 1 + i % 11, 1 + i % 28), memo=f"Penjualan {i}", lines=[
            Line("1103", debit=Decimal("30000.50"), unit=Unit.SEMBAKO),
            Line("4111", credit=Decimal("20000.25"), unit=Unit.SEMBAKO),
            Line("4112", credit=Decimal("10000.25"), unit=Unit.SEMBAKO)], source="bench.Sale", source_id=str(i))

    # one client alone
    n1 = ENTRIES
    t0 = time.perf_counter()
    for i in range(n1):
        poster(coops[i % len(coops)], i)
    r["post_ms"] = round((time.perf_counter() - t0) * 1000 / n1, 2)

    # many clients, each on its own cooperatives
    errors: list[str] = []
    barrier = threading.Barrier(CLIENTS)

    def client(c: int) -> None:
        mine = coops[c * 4:(c + 1) * 4]
        try:
            barrier.wait()
            for i in range(ENTRIES):
                poster(mine[i % 4], 10_000 + c * ENTRIES + i)
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc)[:200])
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    r["post_per_s"] = round(CLIENTS * ENTRIES / elapsed, 1)
    r["post_errors"] = errors[:3]

    # POS: one cashier, 5-line cash sales
    from kopdes.retail import pos
    from kopdes.retail.services import default_location, receive_goods
    from kopdes.retail.tests.helpers import hets, product

    k = coops[0]
    hets()
    gerai = default_location(k)
    from kopdes.retail.models import Supplier

    sup = Supplier.objects.create(koperasi=k, name="Bench supplier")
    prods = [product(k, f"B{j}", f"Barang {j}", 10000 + j, 11000 + j, base_uom="pcs") for j in range(5)]
    receive_goods(k, supplier=sup, location=gerai, date=dt.date(2026, 1, 10), lines=[
        {"product_id": p.pk, "qty": "100000", "unit_cost": "9000"} for p in prods])
    cashier = User.objects.create_user(f"kasir-{k.pk}", password=uuid.uuid4().hex)
    assign_role(cashier, Role.OPERATOR, koperasi=k, unit=Unit.SEMBAKO)
    shift = pos.open_shift(k, cashier=cashier, location=gerai, opening_float=0)
    lines = [{"product_id": p.pk, "qty": "1"} for p in prods]
    for _ in range(3):
        pos.checkout(k, client_id=uuid.uuid4().hex, shift=shift, by=cashier, date=dt.date(2026, 2, 3), lines=lines)
    t0 = time.perf_counter()
    for _ in range(SALES):
        pos.checkout(k, client_id=uuid.uuid4().hex, shift=shift, by=cashier, date=dt.date(2026, 2, 3), lines=lines)
    r["pos_ms"] = round((time.perf_counter() - t0) * 1000 / SALES, 2)

    # pages
    def as_user(username: str, role: str, **scope) -> Client:
        u = User.objects.create_user(username, password=uuid.uuid4().hex)
        assign_role(u, role, **scope)
        c = Client(raise_request_exception=True)
        c.force_login(u)
        return c

    def page(c: Client, path: str):
        def get():
            resp = c.get(path)
            assert resp.status_code == 200, (path, resp.status_code)
        return get

    satgas = as_user("b-satgas", Role.NASIONAL)
    prov = as_user("b-prov", Role.DINAS_PROVINSI, region="16")
    kab = as_user("b-kab", Role.DINAS_KABUPATEN, region="16.02")
    r["dash_national_ms"] = _median_ms(page(satgas, "/pengawasan/wilayah/"))
    r["dash_province_ms"] = _median_ms(page(prov, "/pengawasan/wilayah/16/"))
    r["dash_kabupaten_ms"] = _median_ms(page(kab, "/pengawasan/wilayah/16.02/"))
    r["coop_list_ms"] = _median_ms(page(satgas, "/pengawasan/koperasi/"))
    k2 = coops[1]
    ketua = as_user("b-ketua", Role.KETUA, koperasi=k2)
    r["home_ms"] = _median_ms(page(ketua, f"/k/{k2.slug}/"))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        page(ketua, f"/k/{k2.slug}/")()
    r["home_statements"] = len(q.captured_queries)
    with CaptureQueriesContext(connection) as q:
        pos.checkout(k, client_id=uuid.uuid4().hex, shift=shift, by=cashier, date=dt.date(2026, 2, 3), lines=lines)
    r["pos_statements"] = len(q.captured_queries)
    r["journal_ms"] = _median_ms(page(ketua, f"/k/{k2.slug}/akuntansi/jurnal/"))
    r["trial_balance_ms"] = _median_ms(page(ketua, f"/k/{k2.slug}/akuntansi/laporan/neraca-saldo/"))
    r["cooperatives"] = Koperasi.objects.count()
    return r


ROWS = [
    ("setup_s", "migrate + setup, s"), ("simulate_s", f"simulate {COOPS} cooperatives, s"),
    ("post_ms", "posting, 1 client, ms/entry"), ("post_per_s", f"posting, {CLIENTS} clients, entries/s"),
    ("pos_ms", "POS 5-line sale, ms"), ("dash_national_ms", "national dashboard, ms"),
    ("dash_province_ms", "province dashboard, ms"), ("dash_kabupaten_ms", "kabupaten dashboard, ms"),
    ("coop_list_ms", "cooperative list (national), ms"), ("home_ms", "cooperative home, ms"),
    ("journal_ms", "journal list, ms"), ("trial_balance_ms", "trial balance, ms"),
    ("home_statements", "cooperative home, SQL statements"), ("pos_statements", "POS sale, SQL statements"),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--plain-keys", action="store_true")
    ap.add_argument("--only", choices=list(CONFIGS), action="append")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("CITUS_BENCH_ROUNDS", "2")),
                    help="run every configuration this many times, alternating the order; print medians (2)")
    a = ap.parse_args()
    if a.child:
        print("RESULT " + json.dumps(child(a.plain_keys)), flush=True)
        return 0
    runs: dict[str, list[dict]] = {}
    order = a.only or list(CONFIGS)
    for rnd in range(a.rounds):
        # alternate the order between rounds: a shared machine drifts, so no configuration always goes first
        for name in (order if rnd % 2 == 0 else list(reversed(order))):
            label, runner, extra = CONFIGS[name]
            t0 = time.perf_counter()
            out = subprocess.run([*runner, PY, "bench/citus_bench.py", "--child", *extra], cwd=ROOT,
                                 capture_output=True, text=True)
            line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
            if out.returncode or line is None:
                print(f"{label}: failed\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}", file=sys.stderr)
                return 1
            runs.setdefault(name, []).append(json.loads(line[7:]))
            print(f"round {rnd + 1} {label}: {time.perf_counter() - t0:.0f} s {line[7:]}", flush=True)
    results = {n: {k: statistics.median(r[k] for r in runs[n]) for k, _ in ROWS} for n in order if n in runs}
    names = list(results)
    print(f"\nmedians of {a.rounds} rounds\n{'':38}" + "".join(f"{CONFIGS[n][0][:22]:>24}" for n in names))
    for key, label in ROWS:
        print(f"{label:38}" + "".join(f"{results[n].get(key, ''):>24}" for n in names))

    def ratio(a_, b_, key):
        if a_ in results and b_ in results and results[b_].get(key):
            return f"{results[a_][key] / results[b_][key]:.2f}"
        return "-"

    print(f"\nCitus 2 workers / 1 worker, posting throughput: {ratio('citus2', 'citus1', 'post_per_s')}")
    print(f"Citus 2 workers / PostgreSQL, posting throughput: {ratio('citus2', 'pg', 'post_per_s')}")
    print(f"PostgreSQL composite / plain keys: posting ms {ratio('pg', 'pg-plain', 'post_ms')}, "
          f"throughput {ratio('pg', 'pg-plain', 'post_per_s')}, POS ms {ratio('pg', 'pg-plain', 'pos_ms')}")
    print(f"Citus 2 workers / PostgreSQL, pages: home {ratio('citus2', 'pg', 'home_ms')}, journal "
          f"{ratio('citus2', 'pg', 'journal_ms')}, trial balance {ratio('citus2', 'pg', 'trial_balance_ms')}, "
          f"kabupaten dashboard {ratio('citus2', 'pg', 'dash_kabupaten_ms')}")
    if "citus2" in results and "pg" in results:  # what one statement's trip through the coordinator costs here
        for key, n in (("home_ms", "home_statements"), ("pos_ms", "pos_statements")):
            extra = (results["citus2"][key] - results["pg"][key]) / max(1, results["pg"][n])
            print(f"Citus extra per statement ({key[:-3]}): {extra:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
