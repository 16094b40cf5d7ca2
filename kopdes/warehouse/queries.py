"""Reads shared by pages, reports, the member portal and the bench."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from kopdes.core.models import Koperasi

from .models import (
    CapacityUnit,
    CustodyMove,
    Excursion,
    Facility,
    Release,
    StoredLot,
    TemperatureReading,
    Zone,
)

ZERO = Decimal("0")


def member_storage(koperasi: Koperasi, member_id: int, *, as_of: dt.date | None = None) -> list[dict]:
    """A member's lots in custody (current first) with their receipts: for the member portal."""
    as_of = as_of or timezone.localdate()
    out = []
    lots = (StoredLot.objects.filter(koperasi=koperasi, member_id=member_id)
            .select_related("facility", "zone", "receipt").order_by("status", "-intake_date", "-id"))
    for lot in lots:
        receipt = getattr(lot, "receipt", None)
        out.append({
            "lot_number": lot.number,
            "commodity": lot.get_commodity_display(),
            "facility": lot.facility.name,
            "zone": lot.zone.name,
            "intake_date": lot.intake_date,
            "net_kg": lot.net_kg,
            "remaining_kg": lot.remaining_kg,
            "status": lot.status,
            "status_label": lot.get_status_display(),
            "fees_charged": lot.fees_charged,
            "accrued_fee": lot.accrued_fee(as_of) if lot.status == StoredLot.Status.STORED else ZERO,
            "receipt_number": receipt.number if receipt else "",
            "receipt_status": receipt.status if receipt else "",
            "receipt_status_label": receipt.get_status_display() if receipt else "",
            "receipt_public_code": receipt.public_code if receipt else "",
        })
    return out


def affected_lots(excursion: Excursion):
    """Lots that were in the room at any moment of the excursion."""
    start = timezone.localtime(excursion.started_at).date()
    end = timezone.localtime(excursion.ended_at or timezone.now()).date()
    return (StoredLot.objects.filter(koperasi_id=excursion.koperasi_id, zone_id=excursion.zone_id,
                                     intake_date__lte=end)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start)).select_related("receipt")
            .order_by("intake_date", "id"))


def occupancy(koperasi: Koperasi | int, facilities: list[Facility]) -> dict[int, list[dict]]:
    """``{facility_id: [zone rows]}`` of active zones with what their stored lots occupy, for several facilities in
    two queries (the zones, then every stored lot in them)."""
    zones = list(Zone.objects.filter(koperasi=koperasi, facility_id__in=[f.pk for f in facilities], active=True)
                 .order_by("facility_id", "code"))
    lots: dict[int, list[StoredLot]] = defaultdict(list)
    for lot in StoredLot.objects.filter(koperasi=koperasi, zone_id__in=[z.pk for z in zones],
                                        status=StoredLot.Status.STORED):
        lots[lot.zone_id].append(lot)
    out: dict[int, list[dict]] = {f.pk: [] for f in facilities}
    for z in zones:
        used = sum((lot.occupied(z.capacity_unit) for lot in lots[z.pk]), ZERO)
        out[z.facility_id].append({"zone": z, "used": used, "capacity": z.capacity, "free": z.capacity - used,
                                   "pct": (used * 100 / z.capacity) if z.capacity else ZERO})
    return out


def facility_occupancy(facility: Facility) -> list[dict]:
    return occupancy(facility.koperasi_id, [facility])[facility.pk]


