"""A delivery from the warehouse to the cooperative's own kiosk moves the stock through the retail engine, and the
inventory value moves between the business units in the ledger: stock and ledger agree per unit."""

import datetime as dt
from decimal import Decimal

import pytest

from kopdes.core.errors import DomainError
from kopdes.core.units import Unit
from kopdes.logistics import services as s
from kopdes.logistics.models import DeliveryOrder, DeliveryProof

D = Decimal
DAY = dt.date(2026, 3, 10)
SIG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def _bal(k, code, **kw):
    from kopdes.ledger.queries import account_balance

    return account_balance(k, code, **kw)


@pytest.fixture
def shop(koperasi, settings, tmp_path):
    """Gudang koperasi (unit pergudangan) holding 1000 kg beras @ 11.000 and 40 LPG @ 16.000; gerai empty;
    a truck with valid documents."""
    from kopdes.retail.catalog import save_product
    from kopdes.retail.models import Product, Supplier
    from kopdes.retail.services import default_location, receive_goods

    settings.MEDIA_ROOT = tmp_path
    gudang = default_location(koperasi, Unit.PERGUDANGAN)
    gerai = default_location(koperasi, Unit.SEMBAKO)
    sup = Supplier.objects.create(koperasi=koperasi, name="Perum Bulog")
    beras = save_product(Product(koperasi=koperasi, code="BRS", name="Beras medium", member_price=D("13000"),
                                 public_price=D("13500"), base_uom="kg"))
    lpg = save_product(Product(koperasi=koperasi, code="LPG", name="LPG 3 kg", member_price=D("18000"),
                               public_price=D("18000"), base_uom="tabung"))
    receive_goods(koperasi, supplier=sup, location=gudang, date=dt.date(2026, 3, 1), lines=[
        {"product_id": beras.pk, "qty": "1000", "unit_cost": "11000"},
        {"product_id": lpg.pk, "qty": "40", "unit_cost": "16000"}])
    truck = s.create_vehicle(koperasi, code="TRK1", kind="truk", plate="BG 8123 AB", capacity_kg="4000")
    s.add_document(truck, kind="stnk", valid_until=dt.date(2027, 1, 1))
    s.add_document(truck, kind="kir", valid_until=dt.date(2027, 1, 1))
    driver = s.create_driver(koperasi, name="Joko")
    return {"gudang": gudang, "gerai": gerai, "beras": beras, "lpg": lpg, "truck": truck, "driver": driver}


def _order(k, shop, beras="300", lpg="20", **kw):
    args = {"kind": "gudang_gerai", "date": DAY, "origin": "Gudang KDMP", "destination": "Gerai KDMP",
            "from_location": shop["gudang"], "to_location": shop["gerai"], "vehicle": shop["truck"],
            "driver": shop["driver"],
            "items": [{"product_id": shop["beras"].pk, "qty": beras, "weight_kg": beras},
                      {"product_id": shop["lpg"].pk, "qty": lpg, "weight_kg": "160"},
                      {"description": "Terpal & tali", "qty": "2", "uom": "lembar", "weight_kg": "10"}]}
    args.update(kw)
    return s.create_delivery(k, **args)


def _on_hand(k, p, loc):
    from kopdes.retail import stock

    return stock.on_hand(k, p, loc)


