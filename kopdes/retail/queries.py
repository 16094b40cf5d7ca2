"""Reads shared by pages, reports, the member portal and supervisors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth

from .models import (
    FertilizerAllocation,
    FertilizerRedemption,
    GoodsReceipt,
    GoodsReceiptLine,
    Product,
    PurchaseReturn,
    Sale,
    SaleLine,
    SupplierPayment,
)

ZERO = Decimal("0")


def member_purchases(koperasi, member_id: int, *, unit: str | None = None) -> list[dict]:
    """Monthly totals of a member's purchases (net of returns): ``[{"month": date, "count", "total"}]``, newest first.
    For the member portal and SHU (jasa usaha)."""
    qs = Sale.objects.filter(koperasi=koperasi, member_id=member_id)
    if unit:
        qs = qs.filter(unit=unit)
    rows = (qs.annotate(month=TruncMonth("date")).values("month")
            .annotate(count=Count("id"), gross=Sum("total"), returned=Sum("returned_total")).order_by("-month"))
    return [{"month": r["month"], "count": r["count"], "total": (r["gross"] or ZERO) - (r["returned"] or ZERO)}
            for r in rows]


def member_sales(koperasi, member_id: int, limit: int = 50):
    return Sale.objects.filter(koperasi=koperasi, member_id=member_id).prefetch_related("lines__product")[:limit]


def member_fertilizer(koperasi, member_id: int, on: dt.date | None = None) -> list[dict]:
    """RDKK allocations of a member with what is left: ``[{"season", "type", "allocated_kg", "redeemed_kg",
    "remaining_kg", "valid_from", "valid_to", "farmer_group"}]``."""
    qs = FertilizerAllocation.objects.filter(koperasi=koperasi, member_id=member_id)
    if on:
        qs = qs.filter(valid_from__lte=on, valid_to__gte=on)
    return [{"season": a.season, "type": a.fertilizer_type, "type_label": a.get_fertilizer_type_display(),
             "allocated_kg": a.allocated_kg, "redeemed_kg": a.redeemed_kg, "remaining_kg": a.remaining_kg,
             "valid_from": a.valid_from, "valid_to": a.valid_to, "farmer_group": a.farmer_group}
            for a in qs.order_by("-valid_from", "fertilizer_type")]


def _sales(koperasi, date_from, date_to, unit):
    qs = Sale.objects.filter(koperasi=koperasi, date__gte=date_from, date__lte=date_to)
    return qs.filter(unit=unit) if unit else qs


def sales_by_day(koperasi, date_from, date_to, unit=None):
    return list(_sales(koperasi, date_from, date_to, unit).values("date")
                .annotate(count=Count("id"), amount=Sum("total"), cost=Sum("cost_total"), returned=Sum("returned_total"),
                          member_amount=Sum("total", filter=Q(member_id__isnull=False))).order_by("date"))


def sales_by_product(koperasi, date_from, date_to, unit=None):
    qs = SaleLine.objects.filter(koperasi=koperasi, sale__date__gte=date_from, sale__date__lte=date_to)
    if unit:
        qs = qs.filter(sale__unit=unit)
    rows = (qs.values("product_id", "product__name", "product__code", "product__base_uom")
            .annotate(qty=Sum("base_qty"), total=Sum("amount"), cost=Sum("cost")).order_by("-total"))
    out = []
    for r in rows:
        r["margin"] = (r["total"] or ZERO) - (r["cost"] or ZERO)
        r["margin_pct"] = (r["margin"] / r["total"] * 100) if r["total"] else ZERO
        out.append(r)
    return out


def sales_by_cashier(koperasi, date_from, date_to, unit=None):
    return list(_sales(koperasi, date_from, date_to, unit)
                .values("cashier_id", "cashier__full_name", "cashier__username")
                .annotate(count=Count("id"), amount=Sum("total")).order_by("-amount"))


def sales_by_member(koperasi, date_from, date_to, unit=None):
    return list(_sales(koperasi, date_from, date_to, unit).filter(member_id__isnull=False)
                .values("member_id", "member_name", "member_number")
                .annotate(count=Count("id"), amount=Sum("total")).order_by("-amount"))


def margin_summary(koperasi, date_from, date_to, unit=None) -> dict:
    agg = _sales(koperasi, date_from, date_to, unit).aggregate(total=Sum("total"), cost=Sum("cost_total"),
                                                              count=Count("id"))
    total, cost = agg["total"] or ZERO, agg["cost"] or ZERO
    return {"count": agg["count"], "total": total, "cost": cost, "margin": total - cost,
            "margin_pct": ((total - cost) / total * 100) if total else ZERO}


def slow_movers(koperasi, *, days: int = 60, on: dt.date, unit=None, limit: int = 50):
    """Products in stock with no sale in ``days`` days (longest idle first)."""
    since = on - dt.timedelta(days=days)
    qs = Product.objects.filter(koperasi=koperasi, stock_qty__gt=0, active=True)
    if unit:
        qs = qs.filter(unit=unit)
    qs = qs.annotate(last_sale=Max("saleline__sale__date")).filter(Q(last_sale__isnull=True) | Q(last_sale__lt=since))
    return list(qs.order_by(F("last_sale").asc(nulls_first=True), "name")[:limit])


def purchases(koperasi, date_from, date_to):
    return list(GoodsReceipt.objects.filter(koperasi=koperasi, date__gte=date_from, date__lte=date_to)
                .select_related("supplier").order_by("-date", "-id"))


def purchases_by_product(koperasi, date_from, date_to):
    return list(GoodsReceiptLine.objects.filter(koperasi=koperasi, receipt__date__gte=date_from,
                                                receipt__date__lte=date_to)
                .values("product__name", "product__base_uom").annotate(qty=Sum("qty"), total=Sum("amount"))
                .order_by("-total"))


def payables(koperasi) -> list[dict]:
    """Per supplier: received, returned, paid, owed."""
    from .models import Supplier

    rec = dict(GoodsReceipt.objects.filter(koperasi=koperasi).values_list("supplier").annotate(s=Sum("total")))
    ret = dict(PurchaseReturn.objects.filter(koperasi=koperasi).values_list("supplier").annotate(s=Sum("credit_amount")))
    paid = dict(SupplierPayment.objects.filter(koperasi=koperasi).values_list("supplier").annotate(s=Sum("amount")))
    out = []
    for s in Supplier.objects.filter(koperasi=koperasi).order_by("name"):
        r, t, p = rec.get(s.pk) or ZERO, ret.get(s.pk) or ZERO, paid.get(s.pk) or ZERO
        if r or p:
            out.append({"supplier": s, "received": r, "returned": t, "paid": p, "owed": r - t - p})
    return out


def fertilizer_redemptions(koperasi, date_from, date_to) -> list[dict]:
    """Redemption report per farmer group and fertilizer type (for the distributor and the Dinas)."""
    rows = (FertilizerRedemption.objects.filter(koperasi=koperasi, date__gte=date_from, date__lte=date_to)
            .values("allocation__farmer_group", "allocation__fertilizer_type")
            .annotate(kg=Sum("qty_kg"), amount=Sum("amount"), farmers=Count("allocation__member_id", distinct=True))
            .order_by("allocation__farmer_group", "allocation__fertilizer_type"))
    return list(rows)


def fertilizer_redemption_lines(koperasi, date_from, date_to):
    return (FertilizerRedemption.objects.filter(koperasi=koperasi, date__gte=date_from, date__lte=date_to)
            .select_related("allocation", "sale").order_by("allocation__farmer_group", "date"))


def today_summary(koperasi, on: dt.date, unit=None) -> dict:
    agg = _sales(koperasi, on, on, unit).aggregate(count=Count("id"), total=Sum("total"))
    return {"count": agg["count"] or 0, "total": agg["total"] or ZERO}


def daily_series(koperasi, date_from, date_to, unit=None):
    return list(_sales(koperasi, date_from, date_to, unit).values("date")
                .annotate(amount=Sum("total")).order_by("date"))
