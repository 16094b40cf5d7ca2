"""Pages and the POS JSON endpoints: every page renders, checkout over HTTP, refusals are clear, tenants isolated."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from .. import pos, services
from ..models import Sale
from .helpers import D, bal, cid, kiosk, member, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(koperasi, make_user, client_as):
    shop = kiosk(koperasi)
    kasir = make_user("operator", koperasi=koperasi, unit="sembako")
    return shop, kasir, client_as(kasir)


def test_every_page_renders_for_cashier_and_manager(koperasi, setup, make_user, client_as):
    shop, kasir, c = setup
    m = member(koperasi)
    services.set_allocation(koperasi, member_id=m.pk, season="2026-MT1", fertilizer_type="urea", allocated_kg="100",
                            valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31))
    shift = pos.open_shift(koperasi, cashier=kasir, location=shop["gerai"], opening_float=0)
    r = pos.checkout(koperasi, client_id=cid(), shift=shift, lines=[{"product_id": shop["gula"].pk, "qty": 1}],
                     by=kasir)
    po = services.create_purchase_order(koperasi, supplier=shop["supplier"], location=shop["gerai"],
                                        lines=[{"product_id": shop["gula"].pk, "qty": 5, "unit_cost": 14000}])
    pages = [url("home", koperasi), url("pos", koperasi), url("sales", koperasi), url("sale", koperasi, r["sale_id"]),
             url("receipt", koperasi, r["sale_id"]), url("shift", koperasi, shift.pk), url("products", koperasi),
             url("product_new", koperasi), url("product", koperasi, shop["gula"].pk),
             url("product_edit", koperasi, shop["gula"].pk), url("stock_ops", koperasi), url("purchases", koperasi),
             url("purchase_new", koperasi), url("po", koperasi, po.pk), url("rdkk", koperasi),
             url("rdkk_report", koperasi), url("het", koperasi)]
    pages += [url("reports", koperasi) + f"?jenis={k}" for k in ("harian", "barang", "kasir", "anggota", "lambat",
                                                                  "pembelian", "utang", "nilai")]
    for p in pages:
        resp = c.get(p)
        assert resp.status_code == 200, p
    mgr = client_as(make_user("manajer", koperasi=koperasi))
    for p in pages:
        assert mgr.get(p).status_code == 200, p
    x = mgr.get(url("reports", koperasi) + "?jenis=barang&format=xlsx")
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    assert mgr.get(url("rdkk_report", koperasi) + "?format=pdf").content[:4] == b"%PDF"
    assert mgr.get(url("product", koperasi, shop["gula"].pk) + "?format=pdf").content[:4] == b"%PDF"


def test_checkout_over_http_idempotent_and_refusals(koperasi, setup):
    shop, kasir, c = setup
    c.post(url("pos", koperasi), {"action": "open", "location": shop["gerai"].pk, "float": "100000"})
    body = {"client_id": cid(), "lines": [{"product_id": shop["gula"].pk, "qty": "2"}], "method": "cash",
            "tendered": "50000"}
    r1 = c.post(url("api_checkout", koperasi), json.dumps(body), content_type="application/json")
    assert r1.status_code == 200 and r1.json()["change"] == "15000.00"
    r2 = c.post(url("api_checkout", koperasi), json.dumps(body), content_type="application/json")
    assert r2.json()["sale_id"] == r1.json()["sale_id"] and r2.json()["replayed"]
    assert Sale.objects.filter(koperasi=koperasi).count() == 1
    assert bal(koperasi, "1103") == D("35000")
    bad = c.get(url("api_lookup", koperasi) + "?code=8992753100018")
    assert bad.status_code == 400 and "tidak valid" in bad.json()["error"]
    assert c.get(url("api_lookup", koperasi) + "?code=8992753100019").json()["results"][0]["name"] == "Gula pasir 1 kg"
    over = dict(body, client_id=cid(), tendered=None, lines=[{"product_id": shop["gula"].pk, "qty": "99"}])
    r3 = c.post(url("api_checkout", koperasi), json.dumps(over), content_type="application/json")
    assert r3.status_code == 400 and "tidak cukup" in r3.json()["error"]
    m = member(koperasi)
    found = c.get(url("api_member", koperasi) + f"?q=KOPDES-A|{koperasi.slug}|{m.number}").json()
    assert found["id"] == m.pk and found["active"]
    # product above HET refused on the form, nothing saved
    resp = c.post(url("product_edit", koperasi, shop["lpg"].pk), {
        "code": "LPG3", "name": "LPG 3 kg", "base_uom": "tabung", "member_price": "18000", "public_price": "21000",
        "regulated": "lpg3", "het_commodity": "lpg3", "inventory_account": "1151", "min_stock": "0", "active": "1"})
    assert resp.status_code == 200 and "melebihi HET" in resp.content.decode()
    shop["lpg"].refresh_from_db()
    assert shop["lpg"].public_price == D("18000")
    # close the shift: 100.000 + 35.000 expected, 134.000 counted
    c.post(url("pos", koperasi), {"action": "close", "counted": "134000"})
    assert bal(koperasi, "6115") == D("1000")
    r4 = c.post(url("api_checkout", koperasi), json.dumps(dict(body, client_id=cid())), content_type="application/json")
    assert r4.status_code == 400 and r4.json()["code"] == "shift_closed"


def test_foreign_and_read_only_users(koperasi, other_koperasi, setup, make_user, client_as):
    shop, kasir, c = setup
    foreign = client_as(make_user("ketua", koperasi=other_koperasi))
    assert foreign.get(url("home", koperasi)).status_code == 404
    assert foreign.get(url("product", koperasi, shop["gula"].pk)).status_code == 404
    pengawas = client_as(make_user("pengawas", koperasi=koperasi))
    assert pengawas.get(url("products", koperasi)).status_code == 200
    assert pengawas.post(url("api_checkout", koperasi), "{}", content_type="application/json").status_code == 403
    apoteker = client_as(make_user("operator", koperasi=koperasi, unit="apotek"))
    assert apoteker.get(url("pos", koperasi)).status_code == 403


def test_fertilizer_sale_with_handover_photo_over_http(koperasi, setup, settings, tmp_path):
    import base64

    settings.MEDIA_ROOT = str(tmp_path)
    shop, kasir, c = setup
    farmer = member(koperasi)
    services.set_allocation(koperasi, member_id=farmer.pk, season="MT", fertilizer_type="urea", allocated_kg="100",
                            valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2099, 12, 31))
    c.post(url("pos", koperasi), {"action": "open", "location": shop["gerai"].pk, "float": "0"})
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode()
    body = {"client_id": cid(), "member_id": farmer.pk, "lines": [{"product_id": shop["urea"].pk, "qty": "50"}],
            "photo": "data:image/png;base64," + png}
    r = c.post(url("api_checkout", koperasi), json.dumps(body), content_type="application/json")
    assert r.status_code == 200, r.content
    sale = Sale.objects.get(pk=r.json()["sale_id"])
    assert sale.handover_photo.name.endswith(".png") and sale.buyer_nik == farmer.nik
    bad = dict(body, client_id=cid(), photo="data:text/html;base64,PGI+")
    assert c.post(url("api_checkout", koperasi), json.dumps(bad), content_type="application/json").status_code == 400
    # over-allocation over HTTP: clear message, nothing recorded
    over = dict(body, client_id=cid(), photo=None, lines=[{"product_id": shop["urea"].pk, "qty": "60"}])
    r = c.post(url("api_checkout", koperasi), json.dumps(over), content_type="application/json")
    assert r.status_code == 400 and "alokasi RDKK" in r.json()["error"]
    assert Sale.objects.filter(koperasi=koperasi).count() == 1


def test_pages_in_english(koperasi, setup):
    shop, kasir, c = setup
    c.cookies["django_language"] = "en"
    html = c.get(url("pos", koperasi)).content.decode()
    assert "Kiosk till" in html and "Open shift" in html and "Kasir gerai" not in html
    c.post(url("pos", koperasi), {"action": "open", "location": shop["gerai"].pk, "float": "0"})
    html = c.get(url("pos", koperasi)).content.decode()
    assert "Scan barcode / type product name" in html and "Payment method" in html
    assert "it will not be recorded twice" in html  # the page's own messages too
    assert "Stock count sheet per location" in c.get(url("stock_ops", koperasi)).content.decode()
    report = c.get(url("reports", koperasi) + "?jenis=barang").content.decode()
    assert "Sales &amp; margin per product" in report and "COGS" in report
    c.cookies["django_language"] = "id"
    assert "Kasir gerai" in c.get(url("pos", koperasi)).content.decode()
