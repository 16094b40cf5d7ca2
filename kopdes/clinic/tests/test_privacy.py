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

from .helpers import active_member, new_patient

pytestmark = pytest.mark.django_db

SECRET_COMPLAINT = "keluhan-rahasia-batuk-darah"
SECRET_SOAP = "catatan-soap-rahasia"
SECRET_NAME = "Sumarni Rahasiawati"
SECRET_SIGNA = "2 x 1 kapsul pagi-sore (rahasia)"


@pytest.fixture
def world(koperasi, make_user):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from kopdes.pharmacy import services as pharmacy

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
    users["admin"] = User.objects.create_superuser("root", password="x")
    member = active_member(koperasi)
    patient = new_patient(koperasi, name=SECRET_NAME, allergies="Sulfa", member_id=member.pk)
    visit = services.register_visit(koperasi, patient=patient, complaint=SECRET_COMPLAINT)
    services.record_soap(visit, subjective=SECRET_SOAP, assessment="TB paru?")
    services.add_diagnosis(visit, "A16.2")
    ref = services.create_referral(visit, destination="Puskesmas Mesuji", reason="rujuk TB")
    drug = pharmacy.save_drug(koperasi, {"code": "AMX500", "generic_name": "Amoksisilin", "strength": "500 mg",
                                         "form": "kapsul", "drug_class": "keras", "base_uom": "kapsul",
                                         "member_price": Decimal("500"), "public_price": Decimal("700")})
    pharmacy.receive_stock(koperasi, lines=[{"drug": drug, "qty": 50, "unit_cost": "300", "lot_number": "AMX-1",
                                             "expiry_date": timezone.localdate() + dt.timedelta(days=200)}])
    rx = services.prescribe(visit, [{"drug": drug, "qty": 10, "signa": SECRET_SIGNA}])
    services.pay_visit(visit)
    disp = pharmacy.dispense(koperasi, client_id="priv-1", by=users["apotek"], prescription=rx,
                             lines=[{"drug": drug, "qty": 10, "item_id": rx.items.get().pk}])
    from kopdes.retail.models import Lot

    return {"k": koperasi, "patient": patient, "visit": visit, "referral": ref, "rx": rx, "users": users,
            "member": member, "drug": drug, "disp": disp, "lot": Lot.objects.get(lot_number="AMX-1")}


# Every URL of the clinic and the apotek is classified here; a new URL that is in neither set fails the test.
CONTENT = {  # medical content or patient data: 403/404 for every non-clinical role, GET and POST
    "clinic:patient_list", "clinic:patient_new", "clinic:patient_detail", "clinic:patient_edit",
    "clinic:visit_list", "clinic:visit_new", "clinic:visit_detail", "clinic:visit_summary", "clinic:visit_receipt",
    "clinic:referral_pdf",
    "pharmacy:prescription_list", "pharmacy:paper_prescription", "pharmacy:prescription_detail",
    "pharmacy:dispensing_detail", "pharmacy:label", "pharmacy:receipt", "pharmacy:keras_register",
}
OPEN = {  # counts, money, catalogue, stock: may be readable, but never show content
    "clinic:home", "clinic:icd_search", "clinic:reports", "clinic:tariffs", "clinic:my_records",
    "pharmacy:home", "pharmacy:drug_list", "pharmacy:drug_new", "pharmacy:drug_detail", "pharmacy:drug_edit",
    "pharmacy:lot_detail", "pharmacy:receive", "pharmacy:expiry", "pharmacy:sale", "pharmacy:reports",
}


def _kwargs(w, name: str) -> dict:
    line = w["disp"].lines.get()
    return {
        "clinic:patient_detail": {"pk": w["patient"].pk}, "clinic:patient_edit": {"pk": w["patient"].pk},
        "clinic:visit_detail": {"pk": w["visit"].pk}, "clinic:visit_summary": {"pk": w["visit"].pk},
        "clinic:visit_receipt": {"pk": w["visit"].pk}, "clinic:referral_pdf": {"pk": w["referral"].pk},
        "pharmacy:prescription_detail": {"pk": w["rx"].pk}, "pharmacy:dispensing_detail": {"pk": w["disp"].pk},
        "pharmacy:label": {"pk": w["disp"].pk, "line_id": line.pk}, "pharmacy:receipt": {"pk": w["disp"].pk},
        "pharmacy:drug_detail": {"pk": w["drug"].pk}, "pharmacy:drug_edit": {"pk": w["drug"].pk},
        "pharmacy:lot_detail": {"pk": w["drug"].pk, "lot_id": w["lot"].pk},
    }.get(name, {})


def all_urls(w) -> dict[str, str]:
    from kopdes.clinic import urls as clinic_urls
    from kopdes.pharmacy import urls as pharmacy_urls

    out = {}
    for ns, mod in (("clinic", clinic_urls), ("pharmacy", pharmacy_urls)):
        for pat in mod.urlpatterns:
            name = f"{ns}:{pat.name}"
            out[name] = reverse(name, kwargs={"slug": w["k"].slug, **_kwargs(w, name)})
    return out


def content_urls(w):
    urls = all_urls(w)
    s = w["k"].slug
    return [urls[n] for n in sorted(CONTENT)] + [
        urls["clinic:patient_list"] + "?q=Sumarni",
        reverse("clinic:reports", kwargs={"slug": s}) + "?laporan=diagnosis&format=xlsx",
        reverse("clinic:reports", kwargs={"slug": s}) + "?laporan=diagnosis&format=pdf",
        reverse("pharmacy:keras_register", kwargs={"slug": s}) + "?format=xlsx",
    ]


SECRETS = (SECRET_NAME, SECRET_COMPLAINT, SECRET_SOAP, "A16.2", "Sulfa", "rujuk TB", SECRET_SIGNA, "TB paru")


def test_every_clinic_and_apotek_url_is_classified(world):
    names = set(all_urls(world))
    assert names == CONTENT | OPEN, (names - CONTENT - OPEN, (CONTENT | OPEN) - names)
    assert not CONTENT & OPEN


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
    urls = all_urls(world)
    for url in (*(urls[n] for n in sorted(OPEN)), reverse("core:dashboard", kwargs={"slug": s}),
                reverse("clinic:reports", kwargs={"slug": s}),
                reverse("clinic:reports", kwargs={"slug": s}) + "?laporan=kunjungan&format=xlsx",
                reverse("clinic:reports", kwargs={"slug": s}) + "?laporan=pendapatan&format=pdf",
                reverse("core:audit", kwargs={"slug": s}), reverse("core:audit", kwargs={"slug": s}) + "?objek=clinic"):
        r = client.get(url)
        if role == "kasir" and ("/klinik/" in url or "/apotek/" in url) and url != urls["clinic:my_records"]:
            assert r.status_code == 403, url
            continue
        if r.status_code != 200:
            continue
        body = r.content
        for secret in SECRETS:
            if url == urls["clinic:icd_search"] and secret == "A16.2":
                continue  # the ICD-10 reference list itself, not a patient's diagnosis
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
