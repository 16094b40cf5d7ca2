"""A member's own data (``self:read``): what the member portal shows, for the member's own apps."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from kopdes.members.models import Member

from ..auth import require_scope
from ..common import Money, Paged, paginate, responses
from ..errors import not_found
from .savings import Balances, Transaction, TxFilter, balances_out, transactions_qs, tx_out

router = Router(tags=["anggota: data saya"])


class LoanSummary(Schema):
    number: str
    product: str
    amount: Money
    status: str
    outstanding: Money
    tenor: int
    arrears: Money
    next_due_date: dt.date | None = None
    next_due_amount: Money | None = None


class ShuYear(Schema):
    year: int
    total: Money
    jasa_modal: Money
    jasa_usaha: Money
    capital_avg: Money
    transactions: Money
    status: str


class MyMember(Schema):
    koperasi: str
    number: str
    name: str
    status: str
    joined_on: dt.date | None = None
    savings: Balances | None = None
    loans: list[LoanSummary] | None = None
    shu: list[ShuYear] | None = None


class Which(Schema):
    koperasi: str | None = Field(None, max_length=80, description="slug, bila anggota di lebih dari satu koperasi")


def _member(request, koperasi: str | None) -> Member:
    p = require_scope(request, "self:read")
    qs = Member.objects.filter(user=p.user).select_related("koperasi").order_by("koperasi_id")
    if p.token.koperasi_id:
        qs = qs.filter(koperasi_id=p.token.koperasi_id)
    if koperasi:
        qs = qs.filter(koperasi__slug=koperasi)
    m = qs.first()
    if m is None:
        raise not_found("Token ini bukan milik anggota.", "This token does not belong to a member.")
    return m


@router.get("/me/member", response=responses(MyMember), summary="Data keanggotaan saya")
def my_member(request, w: Query[Which]):
    from kopdes.portal import sources

    m = _member(request, w.koperasi)
    loans = sources.loans(m)
    shu = sources.shu(m)
    return {
        "koperasi": m.koperasi.slug, "number": m.number, "name": m.name, "status": m.status,
        "joined_on": m.joined_on, "savings": balances_out(m),
        "loans": None if loans is None else [
            {"number": ln["number"], "product": ln["product"], "amount": ln["amount"], "status": ln["status"],
             "outstanding": ln["outstanding"], "tenor": ln["tenor"], "arrears": ln["arrears"],
             "next_due_date": (ln["next_due"] or {}).get("due_date"),
             "next_due_amount": (ln["next_due"] or {}).get("amount")} for ln in loans],
        "shu": None if shu is None else [
            {"year": s["year"], "total": s["total"], "jasa_modal": s["jasa_modal"], "jasa_usaha": s["jasa_usaha"],
             "capital_avg": s["capital_avg"], "transactions": s["transactions"], "status": s["allocation_status"]}
            for s in shu],
    }


class MyTxFilter(TxFilter, Which):
    pass


@router.get("/me/member/savings/transactions", response=responses(Paged(Transaction)),
            summary="Mutasi simpanan saya")
def my_transactions(request, f: Query[MyTxFilter]):
    m = _member(request, f.koperasi)
    return paginate(request, transactions_qs(m, f), f, tx_out)


class PurchaseMonth(Schema):
    unit: str = Field(description="sembako (gerai) atau apotek")
    month: dt.date = Field(description="hari pertama bulan")
    count: int
    total: Money = Field(description="belanja bersih setelah retur, Rp")


@router.get("/me/member/purchases", response=responses(list[PurchaseMonth]),
            summary="Belanja saya per bulan (gerai & apotek)")
def my_purchases(request, w: Query[Which]):
    """Monthly totals of the member's own purchases, net of returns, newest first: the basis of SHU jasa usaha
    and what the portal's Belanja page shows."""
    from kopdes.portal import sources

    m = _member(request, w.koperasi)
    out = []
    for unit, rows in (sources.purchases(m) or {}).items():
        out += [{"unit": unit, "month": r["month"], "count": r["count"], "total": r["total"]} for r in rows or []]
    return sorted(out, key=lambda r: (r["month"], r["unit"]), reverse=True)
