"""Member registry pages under /k/<slug>/anggota/."""

from __future__ import annotations

import mimetypes
import uuid

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.core import uploads
from kopdes.core.errors import DomainError
from kopdes.core.models import PENGURUS_ROLES, Role
from kopdes.core.money import format_rupiah
from kopdes.core.sheets import xlsx_bytes

from . import importing, queries, services
from .access import can_read_savings, registry_view
from .debts import outstanding_debts
from .forms import ExitForm, ImportForm, MemberForm, PayoutForm
from .models import CROPS, Member, Occupation, Settlement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _member(request, pk) -> Member:
    return get_object_or_404(Member.objects.select_related("koperasi__region"), pk=pk, koperasi=request.koperasi)


def _apply_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _filtered(request):
    k = request.koperasi
    qs = Member.objects.filter(koperasi=k)
    q = request.GET.get("q", "").strip()
    if q:
        qs = queries.search_members(k, q, qs)
    status = request.GET.get("status", "")
    if status == "current":
        qs = qs.filter(status__in=Member.CURRENT_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    occ = request.GET.get("pekerjaan", "")
    if occ:
        qs = qs.filter(occupation=occ)
    dusun = request.GET.get("dusun", "").strip()
    if dusun:
        qs = qs.filter(dusun__iexact=dusun)
    crop = request.GET.get("komoditas", "")
    if crop:
        qs = qs.filter(crops__contains=crop)
    return qs.order_by("seq"), {"q": q, "status": status, "pekerjaan": occ, "dusun": dusun, "komoditas": crop}


@registry_view()
def member_list(request):
    qs, filters = _filtered(request)
    if request.GET.get("format") == "xlsx":
        return _export(request, qs)
    if request.GET.get("format") == "pdf":
        return _list_pdf(request, qs, filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    k = request.koperasi
    counts = {r: Member.objects.filter(koperasi=k, status=r).count() for r in ("calon", "aktif")}
    dusuns = (Member.objects.filter(koperasi=k).exclude(dusun="").values_list("dusun", flat=True)
              .distinct().order_by("dusun"))
    return render(request, "members/list.html", {
        "page": page, "f": filters, "statuses": Member.Status.choices, "occupations": Occupation.choices,
        "crops": CROPS, "dusuns": list(dusuns)[:200], "counts": counts, "can_write": request.can_write_registry,
    })


def _list_pdf(request, qs, filters) -> HttpResponse:
    from .pdf import LIST_PDF_MAX, member_list_pdf

    members = list(qs[:LIST_PDF_MAX])
    total = qs.count() if len(members) == LIST_PDF_MAX else len(members)
    label = ", ".join(f"{k}={v}" for k, v in filters.items() if v)
    resp = HttpResponse(member_list_pdf(request.koperasi, members, filters=label, total=total),
                        content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="anggota-{request.koperasi.slug}-{timezone.localdate()}.pdf"'
    return resp


def _export(request, qs) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "Anggota"
    head = ["Nomor", "NIK", "No. KK", "Nama", "L/P", "Tempat lahir", "Tanggal lahir", "Alamat", "RT", "RW",
            "Dusun", "HP", "Pekerjaan", "Luas lahan (ha)", "Komoditas", "Kelompok tani", "Status", "Tanggal daftar",
            "Anggota sejak", "Tanggal keluar", "Ahli waris", "Hubungan"]
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
    for m in qs.iterator(chunk_size=2000):
        ws.append([m.number, m.nik, m.kk, m.name, m.sex, m.birth_place, m.birth_date, m.address, m.rt, m.rw,
                   m.dusun, m.phone_display, m.get_occupation_display(), float(m.land_area_ha), m.crop_labels,
                   m.farmer_group, m.get_status_display(), m.registered_on, m.joined_on, m.left_on, m.heir_name,
                   m.heir_relation])
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for c in row:
            c.number_format = "@"
    data = xlsx_bytes(wb)
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="anggota-{request.koperasi.slug}-{timezone.localdate()}.xlsx"'
    return resp


def _save_photo(request, member_or_none, upload) -> str:
    ext = (upload.name.rsplit(".", 1)[-1] or "jpg").lower()[:5]
    if ext not in ("jpg", "jpeg", "png", "webp"):
        ext = "jpg"
    path = f"members/photos/{request.koperasi.pk}/{uuid.uuid4().hex}.{ext}"
    return default_storage.save(path, ContentFile(upload.read()))


def _form_data(form) -> dict:
    cd = dict(form.cleaned_data)
    cd.pop("photo", None)
    if cd.get("land_area_ha") is None:
        cd["land_area_ha"] = 0
    cd["crops"] = ",".join(cd.get("crops") or [])
    if not cd.get("registered_on"):
        cd.pop("registered_on", None)
    return cd


@registry_view()
def member_new(request):
    form = MemberForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        if form.cleaned_data.get("photo"):
            data["photo"] = _save_photo(request, None, form.cleaned_data["photo"])
        try:
            m = services.register_member(request.koperasi, by=request.user, **data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Calon anggota %(name)s terdaftar dengan nomor %(number)s. Menjadi anggota "
                                        "setelah simpanan pokok dibayar.") % {"name": m.name, "number": m.number})
            for name in services.other_memberships(request.koperasi, m.nik):
                messages.warning(request, _("Perhatian: NIK %(nik)s juga tercatat sebagai anggota %(koperasi)s.")
                                 % {"nik": m.nik, "koperasi": name})
            return redirect("members:detail", slug=request.koperasi.slug, pk=m.pk)
    return render(request, "members/form.html", {"form": form, "title": "Daftarkan calon anggota"})


@registry_view()
def member_edit(request, pk):
    m = _member(request, pk)
    initial = {f: getattr(m, f) for f in services.EDITABLE_FIELDS if f != "photo"}
    initial["crops"] = m.crop_list
    form = MemberForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {f: v for f, v in _form_data(form).items() if f in form.changed_data or f == "crops"}
        for f in ("nik", "birth_date", "sex"):
            if f in data and not data[f]:
                data.pop(f)
        if form.cleaned_data.get("photo"):
            data["photo"] = _save_photo(request, m, form.cleaned_data["photo"])
        if "crops" in data and data["crops"] == m.crops:
            data.pop("crops")
        try:
            services.update_member(m, data, by=request.user)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Data anggota disimpan."))
            return redirect("members:detail", slug=request.koperasi.slug, pk=m.pk)
    return render(request, "members/form.html", {"form": form, "title": _("Ubah data %(name)s") % {"name": m.name}, "member": m})


@registry_view()
def member_detail(request, pk):
    m = _member(request, pk)
    ctx = {"m": m, "can_write": request.can_write_registry, "show_savings": can_read_savings(request.access),
           "others": services.other_memberships(request.koperasi, m.nik) if m.is_current else []}
    if ctx["show_savings"]:
        from kopdes.savings import services as sv
        from kopdes.savings.models import SavingsTransaction

        ctx["balances"] = sv.balances(m)
        ctx["total"] = sum(ctx["balances"].values())
        ctx["arrears"] = sv.member_arrears(m)
        ctx["recent"] = (SavingsTransaction.objects.filter(koperasi=request.koperasi, member=m)
                         .order_by("-date", "-id")[:10])
    ctx["settlement"] = Settlement.objects.filter(member=m, koperasi=request.koperasi).first()
    return render(request, "members/detail.html", ctx)


@registry_view()
def member_photo(request, pk):
    m = _member(request, pk)
    if not m.photo or not default_storage.exists(m.photo):
        raise Http404
    ctype = mimetypes.guess_type(m.photo)[0] or "image/jpeg"
    return FileResponse(default_storage.open(m.photo, "rb"), content_type=ctype)


@registry_view()
def member_card(request, pk):
    from .pdf import member_card_pdf

    m = _member(request, pk)
    resp = HttpResponse(member_card_pdf(m), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="kartu-{m.number}.pdf"'
    return resp


@registry_view()
def member_cards(request):
    """Cards of the filtered list (max 500), 10 per A4 page."""
    from .pdf import member_cards_pdf

    qs, _f = _filtered(request)
    members = list(qs.select_related("koperasi__region")[:500])
    resp = HttpResponse(member_cards_pdf(members), content_type="application/pdf")
    resp["Content-Disposition"] = 'inline; filename="kartu-anggota.pdf"'
    return resp


@registry_view(savings=True)
def member_exit(request, pk):
    from kopdes.savings import services as sv

    m = _member(request, pk)
    if not m.is_current:
        messages.info(request, _("Anggota ini sudah keluar."))
        return redirect("members:detail", slug=request.koperasi.slug, pk=m.pk)
    form = ExitForm(request.POST or None, initial={"date": timezone.localdate(), "reason": "keluar"})
    if request.method == "POST" and form.is_valid():
        try:
            st = services.exit_member(m, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("%(name)s tercatat %(reason)s. Pengembalian simpanan: %(amount)s")
                             % {"name": m.name, "reason": st.get_reason_display().lower(),
                                "amount": format_rupiah(st.net_refund)})
            return redirect("members:settlement", slug=request.koperasi.slug, pk=st.pk)
    balances = sv.balances(m)
    debts = [d for _p, d in outstanding_debts(m)]
    total = sum(balances.values())
    debt_total = sum(d.amount for d in debts)
    return render(request, "members/exit.html", {
        "m": m, "form": form, "balances": balances, "total": total, "debts": debts, "debt_total": debt_total,
        "net": max(total - debt_total, 0),
    })


@registry_view(savings=True)
def settlement(request, pk):
    st = get_object_or_404(Settlement.objects.select_related("member", "koperasi__region"), pk=pk,
                           koperasi=request.koperasi)
    form = PayoutForm(request.POST or None, initial={"date": timezone.localdate(), "method": "tunai"})
    if request.method == "POST" and form.is_valid():
        try:
            services.pay_settlement(st, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Pengembalian simpanan dibayarkan kepada %(payee)s.") % {"payee": st.payee_name})
            return redirect("members:settlement", slug=request.koperasi.slug, pk=st.pk)
    return render(request, "members/settlement.html", {"st": st, "m": st.member, "form": form,
                                                        "can_write": request.can_write_registry})


@registry_view()
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = errors = None
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        upload = cd["file"]
        try:
            data = uploads.read(upload)
            if cd["kind"] != "anggota" and not request.access.has_role(*PENGURUS_ROLES, Role.MANAJER):
                raise DomainError("Saldo awal simpanan hanya dapat diimpor oleh pengurus/manajer.",
                                  "Only the board or manager may import opening balances.", field="kind")
            if len(data) > importing.BACKGROUND_BYTES:
                job = importing.start_job(request.koperasi, data, upload.name, kind=cd["kind"], date=cd.get("date"),
                                          dry_run=cd["dry_run"], by=request.user)
                return redirect("members:import_job", slug=request.koperasi.slug, pk=job.pk)
            if cd["kind"] == "anggota":
                result = importing.import_members(request.koperasi, data, upload.name, dry_run=cd["dry_run"],
                                                  by=request.user)
            else:
                if not cd.get("date"):
                    raise DomainError("Isi tanggal saldo awal.", "Give the opening balance date.", field="date")
                result = importing.import_opening_balances(request.koperasi, data, upload.name, date=cd["date"],
                                                           dry_run=cd["dry_run"], by=request.user)
        except importing.ImportRejected as exc:
            errors = exc.errors
            form.add_error("file", exc.message)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            if result.dry_run:
                messages.info(request, _("Pemeriksaan lolos: %(rows)s baris tanpa kesalahan. Belum disimpan.")
                              % {"rows": result.rows})
            else:
                messages.success(request, _("Berhasil mengimpor %(created)s data dari %(rows)s baris.")
                                 % {"created": result.created, "rows": result.rows})
    return render(request, "members/import.html", {"form": form, "result": result, "errors": errors,
                                                    "columns": importing.MEMBER_COLUMNS})


@registry_view()
def import_job(request, pk: int):
    """A background import's progress (polled every 2 s while it runs), then its result or its errors. Its
    starter and the management see it."""
    from .models import ImportJob

    job = get_object_or_404(ImportJob.objects.defer("data"), koperasi=request.koperasi, pk=pk)
    if job.created_by_id != request.user.pk and not request.access.is_management:
        raise Http404
    tpl = "members/_import_job.html" if request.headers.get("HX-Request") else "members/import_job.html"
    return render(request, tpl, {"job": job})


@registry_view()
def import_template(request):
    if request.GET.get("jenis") == "saldo":
        data = importing.balance_template_xlsx(request.koperasi)
        name = "templat-saldo-awal.xlsx"
    else:
        data = importing.member_template_xlsx()
        name = "templat-anggota.xlsx"
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
