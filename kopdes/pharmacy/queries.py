"""Reads for the apotek's pages and reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
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
        "near_expiry": near.filter(lot__expiry_date__gte=on).count(),
        "expired": near.filter(lot__expiry_date__lt=on).count(),
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


def stock_and_expiry(koperasi, on: dt.date | None = None) -> list[dict]:
    """Per batch: drug, class, batch, expiry, days left, quantity, value at average cost."""
    from kopdes.retail.models import StockQuant

    on = on or timezone.localdate()
    drugs = {d.product_id: d for d in Drug.objects.filter(koperasi=koperasi)}
    out = []
    for q in (StockQuant.objects.filter(koperasi=koperasi, product__unit=Unit.APOTEK, qty__gt=0)
              .select_related("product", "lot").order_by("product__name", "lot__expiry_date")):
        d = drugs.get(q.product_id)
        exp = q.lot.expiry_date if q.lot else None
        out.append({"drug": d, "product": q.product, "lot": q.lot, "expiry": exp,
                    "days_left": (exp - on).days if exp else None, "qty": q.qty,
                    "value": (q.product.avg_cost * q.qty).quantize(Decimal("0.01"))})
    return out


def keras_register(koperasi, date_from: dt.date, date_to: dt.date):
    """Register of obat keras handed over: date, dispensing, prescription, prescriber, patient, drug, qty, batch."""
    return (DispenseLine.objects.filter(koperasi=koperasi, drug_class=DrugClass.KERAS,
                                        dispensing__date__gte=date_from, dispensing__date__lte=date_to)
            .select_related("drug", "dispensing__prescription").order_by("dispensing__date", "id"))


def dispensings(koperasi, date_from, date_to):
    return Dispensing.objects.filter(koperasi=koperasi, date__gte=date_from, date__lte=date_to)

