"""Apotek desa pages. Stock/expiry/sales pages are readable by the apotek's readers (pengurus, pengawas,
supervisors see counts and money); prescriptions, dispensings, labels, recall lists and the obat keras register
carry patient data and are for the apotek's and the clinic's staff only (``clinic.privacy``)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.clinic import exports, privacy
from kopdes.core import audit, filters
from kopdes.core.access import tenant_view
from kopdes.core.errors import DomainError
from kopdes.core.units import Unit

from . import queries, services
from .forms import DRUG_FIELDS, DrugForm, PackForm, PaperPrescriptionForm, ReceiveForm, SettingsForm
from .models import Dispensing, Drug, DrugClass, Prescription

APOTEK = Unit.APOTEK


def _apply(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)



def _staff(request) -> bool:
    return privacy.can_read_prescriptions(request.access)


def _need_write(request) -> None:
    if not request.access.can_write(APOTEK):
        raise PermissionDenied


@tenant_view(unit=APOTEK)
def home(request):
    today = timezone.localdate()
    ctx = {"summary": queries.summary(request.koperasi, today), "today": today, "staff": _staff(request),
           "alerts": list(services.near_expiry(request.koperasi, on=today)[:30]),
           "settings": services.settings_for(request.koperasi)}
    if ctx["staff"]:
        ctx["waiting"] = Prescription.objects.filter(koperasi=request.koperasi,
                                                     status__in=["baru", "sebagian"]).order_by("created_at")[:30]
    return render(request, "pharmacy/home.html", ctx)


# --- catalogue and stock -------------------------------------------------------------------------------------

@tenant_view(unit=APOTEK)
def drug_list(request):
    q = request.GET.get("q", "").strip()
    qs = Drug.objects.filter(koperasi=request.koperasi)
    if q:
        qs = qs.filter(generic_name__icontains=q) | qs.filter(brand__icontains=q) | qs.filter(code__iexact=q)
    cls = request.GET.get("golongan", "")
    if cls:
        qs = qs.filter(drug_class=cls)
    from django.core.paginator import Paginator

    from kopdes.retail.models import Product

    page = Paginator(qs.order_by("generic_name", "strength"), 50).get_page(request.GET.get("page"))
    stock = dict(Product.objects.filter(koperasi=request.koperasi, pk__in=[d.product_id for d in page])
                 .values_list("pk", "stock_qty"))
    rows = [(d, stock.get(d.product_id)) for d in page]
    return render(request, "pharmacy/drug_list.html", {"page": page, "rows": rows, "q": q, "golongan": cls,
                                                       "classes": DrugClass.choices})


@tenant_view(write=True, unit=APOTEK)
def drug_form(request, pk: int | None = None):
    drug = get_object_or_404(Drug, koperasi=request.koperasi, pk=pk) if pk else None
    initial = {f: getattr(drug, f) for f in DRUG_FIELDS} if drug else {"active": True, "base_uom": "tablet"}
    form = DrugForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            drug = services.save_drug(request.koperasi, form.cleaned_data, instance=drug)
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Obat {drug.name} disimpan.")
            return redirect("pharmacy:drug_detail", slug=request.koperasi.slug, pk=drug.pk)
    return render(request, "pharmacy/drug_form.html", {"form": form, "drug": drug})


@tenant_view(write=True, unit=APOTEK)
def drug_detail(request, pk: int):
    drug = get_object_or_404(Drug, koperasi=request.koperasi, pk=pk)
    from kopdes.retail.models import ProductUom, StockQuant

    pack_form = PackForm(request.POST or None)
    if request.method == "POST":
        _need_write(request)
        if pack_form.is_valid():
            try:
                services.add_pack(drug, **pack_form.cleaned_data)
            except DomainError as exc:
                _apply(pack_form, exc)
            else:
                return redirect(request.path)
    today = timezone.localdate()
    quants = (StockQuant.objects.filter(koperasi=request.koperasi, product_id=drug.product_id, qty__gt=0)
              .select_related("lot").order_by("lot__expiry_date")) if drug.product_id else []
    from kopdes.retail.models import Lot

    lots = Lot.objects.filter(koperasi=request.koperasi, product_id=drug.product_id).order_by("expiry_date")
    return render(request, "pharmacy/drug_detail.html", {
        "drug": drug, "quants": quants, "today": today, "pack_form": pack_form, "lots": lots,
        "packs": ProductUom.objects.filter(koperasi=request.koperasi, product_id=drug.product_id),
        "product": services.product_of(drug) if drug.product_id else None, "staff": _staff(request)})


@tenant_view(unit=APOTEK)
def lot_detail(request, pk: int, lot_id: int):
    """Stock card of one batch; the recall list (who bought it) for the apotek's staff."""
    from kopdes.retail import stock
    from kopdes.retail.models import Lot

    drug = get_object_or_404(Drug, koperasi=request.koperasi, pk=pk)
    lot = get_object_or_404(Lot, koperasi=request.koperasi, product_id=drug.product_id, pk=lot_id)
    card = stock.stock_card(request.koperasi, services.product_of(drug), lot=lot)
    recall = None
    if _staff(request):
        recall = services.recall(request.koperasi, drug=drug, lot_id=lot.pk)
        audit.record("read", instance=lot, summary=f"Daftar recall batch {lot.lot_number}")
    return render(request, "pharmacy/lot_detail.html", {"drug": drug, "lot": lot, "card": card, "recall": recall})


