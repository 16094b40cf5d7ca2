"""The product's own server under load: ``kopdes serve`` (gunicorn, several process × thread shapes) against
``kopdes serve --dev`` (runserver), 20 concurrent clients, on the database of DATABASE_URL (default SQLite in
var/).

Two loads, each closed-loop (a client sends its next request as soon as the last one answered):
- the ketua's dashboard of the demo cooperative (needs ``kopdes setup`` first; skipped without the demo);
- a 5-line cash sale at the POS by 20 cashiers with open shifts (in a cooperative of the bench's own, so the
  demo's books are not touched).

Prints p50/p95 latency and requests/s per server shape and the ratio to --dev. Environment:
SERVE_BENCH_CLIENTS (20), SERVE_BENCH_REQUESTS (requests per client per load, 15), SERVE_BENCH_SHAPES
(e.g. "1x4,2x2,dev"; default by database), SERVE_BENCH_PORT (first port to try, 18150).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from _http import Conn, free_port, pct  # noqa: E402 - bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = int(os.environ.get("SERVE_BENCH_CLIENTS", "20"))
REQUESTS = int(os.environ.get("SERVE_BENCH_REQUESTS", "15"))


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    import django

    django.setup()


def _session_cookie(user) -> tuple[str, str]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    csrf = secrets.token_hex(16)
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}", csrf


def prepare():
    """Cashiers with open shifts and stocked products in a bench cooperative; the demo ketua's session."""
    import datetime as dt
    from decimal import Decimal

    from kopdes.core.audit import bulk_mode
    from kopdes.core.models import Koperasi, User
    from kopdes.core.services import create_koperasi, create_user_with_role
    from kopdes.retail import pos, services
    from kopdes.retail.models import Product, Supplier

    tag = os.getpid()
    # a desa of its own per run (one KDMP per desa): the first desa of OKI without a cooperative
    from kopdes.core.models import Region

    desa = (Region.objects.filter(level=4, code__startswith="16.02.")
            .exclude(code__in=Koperasi.objects.values("region_id")).order_by("code").first())
    k = create_koperasi(desa.code, slug=f"bench-serve-{tag}")
    gerai = services.default_location(k)
    sup = Supplier.objects.create(koperasi=k, name="Grosir")
    with bulk_mode():
        prods = [Product.objects.create(koperasi=k, code=f"S{i:04d}", name=f"Barang {i}", member_price=Decimal(5000),
                                        public_price=Decimal(5500)) for i in range(100)]
        services.receive_goods(k, supplier=sup, location=gerai, date=dt.date.today(),
                               lines=[{"product_id": p.pk, "qty": "1000000", "unit_cost": "4000"} for p in prods])
    cashiers = []
    for i in range(CLIENTS):
        user, _ra = create_user_with_role(role="operator", koperasi=k, unit="sembako", username=f"sb{tag}-{i}",
                                          password="rahasia-123", full_name=f"Kasir {i}")
        pos.open_shift(k, cashier=user, location=gerai, opening_float="100000")
        cashiers.append(_session_cookie(user))
    dashboard = None
    demo = Koperasi.objects.filter(slug="surya-adi").first()
    if demo is not None:
        ketua = User.objects.get(username="ketua")
        dashboard = (f"/k/{demo.slug}/", [_session_cookie(ketua) for _ in range(CLIENTS)])
    return k, [p.pk for p in prods], cashiers, dashboard


def run_load(port: int, n: int, make_request) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def client(i: int) -> None:
        conn = Conn("127.0.0.1", port, timeout=120)
        barrier.wait()
        for j in range(REQUESTS):
            method, path, body, headers = make_request(i, j)
            t = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = Conn("127.0.0.1", port, timeout=120)
                with lock:
                    errors.append(repr(exc))
                continue
            ms = (time.perf_counter() - t) * 1000
            with lock:
                if resp.status == 200:
                    latencies.append(ms)
                else:
                    errors.append(f"{resp.status} {data[:120]!r}")
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = Conn("127.0.0.1", port, timeout=120)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, errors, time.perf_counter() - t0


def start_server(shape: str, port: int) -> subprocess.Popen:
    args = [sys.executable, "-m", "kopdes", "serve", "--port", str(port), "--no-worker"]
    if shape == "dev":
        args.append("--dev")
    else:
        w, t = shape.split("x")
        args += ["--workers", w, "--threads", t]
    env = dict(os.environ, KOPDES_REQUEST_LOG="0")
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            c = Conn("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            c.getresponse().read()
            c.close()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server {shape} did not start")


def main() -> int:
    _setup_django()
    from django.db import connection

    vendor = connection.vendor
    default_shapes = "1x4,1x8,2x2,2x4,dev" if vendor == "sqlite" else "2x4,4x2,4x4,dev"
    shapes = os.environ.get("SERVE_BENCH_SHAPES", default_shapes).split(",")
    print(f"-- {vendor}, {os.cpu_count()} cores, {CLIENTS} clients x {REQUESTS} requests per load; "
          f"shapes = processes x threads", flush=True)
    k, prods, cashiers, dashboard = prepare()
    connection.close()
    import random

    sale_path = f"/k/{k.slug}/gerai/kasir/bayar/"

    def sale(i, j):
        r = random.Random(i * 7919 + j)
        cookie, csrf = cashiers[i]
        body = json.dumps({"client_id": uuid.uuid4().hex, "method": "cash",
                           "lines": [{"product_id": p, "qty": str(r.randint(1, 3))} for p in r.sample(prods, 5)]})
        return "POST", sale_path, body, {"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": csrf}

    def dash(i, j):
        path, cookies = dashboard
        return "GET", path, None, {"Cookie": cookies[i][0]}

    loads = [("POS sale", sale)]
    if dashboard:
        loads.insert(0, ("dashboard", dash))
    else:
        print("   (no demo cooperative: dashboard skipped — run `kopdes setup` first)")
    results = {}
    port = free_port(int(os.environ.get("SERVE_BENCH_PORT", "18150")))
    for shape in shapes:
        proc = start_server(shape, port)
        try:
            for name, make in loads:
                run_load(port, min(4, CLIENTS), make)  # warm-up: imports, connections, templates
                lat, errors, elapsed = run_load(port, CLIENTS, make)
                rps = len(lat) / elapsed if elapsed else 0.0
                results[(shape, name)] = (pct(lat, 50), pct(lat, 95), rps, len(errors))
                label = "runserver (--dev)" if shape == "dev" else f"gunicorn {shape}"
                print(f"  {label:<18} {name:<10} p50 {pct(lat, 50):7.1f} ms  p95 {pct(lat, 95):7.1f} ms  "
                      f"{rps:6.1f} req/s  errors {len(errors)}" + (f"  e.g. {errors[0]}" if errors else ""),
                      flush=True)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
    if "dev" in shapes:
        for name, _make in loads:
            dev = results.get(("dev", name))
            for shape in shapes:
                if shape == "dev" or (shape, name) not in results or not dev or not dev[2]:
                    continue
                p = results[(shape, name)]
                print(f"  {name:<10} gunicorn {shape} / runserver: {p[2] / dev[2]:4.2f}x req/s, "
                      f"p95 {p[1] / dev[1]:4.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
