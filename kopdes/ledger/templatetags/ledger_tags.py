from __future__ import annotations

from decimal import Decimal

from django import template

from kopdes.core.money import format_rupiah

register = template.Library()


@register.filter
def cell(value):
    """A statement cell: amounts as 1.234.567 with negatives in parentheses; text as is."""
    if isinstance(value, Decimal):
        if value < 0:
            return f"({format_rupiah(-value, with_symbol=False)})"
        return format_rupiah(value, with_symbol=False)
    return "" if value is None else value


@register.filter
def is_amount(value) -> bool:
    return isinstance(value, Decimal)
