"""Reads shared by member pages, exports and other units."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from kopdes.core.models import Koperasi
from kopdes.core.validators import normalize_phone

from .models import Member, normalize_name


def search_members(koperasi: Koperasi, q: str, qs: QuerySet | None = None) -> QuerySet:
    """Members of this cooperative matching ``q``: digits → number, NIK prefix or phone; text → name.

    Uses the ``(koperasi, nik|phone|name_key)`` indexes; a name matches anywhere (``"amin"`` finds
    "Siti Aminah").
    """
    qs = Member.objects.filter(koperasi=koperasi) if qs is None else qs
    text = (q or "").strip()
    if not text:
        return qs
    digits = re.sub(r"[\s\-+.]", "", text)
    if digits.isdigit():
        cond = Q(number=digits) | Q(nik__startswith=digits)
        if len(digits) <= 6:
            cond |= Q(number=digits.zfill(5))
        if len(digits) >= 6:
            cond |= Q(phone__startswith=normalize_phone(digits))
        return qs.filter(cond)
    return qs.filter(name_key__contains=normalize_name(text))
