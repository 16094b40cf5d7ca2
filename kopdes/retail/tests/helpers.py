"""Test helpers for retail: a stocked kiosk, members, HET rows."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import Decimal

from django.urls import reverse

from kopdes.core.identity import make_nik

from ..catalog import save_product, set_het
from ..models import Location, Product, Regulated, Supplier
from ..services import default_location, receive_goods

_serial = itertools.count(1)
D = Decimal


def url(name, k, *args):
    """A retail page of cooperative ``k``."""
    return reverse(f"retail:{name}", args=[k.slug, *args])


def member(koperasi, *, active: bool = True, **extra):
    from kopdes.members.services import activate_member, register_member

    n = next(_serial)
    data = {"nik": make_nik("16.02.04", dt.date(1979, 3, 9), "L", 500 + n), "name": f"Petani Uji {n}",
            "birth_date": dt.date(1979, 3, 9), "sex": "L", "birth_place": "Mesuji", "occupation": "petani",
            "farmer_group": "Poktan Sumber Rejeki"}
    data.update(extra)
    m = register_member(koperasi, **data)
    if active:
        activate_member(m, date=dt.date(2026, 1, 5))
        m.refresh_from_db()
    return m


def hets():
    set_het(commodity="pupuk_urea", name="Pupuk Urea bersubsidi", max_price=1800, valid_from=dt.date(2025, 10, 22),
            decree="Kepmentan 1117/2025 (uji)", uom="kg")
    set_het(commodity="beras_sphp", name="Beras SPHP", max_price=12500, valid_from=dt.date(2025, 1, 1),
            decree="Bapanas (uji)", uom="kg")
    set_het(commodity="lpg3", name="LPG 3 kg", max_price=18000, valid_from=dt.date(2025, 1, 1),
            decree="Kepbup OKI (uji)", uom="tabung", region_code="16.02")


def product(koperasi, code, name, member_price, public_price, **kw) -> Product:
    p = Product(koperasi=koperasi, code=code, name=name, member_price=D(member_price), public_price=D(public_price),
                **kw)
    return save_product(p)


def kiosk(koperasi):
    """Gerai + gudang, a supplier, four products stocked: gula (10 @ 14.000), urea (500 kg @ 1.500),
    SPHP (100 kg @ 11.000), LPG (20 @ 16.000)."""
    hets()
    gerai = default_location(koperasi)
    gudang = Location.objects.create(koperasi=koperasi, code="GDG", name="Gudang", kind=Location.Kind.GUDANG)
    sup = Supplier.objects.create(koperasi=koperasi, name="CV Grosir Mesuji")
    gula = product(koperasi, "GULA1", "Gula pasir 1 kg", 16500, 17500, barcode="8992753100019", base_uom="pcs")
    urea = product(koperasi, "UREA", "Pupuk Urea bersubsidi", 1800, 1800, base_uom="kg", regulated=Regulated.PUPUK,
                   het_commodity="pupuk_urea", fertilizer_type="urea", inventory_account="1153")
    sphp = product(koperasi, "SPHP", "Beras SPHP", 12500, 12500, base_uom="kg", regulated=Regulated.SPHP,
                   het_commodity="beras_sphp")
    lpg = product(koperasi, "LPG3", "LPG 3 kg", 18000, 18000, base_uom="tabung", regulated=Regulated.LPG3,
                  het_commodity="lpg3")
    receive_goods(koperasi, supplier=sup, location=gerai, lines=[
        {"product_id": gula.pk, "qty": "10", "unit_cost": "14000"},
        {"product_id": urea.pk, "qty": "500", "unit_cost": "1500"},
        {"product_id": sphp.pk, "qty": "100", "unit_cost": "11000"},
        {"product_id": lpg.pk, "qty": "20", "unit_cost": "16000"},
    ], date=dt.date(2026, 1, 10))
    return {"gerai": gerai, "gudang": gudang, "supplier": sup, "gula": gula, "urea": urea, "sphp": sphp, "lpg": lpg}


def cid() -> str:
    return uuid.uuid4().hex


def bal(koperasi, code, **kw) -> Decimal:
    from kopdes.ledger.queries import account_balance

    return account_balance(koperasi, code, **kw)


def books(k) -> tuple:
    """Everything a refused sale must leave untouched: sales, stock moves, cash/stock/revenue accounts, RDKK
    redemptions, product stock columns. Compare before and after."""
    from ..models import FertilizerAllocation, Sale, StockMove

    return (Sale.objects.filter(koperasi=k).count(), StockMove.objects.filter(koperasi=k).count(),
            bal(k, "1103"), bal(k, "1151"), bal(k, "1153"), bal(k, "4111"), bal(k, "4112"),
            list(FertilizerAllocation.objects.filter(koperasi=k).values_list("redeemed_kg", flat=True)),
            list(Product.objects.filter(koperasi=k).order_by("pk").values_list("stock_qty", "stock_value")))
