"""Reads shared by pages, reports and other units. Aggregation happens in SQL, over month snapshots
(``AccountMonth``) for whole months and over journal lines only for the part of a month a date range cuts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from kopdes.core.models import Koperasi

from .models import Account, AccountMonth, JournalLine

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def cents(value) -> Decimal:
    """A sum to the cent. Every line has two decimals, so this is exact; it drops SQLite's float tails
    (``5610018366.71000000``, ``60305.9900000000001``) so reports, exports and other units see clean amounts."""
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _accounts_for(koperasi: Koperasi, code: str) -> tuple[Account | None, list[int]]:
    code = str(code)
    accounts = list(Account.objects.filter(koperasi=koperasi).filter(Q(code=code) | Q(code__startswith=code)))
    head = next((a for a in accounts if a.code == code), None)
    return head, [a.pk for a in accounts]


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def sums_by_account(koperasi: Koperasi | int, start: dt.date | None, end: dt.date | None, *,
                    unit: str | None = None, account_ids: list[int] | None = None,
                    by_unit: bool = False) -> dict:
    """``{account_id: (debit, credit)}`` (or ``{(account_id, unit): …}`` with ``by_unit``) of posted lines dated
    in [start, end] (either end open). Whole months come from snapshots; the cut months from lines."""
    kid = koperasi if isinstance(koperasi, int) else koperasi.pk
    out: dict = defaultdict(lambda: [ZERO, ZERO])
    keys = ["account_id", "unit"] if by_unit else ["account_id"]

    def add(rows):
        for r in rows:
            k = (r["account_id"], r["unit"]) if by_unit else r["account_id"]
            out[k][0] += cents(r["d"])
            out[k][1] += cents(r["c"])

    # whole months inside the range
    first_full = None if start is None else (start if start.day == 1 else _next_month(start))
    if end is None:
        last_full_excl = None
    else:
        nxt = end + dt.timedelta(days=1)
        last_full_excl = nxt if nxt.day == 1 else _month_start(end)  # months strictly before this one
    snap = AccountMonth.objects.filter(koperasi_id=kid)
    # No join to the entry: a draft's lines are only visible inside its own posting transaction (drafts left
    # behind by a bypassing bug are reported by integrity.check_integrity). The join would triple the cost.
    line = JournalLine.objects.filter(koperasi_id=kid)
    if unit:
        snap = snap.filter(unit=unit)
        line = line.filter(unit=unit)
    if account_ids is not None:
        snap = snap.filter(account_id__in=account_ids)
        line = line.filter(account_id__in=account_ids)
    if first_full is None or last_full_excl is None or first_full < last_full_excl:
        q = snap
        if first_full is not None:
            q = q.filter(Q(year__gt=first_full.year) | Q(year=first_full.year, month__gte=first_full.month))
        if last_full_excl is not None:
            q = q.filter(Q(year__lt=last_full_excl.year) | Q(year=last_full_excl.year, month__lt=last_full_excl.month))
        add(q.values(*keys).annotate(d=Sum("debit"), c=Sum("credit")).order_by())
        # cut months: [start, first_full) and [last_full_excl, end]
        cuts = []
        if start is not None and first_full != start:
            cuts.append((start, first_full - dt.timedelta(days=1)))
        if end is not None and last_full_excl is not None and last_full_excl <= end:
            cuts.append((last_full_excl, end))
    else:  # the range sits inside one month (or two partial months without a whole one between)
        cuts = [(start, end)]
    for a, b in cuts:
        q = line
        if a is not None:
            q = q.filter(date__gte=a)
        if b is not None:
            q = q.filter(date__lte=b)
        add(q.values(*keys).annotate(d=Sum("debit"), c=Sum("credit")).order_by())
    return out


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def cash_balances(koperasi: Koperasi, as_of: dt.date | None = None) -> list[tuple[Account, Decimal]]:
    """Every cash/bank account (``is_cash``, a posting account) with its balance, in one sums query: the cash
    page, the ledger home and the dashboard widget."""
    accounts = list(Account.objects.filter(koperasi=koperasi, is_cash=True, is_header=False).order_by("code"))
    sums = sums_by_account(koperasi, None, as_of, account_ids=[a.pk for a in accounts])
    out = []
    for a in accounts:
        d, c = sums.get(a.pk, (ZERO, ZERO))
        out.append((a, (d - c) if a.normal == "D" else (c - d)))
    return out


def account_balance(koperasi: Koperasi, code: str, as_of: dt.date | None = None, unit: str | None = None,
                    member_id: int | None = None) -> Decimal:
    """Balance of an account (or a header and everything under it) at the end of ``as_of`` (default: all),
    signed in the account's normal direction (a debit-normal asset with more debits is positive)."""
    head, ids = _accounts_for(koperasi, code)
    if head is None:
        return ZERO
    sign = 1 if head.normal == "D" else -1
    if member_id is not None:
        q = JournalLine.objects.filter(koperasi=koperasi, account_id__in=ids, member_id=member_id,
                                       entry__status="posted")
        if as_of is not None:
            q = q.filter(date__lte=as_of)
        if unit:
            q = q.filter(unit=unit)
        agg = q.aggregate(d=Sum("debit"), c=Sum("credit"))
        d, c = cents(agg["d"]), cents(agg["c"])
    else:
        sums = sums_by_account(koperasi, None, as_of, unit=unit, account_ids=ids)
        d = sum((v[0] for v in sums.values()), ZERO)
        c = sum((v[1] for v in sums.values()), ZERO)
    return (d - c) * sign


def member_balance(koperasi: Koperasi, code: str, member_id: int, as_of: dt.date | None = None) -> Decimal:
    """A member's balance on an account (e.g. simpanan wajib 3102), signed in the account's normal direction."""
    return account_balance(koperasi, code, as_of=as_of, member_id=member_id)


def member_balances(koperasi: Koperasi, code: str, as_of: dt.date | None = None) -> dict[int, Decimal]:
    """Every member's balance on one account in one query: ``{member_id: balance}``."""
    head, ids = _accounts_for(koperasi, code)
    if head is None:
        return {}
    sign = 1 if head.normal == "D" else -1
    q = JournalLine.objects.filter(koperasi=koperasi, account_id__in=ids, member_id__isnull=False,
                                   entry__status="posted")
    if as_of is not None:
        q = q.filter(date__lte=as_of)
    rows = q.values("member_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by()
    return {r["member_id"]: (cents(r["d"]) - cents(r["c"])) * sign for r in rows}
