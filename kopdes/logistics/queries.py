"""Reads for pages and reports: trip economics, vehicle utilisation, document alerts, the unit's P&L."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from kopdes.core.models import Koperasi
from kopdes.core.units import Unit

from .models import DeliveryItem, DeliveryOrder, MaintenancePlan, Trip, TripCost, Vehicle, VehicleDocument

ZERO = Decimal("0")
INCOME_CODES = ("4151", "4152")
EXPENSE_CODES = ("6104", "6108", "6109")


def trip_metrics(trip: Trip) -> dict:
    cost = trip.costs.aggregate(s=Sum("amount"))["s"] or ZERO
    weight = (DeliveryItem.objects.filter(order__trip=trip, order__status=DeliveryOrder.Status.DELIVERED)
              .aggregate(s=Sum("weight_kg"))["s"] or ZERO)
    loaded = DeliveryItem.objects.filter(order__trip=trip).aggregate(s=Sum("weight_kg"))["s"] or ZERO
    revenue = (trip.deliveries.filter(status=DeliveryOrder.Status.DELIVERED).aggregate(s=Sum("fee_amount"))["s"]
               or ZERO)
    km = trip.km
    fuel_l = trip.costs.filter(kind=TripCost.Kind.BBM).aggregate(s=Sum("liters"))["s"] or ZERO
    return {
        "km": km, "cost": cost, "revenue": revenue, "weight_kg": weight, "loaded_kg": loaded,
        "cost_per_km": (cost / km).quantize(Decimal("0.01")) if km else None,
        "cost_per_tonne": (cost * 1000 / weight).quantize(Decimal("0.01")) if weight else None,
        "load_factor_pct": (loaded * 100 / trip.vehicle.capacity_kg).quantize(Decimal("0.1"))
        if trip.vehicle.capacity_kg else None,
        "km_per_litre": (Decimal(km) / fuel_l).quantize(Decimal("0.01")) if fuel_l else None,
    }


def vehicle_utilisation(koperasi: Koperasi, start: dt.date, end: dt.date) -> list[dict]:
    """Per vehicle over [start, end]: days used, % of days, km, trips, tonnes delivered, costs, cost per km."""
    days = (end - start).days + 1
    trips = Trip.objects.filter(koperasi=koperasi, date__gte=start, date__lte=end)
    per = defaultdict(lambda: {"days": set(), "km": 0, "trips": 0})
    for t in trips.only("vehicle_id", "date", "odometer_start", "odometer_end"):
        p = per[t.vehicle_id]
        p["days"].add(t.date)
        p["km"] += t.km
        p["trips"] += 1
    costs = dict(TripCost.objects.filter(koperasi=koperasi, trip__in=trips).values_list("trip__vehicle_id").annotate(s=Sum("amount"))
                 .order_by())
    weights = dict(DeliveryItem.objects.filter(koperasi=koperasi, order__trip__in=trips, order__status=DeliveryOrder.Status.DELIVERED)
                   .values_list("order__trip__vehicle_id").annotate(s=Sum("weight_kg")).order_by())
    out = []
    for v in Vehicle.objects.filter(koperasi=koperasi).order_by("code"):
        p = per.get(v.pk, {"days": set(), "km": 0, "trips": 0})
        cost = costs.get(v.pk) or ZERO
        w = weights.get(v.pk) or ZERO
        out.append({
            "vehicle": v, "trips": p["trips"], "days_used": len(p["days"]),
            "utilisation_pct": Decimal(len(p["days"]) * 100 / days).quantize(Decimal("0.1")) if days else ZERO,
            "km": p["km"], "tonnes": (w / 1000).quantize(Decimal("0.001")), "cost": cost,
            "cost_per_km": (cost / p["km"]).quantize(Decimal("0.01")) if p["km"] else None,
            "cost_per_tonne": (cost * 1000 / w).quantize(Decimal("0.01")) if w else None,
        })
    return out


def document_alerts(koperasi: Koperasi, today: dt.date, within_days: int = 30) -> list[dict]:
    """The latest document of each kind per active vehicle that is expired or expires within ``within_days``."""
    latest: dict[tuple[int, str], VehicleDocument] = {}
    for d in (VehicleDocument.objects.filter(koperasi=koperasi, vehicle__active=True).select_related("vehicle")
              .order_by("vehicle_id", "kind", "-valid_until")):
        latest.setdefault((d.vehicle_id, d.kind), d)
    out = []
    for d in latest.values():
        left = (d.valid_until - today).days
        if left <= within_days:
            out.append({"document": d, "vehicle": d.vehicle, "days_left": left, "expired": left < 0})
    return sorted(out, key=lambda r: r["days_left"])


def maintenance_due(koperasi: Koperasi, today: dt.date) -> list[dict]:
    out = []
    for p in MaintenancePlan.objects.filter(koperasi=koperasi, active=True).select_related("vehicle"):
        state = p.due_state(today)
        if state != "ok":
            out.append({"plan": p, "state": state, "due_date": p.next_due_date(), "due_km": p.next_due_km()})
    return sorted(out, key=lambda r: (r["state"] != "overdue", r["due_date"] or dt.date.max))


def unit_pnl(koperasi: Koperasi, start: dt.date | None = None, end: dt.date | None = None) -> dict | None:
    """Revenue and costs of the logistics unit from the ledger (None if the ledger is not available)."""
    try:
        from kopdes.ledger.models import Account
        from kopdes.ledger.queries import sums_by_account
    except ImportError:  # pragma: no cover - ledger is a dependency
        return None
    accounts = {a.pk: a for a in Account.objects.filter(koperasi=koperasi, code__in=INCOME_CODES + EXPENSE_CODES)}
    sums = sums_by_account(koperasi, start, end, unit=Unit.LOGISTIK, account_ids=list(accounts))
    rows = []
    income = expense = ZERO
    for aid, (d, c) in sums.items():
        a = accounts[aid]
        if a.code in INCOME_CODES:
            amt = c - d
            income += amt
        else:
            amt = d - c
            expense += amt
        rows.append({"code": a.code, "name": a.name, "amount": amt})
    rows.sort(key=lambda r: r["code"])
    return {"rows": rows, "income": income, "expense": expense, "result": income - expense}


def open_deliveries(koperasi: Koperasi):
    return (DeliveryOrder.objects.filter(koperasi=koperasi, status__in=[
        DeliveryOrder.Status.PLANNED, DeliveryOrder.Status.LOADED, DeliveryOrder.Status.ON_THE_WAY])
        .select_related("vehicle", "driver").order_by("date", "id"))
