"""Patients, visits, ICD-10, fees posted to the clinic unit, bad input refused with clear messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kopdes.clinic import icd10, services
from kopdes.clinic.models import Diagnosis, Visit
from kopdes.core.errors import DomainError
from kopdes.core.units import Unit

from .helpers import active_member, new_patient, patient_data, plain_drug

pytestmark = pytest.mark.django_db


def test_icd10_list_and_translation_table():
    codes = icd10.all_codes()
    assert len(codes) > 10000
    assert icd10.get("j069").code == "J06.9"
    assert icd10.get("J06.9").name == "Infeksi saluran pernapasan atas akut (ISPA)"
    assert icd10.get("J06.9").name_en == "Acute upper respiratory infection, unspecified"
    # every code in our translation table is a real WHO code, and there are about a hundred of them
    assert all(icd10.is_valid(c) for c in icd10.ID_NAMES)
    assert 100 <= len(icd10.ID_NAMES) <= 140
    assert [c.code for c in icd10.search("J06")][:4] == ["J06", "J06.0", "J06.8", "J06.9"]
    assert "A09" in [c.code for c in icd10.search("diare")]
    assert "I10" in [c.code for c in icd10.search("hipertensi")]
    assert any(c.code.startswith("E11") for c in icd10.search("type 2 diabetes"))
    assert icd10.get("X99.99") is None


def test_patient_numbers_nik_and_bpjs(koperasi, other_koperasi):
    a = new_patient(koperasi)
    b = new_patient(koperasi, nik="", name="Bayi Sari", birth_date=timezone.localdate() - dt.timedelta(days=200))
    c = new_patient(other_koperasi)
    assert (a.mrn, b.mrn) == ("RM-000001", "RM-000002")
    assert c.mrn == "RM-000001"  # per cooperative
    assert b.age_label.endswith("bln")
    with pytest.raises(DomainError) as e:
        new_patient(koperasi, nik=a.nik, birth_date=a.birth_date, sex=a.sex)
    assert e.value.field == "nik" and "sudah terdaftar" in e.value.message_id
    with pytest.raises(DomainError) as e:
        new_patient(koperasi, nik="1602041203850000")
    assert e.value.field == "nik"
    with pytest.raises(DomainError) as e:
        new_patient(koperasi, sex="L", nik=patient_data(sex="P")["nik"])
    assert e.value.field == "nik" and "Jenis kelamin" in e.value.message_id
    with pytest.raises(DomainError) as e:
        new_patient(koperasi, bpjs_number="12345")
    assert e.value.field == "bpjs_number" and "13 digit" in e.value.message_id
    assert new_patient(koperasi, bpjs_number="0001234567890").bpjs_number == "0001234567890"


def test_patient_search(koperasi):
    from kopdes.clinic.models import Patient

    p1 = new_patient(koperasi, name="Siti Rahayu", phone="081234567890")
    p2 = new_patient(koperasi, name="Rahayu Ningsih")
    new_patient(koperasi, name="Budi Santoso")
    qs = Patient.objects.filter(koperasi=koperasi)
    assert [p.pk for p in services.search_patients(qs, "rahayu")] == [p2.pk, p1.pk]
    assert [p.pk for p in services.search_patients(qs, "siti")] == [p1.pk]
    assert [p.pk for p in services.search_patients(qs, p1.mrn)] == [p1.pk]
    assert [p.pk for p in services.search_patients(qs, p2.nik)] == [p2.pk]


def test_visit_without_patient_is_refused(koperasi):
    with pytest.raises(DomainError) as e:
        services.register_visit(koperasi, patient=None)
    assert e.value.field == "patient" and "tanpa pasien" in e.value.message_id
    assert Visit.objects.count() == 0


def test_visit_flow_fees_and_ledger(koperasi):
    from kopdes.ledger.queries import account_balance

    member = active_member(koperasi)
    p_member = new_patient(koperasi, member_id=member.pk)
    p_public = new_patient(koperasi)
    v1 = services.register_visit(koperasi, patient=p_member, complaint="batuk pilek 3 hari")
    v2 = services.register_visit(koperasi, patient=p_public, complaint="luka di kaki")
    assert (v1.queue_no, v2.queue_no) == (1, 2)
    assert v1.member_id == member.pk and v2.member_id is None
    assert v1.consultation_fee == Decimal("10000") and v2.consultation_fee == Decimal("20000")
    services.record_triage(v1, systolic=120, diastolic=80, temperature="37,8", weight="60", height="160")
    v1.refresh_from_db()
    assert v1.temperature == Decimal("37.8") and v1.bmi == Decimal("23.4")
    with pytest.raises(DomainError) as e:
        services.record_triage(v1, temperature="48")
    assert e.value.field == "temperature"
    services.record_soap(v1, subjective="batuk", objective="faring hiperemis", assessment="ISPA", plan="simptomatik")
    with pytest.raises(DomainError) as e:
        services.finish_visit(v1)
    assert e.value.code == "diagnosis_required"
    with pytest.raises(DomainError) as e:
        services.add_diagnosis(v1, "Z99.999")
    assert e.value.field == "code"
    d = services.add_diagnosis(v1, "j06.9")
    assert (d.code, d.primary) == ("J06.9", True)
    d2 = services.add_diagnosis(v1, "R05")
    assert not d2.primary
    services.finish_visit(v1)
    from kopdes.clinic.models import Tariff

    services.ensure_default_tariffs(koperasi)
    luka = Tariff.objects.get(koperasi=koperasi, code="RAWAT-LUKA")
    services.add_procedure(v2, luka)
    v2.refresh_from_db()
    assert v2.fee_total == Decimal("45000")
    services.pay_visit(v1, by=None)
    services.pay_visit(v2, method="qris")
    with pytest.raises(DomainError):
        services.pay_visit(v2)
    assert account_balance(koperasi, "1106", unit=Unit.KLINIK) == Decimal("10000")
    assert account_balance(koperasi, "1112", unit=Unit.KLINIK) == Decimal("45000")
    assert account_balance(koperasi, "4131", unit=Unit.KLINIK, member_id=member.pk) == Decimal("10000")
    assert account_balance(koperasi, "4132", unit=Unit.KLINIK) == Decimal("45000")
    from kopdes.clinic import queries

    today = timezone.localdate()
    rev = queries.revenue(koperasi, today, today)
    assert (rev["total"], rev["members"], rev["procedures"]) == (Decimal("55000"), Decimal("10000"), Decimal("25000"))
    assert queries.visits_per_day(koperasi, today, today)[0]["visits"] == 2
    top = queries.top_diagnoses(koperasi, today.year, today.month)
    assert [(r["code"], r["n"]) for r in top] == [("J06.9", 1), ("R05", 1)]


def test_prescription_and_referral(koperasi):
    from kopdes.pharmacy.models import Prescription

    p = new_patient(koperasi, allergies="Amoksisilin")
    v = services.register_visit(koperasi, patient=p)
    drug = plain_drug(koperasi)
    with pytest.raises(DomainError) as e:
        services.prescribe(v, [{"drug": drug, "qty": 10, "signa": "  "}])
    assert e.value.field == "signa" and "wajib diisi" in e.value.message_id
    rx = services.prescribe(v, [{"drug": drug, "qty": 15, "signa": "3 x 1 kapsul"}])
    assert rx.source == Prescription.Source.KLINIK and rx.visit_id == v.pk and rx.allergies == "Amoksisilin"
    assert rx.items.get().signa == "3 x 1 kapsul"
    with pytest.raises(DomainError):
        services.create_referral(v, destination="", reason="x")
    r = services.create_referral(v, destination="Puskesmas Mesuji", reason="Curiga TB paru")
    assert r.number.startswith("RJK-")
    from kopdes.clinic.exports import referral_pdf

    services.add_diagnosis(v, "A16.2")
    pdf = referral_pdf(r, v, p, services.settings_for(koperasi), koperasi)
    assert pdf.startswith(b"%PDF")


def test_cancelled_visit_is_frozen(koperasi):
    v = services.register_visit(koperasi, patient=new_patient(koperasi))
    services.cancel_visit(v)
    with pytest.raises(DomainError) as e:
        services.add_diagnosis(v, "J00")
    assert e.value.code == "visit_cancelled"
    assert Diagnosis.objects.count() == 0


def test_clinic_pages_for_clinical_staff(koperasi, make_user, client):
    from django.urls import reverse

    from kopdes.clinic.models import Patient

    doc = make_user("operator", koperasi=koperasi, unit="klinik")
    client.force_login(doc)
    s = koperasi.slug
    # a visit without a patient: refused with a clear message, nothing written
    r = client.post(reverse("clinic:visit_new", kwargs={"slug": s}), {"complaint": "demam"})
    assert r.status_code == 200 and "kunjungan tanpa pasien tidak dapat didaftarkan" in r.content.decode()
    assert Visit.objects.count() == 0
    # registration with a bad NIK names the field; a good one creates the patient and goes on to the visit
    data = patient_data()
    form = {k: v for k, v in data.items() if v} | {"birth_date": data["birth_date"].isoformat(), "then": "visit"}
    r = client.post(reverse("clinic:patient_new", kwargs={"slug": s}), form | {"nik": "1234"})
    assert r.status_code == 200 and "NIK harus 16 digit" in r.content.decode()
    r = client.post(reverse("clinic:patient_new", kwargs={"slug": s}), form)
    p = Patient.objects.get(koperasi=koperasi)
    assert r.status_code == 302 and r["Location"].endswith(f"?patient={p.pk}")
    r = client.post(reverse("clinic:visit_new", kwargs={"slug": s}), {"patient": p.pk, "complaint": "demam"})
    v = Visit.objects.get()
    assert r.status_code == 302
    url = reverse("clinic:visit_detail", kwargs={"slug": s, "pk": v.pk})
    r = client.post(url, {"action": "diagnosis", "code": "XYZ"})
    assert "tidak dikenal" in r.content.decode()
    r = client.post(url, {"action": "finish"})
    assert "minimal satu diagnosis" in r.content.decode()
    for name in ("home", "patient_list", "visit_list", "reports", "tariffs"):
        assert client.get(reverse(f"clinic:{name}", kwargs={"slug": s})).status_code == 200, name
    r = client.get(reverse("clinic:patient_list", kwargs={"slug": s}) + "?q=" + p.name[:6], HTTP_HX_REQUEST="true")
    assert p.mrn in r.content.decode()
    r = client.get(reverse("clinic:icd_search", kwargs={"slug": s}) + "?q=diare")
    assert any(x["code"] == "A09" for x in r.json()["results"])


def test_visit_summary_and_receipt_prints(koperasi, make_user, client):
    from django.urls import reverse

    from kopdes.core.models import AuditLog

    member = active_member(koperasi)
    p = new_patient(koperasi, name="Wartini", allergies="Penisilin", member_id=member.pk)
    v = services.register_visit(koperasi, patient=p, complaint="batuk berdahak")
    services.record_triage(v, systolic=130, diastolic=85, temperature="37.8", weight=55, height=155)
    services.record_soap(v, subjective="batuk 5 hari", objective="ronki (-)", assessment="ISPA", plan="simptomatik")
    services.add_diagnosis(v, "J06.9")
    services.add_procedure(v, services_tariff(koperasi, "NEBU"))
    services.prescribe(v, [{"drug": plain_drug(koperasi, drug_class="bebas"), "qty": 10, "signa": "3 x 1 tablet"}])
    doc = make_user("operator", koperasi=koperasi, unit="klinik")
    client.force_login(doc)
    s = koperasi.slug
    detail = client.get(reverse("clinic:visit_detail", kwargs={"slug": s, "pk": v.pk})).content.decode()
    summary_url = reverse("clinic:visit_summary", kwargs={"slug": s, "pk": v.pk})
    receipt_url = reverse("clinic:visit_receipt", kwargs={"slug": s, "pk": v.pk})
    assert summary_url in detail and receipt_url not in detail  # not paid yet: no receipt
    before = AuditLog.objects.filter(action="read", model="clinic.Visit").count()
    body = client.get(summary_url).content.decode()
    for text in ("Wartini", p.mrn, "Penisilin", "batuk 5 hari", "J06.9", "3 x 1 tablet", "130/85", "Nebulisasi"):
        assert text in body, text
    assert AuditLog.objects.filter(action="read", model="clinic.Visit").count() == before + 1
    assert client.get(receipt_url).status_code == 404  # an unpaid visit has no receipt
    services.pay_visit(v)
    v.refresh_from_db()
    assert v.fee_total == Decimal("30000")  # member: consultation 10.000 + nebulisation 20.000
    assert receipt_url in client.get(reverse("clinic:visit_detail", kwargs={"slug": s, "pk": v.pk})).content.decode()
    body = client.get(receipt_url).content.decode()
    assert "Rp30.000" in body and "Nebulisasi" in body and member.number in body
    assert "J06.9" not in body and "batuk" not in body  # a receipt holds money, not medical content


def services_tariff(koperasi, code):
    from kopdes.clinic.models import Tariff

    services.ensure_default_tariffs(koperasi)
    return Tariff.objects.get(koperasi=koperasi, code=code)
