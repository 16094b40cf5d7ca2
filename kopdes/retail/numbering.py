"""Gap-free document numbers of the gerai (PO, GR, RB, RJ …) per cooperative, prefix and year: the core
numbering service (:mod:`kopdes.core.numbering`), series ``retail.<prefix>``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from kopdes.core import numbering


@transaction.atomic(savepoint=False)
def next_number(koperasi, prefix: str, date: dt.date, width: int = 6) -> str:
    year = date.year
    return f"{prefix}-{year}-{numbering.next_value(koperasi, f'retail.{prefix}', year):0{width}d}"
