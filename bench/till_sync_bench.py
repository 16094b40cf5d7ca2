"""Offline till benchmark (issue 16): prints figures, asserts only that no sale was lost or doubled.

1. Sync of ``TILL_BENCH_SALES`` (default 500) sales queued by one device (3 lines each, cash with change), sent to
   ``kasir/sinkron/`` in batches of 20 as the till sends them (Django test client, in process: the server's time,
   not the network's): seconds, sales/second and SQL statements per sale; then the whole queue sent again (every
   answer lost) — each replayed, nothing recorded twice.
2. The till's first load, in bytes: the page, its static files (what the service worker keeps) and the catalogue
   (IndexedDB) for 200 products and 1,000 members; an offline reload takes 0 bytes from the network (the
   browser test ``tests/browser/test_till_offline.py`` checks that no request reaches the server).

    python bench/till_sync_bench.py                  # SQLite and PostgreSQL
    TILL_BENCH_SALES=100 python bench/till_sync_bench.py --sqlite
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
import uuid
from pathlib import Path

from _http import run_sqlite_and_postgres  # noqa: E402 - bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
SALES = int(os.environ.get("TILL_BENCH_SALES", "500"))
BATCH = 20


def child() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    import django

    django.setup()
    import logging
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from kopdes.core.audit import bulk_mode
    from kopdes.core.regions import load_regions, regions_loaded
    from kopdes.core.services import create_koperasi, create_user_with_role
    from kopdes.ledger.queries import account_balance
    from kopdes.retail import services
    from kopdes.retail.models import Product, Sale, Shift, Supplier, SyncException
    from kopdes.retail.views import TILL_STATIC

    logging.disable(logging.WARNING)
    settings.ALLOWED_HOSTS.append("testserver")
    print(f"-- {connection.vendor}", flush=True)
    call_command("migrate", verbosity=0)
    if not regions_loaded():
        load_regions()
    tag = os.getpid()
    k = create_koperasi("16.02.04.2006", slug=f"till-{tag}")
    gerai = services.default_location(k)
    sup = Supplier.objects.create(koperasi=k, name="Grosir")
    with bulk_mode():
        prods = [Product.objects.create(koperasi=k, code=f"P{i:04d}", name=f"Barang {i}", member_price=Decimal(5000),
                                        public_price=Decimal(5500)) for i in range(200)]
        services.receive_goods(k, supplier=sup, location=gerai, date=dt.date.today(),
                               lines=[{"product_id": p.pk, "qty": "100000", "unit_cost": "4000"} for p in prods])
    from kopdes.members.models import Member

    with bulk_mode():
        Member.objects.bulk_create([Member(koperasi=k, number=f"{i:05d}", seq=i, name=f"Anggota {i}",
                                           nik=f"16020449790{i:05d}", phone=f"0812{i:08d}", status="aktif", sex="L", registered_on=dt.date(2026, 1, 5),
                                           birth_date=dt.date(1980, 1, 1))
                                    for i in range(1, 1001)])
    user, _ra = create_user_with_role(role="operator", koperasi=k, unit="sembako", username=f"kasir{tag}",
                                      password="rahasia-123", full_name="Kasir")
    c = Client()
    c.force_login(user)
    till = reverse("retail:pos", args=[k.slug])
    c.post(till, {"action": "open", "location": gerai.pk, "float": "0"})
    shift = Shift.objects.get(koperasi=k, cashier=user)

    # --- 2: first load ------------------------------------------------------------------------------------
    page = c.get(till).content
    static_bytes = sum(Path(finders.find(s)).stat().st_size for s in TILL_STATIC)
    t = time.perf_counter()
    cat = c.get(reverse("retail:api_catalogue", args=[k.slug])).content
    cat_ms = (time.perf_counter() - t) * 1000
    sw = c.get(reverse("retail:till_sw", args=[k.slug])).content
    print(f"first load: page {len(page):,} B, static files {static_bytes:,} B (uncompressed), service worker "
          f"{len(sw):,} B, catalogue {len(cat):,} B for 200 products + 1,000 members ({cat_ms:.0f} ms on the "
          f"server); offline reload: 0 B from the network", flush=True)

    # --- 1: sync of the device's queue ----------------------------------------------------------------
    device = "KBENCH"
    entries = []
    for i in range(SALES):
        lines = [{"product_id": prods[(i * 3 + j) % len(prods)].pk, "qty": str(1 + j), "price": "5500"}
                 for j in range(3)]
        total = Decimal(5500) * 6
        cid = f"{device}-{uuid.uuid4()}"
        entries.append({"client_id": cid, "device": device, "provisional": f"OFF-{device}-{i + 1:04d}",
                        "at": dt.datetime.now(dt.UTC).isoformat(), "date": dt.date.today().isoformat(),
                        "total": f"{total:.2f}",
                        "body": {"client_id": cid, "shift_id": shift.pk, "method": "cash", "tendered": "50000",
                                 "payment_ref": "", "buyer_nik": "", "member_id": None, "lines": lines}})
    url = reverse("retail:api_sync", args=[k.slug])

    def send_all():
        statuses, queries = [], 0
        t0 = time.perf_counter()
        for i in range(0, len(entries), BATCH):
            connection.queries_log.clear()  # the log keeps only the last 9,000: counted per request from empty
            with CaptureQueriesContext(connection) as q:
                r = c.post(url, json.dumps({"sales": entries[i:i + BATCH]}), content_type="application/json")
            queries += len(q.captured_queries)
            assert r.status_code == 200, r.content[:200]
            statuses += [x["status"] + ("/replayed" if x.get("replayed") else "") for x in r.json()["results"]]
        return time.perf_counter() - t0, queries, statuses

    secs, queries, statuses = send_all()
    assert statuses == ["ok"] * SALES, set(statuses)
    print(f"sync {SALES} queued sales (3 lines, batches of {BATCH}): {secs:.2f} s, {SALES / secs:.0f} sales/s, "
          f"{queries / SALES:.1f} SQL statements per sale (whole request)", flush=True)
    secs2, queries2, statuses2 = send_all()
    assert statuses2 == ["ok/replayed"] * SALES, set(statuses2)
    print(f"the same queue sent again (answers lost): {secs2:.2f} s, {queries2 / SALES:.1f} SQL per sale, all "
          f"replayed", flush=True)
    n = Sale.objects.filter(koperasi=k).count()
    cash = account_balance(k, "1103")
    assert n == SALES and cash == Decimal(33000) * SALES and not SyncException.objects.filter(koperasi=k).exists()
    print(f"check: {n} sales recorded once each, cash {cash:,.0f} = {SALES} × 33,000, no sync exception", flush=True)


def main() -> int:
    if "--child" in sys.argv:
        child()
        return 0
    return run_sqlite_and_postgres(__file__, sys.argv)


if __name__ == "__main__":
    sys.exit(main())
