"""Drugs by batch and expiry through the retail engine: FEFO, never expired, obat keras only on prescription,
narcotics never, postings to unit apotek, write-off of expired stock, recall, labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kopdes.core.errors import DomainError
from kopdes.core.units import Unit
from kopdes.pharmacy import queries, services
from kopdes.pharmacy.models import Drug, Prescription

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
D = Decimal


def drug(koperasi, code="PCT500", cls="bebas", name="Parasetamol", member="300", public="400", **kw):
    return services.save_drug(koperasi, {"code": code, "generic_name": name, "strength": "500 mg", "form": "tablet",
                                         "drug_class": cls, "base_uom": "tablet", "member_price": D(member),
                                         "public_price": D(public), "active": True, **kw})


def stock_in(koperasi, d, lot, days, qty=100, cost="200", date=None):
    return services.receive_stock(koperasi, date=date, lines=[{
        "drug": d, "qty": qty, "unit_cost": cost, "lot_number": lot,
        "expiry_date": (date or TODAY) + dt.timedelta(days=days)}])


@pytest.fixture
def apoteker(make_user, koperasi):
    return make_user("operator", koperasi=koperasi, unit="apotek")


def test_catalogue_links_retail_product_and_refuses_narcotics(koperasi):
    from kopdes.retail.models import Product

    d = drug(koperasi, het_price=D("450"), het_reference="e-Katalog LKPP 2025")
    p = Product.objects.get(pk=d.product_id)
    assert (p.unit, p.inventory_account, p.track_lots, p.requires_expiry) == (Unit.APOTEK, "1152", True, True)
    assert p.name == "Parasetamol 500 mg Tablet"
    with pytest.raises(DomainError) as e:
        drug(koperasi, code="MRF", name="Morfin", cls="narkotika")
    assert e.value.code == "narcotics_refused" and "Narkotika" in e.value.message_id
    assert not Drug.objects.filter(code="MRF").exists()
    with pytest.raises(DomainError) as e:
        drug(koperasi, code="X1", public="500", het_price=D("450"))
    assert e.value.code == "above_het"
    pack = services.add_pack(d, name="strip", factor=10)
    assert pack.factor == D("10")
    with pytest.raises(DomainError):
        services.add_pack(d, name="strip", factor=10)


def test_receipt_needs_batch_and_future_expiry(koperasi):
    d = drug(koperasi)
    with pytest.raises(DomainError) as e:
        services.receive_stock(koperasi, lines=[{"drug": d, "qty": 10, "unit_cost": 1, "lot_number": "",
                                                 "expiry_date": TODAY + dt.timedelta(days=100)}])
    assert e.value.code == "lot_required"
    with pytest.raises(DomainError) as e:
        stock_in(koperasi, d, "OLD", -1)
    assert e.value.code == "expired_on_receipt"


def test_fefo_never_expired_and_postings(koperasi, apoteker):
    from kopdes.ledger.queries import account_balance
    from kopdes.retail.models import Lot

    d = drug(koperasi)
    # an old batch received 400 days ago expired 10 days ago; two good batches
    stock_in(koperasi, d, "B-EXP", 390, qty=50, cost="100", date=TODAY - dt.timedelta(days=400))
    stock_in(koperasi, d, "B-LATE", 700, qty=100, cost="200")
    stock_in(koperasi, d, "B-SOON", 60, qty=30, cost="200")
    expired = Lot.objects.get(lot_number="B-EXP")
    # choosing the expired batch explicitly is refused with a clear message
    with pytest.raises(DomainError) as e:
        services.dispense(koperasi, client_id="x1", by=apoteker, lines=[{"drug": d, "qty": 5, "lot_id": expired.pk}])
    assert e.value.code == "expired_lot" and "kedaluwarsa" in e.value.message_id
    disp = services.dispense(koperasi, client_id="s1", by=apoteker, patient_name="Pak Darto",
                             lines=[{"drug": d, "qty": 40}], counselling_note="diminum bila demam")
    line = disp.lines.get()
    assert [(x["lot_number"], x["qty"]) for x in line.lots] == [("B-SOON", "30"), ("B-LATE", "10")]
    assert line.earliest_expiry == TODAY + dt.timedelta(days=60)
    assert disp.total == D("16000")  # public price 400 × 40
    # asking for more than the sellable stock (the expired 50 do not count) is refused
    with pytest.raises(DomainError) as e:
        services.dispense(koperasi, client_id="s2", by=apoteker, lines=[{"drug": d, "qty": 91}])
    assert e.value.code == "insufficient_stock" and "kedaluwarsa" in e.value.message_id
    # ledger: cash, revenue non-member, COGS, inventory — all unit apotek
    assert account_balance(koperasi, "1105", unit=Unit.APOTEK) == D("16000")
    assert account_balance(koperasi, "4122", unit=Unit.APOTEK) == D("16000")
    cogs = account_balance(koperasi, "5122", unit=Unit.APOTEK)
    assert cogs == disp.cost_total > 0
    inventory = account_balance(koperasi, "1152", unit=Unit.APOTEK)
    assert inventory == D("5000") + D("20000") + D("6000") - cogs
    # idempotent: the same client id replays the first dispensing
    again = services.dispense(koperasi, client_id="s1", by=apoteker, patient_name="Pak Darto",
                              lines=[{"drug": d, "qty": 40}], counselling_note="diminum bila demam")
    assert again.pk == disp.pk
    # write-off of the expired batch: Dr 6114 / Cr 1152, stock card and recall
    w = services.write_off_lot(koperasi, drug=d, lot_id=expired.pk)
    assert w.qty == D("50") and w.value > 0
    assert account_balance(koperasi, "6114", unit=Unit.APOTEK) == w.value
    assert account_balance(koperasi, "1152", unit=Unit.APOTEK) == inventory - w.value
    from kopdes.retail import stock

    assert stock.valuation(koperasi)["1152"] == account_balance(koperasi, "1152")
    soon = Lot.objects.get(lot_number="B-SOON")
    rec = services.recall(koperasi, drug=d, lot_id=soon.pk)
    assert [(r["buyer"], r["qty"], r["dispensing"]) for r in rec] == [("Pak Darto", D("30"), disp.number)]
    assert {q.lot.lot_number for q in services.near_expiry(koperasi)} == set()  # B-SOON sold out, B-EXP gone
    stock_in(koperasi, d, "B-NEAR", 80, qty=10)
    assert {q.lot.lot_number for q in services.near_expiry(koperasi)} == {"B-NEAR"}  # 80 days < 90 (default)
    s = services.settings_for(koperasi)
    s.near_expiry_days = 30
    s.save()
    assert {q.lot.lot_number for q in services.near_expiry(koperasi)} == set()


def test_obat_keras_needs_prescription_and_member_price(koperasi, apoteker):
    from kopdes.clinic.tests.helpers import active_member
    from kopdes.ledger.queries import account_balance

    amx = drug(koperasi, code="AMX", name="Amoksisilin", cls="keras", member="500", public="700")
    stock_in(koperasi, amx, "A1", 200, qty=100, cost="350")
    with pytest.raises(DomainError) as e:
        services.dispense(koperasi, client_id="k1", by=apoteker, lines=[{"drug": amx, "qty": 10}])
    assert e.value.code == "rx_required" and "obat keras" in e.value.message_id
    # the POS hook refuses too if someone rings it up directly
    from kopdes.retail import pos

    shift = services._open_shift(koperasi, apoteker)
    with pytest.raises(DomainError) as e:
        pos.checkout(koperasi, client_id="direct", shift=shift, by=apoteker, line_check=services.line_check,
                     lines=[{"product_id": amx.product_id, "qty": 1}])
    assert e.value.code == "rx_required"
    m = active_member(koperasi)
    photo = SimpleUploadedFile("resep.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    with pytest.raises(DomainError) as e:
        services.create_prescription(koperasi, source="kertas", items=[{"drug": amx, "qty": 15, "signa": "3x1"}],
                                     prescriber_name="dr. Lina", patient_name="Bu Rum")
    assert e.value.code == "photo_required"
    rx = services.create_prescription(koperasi, source="kertas", items=[{"drug": amx, "qty": 15, "signa": "3 x 1"}],
                                      prescriber_name="dr. Lina", prescriber_license="SIP 123", patient_name="Bu Rum",
                                      member_id=m.pk, photo=photo)
    item = rx.items.get()
    with pytest.raises(DomainError) as e:
        services.dispense(koperasi, client_id="k2", by=apoteker, prescription=rx,
                          lines=[{"drug": amx, "qty": 16, "item_id": item.pk}])
    assert e.value.code == "over_prescription"
    d1 = services.dispense(koperasi, client_id="k3", by=apoteker, prescription=rx,
                           lines=[{"drug": amx, "qty": 10, "item_id": item.pk}])
    rx.refresh_from_db()
    assert rx.status == Prescription.Status.SEBAGIAN and d1.lines.get().signa == "3 x 1"
    services.dispense(koperasi, client_id="k4", by=apoteker, prescription=rx,
                      lines=[{"drug": amx, "qty": 5, "item_id": item.pk}])
    rx.refresh_from_db()
    assert rx.status == Prescription.Status.SELESAI
    assert account_balance(koperasi, "4121", unit=Unit.APOTEK, member_id=m.pk) == D("7500")  # member price
    reg = list(queries.keras_register(koperasi, TODAY, TODAY))
    assert [(ln.qty, ln.dispensing.prescription.prescriber_name) for ln in reg] == [(D("10"), "dr. Lina"),
                                                                                   (D("5"), "dr. Lina")]
    rows = queries.sales_by_drug(koperasi, TODAY, TODAY)
    assert [(r["drug"].code, r["qty"], r["amount"]) for r in rows] == [("AMX", D("15"), D("7500"))]


def test_label_refused_without_dose(koperasi, apoteker, client):
    d = drug(koperasi)
    stock_in(koperasi, d, "L1", 300)
    disp = services.dispense(koperasi, client_id="l1", by=apoteker, lines=[{"drug": d, "qty": 2}])
    line = disp.lines.get()
    with pytest.raises(DomainError) as e:
        services.label_data(line)
    assert e.value.code == "signa_required" and "etiket tidak dapat dicetak" in e.value.message_id
    client.force_login(apoteker)
    url = reverse("pharmacy:label", kwargs={"slug": koperasi.slug, "pk": disp.pk, "line_id": line.pk})
    r = client.get(url)
    assert r.status_code == 400 and "etiket tidak dapat dicetak" in r.content.decode()
    disp2 = services.dispense(koperasi, client_id="l2", by=apoteker,
                              lines=[{"drug": d, "qty": 2, "signa": "3 x 1 bila demam"}])
    r = client.get(reverse("pharmacy:label", kwargs={"slug": koperasi.slug, "pk": disp2.pk,
                                                     "line_id": disp2.lines.get().pk}))
    assert r.status_code == 200 and "3 x 1 bila demam" in r.content.decode() and "ED:" in r.content.decode()


def test_views_bad_input_messages(koperasi, apoteker, client, make_user):
    d = drug(koperasi, code="AMX", name="Amoksisilin", cls="keras")
    stock_in(koperasi, d, "A1", 200)
    client.force_login(apoteker)
    s = koperasi.slug
    r = client.post(reverse("pharmacy:sale", kwargs={"slug": s}), {"drug_1": d.pk, "qty_1": "2", "method": "cash"})
    assert r.status_code == 200 and "hanya dapat diserahkan dengan resep" in r.content.decode()
    r = client.post(reverse("pharmacy:drug_new", kwargs={"slug": s}), {
        "code": "DZP", "generic_name": "Diazepam", "form": "tablet", "drug_class": "narkotika", "base_uom": "tablet",
        "member_price": "100", "public_price": "100", "min_stock": "0", "active": "on"})
    assert r.status_code == 200 and "tidak boleh dijual" in r.content.decode()
    for name in ("home", "drug_list", "receive", "expiry", "reports", "sale", "prescription_list"):
        assert client.get(reverse(f"pharmacy:{name}", kwargs={"slug": s})).status_code == 200, name
    assert client.get(reverse("pharmacy:drug_detail", kwargs={"slug": s, "pk": d.pk})).status_code == 200
    r = client.get(reverse("pharmacy:expiry", kwargs={"slug": s}) + "?format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = client.get(reverse("pharmacy:reports", kwargs={"slug": s}) + "?format=pdf")
    assert r["Content-Type"] == "application/pdf"
    # pengurus reads stock and money pages, not the register
    ketua = make_user("ketua", koperasi=koperasi)
    client.force_login(ketua)
    assert client.get(reverse("pharmacy:home", kwargs={"slug": s})).status_code == 200
    assert client.get(reverse("pharmacy:keras_register", kwargs={"slug": s})).status_code == 403


def test_expiry_page_filters_totals_and_pages(koperasi, apoteker, client):
    """Most urgent first; status filter and search narrow the list; header totals are qty x avg cost;
    the list pages by 50 while the Excel export carries every filtered row."""
    d = drug(koperasi, code="AMX", name="Amoksisilin")
    stock_in(koperasi, d, "EXP1", 30, qty=10, cost="200", date=TODAY - dt.timedelta(days=60))  # ED 30 days ago
    stock_in(koperasi, d, "NEAR1", 20, qty=5, cost="200")  # ED in 20 days
    for i in range(55):
        stock_in(koperasi, drug(koperasi, code=f"V{i:02}", name=f"Vitamin {i:02}"), f"SAFE{i:02}", 400, qty=1)
    client.force_login(apoteker)
    url = reverse("pharmacy:expiry", kwargs={"slug": koperasi.slug})
    r = client.get(url)
    rows = r.context["rows"]
    assert r.context["page"].paginator.count == 57 and len(rows) == 50
    assert [x["lot"].lot_number for x in rows[:2]] == ["EXP1", "NEAR1"]
    totals = r.context["totals"]
    from kopdes.retail.models import Product
    avg = Product.objects.get(pk=d.product_id).avg_cost
    assert totals["expired"]["n"] == 1 and totals["expired"]["value"] == (avg * 10).quantize(D("0.01"))
    assert totals["near"]["n"] == 1 and totals["all"]["n"] == 57
    r = client.get(url, {"status": "kedaluwarsa"})
    assert [x["lot"].lot_number for x in r.context["rows"]] == ["EXP1"]
    assert "EXP1" in r.content.decode() and "SAFE00" not in r.content.decode()
    client.cookies["django_language"] = "en"
    assert "Expired" in client.get(url, {"status": "kedaluwarsa"}).content.decode()
    client.cookies["django_language"] = "id"
    assert [x["lot"].lot_number for x in client.get(url, {"status": "dekat"}).context["rows"]] == ["NEAR1"]
    assert client.get(url, {"status": "aman"}).context["page"].paginator.count == 55
    assert [x["lot"].lot_number for x in client.get(url, {"q": "safe07"}).context["rows"]] == ["SAFE07"]
    assert client.get(url, {"page": 2}).context["rows"][-1]["lot"].lot_number == "SAFE54"
    import io

    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(client.get(url, {"status": "aman", "format": "xlsx"}).content))
    batches = [c.value for c in wb.active["C"] if c.value and str(c.value).startswith("SAFE")]
    assert len(batches) == 55