def occupancy_series(koperasi: Koperasi, start: dt.date, end: dt.date, *, step_days: int = 1,
                     facility_id: int | None = None) -> dict:
    """Kilograms in custody per facility at the end of each day (or each ``step_days``) of [start, end],
    from the custody register: one aggregate query plus an opening balance, whatever the length of the range.

    Returns ``{"dates": [...], "facilities": {facility_id: {"name", "capacity_kg", "kg": [...]}}}``.
    """
    moves = CustodyMove.objects.filter(koperasi=koperasi)
    if facility_id:
        moves = moves.filter(facility_id=facility_id)
    opening = dict(moves.filter(date__lt=start).values_list("facility_id").annotate(s=Sum("kg")).order_by())
    daily: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for fid, d, s in (moves.filter(date__gte=start, date__lte=end).values_list("facility_id", "date")
                      .annotate(s=Sum("kg")).order_by()):
        daily[fid][d] = s
    facilities = Facility.objects.filter(koperasi=koperasi)
    if facility_id:
        facilities = facilities.filter(pk=facility_id)
    caps = dict(Zone.objects.filter(koperasi=koperasi, capacity_unit=CapacityUnit.KG, active=True)
                .values_list("facility_id").annotate(s=Sum("capacity")).order_by())
    dates: list[dt.date] = []
    d = start
    while d <= end:
        dates.append(d)
        d += dt.timedelta(days=1)
    out = {"dates": [], "facilities": {}}
    for f in facilities:
        level = opening.get(f.pk) or ZERO
        series = []
        per_day = daily.get(f.pk, {})
        for i, day in enumerate(dates):
            level += per_day.get(day, ZERO)
            if i % step_days == 0 or day == end:
                series.append(level)
        out["facilities"][f.pk] = {"name": f.name, "code": f.code, "capacity_kg": caps.get(f.pk) or ZERO,
                                   "kg": series}
    out["dates"] = [day for i, day in enumerate(dates) if i % step_days == 0 or day == end]
    return out


def monthly_report(koperasi: Koperasi, year: int) -> list[dict]:
    """Per facility and month: average and end-of-month kg in custody, utilisation of kg capacity, intake and
    release kg, storage revenue charged."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    series = occupancy_series(koperasi, start, end)
    revenue = defaultdict(lambda: ZERO)
    for fid, m, s in (Release.objects.filter(koperasi=koperasi, date__year=year)
                      .values_list("lot__facility_id", "date__month").annotate(s=Sum("fee_amount")).order_by()):
        revenue[(fid, m)] = s or ZERO
    flows = defaultdict(lambda: [ZERO, ZERO])
    for fid, m, kind, s in (CustodyMove.objects.filter(koperasi=koperasi, date__year=year)
                            .values_list("facility_id", "date__month", "kind").annotate(s=Sum("kg")).order_by()):
        flows[(fid, m)][0 if kind == CustodyMove.Kind.INTAKE else 1] += abs(s or ZERO)
    rows = []
    dates = series["dates"]
    for fid, f in series["facilities"].items():
        for m in range(1, 13):
            idx = [i for i, d in enumerate(dates) if d.month == m]
            if not idx:
                continue
            vals = [f["kg"][i] for i in idx]
            avg = sum(vals, ZERO) / len(vals)
            cap = f["capacity_kg"]
            rows.append({
                "facility_id": fid, "facility": f["name"], "month": m, "avg_kg": avg.quantize(Decimal("0.1")),
                "end_kg": vals[-1], "capacity_kg": cap,
                "utilisation_pct": (avg * 100 / cap).quantize(Decimal("0.1")) if cap else None,
                "intake_kg": flows[(fid, m)][0], "release_kg": flows[(fid, m)][1],
                "revenue": revenue[(fid, m)],
            })
    return rows


def room_temperatures(zone: Zone, start: dt.datetime, end: dt.datetime, max_points: int = 500) -> list[dict]:
    """Readings of a room in [start, end], thinned to at most ``max_points`` (every n-th) for the chart."""
    qs = TemperatureReading.objects.filter(zone=zone, at__gte=start, at__lte=end).order_by("at")
    n = qs.count()
    step = max(1, -(-n // max_points))
    out = []
    for i, (at, c, oor) in enumerate(qs.values_list("at", "celsius", "out_of_range").iterator()):
        if i % step == 0 or oor:
            out.append({"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"), "c": float(c), "out": oor})
    return out


def open_alerts(koperasi: Koperasi):
    return (Excursion.objects.filter(koperasi=koperasi)
            .filter(Q(ended_at__isnull=True) | Q(acknowledged_at__isnull=True))
            .select_related("zone", "zone__facility").order_by("-started_at"))
