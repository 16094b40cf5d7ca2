"""Issue 16 in a real browser (Chromium at 360 px): the till keeps selling with the network cut.

Online first (the service worker installs, the catalogue and members go to IndexedDB); then offline: the till
reloads from the service worker and shows its queue; three sales are rung (cash with change, a member buying a
product named like HTML with "uang pas", a rice sale); meanwhile another till sells the rice out. Back online the
queue syncs by itself: the two good sales are recorded once each (stock and ledger as if rung online), the rice
sale becomes a sync exception with its reason, and nothing named like HTML is ever rendered as markup.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import _watch_csp, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/till-shots")
HOSTILE_PRODUCT = '<img src=x onerror="document.title=1">Kopi bubuk'
HOSTILE_MEMBER = "<b>Siti</b> Aminah"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_injected_markup(page):
    for sel in ("#cart img", "#results img", "#member-results img", "#member-results b", "#queue-list img",
                "#offline-receipt img", "#member-info b b"):
        assert page.locator(sel).count() == 0, sel
    assert page.title() != "1"


def fits_360(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for sel in ("#cart tbody tr:last-child .num", "#cart tbody tr:last-child button"):
        box = page.locator(sel).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (sel, box)


def test_offline_till_sells_reloads_and_syncs_each_sale_once(browser, live_server):
    from kopdes.core.services import create_koperasi, create_user_with_role
    from kopdes.ledger.queries import account_balance
    from kopdes.retail import pos, services, stock
    from kopdes.retail.models import Product, Sale, Shift, SyncException
    from kopdes.retail.tests.helpers import kiosk, member, product

    k = create_koperasi("16.02.04.2006", slug="surya-adi")
    shop = kiosk(k)
    kopi = product(k, "KOPI", HOSTILE_PRODUCT, 9000, 10000, base_uom="pcs")
    services.receive_goods(k, supplier=shop["supplier"], location=shop["gerai"],
                           lines=[{"product_id": kopi.pk, "qty": "5", "unit_cost": "7000"}])
    minyak = product(k, "MINYAK", "Minyak goreng 1 L", 19000, 20000, base_uom="pcs")
    services.receive_goods(k, supplier=shop["supplier"], location=shop["gerai"],
                           lines=[{"product_id": minyak.pk, "qty": "3", "unit_cost": "17000"}])
    siti = member(k, name=HOSTILE_MEMBER, phone="081377712345")
    kasir = create_user_with_role(role="operator", koperasi=k, unit="sembako", username="kasir",
                                  password="rahasia-123", full_name="Dewi Lestari")[0]
    other = create_user_with_role(role="operator", koperasi=k, unit="sembako", username="kasir2",
                                  password="rahasia-123", full_name="Rina")[0]
    cash_before = account_balance(k, "1103")

    ctx = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, is_mobile=True,
                              has_touch=True, locale="id-ID", service_workers="allow")
    page = ctx.new_page()
    page.set_default_timeout(15000)
    refused = _watch_csp(page)
    login(page, live_server, "kasir", "rahasia-123")
    till = f"{live_server.url}/k/{k.slug}/gerai/kasir/"
    page.goto(till)
    page.fill("#float", "50000")
    page.click("#open-shift")
    page.wait_for_selector("#till-status[data-ready='1'][data-sw='ready'][data-catalogue]")
    shot(page, "01-online-ready")

    # --- the network drops; the till reloads from the service worker and says so --------------------------------
    from django.core.signals import request_started

    reached = []

    def seen(sender, environ=None, **kw):
        reached.append(environ.get("PATH_INFO") if environ else "?")

    request_started.connect(seen)  # the live server runs in this process: every request that reaches it
    ctx.set_offline(True)
    resp = page.reload()
    assert resp is not None and resp.from_service_worker
    page.wait_for_selector("#till-status[data-ready='1'][data-online='0']")
    assert page.get_attribute("#till-status", "data-queue") == "0"
    assert "Shift dibuka" not in page.inner_text("body")  # the kept copy carries no one-off message
    assert "Offline" in page.inner_text("#till-status")

    # sale 1: gula by its code, qty 2, quick cash 50.000 → change 15.000, paid with F9
    page.fill("#scan", "GULA1")
    page.press("#scan", "Enter")
    page.wait_for_selector("#cart tbody tr")
    page.fill("#cart tbody tr:nth-child(1) .qty-input", "2")
    page.dispatch_event("#cart tbody tr:nth-child(1) .qty-input", "change")
    page.click("#quick-cash [data-cash='50000']")
    assert page.inner_text("#total").replace("\xa0", "") == "Rp35.000"
    assert page.inner_text("#change") == "Rp15.000"
    fits_360(page)
    shot(page, "02-offline-cart-360")
    page.keyboard.press("F9")
    page.wait_for_selector("#till-status[data-queue='1']")
    assert page.inner_text("#or-number").startswith("OFF-")
    assert page.inner_text("#or-change") == "Rp15.000"
    assert "tertunda" in page.inner_text("#or-status")
    shot(page, "03-offline-provisional-receipt")
    page.click("#or-new")

    # sale 2: the member found by name from the device's list, a product named like HTML, "uang pas", Ctrl+Enter
    page.fill("#member-input", "siti")
    page.wait_for_selector("#member-results button")
    assert HOSTILE_MEMBER in page.inner_text("#member-results")
    page.click("#member-results button")
    page.wait_for_selector("#member-info b")
    assert page.inner_text("#member-info b") == HOSTILE_MEMBER
    page.fill("#scan", "kopi")
    page.wait_for_selector("#results button:has-text('Kopi bubuk')")
    assert HOSTILE_PRODUCT in page.inner_text("#results")
    page.click("#results button")
    page.wait_for_selector("#cart tbody tr")
    assert HOSTILE_PRODUCT in page.inner_text("#cart tbody tr:nth-child(1)")
    page.click("#quick-cash [data-cash='exact']")
    assert page.inner_text("#total").replace("\xa0", "") == "Rp9.000"  # member price
    no_injected_markup(page)
    fits_360(page)
    shot(page, "04-offline-html-names-as-text")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#till-status[data-queue='2']")
    page.click("#or-new")

    # sale 3: 2 bottles of cooking oil (3 on the device's snapshot)
    page.fill("#scan", "MINYAK")
    page.press("#scan", "Enter")
    page.wait_for_selector("#cart tbody tr")
    page.fill("#cart tbody tr:nth-child(1) .qty-input", "2")
    page.dispatch_event("#cart tbody tr:nth-child(1) .qty-input", "change")
    page.click("#pay-btn")
    page.wait_for_selector("#till-status[data-queue='3']")
    page.click("#or-new")

    # a savings debit offline is refused with a clear message (money leaving savings needs the server)
    page.fill("#scan", "GULA1")
    page.press("#scan", "Enter")
    page.wait_for_selector("#cart tbody tr")
    page.select_option("#method", "sukarela")
    page.click("#pay-btn")
    page.wait_for_selector("#error:not(.d-none)")
    assert "tidak bisa saat offline" in page.inner_text("#error")
    assert page.get_attribute("#till-status", "data-queue") == "3"
    page.click("#cart tbody tr:nth-child(1) button")
    page.select_option("#method", "cash")

    # reload while still offline: the queue is still there
    resp = page.reload()
    assert resp.from_service_worker
    page.wait_for_selector("#till-status[data-ready='1'][data-queue='3']")
    page.click("#queue-box summary")
    assert page.locator("#queue-list .queue-item[data-status='pending']").count() == 3
    no_injected_markup(page)
    shot(page, "05-offline-reload-queue")
    # the reloads and sales never touched the network: the service worker and IndexedDB (only Chromium's own
    # update check of the service worker script ignores the emulated offline state)
    assert [p for p in reached if not p.endswith("/sw.js")] == [], reached
    assert Sale.objects.filter(koperasi=k).count() == 0  # nothing reached the server yet
    request_started.disconnect(seen)
    # the shift cannot be closed while sales wait (they would be held as "shift closed")
    page.click("details:has(#close-shift) summary")
    assert page.is_disabled("#close-shift") and "Sinkronkan dulu 3" in page.inner_text("#close-warning")
    # a provisional receipt can be shown (and printed) again from the list
    page.click("#queue-list .queue-item:last-child button")
    assert page.inner_text("#or-number").endswith("-0001") and page.inner_text("#or-change") == "Rp15.000"
    page.click("#or-new")

    # meanwhile another till sells two of the three bottles
    shift2 = pos.open_shift(k, cashier=other, location=shop["gerai"], opening_float="0")
    pos.checkout(k, client_id="other-till", shift=shift2, lines=[{"product_id": minyak.pk, "qty": "2"}], by=other)

    # --- back online: the queue syncs by itself -------------------------------------------------------------
    ctx.set_offline(False)
    page.wait_for_selector("#till-status[data-queue='0'][data-online='1']")
    page.wait_for_selector("#queue-list .queue-item[data-status='held']")
    assert page.locator("#queue-list .queue-item[data-status='synced']").count() == 2
    assert "tidak cukup" in page.inner_text("#queue-list .queue-item[data-status='held']")
    assert page.inner_text("#last-sync") != "belum pernah"
    no_injected_markup(page)
    shot(page, "06-online-synced-one-held")

    assert not page.is_disabled("#close-shift")
    # a second sync on demand sends nothing twice
    page.click("#sync-btn")
    page.wait_for_selector("#sync-btn:not([disabled])")

    shift = Shift.objects.get(koperasi=k, cashier=kasir)
    mine = Sale.objects.filter(koperasi=k, shift=shift).order_by("id")
    assert mine.count() == 2
    s1, s2 = mine
    assert s1.total == Decimal("35000") and s1.tendered == Decimal("50000") and s1.change == Decimal("15000")
    assert s2.total == Decimal("9000") and s2.member_id == siti.pk and s2.member_name == HOSTILE_MEMBER
    assert s1.client_id.split(":", 1)[1].startswith("K")  # <user>:<device>-<uuid>
    assert Product.objects.get(pk=shop["gula"].pk).stock_qty == 8
    assert Product.objects.get(pk=kopi.pk).stock_qty == 4
    assert Product.objects.get(pk=minyak.pk).stock_qty == 1  # the other till's 2 only
    exc = SyncException.objects.get(koperasi=k)
    assert exc.code == "insufficient_stock" and exc.status == "open" and exc.total == Decimal("40000")
    assert exc.payload["body"]["lines"][0]["qty"] == "2"
    # the ledger as if online: cash = the two sales + the other till's, inventory = stock valuation
    assert account_balance(k, "1103") == cash_before + Decimal("35000") + Decimal("9000") + Decimal("40000")
    assert account_balance(k, "1151") == stock.valuation(k)["1151"]
    assert account_balance(k, "4111", member_id=siti.pk) == Decimal("9000")

    # the synced receipt of the HTML-named product renders its name as text
    page.goto(f"{live_server.url}/k/{k.slug}/gerai/penjualan/{s2.pk}/struk/")
    assert HOSTILE_PRODUCT in page.inner_text("body") and page.locator("img[src='x']").count() == 0
    ctx.close()
    assert not refused, refused

    # the manager sees the held sale on the exceptions page
    create_user_with_role(role="manajer", koperasi=k, username="manajer", password="rahasia-123", full_name="Pak Manajer")
    mctx = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, locale="id-ID")
    mp = mctx.new_page()
    login(mp, live_server, "manajer", "rahasia-123")
    mp.goto(f"{live_server.url}/k/{k.slug}/gerai/kasir/pengecualian/")
    assert exc.provisional_number in mp.inner_text("#sync-exceptions")
    assert "tidak cukup" in mp.inner_text("#sync-exceptions .sync-reason")
    shot(mp, "07-manager-sync-exceptions")
    mctx.close()


def _till(browser, live_server, slug, username):
    ctx = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, locale="id-ID",
                              service_workers="allow")
    page = ctx.new_page()
    page.set_default_timeout(15000)
    refused = _watch_csp(page)
    login(page, live_server, username, "rahasia-123")
    page.goto(f"{live_server.url}/k/{slug}/gerai/kasir/")
    page.click("#open-shift")
    page.wait_for_selector("#till-status[data-ready='1'][data-sw='ready'][data-catalogue]")
    return ctx, page, refused


def _sell_urea_offline(page, member_number, kg):
    page.fill("#member-input", member_number)
    page.press("#member-input", "Enter")
    page.wait_for_selector("#member-info b")
    page.fill("#scan", "UREA")
    page.press("#scan", "Enter")
    page.wait_for_selector("#cart tbody tr")
    page.fill("#cart tbody tr:nth-child(1) .qty-input", str(kg))
    page.dispatch_event("#cart tbody tr:nth-child(1) .qty-input", "change")
    page.click("#quick-cash [data-cash='100000']")
    page.click("#pay-btn")
    page.wait_for_selector("#till-status[data-queue='1']")


def test_two_offline_tills_sell_the_last_quota_one_stands_one_is_held(browser, live_server):
    """Two phones offline each sell a farmer's last 50 kg of subsidised urea: after both sync, one sale stands and
    the other is a sync exception (over_allocation); the quota is never exceeded, nothing is lost."""
    import datetime as dt

    from django.utils import timezone

    from kopdes.core.services import create_koperasi, create_user_with_role
    from kopdes.retail import services
    from kopdes.retail.models import FertilizerAllocation, Product, Sale, SyncException
    from kopdes.retail.tests.helpers import kiosk, member

    k = create_koperasi("16.02.04.2006", slug="surya-adi")
    shop = kiosk(k)
    farmer = member(k, name="Pak Darmo")
    today = timezone.localdate()
    services.set_allocation(k, member_id=farmer.pk, season="MT1", fertilizer_type="urea", allocated_kg="50",
                            valid_from=today - dt.timedelta(days=10), valid_to=today + dt.timedelta(days=60))
    for name in ("kasir-a", "kasir-b"):
        create_user_with_role(role="operator", koperasi=k, unit="sembako", username=name, password="rahasia-123",
                              full_name=name)
    a_ctx, a, a_refused = _till(browser, live_server, k.slug, "kasir-a")
    b_ctx, b, b_refused = _till(browser, live_server, k.slug, "kasir-b")
    a_ctx.set_offline(True)
    b_ctx.set_offline(True)
    _sell_urea_offline(a, farmer.number, 50)
    _sell_urea_offline(b, farmer.number, 50)
    shot(b, "08-second-till-offline-last-quota")

    a_ctx.set_offline(False)
    a.wait_for_selector("#till-status[data-queue='0'][data-online='1']")
    a.wait_for_selector("#queue-list .queue-item[data-status='synced']", state="attached")
    b_ctx.set_offline(False)
    b.wait_for_selector("#till-status[data-queue='0'][data-online='1']")
    b.wait_for_selector("#queue-list .queue-item[data-status='held']", state="attached")
    b.click("#queue-box summary")
    assert "alokasi RDKK" in b.inner_text("#queue-list .queue-item[data-status='held']")
    shot(b, "09-second-till-quota-held")

    assert Sale.objects.filter(koperasi=k).count() == 1
    alloc = FertilizerAllocation.objects.get(koperasi=k, member_id=farmer.pk)
    assert alloc.redeemed_kg == 50 and alloc.remaining_kg == 0
    assert Product.objects.get(pk=shop["urea"].pk).stock_qty == 450
    exc = SyncException.objects.get(koperasi=k)
    assert exc.code == "over_allocation" and exc.cashier.username == "kasir-b" and exc.total == 90000
    for ctx in (a_ctx, b_ctx):
        ctx.close()
    assert not a_refused and not b_refused, (a_refused, b_refused)