@tenant_view(write=True, unit=APOTEK)
def receive(request):
    form = ReceiveForm(request.POST or None, koperasi=request.koperasi)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            gr = services.receive_stock(request.koperasi, lines=[{
                "drug": cd["drug"], "qty": cd["qty"], "unit_cost": cd["unit_cost"], "lot_number": cd["lot_number"],
                "expiry_date": cd["expiry_date"], "uom": cd["uom"]}], supplier_ref=cd["supplier_ref"], by=request.user)
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Penerimaan {gr.number}: {cd['drug'].name} batch {cd['lot_number']} masuk stok.")
            return redirect("pharmacy:drug_detail", slug=request.koperasi.slug, pk=cd["drug"].pk)
    return render(request, "pharmacy/receive.html", {"form": form})


@tenant_view(write=True, unit=APOTEK)
def expiry(request):
    today = timezone.localdate()
    s = services.settings_for(request.koperasi)
    form = SettingsForm(request.POST or None, instance=s) if request.POST.get("action") == "settings" else \
        SettingsForm(instance=s)
    if request.method == "POST":
        _need_write(request)
        action = request.POST.get("action")
        try:
            if action == "settings" and form.is_valid():
                form.save()
                messages.success(request, "Pengaturan apotek disimpan.")
                return redirect(request.path)
            if action == "writeoff":
                drug = get_object_or_404(Drug, koperasi=request.koperasi, pk=request.POST.get("drug"))
                w = services.write_off_lot(request.koperasi, drug=drug, lot_id=int(request.POST.get("lot") or 0),
                                           by=request.user)
                messages.success(request, f"Batch {w.lot_number} {drug.name} dihapus dari stok (Rp{w.value:,.0f})."
                                 .replace(",", "."))
                return redirect(request.path)
            if action == "writeoff_all":
                done = services.write_off_all_expired(request.koperasi, by=request.user)
                messages.success(request, f"{len(done)} batch kedaluwarsa dihapus dari stok dan dibukukan.")
                return redirect(request.path)
        except DomainError as exc:
            messages.error(request, exc.message)
    q = request.GET.get("q", "").strip()[:80]
    status = request.GET.get("status", "")
    status = status if status in queries.EXPIRY_FILTERS else ""
    quants = queries.expiry_quants(request.koperasi, today, q=q, status=status, near_days=s.near_expiry_days)
    if request.GET.get("format") in ("xlsx", "pdf"):
        rows = queries.expiry_rows(request.koperasi, quants, today)
        headers = ["Obat", "Golongan", "Batch", "Kedaluwarsa", "Sisa hari", "Jumlah", "Nilai (Rp)"]
        data = [[r["drug"].name if r["drug"] else r["product"].name,
                 r["drug"].get_drug_class_display() if r["drug"] else "", r["lot"].lot_number if r["lot"] else "",
                 r["expiry"], r["days_left"], r["qty"], r["value"]] for r in rows]
        title, sub = "Laporan stok & kedaluwarsa obat", f"{request.koperasi.name} · per {today:%d-%m-%Y}"
        if request.GET["format"] == "xlsx":
            return exports.xlsx_response("apotek-stok-kedaluwarsa.xlsx", title, headers, data, subtitle=sub)
        return exports.pdf_table_response("apotek-stok-kedaluwarsa.pdf", title, headers, data, subtitle=sub,
                                          landscape_mode=True)
    from django.core.paginator import Paginator

    page = Paginator(quants, 50).get_page(request.GET.get("page"))
    return render(request, "pharmacy/expiry.html", {
        "rows": queries.expiry_rows(request.koperasi, page.object_list, today), "page": page, "today": today,
        "settings": s, "form": form, "near_days": s.near_expiry_days, "q": q, "status": status,
        "totals": queries.expiry_totals(request.koperasi, today, s.near_expiry_days)})


