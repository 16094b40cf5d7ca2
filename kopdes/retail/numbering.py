"""Gap-free document numbers per cooperative, prefix and year."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Sequence


@transaction.atomic(savepoint=False)
def next_number(koperasi, prefix: str, date: dt.date, width: int = 6) -> str:
    year = date.year
    updated = Sequence.objects.filter(koperasi=koperasi, prefix=prefix, year=year).update(last=F("last") + 1)
    if not updated:
        try:
            with transaction.atomic():
                Sequence.objects.create(koperasi=koperasi, prefix=prefix, year=year, last=1)
        except IntegrityError:
            Sequence.objects.filter(koperasi=koperasi, prefix=prefix, year=year).update(last=F("last") + 1)
    last = Sequence.objects.get(koperasi=koperasi, prefix=prefix, year=year).last
    return f"{prefix}-{year}-{last:0{width}d}"
