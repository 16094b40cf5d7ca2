"""Done-when of issue 9 in a browser.

1. A member's gabah is received into the warehouse (over-capacity refused first) and a warehouse receipt issued
   (PDF, public verification page); the receipt is pledged to a bank; a release from a stale tab is refused; the
   lender releases the pledge; the produce leaves with the storage fee charged — receipt state, custody and the
   ledger agree, and the public page says "released".
2. A cold-room sensor registered on its page posts readings through the API with its token (a re-sent batch is
   counted as duplicates, an unknown token is refused); the excursion lists the affected lot; a manual reading.
3. A delivery order with vehicle and driver goes planned → loaded → on the way → delivered with the recipient's
   drawn signature; a trip carries it and its fuel cost; the logistics unit's profit and loss shows both.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setup():
    from kopdes.core.services import create_koperasi, create_user_with_role
    from kopdes.logistics import services as lg
    from kopdes.members.tests.factories import new_active_member
    from kopdes.warehouse import services as wh

    today = dt.date.today()
    k = create_koperasi("16.02.04.2006", slug="gudang-desa")
    m = new_active_member(k, date=today - dt.timedelta(days=200), name="Sutrisno", phone="081234500077")
    create_user_with_role(role="operator", koperasi=k, unit="pergudangan", username="petugas-gudang",
                          password="kopdes-demo", full_name="Wati Gudang")
    create_user_with_role(role="operator", koperasi=k, unit="logistik", username="petugas-logistik",
                          password="kopdes-demo", full_name="Budi Logistik")
    f = wh.create_facility(k, code="GDG", name="Gudang KDMP")
    floor = wh.create_zone(f, code="A", name="Lantai A", capacity=Decimal("10000"))
    cold = wh.create_zone(f, code="CS1", name="Cold room ikan", kind="cold_room", capacity=Decimal("2000"),
                          temp_min=Decimal("0"), temp_max=Decimal("5"))
    start = today - dt.timedelta(days=365)
    wh.set_tariff(k, member_rate="3", public_rate="6", period="month", effective_from=start)
    wh.set_tariff(k, member_rate="5", public_rate="10", period="day", cold=True, effective_from=start)
    truck = lg.create_vehicle(k, code="TRK-01", kind="truk", plate="BG 8271 OK", capacity_kg="4000",
                              odometer_km=3200)
    lg.add_document(truck, kind="stnk", valid_until=today + dt.timedelta(days=900))
    lg.add_document(truck, kind="kir", valid_until=today + dt.timedelta(days=120))
    driver = lg.create_driver(k, name="Joko Prasetyo", license_class="B1",
                              license_valid_until=today + dt.timedelta(days=700))
    lg.set_tariff(k, base_fee="10000", per_km="2500", per_kg="0", member_discount_pct="10", effective_from=start)
    return {"k": k, "member": m, "floor": floor, "cold": cold, "truck": truck, "driver": driver, "today": today}


def _form(page, action: str) -> str:
    return f"form:has(input[name=action][value={action}])"


def test_receipt_life_cold_room_and_delivery(browser, page, live_server):
    from kopdes.ledger.queries import account_balance
    from kopdes.warehouse.models import CustodyMove, Excursion, StoredLot

    ctx = _setup()
    k, m, today = ctx["k"], ctx["member"], ctx["today"]
    base = f"{live_server.url}/k/{k.slug}/gudang"
    intake_day = today - dt.timedelta(days=30)

    # --- 1. intake: over capacity refused, then the member's 5 tonnes -------------------------------------------
    login(page, live_server, "petugas-gudang")
    page.goto(f"{base}/titipan/baru/")
    page.select_option("#id_zone", str(ctx["floor"].pk))
    page.select_option("#id_commodity", "gabah")
    page.fill("#id_member", m.number)
    page.fill("#id_grade", "GKG")
    page.fill("#id_moisture_pct", "14")
    page.fill("#id_impurities_pct", "1.5")
    page.fill("#id_bags", "100")
    page.fill("#id_gross_kg", "12100")
    page.fill("#id_net_kg", "12000")
    page.fill("#id_date", intake_day.isoformat())
    page.click("form .btn-merah")
    page.wait_for_load_state("networkidle")
    assert "Kapasitas Lantai A tidak cukup" in page.content()
    assert not StoredLot.objects.filter(koperasi=k).exists()
    page.fill("#id_gross_kg", "5100")
    page.fill("#id_net_kg", "5000")
    page.click("form .btn-merah")
    page.wait_for_url("**/gudang/titipan/*/")
    lot = StoredLot.objects.get(koperasi=k)
    receipt = lot.receipt
    assert receipt.number in page.content() and "Berlaku" in page.content()
    assert lot.member_id == m.pk and lot.remaining_kg == Decimal("5000")
    screenshot(page, "warehouse-01-lot-intake")

    pdf = page.request.get(f"{base}/resi/{receipt.pk}/pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    # a second tab of the same lot, still showing the release form
    stale = page.context.new_page()
    stale.goto(page.url)

    # --- pledge to the bank; the public page says "pledged" ------------------------------------------------------
    pledge = _form(page, "pledge")
    page.select_option(f"{pledge} select[name=lender_kind]", "bank")
    page.fill(f"{pledge} input[name=lender_name]", "BRI Unit Mesuji")
    page.fill(f"{pledge} input[name=reference]", "KUR-RG-17")
    page.fill(f"{pledge} input[name=amount]", "15000000")
    page.fill(f"{pledge} input[name=date]", (intake_day + dt.timedelta(days=5)).isoformat())
    page.click(f"{pledge} button")
    page.wait_for_load_state("networkidle")
    assert "Resi sedang dijaminkan" in page.content() and page.locator(_form(page, "release")).count() == 0

    public = browser.new_context(viewport={"width": 360, "height": 640}, locale="id-ID").new_page()
    public.goto(f"{live_server.url}/resi/{receipt.public_code}/")
    assert "DIJAMINKAN" in public.content() and receipt.number in public.content()
    assert m.name not in public.content()  # no personal data on the public page
    screenshot(public, "warehouse-02-verify-pledged")

    # --- release from the stale tab: refused, nothing leaves ------------------------------------------------------
    rel = _form(stale, "release")
    stale.fill(f"{rel} input[name=kg]", "1000")
    stale.fill(f"{rel} input[name=date]", today.isoformat())
    stale.click(f"{rel} button")
    stale.wait_for_load_state("networkidle")
    assert "sedang dijaminkan kepada BRI Unit Mesuji" in stale.content()
    lot.refresh_from_db()
    assert lot.remaining_kg == Decimal("5000") and not lot.releases.exists()
    screenshot(stale, "warehouse-03-release-refused")
    stale.close()

    # --- the lender releases the pledge (roya); full release with the fee charged -------------------------------
    page.reload()
    unpledge = _form(page, "unpledge")
    page.fill(f"{unpledge} input[name=reference]", "ROYA-2026-01")
    page.fill(f"{unpledge} input[name=date]", (today - dt.timedelta(days=1)).isoformat())
    page.click(f"{unpledge} button")
    page.wait_for_load_state("networkidle")
    assert "Jaminan dilepas" in page.content()
    rel = _form(page, "release")
    page.fill(f"{rel} input[name=kg]", "5000")
    page.fill(f"{rel} input[name=date]", today.isoformat())
    page.fill(f"{rel} input[name=collected_by]", "Sutrisno")
    page.click(f"{rel} button")
    page.wait_for_load_state("networkidle")
    # 5000 kg × Rp3/kg/month × 31 days / 30 = Rp15.500
    assert "Rp15.500" in page.content()
    lot.refresh_from_db()
    receipt.refresh_from_db()
    assert lot.status == "released" and lot.remaining_kg == 0 and receipt.status == "released"
    assert sum(mv.kg for mv in CustodyMove.objects.filter(lot=lot)) == 0
    assert lot.fees_charged == Decimal("15500.00")
    assert account_balance(k, "4141", unit="pergudangan") == Decimal("15500.00")
    assert account_balance(k, "4141", member_id=m.pk) == Decimal("15500.00")
    assert account_balance(k, "1107", unit="pergudangan") == Decimal("15500.00")
    screenshot(page, "warehouse-04-released-with-fee")
    public.reload()
    assert "SUDAH DILEPAS" in public.content()
    public.context.close()

    # --- 2. cold room: fish stored, a sensor registered on its page, readings through the API ------------------
    from kopdes.warehouse import services as wh

    fish = wh.intake(k, zone=ctx["cold"], commodity="ikan", gross_kg="305", net_kg="300", member_id=m.pk,
                     date=today - dt.timedelta(days=1), grade="Segar")
    page.goto(f"{base}/sensor/")
    page.select_option("#id_zone", str(ctx["cold"].pk))
    page.fill("#id_name", "Sensor CS1")
    page.fill("#id_serial", "TS-0091")
    page.click("form .btn-merah")
    page.wait_for_load_state("networkidle")
    token = page.inner_text(".alert-success code.user-select-all").strip()
    assert "." in token

    from django.utils import timezone

    now = timezone.now().replace(second=0, microsecond=0)
    temps = [3.1, 3.4, 6.2, 7.8, 8.4, 5.9, 3.6, 3.2]  # a compressor fault: 4 readings above 5 °C
    readings = [{"at": (now - dt.timedelta(minutes=15 * (len(temps) - i))).isoformat(), "celsius": c}
                for i, c in enumerate(temps)]
    api = f"{live_server.url}/api/v1/devices/readings"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    r = page.request.post(api, data=json.dumps({"readings": readings}), headers={**headers, "Idempotency-Key": "b1"})
    assert r.status == 201, r.text()
    assert r.json() == {"received": 8, "stored": 8, "duplicates": 0, "out_of_range": 4, "alerts_opened": 1}
    # the gateway re-sends the same readings under a new key: ignored, nothing duplicated
    r = page.request.post(api, data=json.dumps({"readings": readings}), headers={**headers, "Idempotency-Key": "b2"})
    assert r.status == 201 and r.json()["duplicates"] == 8 and r.json()["stored"] == 0
    # an unknown device is refused
    r = page.request.post(api, data=json.dumps({"readings": readings[:1]}),
                          headers={"Authorization": "Bearer 0000.bogus", "Content-Type": "application/json",
                                   "Idempotency-Key": "b3"})
    assert r.status == 401
    exc = Excursion.objects.get(koperasi=k)
    assert exc.readings == 4 and exc.max_celsius == Decimal("8.40") and exc.ended_at is not None

    page.goto(f"{base}/suhu/")
    page.select_option("#id_zone", str(ctx["cold"].pk))
    page.fill("#id_at", timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_celsius", "2.9")
    page.click("form .btn-merah")
    page.wait_for_load_state("networkidle")
    assert "Suhu dicatat" in page.content()
    page.wait_for_timeout(500)  # the chart draws from the room's JSON
    screenshot(page, "warehouse-05-cold-room")

    page.goto(f"{base}/penyimpangan/{exc.pk}/")
    assert fish.number in page.content() and fish.receipt.number in page.content()
    page.fill("#id_note", "Kompresor direset teknisi; ikan diperiksa, pemilik diberi tahu.")
    page.click("form .btn-merah")
    page.wait_for_load_state("networkidle")
    assert "ditindaklanjuti" in page.content()
    screenshot(page, "warehouse-06-excursion-affected-lots")

    # --- 3. delivery with driver and proof; trip cost; the logistics unit's P&L -----------------------------
    from kopdes.logistics.models import DeliveryOrder, DeliveryProof

    lg_page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="id-ID").new_page()
    lg_page.set_default_timeout(15000)
    login(lg_page, live_server, "petugas-logistik")
    lbase = f"{live_server.url}/k/{k.slug}/logistik"
    lg_page.goto(f"{lbase}/pengiriman/baru/")
    lg_page.select_option("#id_kind", "ke_anggota")
    lg_page.fill("#id_origin", "Gudang KDMP")
    lg_page.fill("#id_destination", "Dusun II Sukamaju")
    lg_page.fill("#id_member", m.number)
    lg_page.select_option("#id_vehicle", str(ctx["truck"].pk))
    lg_page.select_option("#id_driver", str(ctx["driver"].pk))
    lg_page.select_option("#id_fee_basis", "distance")
    lg_page.fill("#id_distance_km", "12")
    lg_page.fill("#id_item1", "Gabah kering giling")
    lg_page.fill("#id_qty1", "10")
    lg_page.fill("#id_uom1", "karung")
    lg_page.fill("#id_weight1", "500")
    lg_page.click("form .btn-merah")
    lg_page.wait_for_url("**/logistik/pengiriman/*/")
    order = DeliveryOrder.objects.get(koperasi=k)
    assert order.fee_amount == Decimal("36000.00")  # (10.000 + 2.500 × 12) − 10% member discount

    lg_page.goto(f"{lbase}/perjalanan/")
    lg_page.select_option("#id_vehicle", str(ctx["truck"].pk))
    lg_page.select_option("#id_driver", str(ctx["driver"].pk))
    lg_page.check(f"input[name=deliveries][value='{order.pk}']")
    lg_page.click("form .btn-merah")
    lg_page.wait_for_url("**/logistik/perjalanan/*/")
    trip_url = lg_page.url
    cost = _form(lg_page, "cost")
    lg_page.select_option(f"{cost} select[name=kind]", "bbm")
    lg_page.fill(f"{cost} input[name=amount]", "68000")
    lg_page.fill(f"{cost} input[name=liters]", "10")
    lg_page.click(f"{cost} button")
    lg_page.wait_for_load_state("networkidle")

    lg_page.goto(f"{lbase}/pengiriman/{order.pk}/")
    lg_page.click("button[value=loaded]")
    lg_page.wait_for_load_state("networkidle")
    lg_page.click("button[value=on_the_way]")
    lg_page.wait_for_load_state("networkidle")
    lg_page.fill("#id_recipient_name", "Sutrisno")
    lg_page.locator("#sig").scroll_into_view_if_needed()
    box = lg_page.locator("#sig").bounding_box()
    lg_page.mouse.move(box["x"] + 20, box["y"] + 70)
    lg_page.mouse.down()
    for i in range(1, 12):
        lg_page.mouse.move(box["x"] + 20 + i * 20, box["y"] + 70 + (25 if i % 2 else -25))
    lg_page.mouse.up()
    lg_page.click("#proof-form .btn-success")
    lg_page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.status == "delivered" and order.recipient_name == "Sutrisno" and order.journal_entry_id
    proof = DeliveryProof.objects.get(order=order)
    assert proof.kind == "ttd" and proof.file.size > 200  # the drawn signature, not an empty canvas
    assert lg_page.locator("img[alt='Tanda tangan']").count() == 1
    screenshot(lg_page, "warehouse-07-delivery-proof")

    lg_page.goto(trip_url)
    close = _form(lg_page, "close")
    lg_page.fill(f"{close} input[name=odometer_end]", "3228")
    lg_page.click(f"{close} button")
    lg_page.wait_for_load_state("networkidle")

    lg_page.goto(f"{lbase}/laporan/?dari={today.replace(day=1).isoformat()}&sampai={today.isoformat()}")
    text = lg_page.inner_text("body").replace("\xa0", "")
    assert "Rp36.000" in text and "Rp68.000" in text and "-Rp32.000" in text.replace("−", "-")
    assert account_balance(k, "4151", unit="logistik") == Decimal("36000.00")
    assert account_balance(k, "6108", unit="logistik") == Decimal("68000.00")
    screenshot(lg_page, "warehouse-08-logistics-pnl")
    lg_page.context.close()
