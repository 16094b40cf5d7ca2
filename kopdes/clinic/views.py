"""Klinik desa pages. Every page with medical content calls ``privacy.require_clinical`` (403 for pengurus,
pengawas, supervisors, other units) and reads through the ``privacy`` querysets; every record read is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.core import filters
from kopdes.core.access import tenant_view
from kopdes.core.errors import DomainError
from kopdes.core.units import Unit

from . import exports, icd10, privacy, queries, services
from .forms import PatientForm, ReferralForm, SoapForm, TariffForm, TriageForm, VisitForm
from .models import Patient, Referral, Tariff, Visit

KLINIK = Unit.KLINIK


def _apply(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)



@tenant_view(unit=KLINIK)
def home(request):
    today = timezone.localdate()
    ctx = {"summary": queries.summary(request.koperasi, today), "today": today,
           "clinical": privacy.is_clinical(request.access)}
    if ctx["clinical"]:
        ctx["queue"] = (privacy.visits_for(request.koperasi, request.access).filter(date=today)
                        .select_related("patient").order_by("queue_no"))
    return render(request, "clinic/home.html", ctx)


# --- patients ------------------------------------------------------------------------------------------------

@tenant_view(unit=KLINIK)
def patient_list(request):
    privacy.require_clinical(request)
    q = request.GET.get("q", "").strip()
    qs = privacy.patients_for(request.koperasi, request.access)
    patients = services.search_patients(qs, q, limit=50)
    if request.headers.get("HX-Request"):
        return render(request, "clinic/_patient_rows.html", {"patients": patients})
    return render(request, "clinic/patient_list.html", {"patients": patients, "q": q})


def _patient_data(request, form) -> dict:
    data = {k: form.cleaned_data.get(k) for k in ("name", "nik", "birth_date", "sex", "phone", "address",
                                                  "bpjs_number", "allergies")}
    text = (form.cleaned_data.get("member") or "").strip()
    data["member_id"] = None
    if text:
        m = services.find_member(request.koperasi, text)
        if m is None:
            raise DomainError("Anggota tidak ditemukan di koperasi ini (periksa nomor anggota/NIK).",
                              "Member not found in this cooperative.", field="member", code="member_not_found")
        data["member_id"] = m.pk
    return data


@tenant_view(write=True, unit=KLINIK)
def patient_new(request):
    privacy.require_clinical(request)
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            p = services.register_patient(request.koperasi, by=request.user, **_patient_data(request, form))
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Pasien {p.name} terdaftar dengan nomor rekam medis {p.mrn}.")
            if request.POST.get("then") == "visit":
                return redirect(f"{_url(request, 'clinic:visit_new')}?patient={p.pk}")
            return redirect("clinic:patient_detail", slug=request.koperasi.slug, pk=p.pk)
    return render(request, "clinic/patient_form.html", {"form": form, "title": "Pasien baru"})


def _url(request, name, **kw):
    from django.urls import reverse

    return reverse(name, kwargs={"slug": request.koperasi.slug, **kw})


@tenant_view(write=True, unit=KLINIK)
def patient_edit(request, pk: int):
    privacy.require_clinical(request)
    p = get_object_or_404(privacy.patients_for(request.koperasi, request.access), pk=pk)
    initial = {k: getattr(p, k) for k in ("name", "nik", "birth_date", "sex", "phone", "address", "bpjs_number",
                                          "allergies")}
    if p.member_id:
        info = services.member_info(request.koperasi, p.member_id)
        initial["member"] = info["number"] if info else ""
    form = PatientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_patient(p, by=request.user, **_patient_data(request, form))
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "Data pasien disimpan.")
            return redirect("clinic:patient_detail", slug=request.koperasi.slug, pk=p.pk)
    return render(request, "clinic/patient_form.html", {"form": form, "title": f"Ubah pasien {p.mrn}", "patient": p})


@tenant_view(unit=KLINIK)
def patient_detail(request, pk: int):
    privacy.require_clinical(request)
    p = get_object_or_404(privacy.patients_for(request.koperasi, request.access), pk=pk)
    privacy.audit_read(p, f"Baca rekam medis pasien {p.mrn}")
    visits = (p.visits.filter(koperasi=request.koperasi).prefetch_related("diagnoses").order_by("-date", "-id")[:100])
    from kopdes.pharmacy.models import Prescription

    rxs = (Prescription.objects.filter(koperasi=request.koperasi, patient_id=p.pk)
           .prefetch_related("items__drug").order_by("-date", "-id")[:100])
    member = services.member_info(request.koperasi, p.member_id)
    return render(request, "clinic/patient_detail.html", {"patient": p, "visits": visits, "prescriptions": rxs,
                                                          "member": member})


# --- visits --------------------------------------------------------------------------------------------------

@tenant_view(unit=KLINIK)
def visit_list(request):
    privacy.require_clinical(request)
    day = filters.read(request, tanggal=filters.date(_("Tanggal"))).value("tanggal", timezone.localdate())
    visits = (privacy.visits_for(request.koperasi, request.access).filter(date=day).select_related("patient")
              .order_by("queue_no"))
    return render(request, "clinic/visit_list.html", {"visits": visits, "day": day})


@tenant_view(write=True, unit=KLINIK)
def visit_new(request):
    privacy.require_clinical(request)
    services.ensure_default_tariffs(request.koperasi)
    pid = request.POST.get("patient") or request.GET.get("patient")
    patient = None
    if pid and str(pid).isdigit():
        patient = privacy.patients_for(request.koperasi, request.access).filter(pk=int(pid)).first()
    form = VisitForm(request.POST or None, koperasi=request.koperasi, initial={"patient": patient.pk if patient else None})
    if request.method == "POST" and form.is_valid():
        try:
            v = services.register_visit(request.koperasi, patient=patient, complaint=form.cleaned_data["complaint"],
                                        consultation=form.cleaned_data["consultation"], by=request.user)
        except DomainError as exc:
            _apply(form, exc)
            if exc.field == "patient":
                messages.error(request, exc.message)
        else:
            messages.success(request, f"{v.patient.name} masuk antrean nomor {v.queue_no}.")
            return redirect("clinic:visit_detail", slug=request.koperasi.slug, pk=v.pk)
    q = request.GET.get("q", "").strip()
    found = services.search_patients(privacy.patients_for(request.koperasi, request.access), q, 20) if q else []
    return render(request, "clinic/visit_new.html", {"form": form, "patient": patient, "q": q, "found": found})


@tenant_view(write=True, unit=KLINIK)
def visit_detail(request, pk: int):
    privacy.require_clinical(request)
    visit = get_object_or_404(privacy.visits_for(request.koperasi, request.access).select_related("patient"), pk=pk)
    from kopdes.pharmacy.models import Drug, Prescription

    triage = TriageForm(initial={f: getattr(visit, f) for f in services.VITAL_RANGES})
    soap = SoapForm(initial={f: getattr(visit, f) for f in ("subjective", "objective", "assessment", "plan")})
    referral_form = ReferralForm(initial={"destination": services.settings_for(request.koperasi).puskesmas_name})
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "triage":
                triage = TriageForm(request.POST)
                if triage.is_valid():
                    services.record_triage(visit, by=request.user, **triage.cleaned_data)
                    messages.success(request, "Tanda vital disimpan.")
                    return redirect(request.path)
            elif action == "soap":
                soap = SoapForm(request.POST)
                if soap.is_valid():
                    services.record_soap(visit, by=request.user, **soap.cleaned_data)
                    messages.success(request, "Catatan SOAP disimpan.")
                    return redirect(request.path)
            elif action == "diagnosis":
                d = services.add_diagnosis(visit, request.POST.get("code", ""), primary=bool(request.POST.get("primary")))
                messages.success(request, f"Diagnosis {d.code} {d.name} dicatat.")
                return redirect(request.path)
            elif action == "diagnosis_delete":
                services.remove_diagnosis(visit, int(request.POST.get("diagnosis_id", 0) or 0))
                return redirect(request.path)
            elif action == "procedure":
                tariff = Tariff.objects.filter(koperasi=request.koperasi, pk=request.POST.get("tariff") or 0).first()
                if tariff is None:
                    raise DomainError("Pilih tindakan.", "Choose a procedure.", field="tariff")
                services.add_procedure(visit, tariff, qty=int(request.POST.get("qty") or 1),
                                       note=request.POST.get("note", ""))
                return redirect(request.path)
            elif action == "prescription":
                items = []
                for i in range(1, 9):
                    drug_id = request.POST.get(f"drug_{i}")
                    if not drug_id:
                        continue
                    items.append({"drug": int(drug_id), "qty": request.POST.get(f"qty_{i}") or "0",
                                  "signa": request.POST.get(f"signa_{i}", "")})
                rx = services.prescribe(visit, items, by=request.user, note=request.POST.get("rx_note", ""))
                messages.success(request, f"Resep {rx.number} dikirim ke apotek.")
                return redirect(request.path)
            elif action == "referral":
                referral_form = ReferralForm(request.POST)
                if referral_form.is_valid():
                    r = services.create_referral(visit, by=request.user, **referral_form.cleaned_data)
                    messages.success(request, f"Surat rujukan {r.number} dibuat.")
                    return redirect(request.path)
            elif action == "finish":
                services.finish_visit(visit, by=request.user)
                messages.success(request, "Pemeriksaan selesai. Pasien diarahkan ke kasir/apotek.")
                return redirect(request.path)
            elif action == "pay":
                services.pay_visit(visit, method=request.POST.get("method", "tunai"), by=request.user)
                messages.success(request, "Pembayaran diterima dan dibukukan ke unit klinik.")
                return redirect(request.path)
            elif action == "cancel":
                services.cancel_visit(visit, by=request.user)
                return redirect("clinic:visit_list", slug=request.koperasi.slug)
        except DomainError as exc:
            errors.append(exc.message)
        visit.refresh_from_db()
    else:
        privacy.audit_read(visit, f"Baca kunjungan {visit.number} pasien {visit.patient.mrn}")
    ctx = {
        "visit": visit, "patient": visit.patient, "triage": triage, "soap": soap, "referral_form": referral_form,
        "errors": errors, "diagnoses": visit.diagnoses.all(), "procedures": visit.procedures.all(),
        "tariffs": Tariff.objects.filter(koperasi=request.koperasi, kind=Tariff.Kind.TINDAKAN, active=True),
        "drugs": Drug.objects.filter(koperasi=request.koperasi, active=True).order_by("generic_name"),
        "prescriptions": Prescription.objects.filter(koperasi=request.koperasi, visit_id=visit.pk)
        .prefetch_related("items__drug"),
        "referrals": visit.referrals.all(),"rx_rows": range(1, 5),
    }
    return render(request, "clinic/visit_detail.html", ctx)


@tenant_view(unit=KLINIK)
def visit_summary(request, pk: int):
    """Printable visit summary (resume medis): vitals, SOAP, diagnoses, procedures, prescriptions, referrals."""
    privacy.require_clinical(request)
    visit = get_object_or_404(privacy.visits_for(request.koperasi, request.access).select_related("patient", "examiner"),
                              pk=pk)
    privacy.audit_read(visit, f"Cetak ringkasan kunjungan {visit.number} pasien {visit.patient.mrn}")
    from kopdes.pharmacy.models import Prescription

    return render(request, "clinic/visit_summary.html", {
        "visit": visit, "patient": visit.patient, "diagnoses": visit.diagnoses.all(),
        "procedures": visit.procedures.all(), "referrals": visit.referrals.all(),
        "prescriptions": Prescription.objects.filter(koperasi=request.koperasi, visit_id=visit.pk)
        .prefetch_related("items__drug"), "settings": services.settings_for(request.koperasi)})


@tenant_view(unit=KLINIK)
def visit_receipt(request, pk: int):
    """Payment receipt (kwitansi) of a paid visit: services and amounts only, no medical content."""
    privacy.require_clinical(request)
    visit = get_object_or_404(privacy.visits_for(request.koperasi, request.access).select_related("patient"), pk=pk)
    if not visit.is_paid:
        raise Http404
    privacy.audit_read(visit, f"Cetak kwitansi kunjungan {visit.number}")
    return render(request, "clinic/visit_receipt.html", {
        "visit": visit, "patient": visit.patient, "procedures": visit.procedures.all(),
        "settings": services.settings_for(request.koperasi), "member": services.member_info(request.koperasi,
                                                                                            visit.member_id)})


@tenant_view(unit=KLINIK)
def referral_pdf(request, pk: int):
    privacy.require_clinical(request)
    r = get_object_or_404(privacy.referrals_for(request.koperasi, request.access).select_related("visit__patient"),
                          pk=pk)
    privacy.audit_read(r, f"Cetak surat rujukan {r.number}")
    pdf = exports.referral_pdf(r, r.visit, r.visit.patient, services.settings_for(request.koperasi), request.koperasi)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="rujukan-{r.number}.pdf"'
    return resp


@tenant_view(unit=KLINIK)
def icd_search(request):
    """ICD-10 reference list (not patient data)."""
    results = icd10.search(request.GET.get("q") or request.GET.get("code", ""), limit=20)
    if request.headers.get("HX-Request"):
        return render(request, "clinic/_icd_options.html", {"results": results})
    return JsonResponse({"results": [{"code": c.code, "name": c.name, "name_en": c.name_en} for c in results]})


# --- reports -------------------------------------------------------------------------------------------------

@tenant_view(unit=KLINIK)
def reports(request):
    today = timezone.localdate()
    date_from, date_to = filters.period(request, today.replace(day=1), today)
    clinical = privacy.is_clinical(request.access)
    first = filters.read(request, bulan=filters.month(_("Bulan"))).value("bulan", today.replace(day=1))
    year, month = first.year, first.month
    per_day = queries.visits_per_day(request.koperasi, date_from, date_to)
    rev = queries.revenue(request.koperasi, date_from, date_to)
    fmt = request.GET.get("format", "")
    kind = request.GET.get("laporan", "")
    if kind == "diagnosis" and not clinical:
        raise PermissionDenied
    if fmt in ("xlsx", "pdf"):
        if kind == "kunjungan":
            headers = ["Tanggal", "Kunjungan", "Anggota", "Umum", "Pendapatan (Rp)"]
            rows = [[r["date"], r["visits"], r["members"], r["public"], r["revenue"]] for r in per_day]
            title, sub = "Kunjungan klinik per hari", f"{request.koperasi.name} · {date_from:%d-%m-%Y} s.d. {date_to:%d-%m-%Y}"
        elif kind == "pendapatan":
            headers = ["Komponen", "Jumlah (Rp)"]
            rows = [["Konsultasi", rev["consultation"]], ["Tindakan", rev["procedures"]],
                    ["Dari anggota (4131)", rev["members"]], ["Dari non-anggota (4132)", rev["public"]],
                    ["Total", rev["total"]]]
            title, sub = "Pendapatan jasa klinik", f"{request.koperasi.name} · {date_from:%d-%m-%Y} s.d. {date_to:%d-%m-%Y}"
        elif kind == "diagnosis":
            top = queries.top_diagnoses(request.koperasi, year, month, limit=50)
            headers = ["No", "Kode ICD-10", "Diagnosis", "Jumlah kasus", "Diagnosis utama"]
            rows = [[i, r["code"], r["name"], r["n"], r["new_cases"]] for i, r in enumerate(top, 1)]
            title = "Laporan penyakit terbanyak (untuk puskesmas)"
            sub = f"{request.koperasi.name} · bulan {month:02d}/{year}"
        else:
            raise Http404
        name = f"klinik-{kind}-{date_from:%Y%m%d}"
        if fmt == "xlsx":
            return exports.xlsx_response(f"{name}.xlsx", title, headers, rows, subtitle=sub)
        return exports.pdf_table_response(f"{name}.pdf", title, headers, rows, subtitle=sub)
    ctx = {"per_day": per_day, "rev": rev, "date_from": date_from, "date_to": date_to, "clinical": clinical,
           "month": f"{year}-{month:02d}"}
    if clinical:
        ctx["top"] = queries.top_diagnoses(request.koperasi, year, month)
    return render(request, "clinic/reports.html", ctx)


@tenant_view(write=True, unit=KLINIK)
def tariffs(request):
    services.ensure_default_tariffs(request.koperasi)
    edit = None
    ubah = filters.read(request, ubah=filters.number(_("Tarif"))).value("ubah")
    if ubah:
        edit = get_object_or_404(Tariff, koperasi=request.koperasi, pk=ubah)
    form = TariffForm(request.POST or None, instance=edit)
    if request.method == "POST" and form.is_valid():
        t = form.save(commit=False)
        t.koperasi = request.koperasi
        if Tariff.objects.filter(koperasi=request.koperasi, code=t.code).exclude(pk=t.pk).exists():
            form.add_error("code", "Kode tarif sudah dipakai.")
        else:
            t.save()
            messages.success(request, f"Tarif {t.name} disimpan.")
            return redirect("clinic:tariffs", slug=request.koperasi.slug)
    rows = Tariff.objects.filter(koperasi=request.koperasi)
    return render(request, "clinic/tariffs.html", {"form": form, "tariffs": rows, "edit": edit,
                                                   "can_write": request.access.can_write(KLINIK)})


# --- the patient themself ------------------------------------------------------------------------------------

@tenant_view(staff=False)
def my_records(request):
    """A member reads their own clinic record (and nobody else's)."""
    from kopdes.members.models import Member

    member_ids = list(Member.objects.filter(koperasi=request.koperasi, user=request.user).values_list("pk", flat=True))
    patients = list(Patient.objects.filter(koperasi=request.koperasi, member_id__in=member_ids)) if member_ids else []
    if not patients:
        return render(request, "clinic/my_records.html", {"patients": [], "visits": []})
    visits = (Visit.objects.filter(koperasi=request.koperasi, patient__in=patients).exclude(status=Visit.Status.BATAL)
              .prefetch_related("diagnoses").order_by("-date")[:50])
    from kopdes.pharmacy.models import Prescription

    rxs = (Prescription.objects.filter(koperasi=request.koperasi, patient_id__in=[p.pk for p in patients])
           .prefetch_related("items__drug").order_by("-date")[:50])
    for p in patients:
        privacy.audit_read(p, f"Pasien membaca rekam medisnya sendiri {p.mrn}")
    return render(request, "clinic/my_records.html", {"patients": patients, "visits": visits, "prescriptions": rxs,
                                                      "referrals": Referral.objects.filter(visit__in=visits)})


def dashboard_widget(request):
    access = getattr(request, "access", None)
    if access is None or not access.can_read(KLINIK):
        return None
    s = queries.summary(request.koperasi, timezone.localdate())
    return {"title": _("Klinik desa"), "template": "clinic/_widget.html", "context": s, "order": 60}

