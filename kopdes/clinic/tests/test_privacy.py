"""Medical content is for clinical staff and the patient only — tested like tenant isolation.

Every non-clinical role (pengurus, manajer, pengawas, Dinas, national, operators of other units, the
administrator) gets 403/404 on every content URL, never sees content in lists, reports, exports, the dashboard or
the audit trail; the query layer returns nothing for them; every read by clinical staff is audited.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.clinic import privacy, services
from kopdes.core.access import get_access
from kopdes.core.models import AuditLog, User

from .helpers import active_member, new_patient, plain_drug

pytestmark = pytest.mark.django_db

SECRET_COMPLAINT = "keluhan-rahasia-batuk-darah"
SECRET_SOAP = "catatan-soap-rahasia"
SECRET_NAME = "Sumarni Rahasiawati"


@pytest.fixture
def world(koperasi, make_user):
    member = active_member(koperasi)
    patient = new_patient(koperasi, name=SECRET_NAME, allergies="Sulfa", member_id=member.pk)
    visit = services.register_visit(koperasi, patient=patient, complaint=SECRET_COMPLAINT)
    services.record_soap(visit, subjective=SECRET_SOAP, assessment="TB paru?")
    services.add_diagnosis(visit, "A16.2")
    ref = services.create_referral(visit, destination="Puskesmas Mesuji", reason="rujuk TB")
    rx = services.prescribe(visit, [{"drug": plain_drug(koperasi), "qty": 10, "signa": "3 x 1"}])
    services.pay_visit(visit)
    users = {
        "klinik": make_user("operator", koperasi=koperasi, unit="klinik"),
        "apotek": make_user("operator", koperasi=koperasi, unit="apotek"),
        "ketua": make_user("ketua", koperasi=koperasi),
        "bendahara": make_user("bendahara", koperasi=koperasi),
        "manajer": make_user("manajer", koperasi=koperasi),
        "pengawas": make_user("pengawas", koperasi=koperasi),
        "kasir": make_user("operator", koperasi=koperasi, unit="sembako"),
        "dinas": make_user("dinas_kabupaten", region="16.02"),
        "nasional": make_user("nasional"),
    }
    admin = User.objects.create_superuser("root", password="x")
    users["admin"] = admin
    return {"k": koperasi, "patient": patient, "visit": visit, "referral": ref, "rx": rx, "users": users,
            "member": member}


def content_urls(w):
    s = w["k"].slug
    return [
        reverse("clinic:patient_list", kwargs={"slug": s}),
        reverse("clinic:patient_list", kwargs={"slug": s}) + "?q=Sumarni",
        reverse("clinic:patient_new", kwargs={"slug": s}),
        reverse("clinic:patient_detail", kwargs={"slug": s, "pk": w["patient"].pk}),
        reverse("clinic:patient_edit", kwargs={"slug": s, "pk": w["patient"].pk}),
        reverse("clinic:visit_list", kwargs={"slug": s}),
        reverse("clinic:visit_new", kwargs={"slug": s}),
        reverse("clinic:visit_detail", kwargs={"slug": s, "pk": w["visit"].pk}),
        reverse("clinic:referral_pdf", kwargs={"slug": s, "pk": w["referral"].pk}),
        reverse("clinic:reports", kwargs={"slug": s}) + "?laporan=diagnosis&format=xlsx",
        reverse("clinic:reports", kwargs={"slug": s}) + "?laporan=diagnosis&format=pdf",
        reverse("pharmacy:prescription_list", kwargs={"slug": s}),
        reverse("pharmacy:prescription_detail", kwargs={"slug": s, "pk": w["rx"].pk}),
        reverse("pharmacy:keras_register", kwargs={"slug": s}),
    ]


NON_CLINICAL = ["ketua", "bendahara", "manajer", "pengawas", "kasir", "dinas", "nasional", "admin"]


@pytest.mark.parametrize("role", NON_CLINICAL)
def test_non_clinical_roles_cannot_read_content(world, client, role):
    user = world["users"][role]
    client.force_login(user)
    for url in content_urls(world):
        for method in ("get", "post"):
            r = getattr(client, method)(url)
            assert r.status_code in (403, 404), (role, method, url, r.status_code)
            assert SECRET_NAME.encode() not in r.content
    # pages they may open show counts and money, never content
    s = world["k"].slug
    for url in (reverse("core:dashboard", kwargs={"slug": s}), reverse("clinic:home", kwargs={"slug": s}),
                reverse("clinic:reports", kwargs={"slug": s}),
                reverse("clinic:reports", kwargs={"slug": s}) + "?laporan=kunjungan&format=xlsx",
                reverse("clinic:reports", kwargs={"slug": s}) + "?laporan=pendapatan&format=pdf",
                reverse("core:audit", kwargs={"slug": s}), reverse("core:audit", kwargs={"slug": s}) + "?objek=clinic"):
        r = client.get(url)
        if role == "kasir" and "/klinik/" in url:
            assert r.status_code == 403
            continue
        if r.status_code != 200:
            continue
        body = r.content
        for secret in (SECRET_NAME, SECRET_COMPLAINT, SECRET_SOAP, "A16.2", "Sulfa", "rujuk TB", "3 x 1"):
            assert secret.encode() not in body, (role, url, secret)
    # the query layer refuses too
    access = get_access(user, world["k"])
    if access is not None:
        assert privacy.visits_for(world["k"], access).count() == 0
        assert privacy.patients_for(world["k"], access).count() == 0
        assert privacy.diagnoses_for(world["k"], access).count() == 0
        assert not privacy.is_clinical(access)


def test_management_sees_counts_and_money(world, client):
    client.force_login(world["users"]["ketua"])
    r = client.get(reverse("clinic:home", kwargs={"slug": world["k"].slug}))
    assert r.status_code == 200
    assert r.context["summary"]["visits_today"] == 1
    assert "Rp10.000" in r.content.decode()  # member consultation fee, paid


def test_clinical_staff_reads_and_every_read_is_audited(world, client):
    client.force_login(world["users"]["klinik"])
    s = world["k"].slug
    before = AuditLog.objects.filter(action="read").count()
    r = client.get(reverse("clinic:visit_detail", kwargs={"slug": s, "pk": world["visit"].pk}))
    assert r.status_code == 200
    body = r.content.decode()
    assert SECRET_SOAP in body and "A16.2" in body and "ALERGI: Sulfa" in body
    r = client.get(reverse("clinic:patient_detail", kwargs={"slug": s, "pk": world["patient"].pk}))
    assert SECRET_NAME in r.content.decode()
    r = client.get(reverse("clinic:referral_pdf", kwargs={"slug": s, "pk": world["referral"].pk}))
    assert r["Content-Type"] == "application/pdf"
    reads = AuditLog.objects.filter(action="read").order_by("id")[before:]
    assert [x.model for x in reads] == ["clinic.Visit", "clinic.Patient", "clinic.Referral"]
    assert all(x.actor_id == world["users"]["klinik"].pk for x in reads)
    # the diagnosis report for the puskesmas
    r = client.get(reverse("clinic:reports", kwargs={"slug": s}) + "?laporan=diagnosis&format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_audit_trail_holds_no_medical_content(world):
    rows = AuditLog.objects.filter(koperasi_id_ref=world["k"].pk)
    assert rows.filter(model="clinic.Visit").exists()
    for row in rows:
        text = f"{row.summary} {row.before} {row.after}"
        for secret in (SECRET_NAME, SECRET_COMPLAINT, SECRET_SOAP, "TB paru", "Sulfa"):
            assert secret not in text, (row.model, row.action, text[:200])


def test_pharmacy_operator_sees_prescriptions_not_notes(world, client):
    client.force_login(world["users"]["apotek"])
    s = world["k"].slug
    r = client.get(reverse("pharmacy:prescription_detail", kwargs={"slug": s, "pk": world["rx"].pk}))
    assert r.status_code == 200
    body = r.content.decode()
    assert "Sulfa" in body and SECRET_NAME in body  # allergy shown prominently when dispensing
    assert SECRET_SOAP not in body and SECRET_COMPLAINT not in body
    r = client.get(reverse("clinic:visit_detail", kwargs={"slug": s, "pk": world["visit"].pk}))
    assert r.status_code == 403


def test_patient_reads_own_record_only(world, client, make_user):
    from kopdes.members.services import link_user

    me = make_user("anggota", koperasi=world["k"])
    link_user(world["member"], me)
    client.force_login(me)
    url = reverse("clinic:my_records", kwargs={"slug": world["k"].slug})
    r = client.get(url)
    assert r.status_code == 200
    assert SECRET_COMPLAINT in r.content.decode() and "A16.2" in r.content.decode()
    other = make_user("anggota", koperasi=world["k"])
    client.force_login(other)
    r = client.get(url)
    assert r.status_code == 200 and SECRET_COMPLAINT not in r.content.decode()
    # a member never reaches staff pages
    r = client.get(reverse("clinic:visit_detail", kwargs={"slug": world["k"].slug, "pk": world["visit"].pk}))
    assert r.status_code == 404
