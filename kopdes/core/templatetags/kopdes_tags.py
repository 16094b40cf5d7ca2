from __future__ import annotations

from decimal import Decimal

from django import template

from kopdes.core.money import format_rupiah

register = template.Library()


@register.filter
def rp(value, decimals=None):
    """``{{ amount|rp }}`` → ``Rp1.234.567``."""
    try:
        return format_rupiah(value, decimals=bool(decimals) if decimals is not None else None)
    except Exception:  # noqa: BLE001
        return value


@register.filter
def angka(value):
    """Indonesian grouping without the symbol: 1.234.567."""
    return format_rupiah(value, with_symbol=False)


@register.filter
def pct(value, places=1):
    if value is None or value == "":
        return "–"
    q = Decimal(value).quantize(Decimal(1).scaleb(-int(places)))
    return f"{q}".replace(".", ",") + "%"


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
