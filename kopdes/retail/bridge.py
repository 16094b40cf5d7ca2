"""The only places where retail touches other apps: the ledger (posting) and members (cards, names).

Kept in one module so the stock engine and the POS stay importable by the apotek and gudang without caring
how postings and members are wired.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from kopdes.core.errors import DomainError

ZERO = Decimal("0")


@dataclass
class Leg:
    """One side of a posting: account code, signed amount (+ debit, − credit), unit, member."""

    account: str
    amount: Decimal
    unit: str
    member_id: int | None = None
    memo: str = ""


def post_legs(koperasi, *, date: dt.date, memo: str, legs: list[Leg], source: str, source_id, by=None,
              idempotency_key: str | None = None):
    """Merge legs per (account, unit, member), drop zeros and post one balanced entry. Returns the entry or None."""
    from kopdes.ledger.services import Line, post

    merged: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for leg in legs:
        merged[(leg.account, str(leg.unit), leg.member_id)] += Decimal(leg.amount)
    lines = []
    for (account, unit, member_id), amount in merged.items():
        amount = amount.quantize(Decimal("0.01"))
        if amount == 0:
            continue
        if amount > 0:
            lines.append(Line(account, debit=amount, unit=unit, member_id=member_id))
        else:
            lines.append(Line(account, credit=-amount, unit=unit, member_id=member_id))
    if not lines:
        return None
    return post(koperasi, date=date, memo=memo[:200], lines=lines, source=source, source_id=str(source_id),
                idempotency_key=idempotency_key, by=by if getattr(by, "pk", None) else None)


def reverse_entry(koperasi, entry_id: int | None, *, date: dt.date | None = None, memo: str = "", by=None):
    if not entry_id:
        return None
    from kopdes.ledger.models import JournalEntry
    from kopdes.ledger.services import reverse

    entry = JournalEntry.objects.get(pk=entry_id, koperasi=koperasi)
    return reverse(entry, date=date, memo=memo, by=by if getattr(by, "pk", None) else None)


def account_balance(koperasi, code: str, *, as_of=None, unit=None, member_id=None) -> Decimal:
    from kopdes.ledger.queries import account_balance as _ab

    return _ab(koperasi, code, as_of=as_of, unit=unit, member_id=member_id)


def member_balance(koperasi, code: str, member_id: int, as_of=None) -> Decimal:
    from kopdes.ledger.queries import member_balance as _mb

    return _mb(koperasi, code, member_id, as_of=as_of)


def savings_move(koperasi, member_id: int, amount: Decimal, *, reference: str, date, by=None) -> None:
    """Debit (amount < 0) or credit (> 0) the member's simpanan sukarela through the savings service, against
    the simpan pinjam counter account (1104) that the sale/return entry then clears."""
    from kopdes.members.models import Member
    from kopdes.savings.services import deposit, withdraw

    member = Member.objects.get(koperasi=koperasi, pk=member_id)
    if amount < 0:
        withdraw(member, "sukarela", -amount, method="tunai", reference=reference, date=date, by=by)
    elif amount > 0:
        deposit(member, "sukarela", amount, method="tunai", reference=reference, date=date, by=by)


# --- members --------------------------------------------------------------------------------------------

@dataclass
class MemberInfo:
    id: int
    number: str
    name: str
    nik: str
    active: bool
    farmer_group: str = ""


def _info(m) -> MemberInfo:
    return MemberInfo(id=m.pk, number=m.number, name=m.name, nik=m.nik, active=m.status == "aktif",
                      farmer_group=getattr(m, "farmer_group", "") or "")


def find_member(koperasi, text: str) -> MemberInfo | None:
    """Member card QR text, member number or NIK → member of this cooperative (or None)."""
    from kopdes.members.services import find_member_by_card

    m = find_member_by_card(koperasi, text)
    return _info(m) if m is not None else None


def get_member(koperasi, member_id: int, *, lock: bool = False) -> MemberInfo:
    from kopdes.members.models import Member

    qs = (Member.objects.locked(koperasi) if lock else Member.objects.for_koperasi(koperasi)).filter(pk=member_id)
    m = qs.first()
    if m is None:
        raise DomainError("Anggota tidak ditemukan di koperasi ini.", "Member not found in this cooperative.",
                          field="member", code="member_not_found")
    return _info(m)


def members_by_id(koperasi, ids) -> dict[int, MemberInfo]:
    from kopdes.members.models import Member

    return {m.pk: _info(m) for m in Member.objects.filter(koperasi=koperasi, pk__in=set(ids))}


def bon_debts(member) -> list:
    """Debt provider for a leaving member: their outstanding bon (1141)."""
    from kopdes.members.debts import Debt

    owed = member_balance(member.koperasi, "1141", member.pk)
    if owed <= 0:
        return []
    return [Debt(source=f"retail.Bon:{member.pk}", label="Bon gerai sembako", amount=owed, account="1141",
                 unit="sembako")]
