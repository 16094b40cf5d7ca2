"""Savings: balances, deposits (setoran wajib/sukarela, pokok) and withdrawals (sukarela)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Header, Query, Router, Schema

from kopdes.core.units import Unit
from kopdes.savings import services as savings
from kopdes.savings.models import SavingsTransaction

from ..auth import koperasi_for
from ..common import Money, Paged, PageQuery, idempotent, paginate, responses
from ..types import Amount, IsoDate
from .members import get_member

router = Router(tags=["simpanan"])
UNIT = Unit.SIMPAN_PINJAM


class Balances(Schema):
    member_number: str
    pokok: Money
    wajib: Money
    sukarela: Money
    total: Money
    wajib_arrears: Money
    wajib_arrears_months: int


def balances_out(m) -> dict:
    b = savings.balances(m)
    arrears, months = savings.member_arrears(m)
    return {"member_number": m.number, "pokok": b["pokok"], "wajib": b["wajib"], "sukarela": b["sukarela"],
            "total": sum(b.values(), Decimal(0)), "wajib_arrears": arrears, "wajib_arrears_months": months}


class Transaction(Schema):
    date: dt.date
    kind: str
    type: str
    amount: Money
    memo: str
    receipt_number: str | None = None


def tx_out(t: SavingsTransaction) -> dict:
    return {"date": t.date, "kind": t.kind, "type": t.type, "amount": t.amount, "memo": t.memo,
            "receipt_number": t.receipt.number if t.receipt_id else None}


class TxFilter(PageQuery):
    kind: Literal["pokok", "wajib", "sukarela"] | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


def transactions_qs(m, f: TxFilter):
    qs = (SavingsTransaction.objects.filter(koperasi_id=m.koperasi_id, member=m).select_related("receipt")
          .order_by("-date", "-id"))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.date_from:
        qs = qs.filter(date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(date__lte=f.date_to)
    return qs


@router.get("/koperasi/{slug}/members/{number}/savings", response=responses(Balances),
            summary="Saldo simpanan seorang anggota")
def member_balances(request, slug: str, number: str):
    k, _a = koperasi_for(request, slug, "savings", unit=UNIT)
    return balances_out(get_member(k, number))


@router.get("/koperasi/{slug}/members/{number}/savings/transactions", response=responses(Paged(Transaction)),
            summary="Mutasi simpanan seorang anggota")
def member_transactions(request, slug: str, number: str, f: Query[TxFilter]):
    k, _a = koperasi_for(request, slug, "savings", unit=UNIT)
    return paginate(request, transactions_qs(get_member(k, number), f), f, tx_out)


class CounterIn(Schema):
    member_number: str = Field(..., min_length=1, max_length=20)
    amount: Amount
    method: Literal["tunai", "transfer", "qris"] = "tunai"
    reference: str = Field("", max_length=80, description="wajib untuk transfer/QRIS")
    date: IsoDate | None = Field(None, description="kosong: hari ini")


class DepositIn(CounterIn):
    kind: Literal["pokok", "wajib", "sukarela"]


class WithdrawalIn(CounterIn):
    kind: Literal["sukarela"] = "sukarela"


class ReceiptOut(Schema):
    number: str
    member_number: str
    date: dt.date
    kind: str
    type: str
    amount: Money
    method: str
    balance_after: Money
    journal_entry: str


def receipt_out(r, m) -> dict:
    return {"number": r.number, "member_number": m.number, "date": r.date, "kind": r.kind, "type": r.type,
            "amount": r.amount, "method": r.method, "balance_after": r.balance_after,
            "journal_entry": r.entry_number}


def _counter(request, slug, data, response, key, scope, op):
    k, _a = koperasi_for(request, slug, "savings", write=True, unit=UNIT)
    m = get_member(k, data.member_number)

    def run():
        kw = {"method": data.method, "reference": data.reference, "date": data.date, "by": request.user}
        r = op(m, data.kind, data.amount, **kw)
        return receipt_out(r, m)

    result = idempotent(request, k, scope, key, {"slug": slug, **data.model_dump(mode="json")}, run)
    if request.idempotent_replayed:
        response["Idempotent-Replayed"] = "true"
    return result


@router.post("/koperasi/{slug}/savings/deposits", response=responses(ReceiptOut, 400, 409, status=201),
             summary="Setoran simpanan (pokok/wajib/sukarela)")
def deposit(request, slug: str, data: DepositIn, response: HttpResponse,
            idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=80)):
    return _counter(request, slug, data, response, idempotency_key, "savings.deposit", savings.deposit)


@router.post("/koperasi/{slug}/savings/withdrawals", response=responses(ReceiptOut, 400, 409, status=201),
             summary="Penarikan simpanan sukarela")
def withdrawal(request, slug: str, data: WithdrawalIn, response: HttpResponse,
               idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=80)):
    return _counter(request, slug, data, response, idempotency_key, "savings.withdraw", savings.withdraw)
