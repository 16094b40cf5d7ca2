"""Pack units (box = 10 strip = 100 tablet): receive per box, sell per strip or per tablet over the counter, dispense
a prescription by the strip; stock, prices, ledger and the receipt agree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kopdes.core.errors import DomainError
from kopdes.core.units import Unit
from kopdes.pharmacy import services

from .test_pharmacy import drug

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
D = Decimal


@pytest.fixture
def apoteker(make_user, koperasi):
    return make_user("operator", koperasi=koperasi, unit="apotek")


@pytest.fixture
def pct(koperasi):
    d = drug(koperasi, member="300", public="400")
    services.add_pack(d, name="strip", factor=10, public_price=D("3500"), member_price=D("2800"))
    services.add_pack(d, name="box", factor=100)
    return d


def test_receive_per_box_and_sell_per_strip_and_tablet(koperasi, apoteker, pct):
    from kopdes.ledger.queries import account_balance
    from kopdes.retail.models import Product, SaleLine

    # 2 boxes at Rp15.000 per box = 200 tablets at Rp150
    services.receive_stock(koperasi, lines=[{"drug": pct, "qty": 2, "uom": "box", "unit_cost": "15000",
                                             "lot_number": "PB1", "expiry_date": TODAY + dt.timedelta(days=400)}])
    p = Product.objects.get(pk=pct.product_id)
    assert (p.stock_qty, p.stock_value, p.avg_cost) == (D("200"), D("30000"), D("150"))
    assert account_balance(koperasi, "1152", unit=Unit.APOTEK) == D("30000")
    # over the counter: 3 strips (own pack price 3.500) and 4 loose tablets (400 each)
    disp = services.dispense(koperasi, client_id="otc1", by=apoteker, patient_name="Bu Sri", lines=[
        {"drug": pct, "qty": 3, "uom": "strip"}, {"drug": pct.pk, "qty": 4}])
    strip, loose = disp.lines.order_by("id")
    assert (strip.qty, strip.uom_name, strip.uom_qty, strip.amount) == (D("30"), "strip", D("3"), D("10500"))
    assert (loose.qty, loose.uom_name, loose.amount) == (D("4"), "", D("1600"))
    assert disp.total == D("12100")
    assert [(sl.uom_name, sl.qty, sl.base_qty) for sl in SaleLine.objects.filter(sale_id=disp.sale_id).order_by("id")] \
        == [("strip", D("3"), D("30")), ("tablet", D("4"), D("4"))]
    p.refresh_from_db()
    assert p.stock_qty == D("166")
    assert account_balance(koperasi, "4122", unit=Unit.APOTEK) == D("12100")
    assert account_balance(koperasi, "5122", unit=Unit.APOTEK) == D("34") * D("150")
    assert account_balance(koperasi, "1152", unit=Unit.APOTEK) == D("30000") - D("5100")
    # a box without its own price: 100 × 400
    disp2 = services.dispense(koperasi, client_id="otc2", by=apoteker, lines=[{"drug": pct, "qty": 1, "uom": "box"}])
    assert disp2.total == D("40000") and disp2.lines.get().qty == D("100")
    # more packs than the stock holds: refused, nothing written
    with pytest.raises(DomainError) as e:
        services.dispense(koperasi, client_id="otc3", by=apoteker, lines=[{"drug": pct, "qty": 1, "uom": "box"}])
    assert e.value.code == "insufficient_stock"


def test_unknown_pack_and_bad_pack_definitions_are_refused(koperasi, apoteker, pct):
    services.receive_stock(koperasi, lines=[{"drug": pct, "qty": 50, "unit_cost": "150", "lot_number": "L1",
                                             "expiry_date": TODAY + dt.timedelta(days=400)}])
    with pytest.raises(DomainError) as e:
        services.dispense(koperasi, client_id="u1", by=apoteker, lines=[{"drug": pct, "qty": 1, "uom": "botol"}])
    assert e.value.code == "unknown_pack" and "strip" in e.value.message_id and "box" in e.value.message_id
    with pytest.raises(DomainError) as e:
        services.receive_stock(koperasi, lines=[{"drug": pct, "qty": 1, "uom": "dus", "unit_cost": "1",
                                                 "lot_number": "L2", "expiry_date": TODAY + dt.timedelta(days=90)}])
    assert e.value.code == "unknown_pack"
    with pytest.raises(DomainError) as e:
        services.add_pack(pct, name="Tablet", factor=1)
    assert e.value.code == "base_unit"
    with pytest.raises(DomainError) as e:
        services.add_pack(pct, name="STRIP", factor=10)
    assert e.value.code == "duplicate"
    capped = drug(koperasi, code="CAP", public="400", het_price=D("450"))
    with pytest.raises(DomainError) as e:
        services.add_pack(capped, name="strip", factor=10, public_price=D("4600"))
    assert e.value.code == "above_het" and "4.500" in e.value.message_id


def test_prescription_dispensed_by_the_strip(koperasi, apoteker):
    from kopdes.pharmacy.models import Prescription

    amx = drug(koperasi, code="AMX", name="Amoksisilin", cls="keras", member="600", public="700")
    services.add_pack(amx, name="strip", factor=10)
    services.receive_stock(koperasi, lines=[{"drug": amx, "qty": 100, "unit_cost": "300", "lot_number": "A1",
                                             "expiry_date": TODAY + dt.timedelta(days=300)}])
    rx = services.create_prescription(koperasi, source="klinik", prescriber_name="dr. Ani", patient_name="Ratna",
                                      items=[{"drug": amx, "qty": 15, "signa": "3 x 1 kapsul"}])
    item = rx.items.get()
    # 2 strips = 20 > 15 prescribed: refused
    with pytest.raises(DomainError) as e:
        services.dispense(koperasi, client_id="r1", by=apoteker, prescription=rx,
                          lines=[{"drug": amx, "qty": 2, "uom": "strip", "item_id": item.pk}])
    assert e.value.code == "over_prescription"
    disp = services.dispense(koperasi, client_id="r2", by=apoteker, prescription=rx,
                             lines=[{"drug": amx, "qty": 1, "uom": "strip", "item_id": item.pk}])
    item.refresh_from_db()
    rx.refresh_from_db()
    assert (item.dispensed_qty, rx.status) == (D("10"), Prescription.Status.SEBAGIAN)
    label = services.label_data(disp.lines.get())
    assert (label["qty"], label["pack"], label["signa"]) == (D("10"), "1 strip", "3 x 1 kapsul")


def test_sale_page_sells_packs_and_prints_receipt(koperasi, apoteker, pct, client):
    services.receive_stock(koperasi, lines=[{"drug": pct, "qty": 1, "uom": "box", "unit_cost": "15000",
                                             "lot_number": "PB9", "expiry_date": TODAY + dt.timedelta(days=400)}])
    client.force_login(apoteker)
    s = koperasi.slug
    r = client.get(reverse("pharmacy:sale", kwargs={"slug": s}))
    assert r.status_code == 200 and b'name="uom_1"' in r.content and b'<option value="strip">' in r.content
    r = client.post(reverse("pharmacy:sale", kwargs={"slug": s}), {
        "client_id": "web1", "drug_1": pct.pk, "qty_1": "2", "uom_1": "strip", "method": "cash", "tendered": "10000"})
    assert r.status_code == 302
    from kopdes.pharmacy.models import Dispensing

    disp = Dispensing.objects.get(koperasi=koperasi, client_id="web1")
    assert disp.total == D("7000")
    r = client.get(reverse("pharmacy:receipt", kwargs={"slug": s, "pk": disp.pk}))
    body = r.content.decode()
    assert r.status_code == 200 and "2 strip (20 tablet)" in body and "Rp7.000" in body and "Rp3.000" in body
    r = client.get(reverse("pharmacy:dispensing_detail", kwargs={"slug": s, "pk": disp.pk}))
    assert reverse("pharmacy:receipt", kwargs={"slug": s, "pk": disp.pk}) in r.content.decode()
    # receiving per box from the form
    r = client.post(reverse("pharmacy:receive", kwargs={"slug": s}), {
        "drug": pct.pk, "lot_number": "PB10", "expiry_date": (TODAY + dt.timedelta(days=500)).isoformat(),
        "uom": "box", "qty": "3", "unit_cost": "16000"})
    assert r.status_code == 302
    from kopdes.retail.models import Product

    assert Product.objects.get(pk=pct.product_id).stock_qty == D("100") - D("20") + D("300")


def test_english_locale_for_apotek_and_klinik(koperasi, make_user, client):
    client.force_login(make_user("operator", koperasi=koperasi, unit="apotek"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    s = koperasi.slug
    body = client.get(reverse("pharmacy:home", kwargs={"slug": s})).content.decode()
    assert '<h1 class="page-title">Village pharmacy</h1>' in body and "Prescriptions waiting" in body
    body = client.get(reverse("pharmacy:sale", kwargs={"slug": s})).content.decode()
    assert "Over-the-counter sale (no prescription)" in body
    client.force_login(make_user("operator", koperasi=koperasi, unit="klinik"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("clinic:home", kwargs={"slug": s})).content.decode()
    assert "Village clinic" in body and "Visits today" in body
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    body = client.get(reverse("clinic:home", kwargs={"slug": s})).content.decode()
    assert "Kunjungan hari ini" in body and "Visits today" not in body
