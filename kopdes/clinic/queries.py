"""Reads for pages and reports. Counts and money only here, except ``top_diagnoses`` (aggregated codes, shown to
clinical staff for the puskesmas report)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import Diagnosis, Patient, Visit

ZERO = Decimal("0")


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def summary(koperasi, on: dt.date) -> dict:
    """Today's and this month's clinic figures: one aggregate over the month's visits, one patient count."""
    month_start = on.replace(day=1)
    today = Q(date=on)
    agg = (Visit.objects.filter(koperasi=koperasi, date__gte=month_start, date__lte=on)
           .exclude(status=Visit.Status.BATAL)
           .aggregate(visits_today=Count("id", filter=today),
                      waiting=Count("id", filter=today & Q(status=Visit.Status.MENUNGGU)),
                      visits_month=Count("id"),
                      revenue_month=Sum("fee_total", filter=Q(paid_at__isnull=False)),
                      unpaid_today=Count("id", filter=today & Q(paid_at__isnull=True, fee_total__gt=0))))
    agg["revenue_month"] = agg["revenue_month"] or ZERO
    agg["patients"] = Patient.objects.filter(koperasi=koperasi).count()
    return agg


def visits_per_day(koperasi, date_from: dt.date, date_to: dt.date) -> list[dict]:
    rows = (Visit.objects.filter(koperasi=koperasi, date__gte=date_from, date__lte=date_to)
            .exclude(status=Visit.Status.BATAL).values("date")
            .annotate(n=Count("id"), members=Count("id", filter=Q(member_id__isnull=False)),
                      paid=Sum("fee_total", filter=Q(paid_at__isnull=False)))
            .order_by("date"))
    return [{"date": r["date"], "visits": r["n"], "members": r["members"], "public": r["n"] - r["members"],
             "revenue": r["paid"] or ZERO} for r in rows]


def revenue(koperasi, date_from: dt.date, date_to: dt.date) -> dict:
    qs = Visit.objects.filter(koperasi=koperasi, paid_at__isnull=False, date__gte=date_from, date__lte=date_to)
    agg = qs.aggregate(total=Sum("fee_total"), cons=Sum("consultation_fee"),
                       members=Sum("fee_total", filter=Q(member_id__isnull=False)),
                       n=Count("id"))
    total = agg["total"] or ZERO
    cons = agg["cons"] or ZERO
    return {"total": total, "consultation": cons, "procedures": total - cons, "members": agg["members"] or ZERO,
            "public": total - (agg["members"] or ZERO), "visits": agg["n"]}


def top_diagnoses(koperasi, year: int, month: int, limit: int = 20) -> list[dict]:
    first, last = month_bounds(year, month)
    rows = (Diagnosis.objects.filter(koperasi=koperasi, date__gte=first, date__lte=last)
            .exclude(visit__status=Visit.Status.BATAL)
            .values("code", "name").annotate(n=Count("id"),
                                             new_cases=Count("id", filter=Q(primary=True)))
            .order_by("-n", "code")[:limit])
    return [dict(r) for r in rows]
