"""Logistik pages (thin): fleet, documents, drivers, delivery orders with proof, trips, maintenance, reports."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kopdes.core import filters
from kopdes.core.access import tenant_view
from kopdes.core.errors import DomainError
from kopdes.core.money import format_rupiah
from kopdes.core.sheets import xlsx_bytes
from kopdes.core.units import Unit

from . import forms, queries, services
from .models import DeliveryOrder, DeliveryProof, DeliveryTariff, Driver, Trip, Vehicle

U = Unit.LOGISTIK


def _apply(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _can_write(request) -> bool:
    return request.access.can_write(U)



def _period(request):
    today = timezone.localdate()
    return filters.period(request, today.replace(day=1), today)


def dashboard_widget(request):
    acc = getattr(request, "access", None)
    if acc is None or not acc.can_read(U):
        return None
    k = request.koperasi
    if not Vehicle.objects.filter(koperasi=k).exists():
        return None
    today = timezone.localdate()
    return {"title": _("Logistik desa"), "template": "logistics/_widget.html", "order": 45, "context": {
        "open": queries.open_deliveries(k).count(), "alerts": queries.document_alerts(k, today)[:4],
        "due": queries.maintenance_due(k, today)[:3], "slug": k.slug,
        "pnl": queries.unit_pnl(k, today.replace(day=1), today)}}


@tenant_view(unit=U)
def home(request):
    k = request.koperasi
    today = timezone.localdate()
    start, end = _period(request)
    return render(request, "logistics/home.html", {
        "open": queries.open_deliveries(k)[:20], "alerts": queries.document_alerts(k, today),
        "due": queries.maintenance_due(k, today), "pnl": queries.unit_pnl(k, start, end), "start": start, "end": end,
        "can_write": _can_write(request), "has_tariff": DeliveryTariff.objects.filter(koperasi=k).exists(),
        "trips": Trip.objects.filter(koperasi=k, status=Trip.Status.OPEN).select_related("vehicle", "driver"),
    })


# --- fleet --------------------------------------------------------------------------------------------------------

@tenant_view(write=True, unit=U)
def vehicles(request):
    k = request.koperasi
    form = forms.VehicleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            v = services.create_vehicle(k, **form.cleaned_data)
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Kendaraan %(plate)s didaftarkan. Catat STNK/KIR-nya.") % {"plate": v.plate})
            return redirect("logistics:vehicle", slug=k.slug, pk=v.pk)
    today = timezone.localdate()
    rows = [{"v": v, "problems": services.document_problems(v, today)}
            for v in Vehicle.objects.filter(koperasi=k).prefetch_related("documents")]
    return render(request, "logistics/vehicles.html", {"rows": rows, "form": form, "can_write": _can_write(request)})


@tenant_view(write=True, unit=U)
def vehicle_detail(request, pk: int):
    k = request.koperasi
    v = get_object_or_404(Vehicle, pk=pk, koperasi=k)
    doc_form, plan_form = forms.DocumentForm(), forms.PlanForm()
    maint_form = forms.MaintenanceForm(vehicle=v, initial={"odometer_km": v.odometer_km})
    if request.method == "POST":
        action = request.POST.get("action")
        form = {"doc": forms.DocumentForm(request.POST), "plan": forms.PlanForm(request.POST),
                "maint": forms.MaintenanceForm(request.POST, vehicle=v)}.get(action)
        if form is not None and form.is_valid():
            d = form.cleaned_data
            try:
                if action == "doc":
                    services.add_document(v, **d)
                elif action == "plan":
                    services.add_maintenance_plan(v, **d)
                else:
                    services.record_maintenance(v, by=request.user, **d)
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Tersimpan."))
                return redirect("logistics:vehicle", slug=k.slug, pk=v.pk)
        if action == "doc":
            doc_form = form
        elif action == "plan":
            plan_form = form
        elif action == "maint":
            maint_form = form
    today = timezone.localdate()
    return render(request, "logistics/vehicle.html", {
        "v": v, "problems": services.document_problems(v, today), "documents": v.documents.all(),
        "plans": [(p, p.due_state(today)) for p in v.maintenance_plans.all()], "records": v.maintenance.all()[:20],
        "trips": v.trips.select_related("driver")[:20], "doc_form": doc_form, "plan_form": plan_form,
        "maint_form": maint_form, "can_write": _can_write(request), "today": today,
    })


@tenant_view(write=True, unit=U)
def drivers(request):
    k = request.koperasi
    form = forms.DriverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_driver(k, **form.cleaned_data)
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Pengemudi ditambahkan."))
            return redirect("logistics:drivers", slug=k.slug)
    return render(request, "logistics/drivers.html", {"drivers": Driver.objects.filter(koperasi=k), "form": form,
                                                      "can_write": _can_write(request),
                                                      "today": timezone.localdate()})


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
            return redirect("logistics:tariffs", slug=k.slug)
    return render(request, "logistics/tariffs.html", {"tariffs": DeliveryTariff.objects.filter(koperasi=k),
                                                      "form": form, "can_write": _can_write(request)})


# --- deliveries ---------------------------------------------------------------------------------------------------

@tenant_view(unit=U)
def deliveries(request):
    k = request.koperasi
    qs = DeliveryOrder.objects.filter(koperasi=k).select_related("vehicle", "driver")
    status = request.GET.get("status", "")
    if status in DeliveryOrder.Status.values:
        qs = qs.filter(status=status)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(destination__icontains=q) | Q(customer_name__icontains=q))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "logistics/deliveries.html", {"page": page, "status": status, "q": q,
                                                         "statuses": DeliveryOrder.Status.choices,
                                                         "can_write": _can_write(request)})


def _member_id(koperasi, text: str) -> int | None:
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
def delivery_new(request):
    k = request.koperasi
    form = forms.DeliveryForm(request.POST or None, koperasi=k, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = services.create_delivery(
                k, kind=d["kind"], date=d["date"], origin=d["origin"], destination=d["destination"],
                items=form.items(), stops=form.stop_list() or None, member_id=_member_id(k, d["member"]),
                customer_name=d["customer_name"], vehicle=d["vehicle"], driver=d["driver"], fee_basis=d["fee_basis"],
                distance_km=d["distance_km"] or 0, flat_fee=d["flat_fee"], payment=d["payment"], note=d["note"],
                from_location=d["from_location"], to_location=d["to_location"],
                by=request.user, idempotency_key=d["idempotency_key"] or None)
        except DomainError as exc:
            field = exc.field
            if field and field.startswith("items["):
                idx = int(field[6:field.index("]")]) + 1
                name = field.rsplit(".", 1)[-1]
                field = {"weight_kg": "weight", "qty": "qty", "product": "product"}.get(name, "item") + str(idx)
            elif field == "items":
                field = "product1"
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Surat jalan %(number)s dibuat; biaya %(fee)s.") % {
                "number": order.number, "fee": format_rupiah(order.fee_amount)})
            return redirect("logistics:delivery", slug=k.slug, pk=order.pk)
    cols = ("product", "item", "qty", "uom", "weight")
    item_fields = {f"{n}{i}" for i in range(1, forms.ITEM_ROWS + 1) for n in cols}
    rows = [[form[f"{n}{i}"] for n in cols] for i in range(1, forms.ITEM_ROWS + 1)]
    main = [f for f in form.visible_fields() if f.name not in item_fields]
    return render(request, "logistics/delivery_new.html", {"form": form, "rows": rows, "main": main})


@tenant_view(write=True, unit=U)
def delivery_detail(request, pk: int):
    k = request.koperasi
    order = get_object_or_404(DeliveryOrder.objects.select_related("vehicle", "driver", "trip"), pk=pk, koperasi=k)
    assign_form = forms.AssignForm(koperasi=k, initial={"vehicle": order.vehicle_id, "driver": order.driver_id})
    proof_form, fail_form = forms.ProofForm(), forms.FailForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign":
                assign_form = forms.AssignForm(request.POST, koperasi=k)
                if assign_form.is_valid():
                    services.assign(order, **assign_form.cleaned_data)
                    messages.success(request, _("Kendaraan ditetapkan."))
                    return redirect("logistics:delivery", slug=k.slug, pk=pk)
            elif action in ("loaded", "on_the_way"):
                services.set_status(order, action, by=request.user)
                messages.success(request, _("Status diperbarui."))
                return redirect("logistics:delivery", slug=k.slug, pk=pk)
            elif action == "deliver":
                proof_form = forms.ProofForm(request.POST, request.FILES)
                if proof_form.is_valid():
                    d = proof_form.cleaned_data
                    services.confirm_delivery(order, recipient_name=d["recipient_name"], photo=d["photo"],
                                              signature=d["signature"] or None, by=request.user)
                    messages.success(request, _("Pengiriman selesai; bukti terima tersimpan."))
                    return redirect("logistics:delivery", slug=k.slug, pk=pk)
            elif action == "fail":
                fail_form = forms.FailForm(request.POST)
                if fail_form.is_valid():
                    services.fail_delivery(order, reason=fail_form.cleaned_data["reason"], by=request.user)
                    messages.warning(request, _("Pengiriman dicatat gagal/batal."))
                    return redirect("logistics:delivery", slug=k.slug, pk=pk)
        except DomainError as exc:
            target = {"assign": assign_form, "deliver": proof_form, "fail": fail_form}.get(action)
            if target is not None and target.is_bound:
                _apply(target, exc)
            else:
                messages.error(request, exc.message)
    locations = {}
    if order.moves_stock:
        from kopdes.retail.models import Location

        locations = {loc.pk: loc for loc in Location.objects.filter(
            koperasi=k, pk__in=[order.from_location_id, order.to_location_id])}
    return render(request, "logistics/delivery.html", {
        "o": order, "items": order.items.all(), "stops": order.stops.all(), "proofs": order.proofs.all(),
        "from_location": locations.get(order.from_location_id), "to_location": locations.get(order.to_location_id),
        "assign_form": assign_form, "proof_form": proof_form, "fail_form": fail_form,
        "can_write": _can_write(request),
    })


@tenant_view(unit=U)
def proof_file(request, pk: int, proof_id: int):
    proof = get_object_or_404(DeliveryProof, pk=proof_id, order_id=pk, koperasi=request.koperasi)
    try:
        return FileResponse(proof.file.open("rb"))
    except FileNotFoundError:
        raise Http404("Berkas tidak ada") from None


# --- trips --------------------------------------------------------------------------------------------------------

@tenant_view(write=True, unit=U)
def trips(request):
    k = request.koperasi
    form = forms.TripForm(request.POST or None, koperasi=k)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            trip = services.start_trip(k, vehicle=d["vehicle"], driver=d["driver"], date=d["date"],
                                       odometer_start=d["odometer_start"], deliveries=list(d["deliveries"]),
                                       note=d["note"])
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Perjalanan %(number)s dimulai.") % {"number": trip.number})
            return redirect("logistics:trip", slug=k.slug, pk=trip.pk)
    page = Paginator(Trip.objects.filter(koperasi=k).select_related("vehicle", "driver"), 25) \
        .get_page(request.GET.get("page"))
    return render(request, "logistics/trips.html", {"page": page, "form": form, "can_write": _can_write(request)})


@tenant_view(write=True, unit=U)
def trip_detail(request, pk: int):
    k = request.koperasi
    trip = get_object_or_404(Trip.objects.select_related("vehicle", "driver"), pk=pk, koperasi=k)
    cost_form, close_form = forms.CostForm(), forms.CloseTripForm(initial={"odometer_end": trip.odometer_start})
    if request.method == "POST":
        action = request.POST.get("action")
        form = forms.CostForm(request.POST) if action == "cost" else forms.CloseTripForm(request.POST)
        if form.is_valid():
            try:
                if action == "cost":
                    services.add_trip_cost(trip, by=request.user, **form.cleaned_data)
                else:
                    services.close_trip(trip, **form.cleaned_data)
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Tersimpan."))
                return redirect("logistics:trip", slug=k.slug, pk=pk)
        if action == "cost":
            cost_form = form
        else:
            close_form = form
    return render(request, "logistics/trip.html", {
        "t": trip, "m": queries.trip_metrics(trip), "costs": trip.costs.all(),
        "deliveries": trip.deliveries.all(), "cost_form": cost_form, "close_form": close_form,
        "can_write": _can_write(request)})


# --- reports ------------------------------------------------------------------------------------------------------

@tenant_view(unit=U)
def report(request):
    k = request.koperasi
    start, end = _period(request)
    if end < start:
        start, end = end, start
    rows = queries.vehicle_utilisation(k, start, end)
    if request.GET.get("format") == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "Armada"
        ws.append([f"{k.name} — utilisasi armada {start:%d-%m-%Y} s.d. {end:%d-%m-%Y}"])
        ws["A1"].font = Font(bold=True)
        ws.append(["Kendaraan", "Jenis", "Perjalanan", "Hari dipakai", "Utilisasi (%)", "km", "Ton terkirim",
                   "Biaya (Rp)", "Biaya/km", "Biaya/ton"])
        for r in rows:
            ws.append([r["vehicle"].plate, r["vehicle"].get_kind_display(), r["trips"], r["days_used"],
                       r["utilisation_pct"], r["km"], r["tonnes"], r["cost"], r["cost_per_km"], r["cost_per_tonne"]])
        pnl = queries.unit_pnl(k, start, end)
        if pnl:
            ws.append([])
            ws.append(["Laba rugi unit logistik"])
            for p in pnl["rows"]:
                ws.append([p["code"], p["name"], p["amount"]])
            ws.append(["", "Hasil", pnl["result"]])
        data = xlsx_bytes(wb)
        resp = HttpResponse(data,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="logistik-{start}-{end}.xlsx"'
        return resp
    return render(request, "logistics/report.html", {"rows": rows, "start": start, "end": end,
                                                     "pnl": queries.unit_pnl(k, start, end)})
