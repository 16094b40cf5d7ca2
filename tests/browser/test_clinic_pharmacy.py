"""Done-when of issue 8: clinic registration → visit with an ICD-10 diagnosis and a prescription → dispensing at
the apotek from the earliest-expiring batch; the ledger, the stock and the patient's history agree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kopdes.core.demo import build_demo
from kopdes.core.identity import make_nik

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _stock_the_apotek(k, apoteker):
    from kopdes.pharmacy import services

    today = timezone.localdate()
    amx = services.save_drug(k, {"code": "AMX500", "generic_name": "Amoksisilin", "strength": "500 mg",
                                 "form": "kapsul", "drug_class": "keras", "base_uom": "kapsul",
                                 "member_price": Decimal("600"), "public_price": Decimal("700"), "active": True})
    pct = services.save_drug(k, {"code": "PCT500", "generic_name": "Parasetamol", "strength": "500 mg", "form": "tablet",
                           "drug_class": "bebas", "base_uom": "tablet", "member_price": Decimal("250"),
                           "public_price": Decimal("300"), "active": True})
    services.add_pack(pct, name="strip", factor=10, public_price=Decimal("2500"))
    services.receive_stock(k, lines=[{"drug": pct, "qty": 2, "uom": "strip", "unit_cost": "1500",
                                      "lot_number": "PCT-1", "expiry_date": today + dt.timedelta(days=400)}])
    # an expired batch (received long ago), a late batch and the earliest-expiring sellable batch
    services.receive_stock(k, date=today - dt.timedelta(days=500), lines=[
        {"drug": amx, "qty": 20, "unit_cost": "300", "lot_number": "AMX-EXPIRED",
         "expiry_date": today - dt.timedelta(days=3)}])
    services.receive_stock(k, lines=[
        {"drug": amx, "qty": 100, "unit_cost": "400", "lot_number": "AMX-LATE", "expiry_date": today + dt.timedelta(days=700)},
        {"drug": amx, "qty": 50, "unit_cost": "400", "lot_number": "AMX-EARLY", "expiry_date": today + dt.timedelta(days=75)},
    ])
    return amx


def test_registration_visit_prescription_dispensing(page, live_server):
    from kopdes.clinic.models import Patient, Visit
    from kopdes.ledger.queries import account_balance
    from kopdes.pharmacy.models import Dispensing, Drug, Prescription
    from kopdes.retail import stock
    from kopdes.retail.models import Lot, StockQuant

    ctx = build_demo(apps=[])
    k = ctx.koperasi
    amx = _stock_the_apotek(k, ctx.users["apoteker"])
    base = f"{live_server.url}/k/{k.slug}"
    birth = dt.date(1987, 8, 17)
    nik = make_nik("16.02.04", birth, "P", 4321)

    # --- clinic: registration -------------------------------------------------------------------------------
    login(page, live_server, "klinik")
    page.goto(f"{base}/klinik/")
    page.click("text=Pasien baru")
    page.fill("#id_name", "Ratna Sari Dewi")
    page.fill("#id_nik", nik)
    page.fill("#id_birth_date", birth.isoformat())
    page.select_option("#id_sex", "P")
    page.fill("#id_bpjs_number", "0001234567890")
    page.fill("#id_allergies", "Sulfa")
    page.click("#save-and-visit")
    assert "ALERGI: Sulfa" in page.inner_text("#allergy-alert")
    page.fill("#id_complaint", "Demam dan nyeri menelan 3 hari")
    page.click("#register-visit")
    page.wait_for_selector("#visit-status")
    assert "antrean 1" in page.inner_text("h1")

    # --- triage, SOAP, ICD-10 diagnosis, prescription, payment ------------------------------------------------
    page.fill("#id_systolic", "118")
    page.fill("#id_diastolic", "76")
    page.fill("#id_temperature", "38.4")
    page.fill("#id_weight", "55")
    page.click("#save-triage")
    page.fill("#id_subjective", "Demam, nyeri menelan")
    page.fill("#id_objective", "Tonsil T2/T2 hiperemis, detritus")
    page.fill("#id_assessment", "Tonsilitis akut")
    page.fill("#id_plan", "Amoksisilin 3 x 500 mg 5 hari")
    page.click("#save-soap")
    page.fill("#icd-code", "tonsil")
    page.wait_for_selector("#icd-results button")
    assert "J03.9" in page.inner_text("#icd-results")
    page.fill("#icd-code", "J03.9")
    page.click("#add-diagnosis")
    assert "J03.9" in page.inner_text("#diagnoses") and "Tonsilitis akut" in page.inner_text("#diagnoses")
    # a prescription line without a dose is refused with a clear message
    page.select_option("select[name=drug_1]", str(amx.pk))
    page.fill("input[name=qty_1]", "15")
    page.click("#send-rx")
    assert "Aturan pakai (signa/dosis)" in page.inner_text("main")
    page.select_option("select[name=drug_1]", str(amx.pk))
    page.fill("input[name=qty_1]", "15")
    page.fill("input[name=signa_1]", "3 x 1 kapsul sesudah makan, habiskan")
    page.click("#send-rx")
    assert "dikirim ke apotek" in page.inner_text("main")
    page.click("#finish-visit")
    page.click("#pay-visit")
    assert "Lunas" in page.inner_text("#paid-badge")
    screenshot(page, "clinic-visit")
    with page.expect_popup() as popup:
        page.click("#print-summary")
    summary = popup.value
    assert "J03.9" in summary.inner_text("#summary-diagnoses") and "Tonsil T2/T2" in summary.inner_text("body")
    summary.close()

    # --- apotek: dispensing from the earliest-expiring batch --------------------------------------------------
    page.context.clear_cookies()
    login(page, live_server, "apoteker")
    page.goto(f"{base}/apotek/resep/")
    rx = Prescription.objects.get(koperasi=k)
    page.click(f"text={rx.number}")
    assert "ALERGI: Sulfa" in page.inner_text("#allergy-alert")
    assert "AMX-EARLY" in page.inner_text("#fefo-1")
    page.fill("textarea[name=counselling_note]", "Antibiotik dihabiskan 5 hari; kembali bila ruam (alergi).")
    page.click("#dispense")
    page.wait_for_selector("#dispense-lines")
    lines_text = page.inner_text("#dispense-lines")
    assert "AMX-EARLY" in lines_text and "AMX-LATE" not in lines_text and "AMX-EXPIRED" not in lines_text
    assert "Rp10.500" in page.inner_text("#dispense-total")  # 15 × Rp700 (non-member)
    screenshot(page, "apotek-dispensing")
    with page.expect_popup() as popup:
        page.click("text=etiket")
    label = popup.value
    assert "Ratna Sari Dewi" in label.inner_text("body") and "3 x 1 kapsul" in label.inner_text("#signa")
    label.close()
    with page.expect_popup() as popup:
        page.click("#print-receipt")
    assert "Rp10.500" in popup.value.inner_text("#receipt-total")
    popup.value.close()
    # over the counter, by the strip: 1 strip of parasetamol at the strip price
    page.goto(f"{base}/apotek/jual/")
    pct = Drug.objects.get(koperasi=k, code="PCT500")
    page.select_option("select[name=drug_1]", str(pct.pk))
    page.fill("input[name=qty_1]", "1")
    page.select_option("select[name=uom_1]", "strip")
    page.click("#sell")
    page.wait_for_selector("#dispense-lines")
    assert "1 strip" in page.inner_text("#dispense-lines") and "Rp2.500" in page.inner_text("#dispense-total")

    # --- the ledger, the stock and the patient's history agree ------------------------------------------------
    patient = Patient.objects.get(koperasi=k, nik=nik)
    visit = Visit.objects.get(koperasi=k, patient=patient)
    disp = Dispensing.objects.get(koperasi=k, prescription=rx)
    assert visit.is_paid and visit.diagnoses.get().code == "J03.9"
    assert [x["lot_number"] for x in disp.lines.get().lots] == ["AMX-EARLY"]
    early = Lot.objects.get(lot_number="AMX-EARLY")
    assert StockQuant.objects.get(lot=early).qty == Decimal("35")
    assert StockQuant.objects.get(lot__lot_number="AMX-EXPIRED").qty == Decimal("20")  # never sold
    assert account_balance(k, "1106", unit="klinik") == visit.fee_total == Decimal("20000")
    assert account_balance(k, "4132", unit="klinik") == Decimal("20000")
    assert account_balance(k, "1105", unit="apotek") == Decimal("13000")  # 10.500 + one strip 2.500
    assert account_balance(k, "4122", unit="apotek") == Decimal("13000")
    assert account_balance(k, "5122", unit="apotek") == disp.cost_total + Decimal("1500") > 0
    assert stock.valuation(k)["1152"] == account_balance(k, "1152")
    rx.refresh_from_db()
    assert rx.status == Prescription.Status.SELESAI

    page.context.clear_cookies()
    login(page, live_server, "klinik")
    page.goto(f"{base}/klinik/pasien/{patient.pk}/")
    history = page.inner_text("#history")
    assert visit.number in history and "J03.9" in history
    rx_hist = page.inner_text("#rx-history")
    assert rx.number in rx_hist and "Sudah diserahkan" in rx_hist and "3 x 1 kapsul" in rx_hist
    screenshot(page, "clinic-patient-history")

    # --- a pengurus opening a medical note is refused --------------------------------------------------------
    page.context.clear_cookies()
    login(page, live_server, "ketua")
    resp = page.goto(f"{base}/klinik/kunjungan/{visit.pk}/")
    assert resp.status == 403
    assert "Tonsil" not in page.inner_text("body")
