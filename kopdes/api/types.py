"""Input types whose JSON schema says exactly what is accepted (schemathesis checks both directions).

Amounts: a JSON number or a decimal string (``"150000"``, ``"150000.50"``), never ``""`` or ``"1e5"``.
Dates: ISO 8601 strings only (pydantic would otherwise take ``0`` as a Unix timestamp).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema


def decimal_type(*, places: int, minimum: Decimal, maximum: Decimal, positive: bool = False,
                 floats: bool = False, strings: bool = True, description: str = ""):
    """A decimal accepted as a string (exact) or as JSON number: an integer, or with ``floats`` any number
    (rounded to ``places``: fine for a temperature, never used for money)."""
    int_digits = len(str(int(maximum)))
    sign = "-?" if minimum < 0 else ""
    if positive:
        pattern = (rf"^([1-9][0-9]{{0,{int_digits - 1}}}(\.[0-9]{{1,{places}}})?"
                   rf"|0\.[0-9]{{0,{places - 1}}}[1-9])$")
    else:
        pattern = rf"^{sign}[0-9]{{1,{int_digits}}}(\.[0-9]{{1,{places}}})?$"
    rx = re.compile(pattern)
    step = Decimal(1).scaleb(-places)

    def check(v):
        if isinstance(v, bool) or v is None:
            raise ValueError("harus angka / must be a number")
        if isinstance(v, str):
            if not strings or not rx.match(v):
                raise ValueError(f"format angka tidak valid / invalid number format ({pattern})")
            d = Decimal(v)
        elif (isinstance(v, int) or (floats and isinstance(v, float | Decimal))
              or (isinstance(v, float) and v.is_integer())):  # JSON Schema: 5.0 is an integer
            try:
                d = Decimal(str(v))
            except InvalidOperation:
                raise ValueError("harus angka / must be a number")
            if not d.is_finite():
                raise ValueError("harus angka / must be a number")
            d = d.quantize(step, rounding=ROUND_HALF_UP) if floats else d
        elif isinstance(v, Decimal):
            d = v
        else:
            raise ValueError("harus angka (bilangan bulat) atau teks desimal / integer or decimal string")
        if d < minimum or d > maximum or (positive and d <= 0):
            raise ValueError(f"di luar batas {minimum}…{maximum} / out of range")
        return d

    number = {"type": "number" if floats else "integer", "maximum": float(maximum) if floats else int(maximum)}
    if positive:
        number["minimum"] = 1
    else:
        number["minimum"] = float(minimum) if floats else int(minimum)
    if positive and floats:
        number["exclusiveMinimum"], number["minimum"] = 0, None
        del number["minimum"]
    schema = {"anyOf": [number, {"type": "string", "pattern": pattern}]} if strings else dict(number)
    if description:
        schema["description"] = description
    return Annotated[Decimal, BeforeValidator(check), WithJsonSchema(schema)]


Amount = decimal_type(places=2, minimum=Decimal("0"), maximum=Decimal("999999999999"), positive=True,
                      description="rupiah > 0: bilangan bulat, atau teks dengan ≤ 2 desimal (\"150000.50\")")
Quantity = decimal_type(places=3, minimum=Decimal("0"), maximum=Decimal("99999"), positive=True,
                        description="jumlah > 0: bilangan bulat, atau teks dengan ≤ 3 desimal (\"1.5\")")
Hectares = decimal_type(places=3, minimum=Decimal("0"), maximum=Decimal("99999"), floats=True)
Celsius = decimal_type(places=2, minimum=Decimal("-60"), maximum=Decimal("80"), floats=True, strings=False,
                       description="°C, −60…80 (angka JSON)")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")


def _iso_date(v):
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, str) and _DATE.match(v):
        return v
    raise ValueError("tanggal ISO 8601 (YYYY-MM-DD) / ISO 8601 date")


def _iso_datetime(v):
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, str) and _DATETIME.match(v):
        return v
    raise ValueError("waktu ISO 8601 / ISO 8601 date-time")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]
