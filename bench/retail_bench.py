"""Gerai benchmark: prints figures, asserts nothing (except that no sale was lost or doubled).

1. POS checkout on the server: 20 concurrent cashiers ring up 5-line sales over HTTP (JSON endpoint, session +
   CSRF like the browser) against threaded Django WSGI worker processes started for it; the load comes from
   this (second) process on loopback. Bounded: ``RETAIL_BENCH_SALES`` sales per cashier (default 40).
   Prints the number of SQL statements per sale (the service alone, and the whole HTTP request), p50/p95/max
   latency and sales/second for 1 cashier, for N concurrent cashiers in a closed loop (no pause between sales:
   the saturation figure) and for N cashiers each starting a sale every ``RETAIL_BENCH_PACE`` s (default 3: a
   realistic, busy till); every 10th sale is sent twice with the
   same client id (a retry) and must be recorded once. Checks afterwards: sales recorded once each, receipt
   numbers unique, no negative stock, stock moves = sold quantities, cash = sales, inventory = valuation.
2. Stock valuation for 5,000 products: valuation per inventory account from the move ledger, per-product
   valuation, compared with the ledger's inventory accounts.

Runs on SQLite (a throwaway file) and on PostgreSQL (throwaway cluster via ``scripts/pgtemp.py``, the target of
the issue); ``--child`` uses the current ``DATABASE_URL``. ``--sqlite`` / ``--postgres`` run one of them only.

    python bench/retail_bench.py                      # both
    RETAIL_BENCH_SALES=10 python bench/retail_bench.py --postgres   # a short run
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from _http import Conn, free_port, pct, run_sqlite_and_postgres  # noqa: E402 - bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
CASHIERS = int(os.environ.get("RETAIL_BENCH_CASHIERS", "20"))
SALES_EACH = int(os.environ.get("RETAIL_BENCH_SALES", "40"))
#: the paced run: each cashier starts a sale every PACE seconds (scanning 5 items and taking cash in 3 s is
#: faster than any real till, so this is a pessimistic busy market day), PACED_SALES sales each
PACE = float(os.environ.get("RETAIL_BENCH_PACE", "3"))
PACED_SALES = int(os.environ.get("RETAIL_BENCH_PACED_SALES", "15"))
N_PRODUCTS = int(os.environ.get("RETAIL_BENCH_PRODUCTS", "5000"))
#: server worker processes (threaded each, sharing the port with SO_REUSEPORT), as gunicorn would run
WORKERS = int(os.environ.get("RETAIL_BENCH_WORKERS", str(min(4, os.cpu_count() or 1))))


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS.append("testserver")  # the query-count probe uses Django's test client


def serve(port: int) -> None:
    """Server process: Django's threaded WSGI server, request logging off."""
    _setup_django()
    import logging

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    logging.disable(logging.WARNING)

    class Quiet(WSGIRequestHandler):
        # TCP_NODELAY like gunicorn/nginx: wsgiref writes headers and body in separate sends, which with Nagle
        # and the client's delayed ACK adds ~40 ms to every response (not the application's time)
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

    class Server(WSGIServer):
        daemon_threads = True
        request_queue_size = 128

    import socketserver

    class Threaded(socketserver.ThreadingMixIn, Server):
        def server_bind(self):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            super().server_bind()

    httpd = Threaded(("127.0.0.1", port), Quiet)
    httpd.set_app(WSGIHandler())
    httpd.serve_forever()


