"""The back office of the kiosk over HTTP: stock opname sheet, supplier invoices and payments against them,
returns to the supplier (incl. Bulog), HET decrees (administrator only), limits (management), the sale return
and the 58 mm receipt — each reachable from the UI, with the ledger checked."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from .. import pos, stock
from ..catalog import het_in_force
from ..models import PriceCeiling, PurchaseReturn, Sale, StockCount, Supplier, SupplierInvoice
from .helpers import D, bal, cid, kiosk, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(koperasi, make_user, client_as):
    shop = kiosk(koperasi)
    mgr = make_user("manajer", koperasi=koperasi)
    shop["c"] = client_as(mgr)
    return shop


def test_opname_sheet_lists_system_quantities_and_posts_the_variance(koperasi, office):
    c, gerai = office["c"], office["gerai"]
    page = c.get(url("opname", koperasi) + f"?lokasi={gerai.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Gula pasir 1 kg" in html and f'name="c_{office["gula"].pk}"' in html
    assert url("opname", koperasi) in c.get(url("stock_ops", koperasi)).content.decode()
    before = bal(koperasi, "1151")
    # gula 10 → 8 counted (2 short @ 14.000), SPHP 100 → 101 (1 over @ 11.000), LPG left blank (not counted)
    r = c.post(url("opname", koperasi), {"location": gerai.pk, f"c_{office['gula'].pk}": "8",
                                         f"c_{office['sphp'].pk}": "101", f"c_{office['lpg'].pk}": "",
                                         "note": "akhir bulan"})
    assert r.status_code == 302
    sc = StockCount.objects.get(koperasi=koperasi)
    assert sc.lines.count() == 2 and sc.variance_value == D("-28000") + D("11000")
    assert bal(koperasi, "6114") == D("28000") and bal(koperasi, "4203") == D("11000")
    assert bal(koperasi, "1151") == before - D("17000") == stock.valuation(koperasi)["1151"]
    assert stock.on_hand(koperasi, office["lpg"], gerai) == 20
    shown = c.get(r["Location"]).content.decode()
    assert "opname-result" in shown and "-2" in shown
    # nothing counted: refused with a message, nothing written
    r = c.post(url("opname", koperasi), {"location": gerai.pk}, follow=True)
    assert "minimal satu barang" in r.content.decode()
    # a negative count is refused and nothing of the sheet is kept
    r = c.post(url("opname", koperasi), {"location": gerai.pk, f"c_{office['gula'].pk}": "7",
                                         f"c_{office['sphp'].pk}": "-1"}, follow=True)
    assert "tidak boleh negatif" in r.content.decode()
    assert StockCount.objects.filter(koperasi=koperasi).count() == 1
    assert stock.on_hand(koperasi, office["gula"], gerai) == 8


def test_bulog_supplier_invoice_payment_and_return_from_the_purchases_page(koperasi, office):
    c, gerai = office["c"], office["gerai"]
    c.post(url("purchases", koperasi), {"action": "supplier", "name": "Perum Bulog Kanwil Sumsel", "kind": "bulog"})
    bulog = Supplier.objects.get(koperasi=koperasi, kind="bulog")
    # goods receipt from Bulog: 200 kg SPHP @ 11.000 (direct receipt, no order)
    r = c.post(url("purchase_new", koperasi), {"action": "receive", "supplier": bulog.pk, "location": gerai.pk,
                                               "p0": office["sphp"].pk, "q0": "200", "c0": "11000", "ref": "DO-1"})
    assert r.status_code == 302
    assert bal(koperasi, "2111") == D("2200000") + D("2310000")  # + the kiosk's opening receipt
    # the invoice (2.000.000 of the 2.200.000 delivered), then a part payment against it; paying more than the
    # invoice's balance (1.000.000) is refused although 1.200.000 is owed in all
    r = c.post(url("purchases", koperasi), {"action": "invoice", "supplier": bulog.pk, "number": "BLG/2026/77",
                                            "amount": "2000000", "due_date": "2026-03-31"})
    inv = SupplierInvoice.objects.get(koperasi=koperasi, supplier=bulog)
    assert inv.due_date == dt.date(2026, 3, 31) and inv.outstanding == D("2000000")
    dup = c.post(url("purchases", koperasi), {"action": "invoice", "supplier": bulog.pk, "number": "BLG/2026/77",
                                              "amount": "1"}, follow=True)
    assert "sudah dicatat" in dup.content.decode()
    c.post(url("purchases", koperasi), {"action": "pay", "supplier": bulog.pk, "invoice": inv.pk,
                                        "amount": "1000000", "account": "1111", "reference": "TRF-1"})
    inv.refresh_from_db()
    assert inv.paid == D("1000000") and bal(koperasi, "1111") == D("-1000000")
    over = c.post(url("purchases", koperasi), {"action": "pay", "supplier": bulog.pk, "invoice": inv.pk,
                                               "amount": "1100000", "account": "1111"}, follow=True)
    assert "melebihi sisa faktur" in over.content.decode()
    # 10 kg back to Bulog (wet sacks) at cost: payable and inventory down by 110.000
    inv_before = bal(koperasi, "1151")
    c.post(url("purchases", koperasi), {"action": "return", "supplier": bulog.pk, "product": office["sphp"].pk,
                                        "location": gerai.pk, "qty": "10", "reason": "karung basah"})
    ret = PurchaseReturn.objects.get(koperasi=koperasi)
    assert ret.credit_amount == D("110000") and ret.reason == "karung basah"
    assert bal(koperasi, "1151") == inv_before - D("110000") == stock.valuation(koperasi)["1151"]
    page = c.get(url("purchases", koperasi)).content.decode()
    assert "BLG/2026/77" in page and ret.number in page
    # more than in stock: refused, nothing written
    too_many = c.post(url("purchases", koperasi), {"action": "return", "supplier": bulog.pk,
                                                   "product": office["gula"].pk, "location": gerai.pk, "qty": "50"},
                      follow=True)
    assert "tidak cukup" in too_many.content.decode()
    assert PurchaseReturn.objects.filter(koperasi=koperasi).count() == 1


def logged_in(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_het_decree_by_administrator_only_and_limits_by_management(koperasi, office, make_user):
    from kopdes.core.models import User

    kasir = logged_in(make_user("operator", koperasi=koperasi, unit="sembako"))
    body = {"commodity": "minyakita", "name": "Minyakita 1 L", "max_price": "15700", "uom": "liter",
            "valid_from": "2025-08-01", "decree": "Permendag 18/2024", "region_code": ""}
    assert kasir.post(url("het", koperasi), body).status_code == 403
    assert not PriceCeiling.objects.filter(commodity="minyakita").exists()
    admin = User.objects.create_superuser(username="admin-het", password="rahasia-123")
    ca = logged_in(admin)
    assert "Catat keputusan HET" in ca.get(url("het", koperasi)).content.decode()
    ca.post(url("het", koperasi), body)
    assert het_in_force(koperasi, "minyakita", dt.date(2026, 1, 1)).max_price == D("15700")
    no_decree = ca.post(url("het", koperasi), dict(body, decree="", valid_from="2026-01-01"), follow=True)
    assert "dasar hukum" in no_decree.content.decode()
    assert PriceCeiling.objects.filter(commodity="minyakita").count() == 1
    # limits: the cashier may not change them, the manager may
    assert kasir.post(url("limits", koperasi), {"lpg_limit_qty": "9"}).status_code == 403
    office["c"].post(url("limits", koperasi), {"lpg_limit_qty": "3", "lpg_limit_days": "14", "sphp_limit_kg": "25",
                                               "credit_limit": "750000"})
    s = pos.settings_for(koperasi)
    assert (s.lpg_limit_qty, s.lpg_limit_days, s.sphp_limit_kg, s.credit_limit) == (3, 14, 25, 750000)


def test_sale_return_from_the_sale_page_and_58mm_receipt(koperasi, office, make_user, client_as):
    kasir = make_user("operator", koperasi=koperasi, unit="sembako")
    c = client_as(kasir)
    c.post(url("pos", koperasi), {"action": "open", "location": office["gerai"].pk, "float": "50000"})
    r = c.post(url("api_checkout", koperasi), json.dumps({"client_id": cid(), "lines": [
        {"product_id": office["gula"].pk, "qty": "3"}]}), content_type="application/json").json()
    sale = Sale.objects.get(pk=r["sale_id"])
    narrow = c.get(url("receipt", koperasi, sale.pk) + "?w=58").content.decode()
    assert "size:58mm auto" in narrow and "width:54mm" in narrow and sale.number in narrow
    assert "size:80mm auto" in c.get(url("receipt", koperasi, sale.pk)).content.decode()
    line = sale.lines.get()
    c.post(url("sale", koperasi, sale.pk), {f"ret_{line.pk}": "1", "reason": "kemasan sobek"})
    sale.refresh_from_db()
    assert sale.returned_total == D("17500")
    assert bal(koperasi, "4112") == D("35000") and bal(koperasi, "1103") == D("35000")
    assert pos.expected_cash(pos.open_shift_for(koperasi, kasir)) == D("50000") + D("35000")
    over = c.post(url("sale", koperasi, sale.pk), {f"ret_{line.pk}": "5"}, follow=True)
    assert "melebihi jumlah yang dibeli" in over.content.decode()
    sale.refresh_from_db()
    assert sale.returned_total == D("17500")


@pytest.mark.parametrize("kind", ["harian", "barang", "kasir", "anggota", "lambat", "pembelian", "utang", "nilai"])
def test_every_report_exports_to_excel_and_pdf(koperasi, office, kind):
    from io import BytesIO

    from openpyxl import load_workbook

    c = office["c"]
    base = url("reports", koperasi) + f"?jenis={kind}&dari=2026-01-01&sampai=2026-12-31"
    x = c.get(base + "&format=xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(x.content)).active
    values = [cell for row in ws.iter_rows(values_only=True) for cell in row if cell is not None]
    assert values, kind
    if kind == "nilai":  # the valuation report lists the stocked products with their value
        assert "Gula pasir 1 kg" in values and 140000 in [float(v) for v in values if isinstance(v, (int, float))]
    p = c.get(base + "&format=pdf")
    assert p.status_code == 200 and p.content[:4] == b"%PDF"
