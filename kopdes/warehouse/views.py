"""Gudang pages (thin): facilities, intake, receipts, releases, pledges, cold rooms, reports; the public
verification page of a receipt."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kopdes.core import codes, filters
from kopdes.core.access import public_view, require_write, tenant_view
from kopdes.core.errors import DomainError
from kopdes.core.money import format_rupiah
from kopdes.core.units import Unit

from . import documents, forms, queries, services
from .models import Device, Excursion, Facility, StorageTariff, StoredLot, WarehouseReceipt, Zone

U = Unit.PERGUDANGAN


def _apply(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _can_write(request) -> bool:
    return request.access.can_write(U)


def verify_url(request, receipt: WarehouseReceipt) -> str:
    return request.build_absolute_uri(reverse("warehouse:verify", kwargs={"code": receipt.public_code}))


def dashboard_widget(request):
    acc = getattr(request, "access", None)
    if acc is None or not acc.can_read(U):
        return None
    k = request.koperasi
    facilities = list(Facility.objects.filter(koperasi=k, active=True))
    if not facilities:
        return None
    occ = []
    by_facility = queries.occupancy(k, facilities)
    for f in facilities:
        rows = by_facility[f.pk]
        kg_rows = [r for r in rows if r["zone"].capacity_unit == "kg"]
        used = sum((r["used"] for r in kg_rows), 0)
        cap = sum((r["capacity"] for r in kg_rows), 0)
        occ.append({"facility": f, "used": used, "capacity": cap, "pct": (used * 100 / cap) if cap else 0})
    return {"title": _("Pergudangan & cold storage"), "template": "warehouse/_widget.html", "order": 40,
            "context": {"occ": occ, "alerts": list(queries.open_alerts(k)[:3]), "slug": k.slug,
                        "stored": StoredLot.objects.filter(koperasi=k, status=StoredLot.Status.STORED).count()}}


# --- home, facilities, tariffs ------------------------------------------------------------------------------------

@tenant_view(unit=U)
def home(request):
    k = request.koperasi
    all_facilities = list(Facility.objects.filter(koperasi=k).order_by("code"))
    by_facility = queries.occupancy(k, all_facilities)
    facilities = [{"facility": f, "zones": by_facility[f.pk]} for f in all_facilities]
    return render(request, "warehouse/home.html", {
        "facilities": facilities, "alerts": queries.open_alerts(k)[:10],
        "recent": StoredLot.objects.filter(koperasi=k).select_related("zone", "receipt")[:10],
        "can_write": _can_write(request), "has_tariff": StorageTariff.objects.filter(koperasi=k).exists(),
    })


@tenant_view(write=True, unit=U)
def facility_new(request):
    form = forms.FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            f = services.create_facility(request.koperasi, **form.cleaned_data)
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Fasilitas %(name)s dibuat.") % {"name": f.name})
            return redirect("warehouse:facility", slug=request.koperasi.slug, pk=f.pk)
    return render(request, "warehouse/form.html", {"form": form, "title": _("Fasilitas gudang baru")})


@tenant_view(write=True, unit=U)
def facility_detail(request, pk: int):
    k = request.koperasi
    f = get_object_or_404(Facility, pk=pk, koperasi=k)
    form = forms.ZoneForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "link_stock":
            from kopdes.retail.services import default_location

            loc = default_location(k, Unit.PERGUDANGAN)
            Facility.objects.row(f).update(stock_location_id=loc.pk)
            messages.success(request, _("Stok koperasi di fasilitas ini memakai lokasi %(name)s.") % {"name": loc.name})
            return redirect("warehouse:facility", slug=k.slug, pk=f.pk)
        if form.is_valid():
            try:
                z = services.create_zone(f, **form.cleaned_data)
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Zona %(name)s ditambahkan.") % {"name": z.name})
                return redirect("warehouse:facility", slug=k.slug, pk=f.pk)
    own_stock = []
    if f.stock_location_id:
        try:
            from kopdes.retail.models import Location
            from kopdes.retail.stock import valuation_by_product

            loc = Location.objects.filter(koperasi=k, pk=f.stock_location_id).first()
            if loc:
                own_stock = valuation_by_product(k, location=loc)
        except ImportError:  # pragma: no cover
            own_stock = []
    return render(request, "warehouse/facility.html", {
        "facility": f, "zones": queries.facility_occupancy(f), "form": form, "can_write": _can_write(request),
        "own_stock": own_stock,
    })


@tenant_view(write=True, unit=U)
def tariffs(request):
    k = request.koperasi
    form = forms.TariffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_tariff(k, **form.cleaned_data)
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Tarif disimpan."))
            return redirect("warehouse:tariffs", slug=k.slug)
    return render(request, "warehouse/tariffs.html", {
        "form": form, "tariffs": StorageTariff.objects.filter(koperasi=k), "can_write": _can_write(request)})


# --- lots, intake, receipts ---------------------------------------------------------------------------------------

@tenant_view(unit=U)
def lots(request):
    k = request.koperasi
    qs = StoredLot.objects.filter(koperasi=k).select_related("facility", "zone", "receipt")
    status = request.GET.get("status", "stored")
    if status in StoredLot.Status.values:
        qs = qs.filter(status=status)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(depositor_name__icontains=q) | Q(receipt__number__icontains=q))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "warehouse/lots.html", {"page": page, "status": status, "q": q,
                                                   "can_write": _can_write(request)})


def _find_member_id(koperasi, text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    from kopdes.members.models import Member

    m = Member.objects.filter(koperasi=koperasi).filter(Q(number=text) | Q(nik=text)).order_by("-pk").first()
    if m is None:
        raise DomainError(f"Anggota dengan nomor/NIK {text} tidak ditemukan.", "Member not found.", field="member",
                          code="unknown_member")
    return m.pk


@tenant_view(write=True, unit=U)
def intake(request):
    k = request.koperasi
    form = forms.IntakeForm(request.POST or None, koperasi=k, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            member_id = _find_member_id(k, d.pop("member"))
            lot = services.intake(k, member_id=member_id, by=request.user, bags=d.pop("bags") or 0, **d)
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Barang masuk %(lot)s; resi %(receipt)s terbit.") % {
                "lot": lot.number, "receipt": lot.receipt.number})
            return redirect("warehouse:lot", slug=k.slug, pk=lot.pk)
    return render(request, "warehouse/form.html", {"form": form, "title": _("Penerimaan barang titipan"),
                                                   "intro": _("Timbang, uji kadar air, lalu catat. Resi gudang "
                                                              "terbit otomatis.")})


@tenant_view(write=True, unit=U)
def lot_detail(request, pk: int):
    k = request.koperasi
    lot = get_object_or_404(StoredLot.objects.select_related("facility", "zone"), pk=pk, koperasi=k)
    receipt = getattr(lot, "receipt", None)
    release_form = forms.ReleaseForm(initial={"idempotency_key": uuid.uuid4().hex, "kg": lot.remaining_kg})
    pledge_form = forms.PledgeForm()
    unpledge_form = forms.PledgeReleaseForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "release":
                release_form = forms.ReleaseForm(request.POST)
                if release_form.is_valid():
                    d = release_form.cleaned_data
                    rel = services.release(lot, kg=d["kg"], date=d["date"], payment=d["payment"],
                                           collected_by=d["collected_by"], by=request.user,
                                           idempotency_key=d["idempotency_key"] or None)
                    messages.success(request, _("Barang keluar %(kg)s kg; sewa %(fee)s dibayar.") % {
                        "kg": f"{rel.kg.normalize():f}", "fee": format_rupiah(rel.fee_amount)})
                    return redirect("warehouse:lot", slug=k.slug, pk=lot.pk)
            elif action == "pledge" and receipt:
                pledge_form = forms.PledgeForm(request.POST)
                if pledge_form.is_valid():
                    d = pledge_form.cleaned_data
                    services.pledge(receipt, lender_kind=d["lender_kind"], lender_name=d["lender_name"],
                                    reference=d["reference"], amount=d["amount"] or 0, date=d["date"], by=request.user)
                    messages.success(request, _("Resi dicatat sebagai jaminan."))
                    return redirect("warehouse:lot", slug=k.slug, pk=lot.pk)
            elif action == "unpledge" and receipt:
                unpledge_form = forms.PledgeReleaseForm(request.POST)
                if unpledge_form.is_valid():
                    d = unpledge_form.cleaned_data
                    services.release_pledge(receipt, date=d["date"], reference=d["reference"], by=request.user)
                    messages.success(request, _("Jaminan dilepas pemberi pinjaman; barang dapat dikeluarkan."))
                    return redirect("warehouse:lot", slug=k.slug, pk=lot.pk)
        except DomainError as exc:
            target = {"release": release_form, "pledge": pledge_form, "unpledge": unpledge_form}.get(action)
            if target is not None and target.is_bound:
                _apply(target, exc)
            if target is None or not target.is_bound or exc.code in ("receipt_pledged", "lot_released"):
                # the release form is not shown for a pledged or emptied lot: say it at the top of the page
                messages.error(request, exc.message)
            lot.refresh_from_db()
            receipt = getattr(lot, "receipt", None)
            if receipt is not None:
                receipt.refresh_from_db()
    today = timezone.localdate()
    return render(request, "warehouse/lot.html", {
        "lot": lot, "receipt": receipt, "releases": lot.releases.all(), "today": today,
        "accrued": lot.accrued_fee(today) if lot.status == StoredLot.Status.STORED else 0,
        "pledges": receipt.pledges.all() if receipt else [], "release_form": release_form,
        "pledge_form": pledge_form, "unpledge_form": unpledge_form, "can_write": _can_write(request),
        "verify_url": verify_url(request, receipt) if receipt else "",
    })


@tenant_view(unit=U)
def receipt_pdf(request, pk: int):
    receipt = get_object_or_404(WarehouseReceipt.objects.select_related("lot", "lot__facility", "lot__zone"),
                                pk=pk, koperasi=request.koperasi)
    pdf = documents.receipt_pdf(receipt, verify_url(request, receipt))
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="resi-{receipt.number}.pdf"'
    return resp


@public_view
@require_GET
def verify(request, code: str):
    """Public: anyone holding the receipt (buyer, bank) checks that it is genuine and its state."""
    found = codes.resolve(codes.Kind.RECEIPT, code)  # the code alone names the cooperative
    receipt = (WarehouseReceipt.objects.for_koperasi(found[0]).select_related("lot", "lot__facility", "koperasi")
               .filter(pk=found[1], public_code=code).first()) if found else None
    if receipt is None:
        raise Http404("Resi tidak ditemukan")
    pledge = receipt.active_pledge
    return render(request, "warehouse/verify.html", {
        "r": receipt, "lot": receipt.lot, "pledge": pledge,
        "koperasi_name": receipt.koperasi.name,
    })


# --- cold storage -------------------------------------------------------------------------------------------------

@tenant_view(write=True, unit=U)
def cold(request):
    k = request.koperasi
    form = forms.ReadingForm(request.POST or None, koperasi=k)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            res = services.record_manual_reading(k, d["zone"], at=d["at"], celsius=d["celsius"], by=request.user)
        except DomainError as exc:
            _apply(form, exc)
        else:
            if res["out_of_range"]:
                messages.warning(request, _("Suhu %(c)s °C di luar rentang %(room)s: peringatan dibuat.") % {
                    "c": d["celsius"], "room": d["zone"].name})
            else:
                messages.success(request, _("Suhu dicatat."))
            return redirect("warehouse:cold", slug=k.slug)
    rooms = Zone.objects.filter(koperasi=k, kind=Zone.Kind.COLD_ROOM).select_related("facility")
    hari = request.GET.get("hari") or "7"
    days = max(1, min(90, int(hari))) if hari.isdigit() else 7
    return render(request, "warehouse/cold.html", {
        "form": form, "rooms": rooms, "days": days, "can_write": _can_write(request),
        "excursions": Excursion.objects.filter(koperasi=k).select_related("zone")[:30],
    })


@tenant_view(unit=U)
def room_data(request, zone_id: int):
    zone = get_object_or_404(Zone, pk=zone_id, koperasi=request.koperasi, kind=Zone.Kind.COLD_ROOM)
    try:
        days = max(1, min(90, int(request.GET.get("hari") or 7)))
    except ValueError:
        days = 7
    end = timezone.now()
    points = queries.room_temperatures(zone, end - dt.timedelta(days=days), end)
    return JsonResponse({"room": zone.name, "min": float(zone.temp_min) if zone.temp_min is not None else None,
                         "max": float(zone.temp_max) if zone.temp_max is not None else None, "points": points})


@tenant_view(write=True, unit=U)
def excursion_detail(request, pk: int):
    k = request.koperasi
    exc_obj = get_object_or_404(Excursion.objects.select_related("zone", "zone__facility"), pk=pk, koperasi=k)
    form = forms.AckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.acknowledge_excursion(exc_obj, note=form.cleaned_data["note"], by=request.user)
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Penyimpangan ditindaklanjuti."))
            return redirect("warehouse:excursion", slug=k.slug, pk=pk)
    return render(request, "warehouse/excursion.html", {
        "e": exc_obj, "lots": queries.affected_lots(exc_obj), "form": form, "can_write": _can_write(request)})


@tenant_view(write=True, unit=U)
def devices(request):
    k = request.koperasi
    form = forms.DeviceForm(request.POST or None, koperasi=k)
    new_token = None
    if request.method == "POST":
        require_write(request, U)
        if request.POST.get("action") == "rotate":
            dev = get_object_or_404(Device, pk=request.POST.get("device"), koperasi=k)
            new_token = (dev, services.rotate_device_token(dev))
        elif request.POST.get("action") == "toggle":
            dev = get_object_or_404(Device, pk=request.POST.get("device"), koperasi=k)
            dev.active = not dev.active
            dev.save(update_fields=["active"])
            return redirect("warehouse:devices", slug=k.slug)
        elif form.is_valid():
            try:
                new_token = services.register_device(form.cleaned_data["zone"], name=form.cleaned_data["name"],
                                                     serial=form.cleaned_data["serial"])
            except DomainError as exc:
                _apply(form, exc)
    return render(request, "warehouse/devices.html", {
        "form": form, "devices": Device.objects.filter(koperasi=k).select_related("zone"), "new_token": new_token,
        "can_write": _can_write(request)})


# --- reports ------------------------------------------------------------------------------------------------------

def _year(request) -> tuple[int, filters.FilterForm]:
    f = filters.read(request, tahun=filters.year(_("Tahun")))
    return f.value("tahun", timezone.localdate().year), f


@tenant_view(unit=U)
def report(request):
    k = request.koperasi
    year, f = _year(request)
    rows = queries.monthly_report(k, year)
    today = timezone.localdate()
    start = max(dt.date(year, 1, 1), today - dt.timedelta(days=364)) if year == today.year else dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), today)
    series = queries.occupancy_series(k, start, end, step_days=7) if start <= end else {"dates": [], "facilities": {}}
    chart = {"labels": [d.strftime("%d-%m") for d in series["dates"]],
             "datasets": [{"label": f["name"], "data": [float(x) for x in f["kg"]]}
                          for f in series["facilities"].values()]}
    totals = {}
    for r in rows:
        t = totals.setdefault(r["facility"], {"revenue": 0, "intake": 0, "release": 0})
        t["revenue"] += r["revenue"]
        t["intake"] += r["intake_kg"]
        t["release"] += r["release_kg"]
    return render(request, "warehouse/report.html", {"rows": rows, "year": year, "chart": chart, "totals": totals,
                                                     "filters": f})


@tenant_view(unit=U)
def report_xlsx(request):
    year, _f = _year(request)
    data = documents.report_xlsx(request.koperasi, year, queries.monthly_report(request.koperasi, year))
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="utilisasi-gudang-{year}.xlsx"'
    return resp


@tenant_view(unit=U)
def report_pdf(request):
    year, _f = _year(request)
    data = documents.report_pdf(request.koperasi, year, queries.monthly_report(request.koperasi, year))
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="utilisasi-gudang-{year}.pdf"'
    return resp
