"""Catalogue rules: HET in force (dated, per region), prices, units of measure, product lookup by code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kopdes.core.errors import DomainError, bilingual
from kopdes.core.money import format_rupiah

from .barcodes import check_scanned
from .models import PriceCeiling, Product, ProductUom


def _region_prefixes(region_code: str) -> list[str]:
    parts = region_code.split(".")
    return [""] + [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def hets_in_force(koperasi, on: dt.date | None = None, commodities=None) -> dict[str, PriceCeiling]:
    """``{commodity: HET row in force}`` for this cooperative's region on a date (most specific region, then the
    latest decree), in one query; ``commodities`` narrows it."""
    on = on or timezone.localdate()
    rows = PriceCeiling.objects.filter(region_code__in=_region_prefixes(koperasi.region_id), valid_from__lte=on,
                                       ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    if commodities is not None:
        rows = rows.filter(commodity__in=commodities)
    best: dict[str, PriceCeiling] = {}
    for r in sorted(rows, key=lambda r: (len(r.region_code), r.valid_from, r.pk), reverse=True):
        best.setdefault(r.commodity, r)
    return best


def het_in_force(koperasi, commodity: str, on: dt.date | None = None) -> PriceCeiling | None:
    """The HET row in force for one commodity (see :func:`hets_in_force`)."""
    if not commodity:
        return None
    return hets_in_force(koperasi, on, [commodity]).get(commodity)


def het_history(koperasi):
    """Every HET row that applies to this cooperative's region (national, province, …), newest first."""
    return PriceCeiling.objects.filter(region_code__in=_region_prefixes(koperasi.region_id)).order_by(
        "commodity", "-valid_from")


def het_message(product: Product, price_per_base: Decimal, het: PriceCeiling) -> tuple[str, str]:
    return (
        f"Harga {product.name} {format_rupiah(price_per_base)}/{product.base_uom} melebihi HET "
        f"{format_rupiah(het.max_price)}/{het.uom} ({het.decree}).",
        f"The price of {product.name} {format_rupiah(price_per_base)}/{product.base_uom} is above the HET "
        f"{format_rupiah(het.max_price)}/{het.uom} ({het.decree}).",
    )


def check_het_prices(product: Product, on: dt.date | None = None) -> None:
    """Model-level check (ValidationError): member and public price, and every pack price, at or below HET."""
    if not product.het_commodity or not product.koperasi_id:
        return
    het = het_in_force(product.koperasi, product.het_commodity, on)
    if het is None:
        return
    for field, price in (("public_price", product.public_price), ("member_price", product.member_price)):
        if price is not None and price > het.max_price:
            raise ValidationError({field: bilingual(*het_message(product, price, het))}, code="above_het")
    if product.pk:
        for uom in product.uoms.all():
            for price in (uom.public_price, uom.member_price):
                if price is not None and price / uom.factor > het.max_price:
                    raise ValidationError({"public_price": bilingual(*het_message(product, price / uom.factor, het))},
                                          code="above_het")


def check_charge_within_het(koperasi, product: Product, unit_price: Decimal, factor: Decimal,
                            on: dt.date | None = None) -> None:
    """At the till: a line price above the HET in force is refused (DomainError)."""
    if not product.het_commodity:
        return
    het = het_in_force(koperasi, product.het_commodity, on)
    if het is None:
        return
    per_base = (unit_price / factor).quantize(Decimal("0.01"))
    if per_base > het.max_price:
        raise DomainError(*het_message(product, per_base, het), field="price", code="above_het")


def price_for(product: Product, uom: ProductUom | None, is_member: bool) -> Decimal:
    if uom is not None:
        p = uom.member_price if is_member else uom.public_price
        if p is not None:
            return p
        base = product.member_price if is_member else product.public_price
        return (base * uom.factor).quantize(Decimal("0.01"))
    return product.member_price if is_member else product.public_price


@transaction.atomic
def save_product(product: Product) -> Product:
    """Validate (incl. HET) and save; raises DomainError with the first message."""
    try:
        product.full_clean()
    except ValidationError as exc:
        field, msgs = next(iter(exc.message_dict.items()))
        msg = msgs[0]
        mid, _sep, men = msg.partition(" / ")
        raise DomainError(mid, men or mid, field=None if field == "__all__" else field, code="invalid_product")
    product.save()
    return product


@transaction.atomic
def set_het(*, commodity: str, name: str, max_price, valid_from: dt.date, decree: str, region_code: str = "",
            uom: str = "kg", valid_to: dt.date | None = None) -> PriceCeiling:
    """Administrator: record a HET decree (new row; old rows stay for history)."""
    if not decree.strip():
        raise DomainError("Isi dasar hukum (nomor keputusan) HET.", "Give the decree reference of the HET.",
                          field="decree")
    row, _created = PriceCeiling.objects.update_or_create(
        commodity=commodity, region_code=region_code, valid_from=valid_from,
        defaults={"name": name, "max_price": Decimal(str(max_price)), "decree": decree, "uom": uom,
                  "valid_to": valid_to},
    )
    return row


def find_by_code(koperasi, code: str, unit: str | None = None) -> tuple[Product, ProductUom | None] | None:
    """Barcode (product or pack) or internal code → (product, pack). Malformed EAN raises DomainError."""
    code = check_scanned(code)
    if not code:
        return None
    qs = Product.objects.filter(koperasi=koperasi, active=True)
    if unit:
        qs = qs.filter(unit=unit)
    p = qs.filter(Q(barcode=code) | Q(code__iexact=code)).first()
    if p:
        return p, None
    uom = ProductUom.objects.filter(koperasi=koperasi, barcode=code, product__active=True).select_related(
        "product").first()
    if uom and (not unit or uom.product.unit == unit):
        return uom.product, uom
    return None