@pytest.mark.django_db
def test_warehouse_to_kiosk_delivery_moves_stock_and_unit_inventory(koperasi, shop):
    from kopdes.retail import stock
    from kopdes.retail.models import StockMove

    k = koperasi
    assert _bal(k, "1151", unit=Unit.PERGUDANGAN) == D("11640000.00")  # 1000*11000 + 40*16000
    do = _order(k, shop)
    items = list(do.items.order_by("id"))
    assert [i.description for i in items] == ["Beras medium", "LPG 3 kg", "Terpal & tali"]
    assert items[0].uom == "kg" and items[1].uom == "tabung" and items[2].product_id is None
    assert do.moves_stock and do.total_weight_kg == D("470")
    # nothing moves while planned, loaded or on the way
    s.set_status(do, "loaded", on=DAY)
    s.set_status(do, "on_the_way", on=DAY)
    assert _on_hand(k, shop["beras"], shop["gudang"]) == D("1000")
    assert _on_hand(k, shop["beras"], shop["gerai"]) == 0

    do = s.confirm_delivery(do, recipient_name="Bu Sri (kepala gerai)", signature=SIG,
                            at=dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC))
    assert do.status == DeliveryOrder.Status.DELIVERED and do.stock_moved_on == DAY
    assert _on_hand(k, shop["beras"], shop["gudang"]) == D("700")
    assert _on_hand(k, shop["beras"], shop["gerai"]) == D("300")
    assert _on_hand(k, shop["lpg"], shop["gudang"]) == D("20")
    assert _on_hand(k, shop["lpg"], shop["gerai"]) == D("20")
    # at cost: 300*11000 + 20*16000
    assert do.stock_value == D("3620000.00")
    moves = StockMove.objects.filter(koperasi=k, source_id=do.number)
    assert moves.count() == 4 and sum(m.value for m in moves) == 0
    # ledger: the value left the warehouse unit and arrived in the kiosk unit; the total did not change
    assert _bal(k, "1151", unit=Unit.PERGUDANGAN) == D("8020000.00")
    assert _bal(k, "1151", unit=Unit.SEMBAKO) == D("3620000.00")
    assert _bal(k, "1151") == D("11640000.00") == stock.valuation(k, account="1151")["1151"]
    from kopdes.ledger.models import JournalEntry

    entry = JournalEntry.objects.get(pk=do.stock_entry_id)
    assert entry.source == "logistics.DeliveryStock" and entry.source_id == str(do.pk)
    # internal delivery: no fee posted to the logistics unit
    assert do.fee_amount == 0 and do.journal_entry_id is None


@pytest.mark.django_db
def test_same_unit_locations_move_stock_without_ledger_entry(koperasi, shop):
    from kopdes.retail.models import Location

    k = koperasi
    depot = Location.objects.create(koperasi=k, code="GDG-SBK", name="Gudang sembako", kind="gudang",
                                    unit=Unit.SEMBAKO)
    do = _order(k, shop, from_location=shop["gudang"], to_location=depot)
    s.set_status(do, "loaded", on=DAY)
    s.set_status(do, "on_the_way", on=DAY)
    s.confirm_delivery(do, recipient_name="Pak Min", signature=SIG)
    do.refresh_from_db()
    assert _on_hand(k, shop["beras"], depot) == D("300")
    assert do.stock_entry_id is not None  # pergudangan → sembako still crosses units
    depot2 = Location.objects.create(koperasi=k, code="GDG-2", name="Gudang 2", kind="gudang",
                                     unit=Unit.PERGUDANGAN)
    do2 = _order(k, shop, beras="100", lpg="5", from_location=shop["gudang"], to_location=depot2)
    s.set_status(do2, "loaded", on=DAY)
    s.set_status(do2, "on_the_way", on=DAY)
    s.confirm_delivery(do2, recipient_name="Pak Min", signature=SIG)
    do2.refresh_from_db()
    assert _on_hand(k, shop["beras"], depot2) == D("100") and do2.stock_entry_id is None
    assert do2.stock_value == D("1180000.00")  # 100*11000 + 5*16000


@pytest.mark.django_db
def test_stock_delivery_refusals(koperasi, shop, other_koperasi):
    from kopdes.retail.catalog import save_product
    from kopdes.retail.models import Product

    k = koperasi
    cases = [
        ({"beras": "1200"}, "insufficient_stock", "items[0].qty"),
        ({"from_location": None, "to_location": None}, "location_required", "from_location"),
        ({"to_location": None}, "location_required", "to_location"),
        ({"kind": "ke_anggota", "customer_name": "Darmo"}, "stock_transfer_kind", "kind"),
        ({"to_location": shop["gudang"]}, "same_location", "to_location"),
        ({"items": [{"description": "Bibit", "qty": "1", "weight_kg": "5"}]}, "products_required", "items"),
        ({"items": [{"product_id": shop["beras"].pk, "qty": "0", "weight_kg": "5"}]}, "invalid_number",
         "items[0].qty"),
    ]
    for kw, code, field in cases:
        with pytest.raises(DomainError) as e:
            _order(k, shop, **kw)
        assert (e.value.code, e.value.field) == (code, field), kw
    foreign = save_product(Product(koperasi=other_koperasi, code="X", name="Milik koperasi lain",
                                   member_price=D("1"), public_price=D("1")))
    with pytest.raises(DomainError) as e:
        _order(k, shop, items=[{"product_id": foreign.pk, "qty": "1", "weight_kg": "1"}])
    assert e.value.code == "unknown_product"
    from kopdes.retail.services import default_location

    with pytest.raises(DomainError) as e:
        _order(k, shop, to_location=default_location(other_koperasi))
    assert e.value.code == "unknown_location"
    assert DeliveryOrder.objects.filter(koperasi=k).count() == 0
    assert "tidak cukup" in str(_msg(lambda: _order(k, shop, beras="1200")))


