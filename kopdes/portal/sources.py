"""What the portal shows comes from each unit's own reads. A unit that is not installed yields ``None``
(the page then says the service is not available) — never an error, never a read of its tables here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps

ZERO = Decimal("0")


def _try(path: str, name: str):
    try:
        mod = __import__(path, fromlist=[name])
    except ImportError:
        return None
    return getattr(mod, name, None)


def savings(member) -> dict | None:
    balances = _try("kopdes.savings.services", "balances")
    arrears = _try("kopdes.savings.services", "member_arrears")
    if balances is None:
        return None
    b = balances(member)
    amount, months = arrears(member) if arrears else (ZERO, 0)
    return {"pokok": b.get("pokok", ZERO), "wajib": b.get("wajib", ZERO), "sukarela": b.get("sukarela", ZERO),
            "total": sum(b.values(), ZERO), "arrears": amount, "arrears_months": months}


def savings_history(member, kind: str | None = None, date_from: dt.date | None = None,
                    date_to: dt.date | None = None):
    model = _try("kopdes.savings.models", "SavingsTransaction")
    if model is None:
        return None
    qs = model.objects.filter(koperasi_id=member.koperasi_id, member=member).order_by("-date", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs


def dues(member):
    model = _try("kopdes.savings.models", "WajibDue")
    if model is None:
        return None
    return model.objects.filter(koperasi_id=member.koperasi_id, member=member).order_by("-period")[:36]


def loans(member) -> list[dict] | None:
    fn = _try("kopdes.loans.queries", "member_loans")
    return None if fn is None else fn(member.koperasi, member.pk)


def loan_detail(member, loan_id: int) -> dict | None:
    """``{"loan", "schedule", "statement", "summary"}`` of one loan of this member; None if not theirs."""
    model = _try("kopdes.loans.models", "Loan")
    statement = _try("kopdes.loans.queries", "statement")
    if model is None:
        return None
    loan = model.objects.filter(koperasi_id=member.koperasi_id, member_id=member.pk, pk=loan_id).select_related(
        "product").first()
    if loan is None:
        return None
    summary = next((r for r in (loans(member) or []) if r["id"] == loan.pk), None)
    schedule = list(loan.installments.filter(superseded=False).order_by("no"))
    return {"loan": loan, "summary": summary, "schedule": schedule,
            "statement": statement(loan) if statement else []}


def purchases(member) -> dict | None:
    fn = _try("kopdes.retail.queries", "member_purchases")
    if fn is None:
        return None
    out = {"sembako": fn(member.koperasi, member.pk, unit="sembako")}
    pharmacy = _try("kopdes.pharmacy.queries", "member_purchases")
    if pharmacy is not None:
        out["apotek"] = pharmacy(member.koperasi, member.pk)
    elif apps.is_installed("kopdes.pharmacy"):
        # the apotek sells through the gerai's POS (a ``retail.Sale`` of unit apotek, tagged with the member)
        out["apotek"] = fn(member.koperasi, member.pk, unit="apotek")
    else:
        out["apotek"] = None
    return out


def fertilizer(member) -> list[dict] | None:
    fn = _try("kopdes.retail.queries", "member_fertilizer")
    return None if fn is None else fn(member.koperasi, member.pk)


def storage(member) -> list[dict] | None:
    fn = _try("kopdes.warehouse.queries", "member_storage")
    return None if fn is None else fn(member.koperasi, member.pk)


def _paid_label(row: dict) -> str:
    from django.utils.translation import gettext as _

    if not row.get("paid"):
        return _("Belum dibayar")
    if row.get("payout_mode") == "sukarela":
        return _("Sudah dibayar ke simpanan sukarela")
    return _("Sudah dibayar tunai")


def shu(member) -> list[dict] | None:
    """The member's SHU per year (newest first) and how it was computed: the member's capital (average simpanan
    pokok+wajib) and transactions against all members' totals, times the jasa modal / jasa usaha pools of the
    by-laws. Amounts come from ``kopdes.ledger.shu.member_shu``; the totals and pools from the allocation."""
    member_shu = _try("kopdes.ledger.shu", "member_shu")
    allocation = _try("kopdes.ledger.models", "ShuAllocation")
    if member_shu is None or allocation is None:
        return None
    from django.db.models import Sum

    out = []
    for alloc in allocation.objects.filter(koperasi_id=member.koperasi_id).order_by("-year"):
        row = member_shu(member.koperasi, alloc.year, member.pk)
        if row is None:
            continue
        totals = alloc.shares.aggregate(c=Sum("capital_avg"), t=Sum("transactions"))
        pools = {p.get("field"): Decimal(str(p.get("amount", 0))) for p in (alloc.parts or [])}
        out.append({
            **row,
            "capital_share": row["jasa_modal"], "transaction_share": row["jasa_usaha"],
            "capital_basis": row["capital_avg"], "capital_total": totals["c"] or ZERO,
            "capital_pool": pools.get("shu_jasa_modal", ZERO),
            "transaction_basis": row["transactions"], "transaction_total": totals["t"] or ZERO,
            "transaction_pool": pools.get("shu_jasa_usaha", ZERO),
            "status": _paid_label(row), "allocation_status": row["status"], "cooperative_shu": alloc.shu,
        })
    return out