# --- prescriptions and dispensing (staff only) ---------------------------------------------------------------

@tenant_view(unit=APOTEK)
def prescription_list(request):
    privacy.require_prescription_reader(request)
    status = request.GET.get("status", "menunggu")
    qs = Prescription.objects.filter(koperasi=request.koperasi)
    if status == "menunggu":
        qs = qs.filter(status__in=["baru", "sebagian"])
    from django.core.paginator import Paginator

    page = Paginator(qs.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    return render(request, "pharmacy/prescription_list.html", {"page": page, "status": status})


def _lines_from_post(request, prefix_count: int = 8) -> list[dict]:
    lines = []
    for i in range(1, prefix_count + 1):
        drug = request.POST.get(f"drug_{i}")
        qty = (request.POST.get(f"qty_{i}") or "").strip()
        if not drug or not qty:
            continue
        ln = {"drug": int(drug), "qty": qty, "signa": request.POST.get(f"signa_{i}", "")}
        if request.POST.get(f"uom_{i}"):
            ln["uom"] = request.POST[f"uom_{i}"]
        if request.POST.get(f"item_{i}"):
            ln["item_id"] = int(request.POST[f"item_{i}"])
        if request.POST.get(f"lot_{i}"):
            ln["lot_id"] = int(request.POST[f"lot_{i}"])
        lines.append(ln)
    return lines


@tenant_view(write=True, unit=APOTEK)
def prescription_detail(request, pk: int):
    privacy.require_prescription_reader(request)
    rx = get_object_or_404(Prescription, koperasi=request.koperasi, pk=pk)
    errors = []
    if request.method == "POST":
        if not privacy.is_pharmacy(request.access):
            raise PermissionDenied
        try:
            if request.POST.get("action") == "cancel":
                services.cancel_prescription(rx)
                return redirect("pharmacy:prescription_list", slug=request.koperasi.slug)
            disp = services.dispense(
                request.koperasi, client_id=request.POST.get("client_id") or uuid.uuid4().hex, by=request.user,
                prescription=rx, lines=_lines_from_post(request), method=request.POST.get("method", "cash"),
                payment_ref=request.POST.get("payment_ref", ""),
                counselling_note=request.POST.get("counselling_note", ""))
        except DomainError as exc:
            errors.append(exc.message)
        else:
            messages.success(request, f"Obat diserahkan ({disp.number}), penjualan {disp.sale_number}.")
            return redirect("pharmacy:dispensing_detail", slug=request.koperasi.slug, pk=disp.pk)
    else:
        privacy.audit_read(rx, f"Baca resep {rx.number}")
    items = list(rx.items.select_related("drug"))
    from kopdes.retail import stock

    loc = services.location(request.koperasi)
    today = timezone.localdate()
    from kopdes.retail.models import Product

    for it in items:
        if it.drug.product_id:
            p = Product.objects.get(koperasi_id=it.drug.koperasi_id, pk=it.drug.product_id)
            it.available = stock.on_hand(request.koperasi, p, loc, sellable_on=today)
            q = stock.available_quants(request.koperasi, p, loc, today)
            it.next_lot = q[0].lot if q else None
    return render(request, "pharmacy/prescription_detail.html", {
        "rx": rx, "items": items, "errors": errors, "client_id": uuid.uuid4().hex,
        "dispensings": rx.dispensings.order_by("at"), "can_dispense": privacy.is_pharmacy(request.access)})


@tenant_view(write=True, unit=APOTEK)
def paper_prescription(request):
    privacy.require_prescription_reader(request)
    if not privacy.is_pharmacy(request.access) and request.method == "POST":
        raise PermissionDenied
    form = PaperPrescriptionForm(request.POST or None, request.FILES or None,
                                 initial={"date": timezone.localdate()})
    drugs = Drug.objects.filter(koperasi=request.koperasi, active=True)
    if request.method == "POST" and form.is_valid():
        items = [{"drug": ln["drug"], "qty": ln["qty"], "signa": ln["signa"]} for ln in _lines_from_post(request)]
        try:
            rx = services.create_prescription(request.koperasi, source=Prescription.Source.KERTAS, items=items,
                                              photo=form.cleaned_data.get("photo"), by=request.user,
                                              **{k: v for k, v in form.cleaned_data.items() if k != "photo"})
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Resep kertas dicatat sebagai {rx.number}.")
            return redirect("pharmacy:prescription_detail", slug=request.koperasi.slug, pk=rx.pk)
    return render(request, "pharmacy/paper_prescription.html", {"form": form, "drugs": drugs, "rows": range(1, 6)})


@tenant_view(write=True, unit=APOTEK)
def sale(request):
    """Over-the-counter sale (obat bebas / bebas terbatas) through the POS, unit apotek."""
    _need_write(request)
    drugs = Drug.objects.filter(koperasi=request.koperasi, active=True)
    errors = []
    if request.method == "POST":
        try:
            disp = services.dispense(
                request.koperasi, client_id=request.POST.get("client_id") or uuid.uuid4().hex, by=request.user,
                lines=_lines_from_post(request), member=(request.POST.get("member") or "").strip() or None,
                patient_name=request.POST.get("patient_name", ""), method=request.POST.get("method", "cash"),
                payment_ref=request.POST.get("payment_ref", ""), tendered=request.POST.get("tendered") or None,
                counselling_note=request.POST.get("counselling_note", ""))
        except DomainError as exc:
            errors.append(exc.message)
        else:
            messages.success(request, f"Penjualan {disp.sale_number} tersimpan.")
            if _staff(request):
                return redirect("pharmacy:dispensing_detail", slug=request.koperasi.slug, pk=disp.pk)
            return redirect("pharmacy:sale", slug=request.koperasi.slug)
    from kopdes.retail.models import ProductUom

    pack_names = sorted(set(ProductUom.objects.filter(koperasi=request.koperasi, product__unit=APOTEK)
                            .values_list("name", flat=True)))
    return render(request, "pharmacy/sale.html", {"drugs": drugs, "rows": range(1, 6), "errors": errors,
                                                  "client_id": uuid.uuid4().hex, "pack_names": pack_names})


@tenant_view(unit=APOTEK)
def dispensing_detail(request, pk: int):
    privacy.require_prescription_reader(request)
    disp = get_object_or_404(Dispensing, koperasi=request.koperasi, pk=pk)
    privacy.audit_read(disp, f"Baca penyerahan obat {disp.number}")
    return render(request, "pharmacy/dispensing_detail.html", {"disp": disp, "lines": disp.lines.select_related("drug")})


@tenant_view(unit=APOTEK)
def receipt(request, pk: int):
    """Printable receipt (struk) of a dispensing: drugs, packs, prices, payment, change."""
    from kopdes.retail.models import Sale

    privacy.require_prescription_reader(request)
    disp = get_object_or_404(Dispensing, koperasi=request.koperasi, pk=pk)
    sale = get_object_or_404(Sale, koperasi=request.koperasi, pk=disp.sale_id)
    privacy.audit_read(disp, f"Cetak struk {disp.number}")
    return render(request, "pharmacy/receipt.html", {
        "disp": disp, "sale": sale, "lines": disp.lines.select_related("drug"),
        "settings": services.settings_for(request.koperasi), "width": "58" if request.GET.get("w") == "58" else "80"})


@tenant_view(unit=APOTEK)
def label(request, pk: int, line_id: int):
    """Printable label (etiket): patient, drug, dose/signa, expiry. Refused when the dose is empty."""
    privacy.require_prescription_reader(request)
    disp = get_object_or_404(Dispensing, koperasi=request.koperasi, pk=pk)
    line = get_object_or_404(disp.lines.select_related("drug"), pk=line_id)
    privacy.audit_read(line, f"Cetak etiket {disp.number}")
    try:
        data = services.label_data(line)
    except DomainError as exc:
        return render(request, "pharmacy/label_refused.html", {"message": exc.message, "disp": disp}, status=400)
    return render(request, "pharmacy/label.html", {"l": data, "settings": services.settings_for(request.koperasi)})


# --- reports -------------------------------------------------------------------------------------------------

@tenant_view(unit=APOTEK)
def reports(request):
    today = timezone.localdate()
    date_from, date_to = filters.period(request, today.replace(day=1), today)
    rows = queries.sales_by_drug(request.koperasi, date_from, date_to)
    by_class = queries.sales_by_class(rows)
    fmt = request.GET.get("format")
    sub = f"{request.koperasi.name} · {date_from:%d-%m-%Y} s.d. {date_to:%d-%m-%Y}"
    if fmt in ("xlsx", "pdf"):
        if request.GET.get("laporan") == "golongan":
            headers = ["Golongan", "Jumlah obat", "Penjualan (Rp)", "HPP (Rp)"]
            data = [[r["class"], r["drugs"], r["amount"], r["cost"]] for r in by_class]
            title = "Penjualan apotek per golongan obat"
        else:
            headers = ["Obat", "Golongan", "Jumlah", "Penjualan (Rp)", "HPP (Rp)", "Margin (Rp)"]
            data = [[r["drug"].name, r["class"], r["qty"], r["amount"], r["cost"], r["margin"]] for r in rows]
            title = "Penjualan apotek per obat"
        if fmt == "xlsx":
            return exports.xlsx_response("apotek-penjualan.xlsx", title, headers, data, subtitle=sub)
        return exports.pdf_table_response("apotek-penjualan.pdf", title, headers, data, subtitle=sub)
    return render(request, "pharmacy/reports.html", {"rows": rows, "by_class": by_class, "date_from": date_from,
                                                     "date_to": date_to, "staff": _staff(request)})


@tenant_view(unit=APOTEK)
def keras_register(request):
    """Register of obat keras dispensed (patient, prescription, prescriber, batch): apotek/clinic staff only."""
    privacy.require_prescription_reader(request)
    today = timezone.localdate()
    date_from, date_to = filters.period(request, today.replace(day=1), today)
    lines = list(queries.keras_register(request.koperasi, date_from, date_to))
    audit.record("read", koperasi_id=request.koperasi.pk,
                 summary=f"Register obat keras {date_from:%d-%m-%Y}–{date_to:%d-%m-%Y} ({len(lines)} baris)")
    headers = ["Tanggal", "No. penyerahan", "No. resep", "Penulis resep", "Pasien", "Obat", "Jumlah", "Aturan pakai",
               "Batch"]
    data = [[ln.dispensing.date, ln.dispensing.number,
             ln.dispensing.prescription.number if ln.dispensing.prescription_id else "",
             ln.dispensing.prescription.prescriber_name if ln.dispensing.prescription_id else "",
             ln.dispensing.patient_name, ln.drug.name, ln.qty, ln.signa,
             ", ".join(x["lot_number"] for x in ln.lots)] for ln in lines]
    fmt = request.GET.get("format")
    sub = f"{request.koperasi.name} · {date_from:%d-%m-%Y} s.d. {date_to:%d-%m-%Y}"
    if fmt == "xlsx":
        return exports.xlsx_response("register-obat-keras.xlsx", "Register penyerahan obat keras", headers, data,
                                     subtitle=sub)
    if fmt == "pdf":
        return exports.pdf_table_response("register-obat-keras.pdf", "Register penyerahan obat keras", headers, data,
                                          subtitle=sub, landscape_mode=True)
    if fmt:
        raise Http404
    return render(request, "pharmacy/keras_register.html", {"headers": headers, "data": data, "date_from": date_from,
                                                            "date_to": date_to})


def dashboard_widget(request):
    access = getattr(request, "access", None)
    if access is None or not access.can_read(APOTEK):
        return None
    return {"title": _("Apotek desa"), "template": "pharmacy/_widget.html",
            "context": queries.summary(request.koperasi), "order": 55}
