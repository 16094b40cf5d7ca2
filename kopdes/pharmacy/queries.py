"""Reads for the apotek's pages and reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from kopdes.core.units import Unit

from .models import DispenseLine, Dispensing, Drug, DrugClass, Prescription

ZERO = Decimal("0")


def summary(koperasi, on: dt.date | None = None) -> dict:
    from kopdes.retail.models import Sale

    from . import services

    on = on or timezone.localdate()
    near = services.near_expiry(koperasi, on=on)
    sales = Sale.objects.filter(koperasi=koperasi, unit=Unit.APOTEK, date=on).aggregate(s=Sum("total"), n=Count("id"))
    from kopdes.retail.models import Product

    stock_value = Product.objects.filter(koperasi=koperasi, unit=Unit.APOTEK).aggregate(s=Sum("stock_value"))["s"] or ZERO
    return {
        "drugs": Drug.objects.filter(koperasi=koperasi, active=True).count(),
        "stock_value": stock_value,
        **near.aggregate(near_expiry=Count("id", filter=Q(lot__expiry_date__gte=on)),
                         expired=Count("id", filter=Q(lot__expiry_date__lt=on))),
        "sales_today": sales["s"] or ZERO, "sales_count": sales["n"],
        "rx_waiting": Prescription.objects.filter(koperasi=koperasi, status__in=["baru", "sebagian"]).count(),
    }


def sales_by_drug(koperasi, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Every apotek sale (over the counter and prescription) per drug, from the POS lines."""
    from kopdes.retail.models import SaleLine

    drugs = {d.product_id: d for d in Drug.objects.filter(koperasi=koperasi)}
    rows = (SaleLine.objects.filter(koperasi=koperasi, sale__unit=Unit.APOTEK, sale__date__gte=date_from,
                                    sale__date__lte=date_to)
            .values("product_id").annotate(qty=Sum("base_qty"), amount=Sum("amount"), cost=Sum("cost"),
                                           n=Count("sale_id", distinct=True)))
    out = []
    for r in rows:
        d = drugs.get(r["product_id"])
        if d is None:
            continue
        out.append({"drug": d, "class": d.get_drug_class_display(), "qty": r["qty"] or ZERO,
                    "amount": r["amount"] or ZERO, "cost": r["cost"] or ZERO,
                    "margin": (r["amount"] or ZERO) - (r["cost"] or ZERO), "sales": r["n"]})
    return sorted(out, key=lambda x: -x["amount"])


def sales_by_class(rows: list[dict]) -> list[dict]:
    agg: dict[str, list] = defaultdict(lambda: [ZERO, ZERO, 0])
    for r in rows:
        a = agg[r["drug"].drug_class]
        a[0] += r["amount"]
        a[1] += r["cost"]
        a[2] += 1
    return [{"class": DrugClass(k).label, "amount": v[0], "cost": v[1], "drugs": v[2]}
            for k, v in sorted(agg.items())]


EXPIRY_FILTERS = ("kedaluwarsa", "dekat", "aman")


def expiry_quants(koperasi, on: dt.date, *, q: str = "", status: str = "", near_days: int = 90):
    """Batches in stock (StockQuant rows of apotek products), most urgent expiry first; filterable by name or
    batch number and by status: ``kedaluwarsa`` (past ED), ``dekat`` (ED within ``near_days``), ``aman``."""
    from kopdes.retail.models import StockQuant

    qs = (StockQuant.objects.filter(koperasi=koperasi, product__unit=Unit.APOTEK, qty__gt=0)
          .select_related("product", "lot"))
    if q:
        qs = qs.filter(Q(product__name__icontains=q) | Q(lot__lot_number__icontains=q))
    near = on + dt.timedelta(days=near_days)
    if status == "kedaluwarsa":
        qs = qs.filter(lot__expiry_date__lt=on)
    elif status == "dekat":
        qs = qs.filter(lot__expiry_date__gte=on, lot__expiry_date__lte=near)
    elif status == "aman":
        qs = qs.filter(Q(lot__expiry_date__gt=near) | Q(lot__expiry_date__isnull=True))
    return qs.order_by(F("lot__expiry_date").asc(nulls_last=True), "product__name", "id")


def expiry_rows(koperasi, quants, on: dt.date) -> list[dict]:
    """Display rows for the given StockQuant rows (one page, or all of them for an export)."""
    quants = list(quants)
    drugs = {d.product_id: d for d in Drug.objects.filter(koperasi=koperasi,
                                                            product_id__in={x.product_id for x in quants})}
    out = []
    for x in quants:
        exp = x.lot.expiry_date if x.lot else None
        out.append({"drug": drugs.get(x.product_id), "product": x.product, "lot": x.lot, "expiry": exp,
                    "days_left": (exp - on).days if exp else None, "qty": x.qty,
                    "value": (x.product.avg_cost * x.qty).quantize(Decimal("0.01"))})
    return out


def expiry_totals(koperasi, on: dt.date, near_days: int = 90) -> dict:
    """Counts and value (qty × average cost) of expired and near-expiry batches, for the page header.
    Grouped per product in SQL (a few hundred products, not one row per batch)."""
    from kopdes.retail.models import Product, StockQuant

    base = StockQuant.objects.filter(koperasi=koperasi, product__unit=Unit.APOTEK, qty__gt=0)
    buckets = {"expired": base.filter(lot__expiry_date__lt=on),
               "near": base.filter(lot__expiry_date__gte=on, lot__expiry_date__lte=on + dt.timedelta(days=near_days)),
               "all": base}
    grouped = {k: list(qs.values("product_id").annotate(n=Count("id"), q=Sum("qty"))) for k, qs in buckets.items()}
    ids = {g["product_id"] for g in grouped["all"]}
    cost = {p.pk: p.avg_cost for p in Product.objects.filter(koperasi=koperasi, pk__in=ids)}
    return {k: {"n": sum(g["n"] for g in gs),
                "value": sum((cost.get(g["product_id"], ZERO) * g["q"] for g in gs), ZERO).quantize(Decimal("0.01"))}
            for k, gs in grouped.items()}


def keras_register(koperasi, date_from: dt.date, date_to: dt.date):
    """Register of obat keras handed over: date, dispensing, prescription, prescriber, patient, drug, qty, batch."""
    return (DispenseLine.objects.filter(koperasi=koperasi, drug_class=DrugClass.KERAS,
                                        dispensing__date__gte=date_from, dispensing__date__lte=date_to)
            .select_related("drug", "dispensing__prescription").order_by("dispensing__date", "id"))


def dispensings(koperasi, date_from, date_to):
    return Dispensing.objects.filter(koperasi=koperasi, date__gte=date_from, date__lte=date_to)

