"""Money is Decimal rupiah. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value) -> Decimal:
    """Parse a number (str, int, Decimal; Indonesian '1.234.567,50' too) into Decimal with 2 places."""
    if isinstance(value, float):
        raise TypeError("float is not money; pass str or Decimal")
    if isinstance(value, str):
        text = value.strip().replace("Rp", "").replace(" ", "")
        if "," in text:  # Indonesian: dots group thousands, comma is the decimal mark
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") > 1 or (text.count(".") == 1 and len(text.split(".")[1]) == 3):
            text = text.replace(".", "")
        value = text
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def round_rupiah(value: Decimal, step: int = 1) -> Decimal:
    """Round half up to a whole number of rupiah (or to ``step`` rupiah, e.g. 100)."""
    step_d = Decimal(step)
    return ((value / step_d).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step_d).quantize(CENT)


def format_rupiah(value, *, with_symbol: bool = True, decimals: bool | None = None) -> str:
    """``Rp1.234.567`` (Indonesian grouping); ``-Rp1.500`` for negatives; ``,50`` only if there are cents."""
    if value is None or value == "":
        return ""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    negative = d < 0
    d = abs(d).quantize(CENT, rounding=ROUND_HALF_UP)
    whole, frac = divmod(d, 1)
    grouped = f"{int(whole):,}".replace(",", ".")
    show_decimals = decimals if decimals is not None else frac != 0
    text = grouped + ("," + f"{frac:.2f}"[2:] if show_decimals else "")
    return ("-" if negative else "") + ("Rp" if with_symbol else "") + text
