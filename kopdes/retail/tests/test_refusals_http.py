"""Every "Bad input" of issue 6 over HTTP (the POS JSON endpoint the cashier's page calls): a clear message,
the right status, and nothing partial — stock, ledger, quotas and sales unchanged. Plus the offline retry: the
same client id sent again (a second press, a phone re-sending) records the sale once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from .. import pos, services
from ..models import FertilizerAllocation, Product, Sale, StockMove
from .helpers import D, bal, books, cid, kiosk, member, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def till(koperasi, make_user, client_as):
    shop = kiosk(koperasi)
    kasir = make_user("operator", koperasi=koperasi, unit="sembako")
    c = client_as(kasir)
    c.post(url("pos", koperasi), {"action": "open", "location": shop["gerai"].pk, "float": "100000"})
    farmer, outsider = member(koperasi), member(koperasi)
    today = timezone.localdate()
    services.set_allocation(koperasi, member_id=farmer.pk, season="MT", fertilizer_type="urea", allocated_kg="100",
                            valid_from=today - dt.timedelta(days=30), valid_to=today + dt.timedelta(days=30))
    shop.update(c=c, kasir=kasir, farmer=farmer, outsider=outsider)

    def pay(**body):
        body.setdefault("client_id", cid())
        return c.post(url("api_checkout", koperasi), json.dumps(body), content_type="application/json")

    shop["pay"] = pay
    return shop


@pytest.mark.parametrize("case", ["above_het", "over_allocation", "not_in_rdkk", "no_member_fertilizer",
                                  "insufficient_stock", "bad_qty", "empty", "underpaid", "ref_required",
                                  "credit_limit", "nik_required"])
def test_each_refusal_over_http_is_clear_and_leaves_nothing(koperasi, till, case):
    t = till
    gula, urea, lpg = t["gula"].pk, t["urea"].pk, t["lpg"].pk
    body, code, words = {
        "above_het": ({"lines": [{"product_id": lpg, "qty": "1", "price": "20000"}],
                       "buyer_nik": t["outsider"].nik}, "above_het", "melebihi HET"),
        "over_allocation": ({"member_id": t["farmer"].pk, "lines": [{"product_id": urea, "qty": "101"}]},
                            "over_allocation", "Melebihi alokasi RDKK"),
        "not_in_rdkk": ({"member_id": t["outsider"].pk, "lines": [{"product_id": urea, "qty": "10"}]},
                        "not_in_rdkk", "tidak terdaftar di RDKK"),
        "no_member_fertilizer": ({"lines": [{"product_id": urea, "qty": "10"}]}, "not_in_rdkk",
                                 "hanya dijual kepada anggota"),
        # the first line fits, the second does not: nothing of the first is written either
        "insufficient_stock": ({"lines": [{"product_id": urea, "qty": "5"}, {"product_id": gula, "qty": "11"}],
                                "member_id": t["farmer"].pk}, "insufficient_stock", "tidak cukup"),
        "bad_qty": ({"lines": [{"product_id": gula, "qty": "-1"}]}, "bad_qty", "harus lebih dari nol"),
        "empty": ({"lines": []}, "empty", "Keranjang masih kosong"),
        "underpaid": ({"lines": [{"product_id": gula, "qty": "1"}], "tendered": "10000"}, "underpaid", "kurang"),
        "ref_required": ({"lines": [{"product_id": gula, "qty": "1"}], "method": "qris"}, "ref_required",
                         "referensi"),
        "credit_limit": ({"lines": [{"product_id": gula, "qty": "1"}], "method": "bon"}, "member_required",
                         "hanya untuk anggota"),
        "nik_required": ({"lines": [{"product_id": lpg, "qty": "1"}]}, "nik_required", "NIK"),
    }[case]
    before = books(koperasi)
    r = t["pay"](**body)
    assert r.status_code == 400, r.content
    data = r.json()
    assert data["code"] == code and words in data["error"], data
    assert books(koperasi) == before


def test_malformed_barcode_and_closed_shift_over_http(koperasi, till):
    t = till
    bad = t["c"].get(url("api_lookup", koperasi) + "?code=8992753100018")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_barcode" and "tidak valid" in bad.json()["error"]
    shift = pos.open_shift_for(koperasi, t["kasir"])
    t["c"].post(url("pos", koperasi), {"action": "close", "counted": "100000"})
    before = books(koperasi)
    # the cashier's page still shows the shift (closed in another tab): refused, nothing written
    r = t["pay"](shift_id=shift.pk, lines=[{"product_id": t["gula"].pk, "qty": "1"}])
    assert r.status_code == 400 and r.json()["code"] == "shift_closed" and "sudah ditutup" in r.json()["error"]
    r = t["pay"](lines=[{"product_id": t["gula"].pk, "qty": "1"}])
    assert r.status_code == 400 and r.json()["code"] == "shift_closed" and "Buka shift" in r.json()["error"]
    assert books(koperasi) == before


def test_retry_after_dropped_connection_records_once_and_other_payload_is_409(koperasi, till):
    t = till
    key = cid()
    body = {"client_id": key, "member_id": t["farmer"].pk, "tendered": "100000",
            "lines": [{"product_id": t["urea"].pk, "qty": "20"}, {"product_id": t["gula"].pk, "qty": "1"}]}
    first = t["pay"](**body)
    assert first.status_code == 200 and not first.json()["replayed"]
    after_first = books(koperasi)
    # the phone never saw the answer and sends the same request again, twice
    for _ in range(2):
        again = t["pay"](**body)
        assert again.status_code == 200 and again.json()["replayed"]
        assert again.json()["sale_id"] == first.json()["sale_id"]
        assert again.json()["number"] == first.json()["number"]
        assert again.json()["receipt_url"] == first.json()["receipt_url"]
    assert books(koperasi) == after_first
    assert FertilizerAllocation.objects.get(member_id=t["farmer"].pk).redeemed_kg == D("20")
    # same id, different cart (a bug in a client): refused with 409, nothing written
    other = t["pay"](**dict(body, lines=[{"product_id": t["gula"].pk, "qty": "2"}]))
    assert other.status_code == 409 and "berbeda" in other.json()["error"]
    assert books(koperasi) == after_first
    # 20 kg urea @ 1.800 + gula @ 16.500 (member) = 52.500; change 47.500
    assert first.json()["total"] == "52500.00" and first.json()["change"] == "47500.00"
    assert bal(koperasi, "1103") == D("52500")


def test_pos_page_keeps_the_client_id_for_a_retry(koperasi, till):
    """The page makes the id once per cart (crypto.randomUUID), renews it on any change, and keeps it when the
    connection drops so that pressing Bayar again replays."""
    html = till["c"].get(url("pos", koperasi)).content.decode()
    assert '<script src="/static/retail/pos.js"></script>' in html
    assert "tidak akan tercatat dua kali" in html
    js = (Path(__file__).resolve().parents[1] / "static" / "retail" / "pos.js").read_text()
    assert "crypto.randomUUID" in js and "client_id: clientId" in js


def test_pos_sale_with_lots_and_the_same_product_twice(koperasi, till, make_user):
    """The POS issues every line under one lock: FEFO across lots, never an expired lot, a product on two lines
    (piece and pack) takes from the same quants in order; the cost is the moving average."""
    from ..catalog import save_product
    from ..models import ProductUom
    from ..stock import get_lot

    t = till
    teh = save_product(Product(koperasi=koperasi, code="TEH", name="Teh kotak", base_uom="pcs",
                               member_price=D("4000"), public_price=D("4500"), requires_expiry=True))
    dus = ProductUom.objects.create(koperasi=koperasi, product=teh, name="dus", factor=D("24"))
    today = timezone.localdate()
    old = get_lot(koperasi, teh, "L-OLD", today - dt.timedelta(days=3))  # expired
    soon = get_lot(koperasi, teh, "L-SOON", today + dt.timedelta(days=20))
    late = get_lot(koperasi, teh, "L-LATE", today + dt.timedelta(days=200))
    services.receive_goods(koperasi, supplier=t["supplier"], location=t["gerai"], date=today - dt.timedelta(days=40),
                           lines=[{"product_id": teh.pk, "qty": "10", "unit_cost": "3000", "lot_number": "L-OLD",
                                   "expiry_date": old.expiry_date},
                                  {"product_id": teh.pk, "qty": "20", "unit_cost": "3000", "lot_number": "L-SOON",
                                   "expiry_date": soon.expiry_date},
                                  {"product_id": teh.pk, "qty": "30", "unit_cost": "3600", "lot_number": "L-LATE",
                                   "expiry_date": late.expiry_date}])
    # 60 pcs, 198.000 → average 3.300; sellable 50 (10 expired)
    r = t["pay"](lines=[{"product_id": teh.pk, "qty": "5"}, {"product_id": teh.pk, "qty": "1", "uom_id": dus.pk}])
    assert r.status_code == 200, r.content
    sale = Sale.objects.get(pk=r.json()["sale_id"])
    taken = [(m.lot.lot_number, -m.qty) for m in
             StockMove.objects.filter(source="retail.Sale", source_id=str(sale.pk)).order_by("pk")]
    assert taken == [("L-SOON", D("5")), ("L-SOON", D("15")), ("L-LATE", D("9"))]
    assert sale.cost_total == D("29") * D("3300") == D("95700")
    teh.refresh_from_db()
    assert teh.stock_qty == D("31") and teh.stock_value == D("198000") - D("95700")
    # 21 sellable left: 22 is refused and the message names the expired stock
    before = books(koperasi)
    r = t["pay"](lines=[{"product_id": teh.pk, "qty": "22"}])
    assert r.status_code == 400 and "tersedia 21" in r.json()["error"] and "kedaluwarsa" in r.json()["error"]
    assert books(koperasi) == before
    assert pos.expected_cash(pos.open_shift_for(koperasi, t["kasir"])) == D("100000") + sale.total