def _msg(fn):
    try:
        fn()
    except DomainError as exc:
        return exc.message_id
    return ""


@pytest.mark.django_db
def test_stock_gone_before_arrival_refuses_delivery_nothing_written(koperasi, shop):
    from kopdes.retail.services import write_off

    k = koperasi
    do = _order(k, shop)
    s.set_status(do, "loaded", on=DAY)
    s.set_status(do, "on_the_way", on=DAY)
    write_off(k, product=shop["beras"], location=shop["gudang"], qty="800", reason="rusak kena banjir", by=None)
    with pytest.raises(DomainError) as e:
        s.confirm_delivery(do, recipient_name="Bu Sri", signature=SIG)
    assert e.value.code == "insufficient_stock"
    do.refresh_from_db()
    assert do.status == DeliveryOrder.Status.ON_THE_WAY and do.stock_moved_on is None
    assert not DeliveryProof.objects.filter(order=do).exists()
    assert _on_hand(k, shop["beras"], shop["gudang"]) == D("200")
    assert _on_hand(k, shop["lpg"], shop["gerai"]) == 0
    assert _bal(k, "1151", unit=Unit.SEMBAKO) == 0


@pytest.mark.django_db
def test_loading_checks_stock_early(koperasi, shop):
    from kopdes.retail.services import write_off

    k = koperasi
    do = _order(k, shop, lpg="30")
    write_off(k, product=shop["lpg"], location=shop["gudang"], qty="15", reason="bocor", by=None)
    with pytest.raises(DomainError) as e:
        s.set_status(do, "loaded", on=DAY)
    assert e.value.code == "insufficient_stock" and "LPG 3 kg" in e.value.message_id
    do.refresh_from_db()
    assert do.status == DeliveryOrder.Status.PLANNED


@pytest.mark.django_db
def test_stock_delivery_through_pages(koperasi, shop, make_user, client_as):
    from django.urls import reverse

    k = koperasi
    op = client_as(make_user("operator", koperasi=k, unit=Unit.LOGISTIK))
    today = dt.date.today()
    url = reverse("logistics:delivery_new", kwargs={"slug": k.slug})
    base = {"kind": "gudang_gerai", "date": today.isoformat(), "origin": "Gudang", "destination": "Gerai",
            "vehicle": shop["truck"].pk, "driver": shop["driver"].pk, "fee_basis": "none", "payment": "tunai",
            "from_location": shop["gudang"].pk, "to_location": shop["gerai"].pk,
            "product1": shop["beras"].pk, "qty1": "250", "weight1": "250"}
    page = op.get(url)
    assert "Beras medium [kg]" in page.content.decode() and "Gudang koperasi" in page.content.decode()
    r = op.post(url, {**base, "qty1": "5000", "weight1": "3000"})  # more than the warehouse holds
    assert r.status_code == 200 and "tidak cukup" in r.content.decode()
    r = op.post(url, {**base, "to_location": ""})
    assert r.status_code == 200 and "lokasi stok asal dan tujuan" in r.content.decode()
    assert not DeliveryOrder.objects.filter(koperasi=k).exists()
    r = op.post(url, {**base, "idempotency_key": "stk-1"})
    assert r.status_code == 302
    do = DeliveryOrder.objects.get(koperasi=k)
    detail = reverse("logistics:delivery", kwargs={"slug": k.slug, "pk": do.pk})
    assert "dipindahkan saat barang diterima" in op.get(detail).content.decode()
    op.post(detail, {"action": "loaded"})
    op.post(detail, {"action": "on_the_way"})
    r = op.post(detail, {"action": "deliver", "recipient_name": "Bu Sri", "signature": SIG})
    assert r.status_code == 302
    do.refresh_from_db()
    assert do.status == "delivered" and do.stock_value == D("2750000.00")
    assert _on_hand(k, shop["beras"], shop["gerai"]) == D("250")
    html = op.get(detail).content.decode()
    assert "Gudang koperasi → Gerai sembako" in html and "Rp2.750.000" in html
