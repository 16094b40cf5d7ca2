"""A member's statement: every savings movement with running balances, plus sections from other units.

Other units (loans, SHU, retail credit) add their part of the statement by registering a section::

    from kopdes.savings.statement import register_statement_section

    def loans_section(member, start, end):
        return {"title": "Pinjaman", "rows": [{"date": d, "label": "...", "amount": Decimal(..)}],
                "balance_label": "Sisa pinjaman", "balance": Decimal(...)}  # or None when nothing to show

    register_statement_section("loans", loans_section)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from kopdes.members.models import Member

from .models import Kind, SavingsTransaction

ZERO = Decimal("0.00")
_SECTIONS: dict[str, Callable] = {}


def register_statement_section(key: str, fn: Callable) -> None:
    _SECTIONS[key] = fn


def unregister_statement_section(key: str) -> None:
    _SECTIONS.pop(key, None)


@dataclass
class StatementRow:
    date: dt.date
    kind: str
    kind_label: str
    type_label: str
    memo: str
    amount: Decimal
    balance: Decimal  # of that kind, after the row
    total: Decimal  # all kinds, after the row
    reference: str = ""


@dataclass
class Statement:
    member: Member
    start: dt.date | None
    end: dt.date | None
    opening: dict[str, Decimal] = field(default_factory=dict)
    rows: list[StatementRow] = field(default_factory=list)
    closing: dict[str, Decimal] = field(default_factory=dict)
    sections: list[dict] = field(default_factory=list)

    @property
    def opening_total(self) -> Decimal:
        return sum(self.opening.values(), ZERO)

    @property
    def closing_total(self) -> Decimal:
        return sum(self.closing.values(), ZERO)


def member_statement(member: Member, start: dt.date | None = None, end: dt.date | None = None) -> Statement:
    qs = SavingsTransaction.objects.filter(koperasi_id=member.koperasi_id, member=member).select_related("receipt")
    opening = {k: ZERO for k in Kind.values}
    if start:
        for t in qs.filter(date__lt=start).values_list("kind", "amount"):
            opening[t[0]] += t[1]
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    st = Statement(member=member, start=start, end=end, opening=dict(opening))
    running = dict(opening)
    labels = dict(Kind.choices)
    for t in qs.order_by("date", "id"):
        running[t.kind] += t.amount
        st.rows.append(StatementRow(
            date=t.date, kind=t.kind, kind_label=str(labels[t.kind]), type_label=t.get_type_display(), memo=t.memo,
            amount=t.amount, balance=running[t.kind], total=sum(running.values(), ZERO),
            reference=t.receipt.number if t.receipt_id else t.entry_number,
        ))
    st.closing = running
    for _key, fn in _SECTIONS.items():
        section = fn(member, start, end)
        if section:
            st.sections.append(section)
    return st
