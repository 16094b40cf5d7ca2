"""Loans: a member's loans, and repayments (angsuran) from partners such as a bank collecting instalments."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Header, Router, Schema

from kopdes.core.units import Unit
from kopdes.loans import services as loans
from kopdes.loans.models import Loan
from kopdes.loans.queries import member_loans

from ..auth import koperasi_for
from ..common import Money, idempotent, responses
from ..errors import not_found
from ..types import Amount, IsoDate
from .members import get_member

router = Router(tags=["pinjaman"])
UNIT = Unit.SIMPAN_PINJAM


class LoanOut(Schema):
    number: str
    product: str
    amount: Money
    status: str
    applied_on: dt.date | None = None
    disbursed_on: dt.date | None = None
    outstanding: Money
    tenor: int
    arrears: Money
    loan_class: str | None = None
    next_due_date: dt.date | None = None
    next_due_amount: Money | None = None


def loan_out(row: dict) -> dict:
    nxt = row.get("next_due") or {}
    return {k: row.get(k) for k in ("number", "product", "amount", "status", "applied_on", "disbursed_on",
                                     "outstanding", "tenor", "arrears", "loan_class")} | {
        "next_due_date": nxt.get("due_date"), "next_due_amount": nxt.get("amount")}


@router.get("/koperasi/{slug}/members/{number}/loans", response=responses(list[LoanOut]),
            summary="Pinjaman seorang anggota")
def list_member_loans(request, slug: str, number: str):
    k, _a = koperasi_for(request, slug, "loans", unit=UNIT)
    m = get_member(k, number)
    return [loan_out(r) for r in member_loans(k, m.pk)]


class RepaymentIn(Schema):
    amount: Amount
    channel: Literal["tunai", "transfer", "sukarela"] = "transfer"
    date: IsoDate | None = Field(None, description="kosong: hari ini")


class RepaymentOut(Schema):
    number: str
    loan_number: str
    date: dt.date
    amount: Money
    penalty: Money
    interest: Money
    principal: Money
    outstanding_after: Money
    loan_status: str


@router.post("/koperasi/{slug}/loans/{loan_number}/repayments",
             response=responses(RepaymentOut, 400, 409, status=201), summary="Bayar angsuran pinjaman")
def repay(request, slug: str, loan_number: str, data: RepaymentIn, response: HttpResponse,
          idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=80)):
    k, _a = koperasi_for(request, slug, "loans", write=True, unit=UNIT)
    loan = Loan.objects.filter(koperasi=k, number=loan_number).first()
    if loan is None:
        raise not_found("Pinjaman tidak ditemukan.", "Loan not found.")

    def run():
        r = loans.repay(k, loan, amount=data.amount, date=data.date, channel=data.channel, by=request.user)
        fresh = Loan.objects.get(pk=loan.pk, koperasi=k)
        return {"number": r.number, "loan_number": fresh.number, "date": r.date, "amount": r.amount,
                "penalty": r.penalty, "interest": r.interest, "principal": r.principal,
                "outstanding_after": fresh.outstanding, "loan_status": fresh.status}

    result = idempotent(request, k, "loans.repay", idempotency_key,
                              {"slug": slug, "loan": loan_number, **data.model_dump(mode="json")}, run)
    if request.idempotent_replayed:
        response["Idempotent-Replayed"] = "true"
    return result
