"""Reads shared by member pages, exports and other units."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from kopdes.core.models import Koperasi
from kopdes.core.validators import normalize_phone

from .models import Member, MemberNameToken, name_tokens

# a word matching at most this many members is resolved to ids first (narrowing by the other words by id)
MATERIALIZE_MAX = 5000


def _upper(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (for an index range scan)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _prefix(field: str, prefix: str) -> Q:
    # a range, not LIKE: SQLite's LIKE ... ESCAPE never uses an index, PostgreSQL's needs pattern_ops
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": _upper(prefix)})


def search_members(koperasi: Koperasi, q: str, qs: QuerySet | None = None) -> QuerySet:
    """Members of this cooperative matching ``q``; every branch is an index range scan.

    - digits: member number, NIK prefix, or phone prefix (0812…, +62 812…, 812… all work);
    - text: every word of ``q`` must begin a word of the name ("siti amin" finds "Siti Aminah").
    """
    qs = Member.objects.filter(koperasi=koperasi) if qs is None else qs
    text = (q or "").strip()
    if not text:
        return qs
    digits = re.sub(r"[\s\-+.()]", "", text)
    if digits.isdigit():
        base = Member.objects.filter(koperasi=koperasi)
        conds = [Q(number=digits), _prefix("nik", digits)]
        if len(digits) <= 6:
            conds.append(Q(number=digits.zfill(5)))
        if len(digits) >= 4:
            conds.append(_prefix("phone", normalize_phone(digits)))
        ids: set[int] = set()
        for cond in conds:
            ids.update(base.filter(cond).values_list("pk", flat=True)[:5000])
        return qs.filter(pk__in=ids)
    words = name_tokens(text)
    if not words:
        return qs.none()
    tokens = MemberNameToken.objects.filter(koperasi=koperasi)
    ranges = [tokens.filter(_prefix("token", w)) for w in words]
    # start from the rarest word (index-only counts on the covering token index); when it matches few enough
    # members, resolve it to ids and narrow them word by word, so every query is a small index lookup whatever
    # the registry size; a very common word (a tenth of the registry) stays a semi-join the planner can page
    counted = sorted((r.count(), i) for i, r in enumerate(ranges))
    n, first = counted[0]
    if n <= MATERIALIZE_MAX:
        ids = set(ranges[first].values_list("member_id", flat=True))
        for _n, i in counted[1:]:
            if not ids:
                break
            ids &= set(ranges[i].filter(member_id__in=ids).values_list("member_id", flat=True))
        return qs.filter(pk__in=ids)
    ranges = [ranges[i] for _n, i in counted]
    for r in ranges:
        qs = qs.filter(pk__in=r.values("member_id"))
    return qs


def member_for_user(koperasi: Koperasi, user) -> Member | None:
    """The member record linked to a portal login in this cooperative (the newest, if re-joined)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(koperasi=koperasi, user=user).order_by("-seq").first()
