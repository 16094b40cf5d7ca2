"""Excel and CSV exports never carry a live formula from text people typed (CSV/formula injection).

A member named ``=HYPERLINK("http://…","klik")`` or ``=1+1`` became a formula in the member list: openpyxl writes a
string starting with ``=`` as a formula, and spreadsheet programs run a CSV cell starting with ``= + - @`` (or a tab
or carriage return before one) as one. Every export therefore goes through this module:

- :func:`xlsx_bytes` saves a workbook after neutralising every text cell in it (nothing in Kopdes writes real
  formulas); a ``write_only`` workbook cannot be walked, so its rows go through :func:`safe_row` as they are appended;
- :func:`csv_writer` is ``csv.writer`` with every row neutralised.

Neutralising puts an apostrophe in front (OWASP's advice; Excel shows the text as typed). Numbers stay numbers:
a ``Decimal``/``int``/``float`` is never touched, and neither is text that is just a number (``-5000.00`` in a CSV).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)(%)?")


def neutralise(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would read as a formula; then ``"'" + value``."""
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return value
    if _NUMBER.fullmatch(value) or value.strip("-") == "":
        return value  # a number written as text, or a lone dash for "none"
    return "'" + value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def neutralise_workbook(wb) -> None:
    """Every text (or would-be formula) cell of every sheet, neutralised in place."""
    for ws in wb.worksheets:
        for cell in ws._cells.values():  # noqa: SLF001 - the only way over the cells that exist, without filling gaps
            if isinstance(cell.value, str) and cell.data_type in ("s", "f", "inlineStr"):
                safe = neutralise(cell.value)
                if safe is not cell.value:
                    cell.value = safe
                    cell.data_type = "s"


def xlsx_bytes(wb) -> bytes:
    """The workbook as .xlsx bytes, with no formula from text in it."""
    if not getattr(wb, "write_only", False):
        neutralise_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class _SafeWriter:
    def __init__(self, buf, **kwargs: Any):
        self._w = csv.writer(buf, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(buf, **kwargs: Any) -> _SafeWriter:
    """``csv.writer(buf)`` that neutralises every cell."""
    return _SafeWriter(buf, **kwargs)