def child() -> None:
    _setup_django()
    import datetime as dt
    import random
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from kopdes.core.audit import bulk_mode
    from kopdes.core.regions import load_regions, regions_loaded
    from kopdes.core.services import create_koperasi, create_user_with_role
    from kopdes.ledger.queries import account_balance
    from kopdes.retail import pos, services, stock
    from kopdes.retail.models import Product, Sale, Supplier

    print(f"-- {connection.vendor}", flush=True)
    call_command("migrate", verbosity=0)
    if not regions_loaded():
        load_regions()
    rng = random.Random(6)
    tag = os.getpid()
    k = create_koperasi("16.02.04.2006", slug=f"bench-{tag}")
    gerai = services.default_location(k)
    sup = Supplier.objects.create(koperasi=k, name="Grosir")

    # --- part 1: POS under 20 cashiers ---------------------------------------------------------------
    t0 = time.perf_counter()
    with bulk_mode():
        prods = [Product.objects.create(koperasi=k, code=f"P{i:04d}", name=f"Barang {i}", member_price=Decimal(5000),
                                        public_price=Decimal(5500)) for i in range(200)]
        services.receive_goods(k, supplier=sup, location=gerai, date=dt.date.today(),
                               lines=[{"product_id": p.pk, "qty": "100000", "unit_cost": "4000"} for p in prods])
    cookies = []
    for i in range(CASHIERS):
        user, _ra = create_user_with_role(role="operator", koperasi=k, unit="sembako", username=f"kasir{tag}-{i}",
                                          password="rahasia-123", full_name=f"Kasir {i}")
        pos.open_shift(k, cashier=user, location=gerai, opening_float="100000")
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        csrf = secrets.token_hex(16)  # 32 chars: an unmasked CSRF secret
        cookies.append((f"{settings.SESSION_COOKIE_NAME}={s.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}", csrf))
    print(f"  setup: 200 products, {CASHIERS} cashiers with open shifts   {time.perf_counter() - t0:6.1f} s")

    # --- SQL statements per sale: the service alone and the whole HTTP request (session, access, checkout)
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kopdes.core.models import User

    def five_lines(r):
        return [{"product_id": p.pk, "qty": str(r.randint(1, 3))} for p in r.sample(prods, 5)]

    probe = User.objects.get(username=f"kasir{tag}-0")
    probe_shift = pos.open_shift_for(k, probe)
    with CaptureQueriesContext(connection) as svc:
        pos.checkout(k, client_id=uuid.uuid4().hex, shift=probe_shift, lines=five_lines(rng), by=probe)
    client = Client()
    client.force_login(probe)
    with CaptureQueriesContext(connection) as web:
        resp = client.post(f"/k/{k.slug}/gerai/kasir/bayar/", json.dumps({"client_id": uuid.uuid4().hex,
                           "method": "cash", "lines": five_lines(rng)}), content_type="application/json")
    assert resp.status_code == 200, resp.content
    svc_n = sum(1 for q in svc.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE")))
    print(f"  SQL per 5-line cash sale: pos.checkout {svc_n} statements (+{len(svc) - svc_n} savepoints); "
          f"whole HTTP request {len(web)}")

    port = free_port()
    servers = [subprocess.Popen([sys.executable, __file__, "--serve", str(port)], cwd=ROOT, env=dict(os.environ),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(WORKERS)]
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        path = f"/k/{k.slug}/gerai/kasir/bayar/"

        def run_load(n_cashiers: int, sales_each: int, pace: float | None = None):
            """Closed loop (next sale as soon as the last answered) or, with ``pace``, each cashier starts a
            sale every ``pace`` seconds (start times staggered) like a busy till, waiting if the server is late."""
            latencies: list[float] = []
            errors: list[str] = []
            replays: list[int] = []
            lock = threading.Lock()
            barrier = threading.Barrier(n_cashiers)

            def cashier(i: int) -> None:
                cookie, csrf = cookies[i]
                r = random.Random(i * 1000 + sales_each)
                conn = Conn("127.0.0.1", port, timeout=60)
                body = None
                barrier.wait()
                start = time.perf_counter() + (pace or 0) * i / n_cashiers
                for _n in range(sales_each):
                    if pace:
                        time.sleep(max(0.0, start + _n * pace - time.perf_counter()))
                    if _n % 10 == 9 and body is not None:
                        pass  # a retry: the previous sale sent again with the same client id
                    else:
                        body = json.dumps({"client_id": uuid.uuid4().hex, "method": "cash", "lines": [
                            {"product_id": p.pk, "qty": str(r.randint(1, 3))} for p in r.sample(prods, 5)]})
                    headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": csrf,
                               "Connection": "keep-alive"}
                    t = time.perf_counter()
                    try:
                        conn.request("POST", path, body=body, headers=headers)
                        resp = conn.getresponse()
                        data = resp.read()
                    except (OSError, http.client.HTTPException) as exc:
                        conn.close()
                        conn = Conn("127.0.0.1", port, timeout=60)
                        with lock:
                            errors.append(repr(exc))
                        continue
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        if resp.status == 200:
                            latencies.append(ms)
                            if json.loads(data)["replayed"]:
                                replays.append(1)
                        else:
                            errors.append(f"{resp.status} {data[:200]!r}")
                    if resp.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = Conn("127.0.0.1", port, timeout=60)
                conn.close()

            threads = [threading.Thread(target=cashier, args=(i,)) for i in range(n_cashiers)]
            t0 = time.perf_counter()
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            return latencies, errors, time.perf_counter() - t0, len(replays)

        base_lat, base_err, base_el, base_rep = run_load(1, 30)
        latencies, errors, elapsed, replayed = run_load(CASHIERS, SALES_EACH)
        paced_lat, paced_err, paced_el, paced_rep = run_load(CASHIERS, PACED_SALES, pace=PACE)
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
    print(f"  POS checkout, 5-line sales, 1 cashier: p50 {statistics.median(base_lat):7.1f} ms   "
          f"p95 {pct(base_lat, 95):7.1f} ms   {len(base_lat) / base_el:6.1f} sales/s   "
          f"({len(base_lat)} ok incl. {base_rep} retries replayed, {len(base_err)} errors)")
    n = len(latencies)
    print(f"  POS checkout, 5-line sales, {CASHIERS} concurrent cashiers over HTTP (loopback; server: {WORKERS} "
          f"threaded worker processes)")
    print(f"    sales ok {n} / {CASHIERS * SALES_EACH} (incl. {replayed} retries replayed), errors {len(errors)}"
          + (f" (first: {errors[0]})" if errors else ""))
    if n:
        print(f"    latency p50 {statistics.median(latencies):7.1f} ms   p95 {pct(latencies, 95):7.1f} ms   "
              f"max {max(latencies):7.1f} ms")
        print(f"    throughput {n / elapsed:7.1f} sales/s   ({elapsed:.1f} s wall)")
    if paced_lat:
        print(f"  POS checkout, {CASHIERS} cashiers each starting a 5-line sale every {PACE:g} s "
              f"({CASHIERS / PACE:.1f} sales/s offered):")
        print(f"    latency p50 {statistics.median(paced_lat):7.1f} ms   p95 {pct(paced_lat, 95):7.1f} ms   "
              f"max {max(paced_lat):7.1f} ms   ({len(paced_lat)} ok incl. {paced_rep} retries replayed, "
              f"{len(paced_err)} errors)")
    from django.db.models import Sum

    from kopdes.retail.models import SaleLine, StockMove, StockQuant

    recorded = Sale.objects.filter(koperasi=k).count()
    expected = n - replayed + len(base_lat) - base_rep + len(paced_lat) - paced_rep + 2  # + the two probe sales
    sold_value = sum(s.total for s in Sale.objects.filter(koperasi=k).only("total"))
    numbers = Sale.objects.filter(koperasi=k).values("number").distinct().count()
    sold_qty = SaleLine.objects.filter(koperasi=k).aggregate(s=Sum("base_qty"))["s"]
    moved = -StockMove.objects.filter(koperasi=k, kind=StockMove.Kind.SALE).aggregate(s=Sum("qty"))["s"]
    on_hand = Product.objects.filter(koperasi=k).aggregate(s=Sum("stock_qty"))["s"]
    print(f"    check: sales recorded once each {recorded == expected} ({recorded}); receipt numbers unique "
          f"{numbers == recorded}; no negative stock "
          f"{not StockQuant.objects.filter(koperasi=k, qty__lt=0).exists()}; stock out = sold {moved == sold_qty} "
          f"and on hand = received - sold {on_hand == 200 * 100000 - sold_qty}; cash 1103 = sales total "
          f"{account_balance(k, '1103') == sold_value}; 1151 = stock valuation "
          f"{account_balance(k, '1151') == stock.valuation(k)['1151']}")

    # --- part 2: valuation for 5,000 products ----------------------------------------------------------------
    k2 = create_koperasi("16.02.04.2001", slug=f"bench-val-{tag}")
    loc2 = services.default_location(k2)
    sup2 = Supplier.objects.create(koperasi=k2, name="Grosir")
    t0 = time.perf_counter()
    with bulk_mode():
        Product.objects.bulk_create([Product(koperasi=k2, code=f"V{i:05d}", name=f"Barang {i}",
                                             member_price=Decimal(9000), public_price=Decimal(10000))
                                     for i in range(N_PRODUCTS)])
        ids = list(Product.objects.filter(koperasi=k2).values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            services.receive_goods(k2, supplier=sup2, location=loc2, date=dt.date.today(), lines=[
                {"product_id": pid, "qty": str(rng.randint(1, 200)), "unit_cost": str(rng.randint(1000, 90000))}
                for pid in ids[start:start + 500]])
        # a second receipt on every fifth product (moving average)
        fifth = ids[::5]
        for start in range(0, len(fifth), 500):
            services.receive_goods(k2, supplier=sup2, location=loc2, date=dt.date.today(), lines=[
                {"product_id": pid, "qty": "10", "unit_cost": str(rng.randint(1000, 90000))}
                for pid in fifth[start:start + 500]])
    print(f"  setup: {N_PRODUCTS} products received ({N_PRODUCTS + N_PRODUCTS // 5} moves)   "
          f"{time.perf_counter() - t0:6.1f} s")

    def timed(label, fn, runs=10):
        times, out = [], None
        for _ in range(runs):
            t = time.perf_counter()
            out = fn()
            times.append((time.perf_counter() - t) * 1000)
        print(f"    {label:<52} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms")
        return out

    print(f"  stock valuation, {N_PRODUCTS} products")
    v = timed("valuation per inventory account (move ledger)", lambda: stock.valuation(k2))
    rows = timed("valuation per product (qty, avg cost, value)", lambda: stock.valuation_by_product(k2))
    led = timed("ledger balance 1151", lambda: account_balance(k2, "1151"))
    total_rows = sum(r[3] for r in rows)
    print(f"    check: move ledger {v['1151']} = ledger {led}: {v['1151'] == led}; per-product sum = {total_rows}: "
          f"{total_rows == v['1151']}")


def main() -> int:
    if "--serve" in sys.argv:
        serve(int(sys.argv[sys.argv.index("--serve") + 1]))
        return 0
    if "--child" in sys.argv:
        child()
        return 0
    return run_sqlite_and_postgres(__file__, sys.argv)


if __name__ == "__main__":
    sys.exit(main())
