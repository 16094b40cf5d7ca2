"""Reads shared by pages, reports, the member portal and supervision."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from .models import LOAN_CLASSES, NPL_CLASSES, SECTORS, Installment, Loan, LoanSettings, Repayment
from .services import classify, dues, open_rows, prefetch_open_rows, settings_for

ZERO = Decimal("0")


def member_loans(koperasi, member_id: int) -> list[dict]:
    """A member's loans for the member portal: number, product, amount, outstanding, status, next due, arrears."""
    today = timezone.localdate()
    out = []
    loans = prefetch_open_rows(Loan.objects.filter(koperasi=koperasi, member_id=member_id).select_related("product")
                               .order_by("-applied_on", "-id"))
    for loan in loans:
        nxt = None
        arrears = ZERO
        if loan.status == Loan.Status.AKTIF:
            d = dues(loan, today)
            arrears = d["total"]
            row = next((r for r in open_rows(loan) if r.due_date > today), None)
            if row:
                nxt = {"due_date": row.due_date, "amount": row.unpaid}
        out.append({"id": loan.pk, "number": loan.number, "product": loan.product.name, "amount": loan.amount,
                    "status": loan.status, "status_label": loan.get_status_display(), "applied_on": loan.applied_on,
                    "disbursed_on": loan.disbursed_on, "outstanding": loan.outstanding, "tenor": loan.tenor,
                    "arrears": arrears, "next_due": nxt, "loan_class": loan.loan_class,
                    "reject_reason": loan.reject_reason})
    return out


def live_dpd(koperasi, as_of: dt.date) -> dict[int, int]:
    """Days past due of every active loan on ``as_of`` (oldest unpaid due instalment), one query."""
    rows = (Installment.objects.filter(koperasi=koperasi, settled=False, superseded=False, due_date__lt=as_of,
                                       loan__status=Loan.Status.AKTIF)
            .values("loan_id").annotate(oldest=Min("due_date")).order_by())
    return {r["loan_id"]: (as_of - r["oldest"]).days for r in rows}


def classified_loans(koperasi, as_of: dt.date | None = None):
    """Active loans with live dpd and class (list of (loan, dpd, class))."""
    as_of = as_of or timezone.localdate()
    s = settings_for(koperasi)
    dpd = live_dpd(koperasi, as_of)
    out = []
    for loan in Loan.objects.filter(koperasi=koperasi, status=Loan.Status.AKTIF).select_related("member", "product"):
        d = dpd.get(loan.pk, 0)
        cls = classify(d, scheme=s.scheme, settings=s, frequency=loan.frequency, season_months=loan.season_months,
                       collateral_value=loan.collateral_value, outstanding=loan.outstanding)
        out.append((loan, d, cls))
    return out


def portfolio_summary(koperasi, as_of: dt.date | None = None) -> dict:
    """Outstanding, NPL amount/ratio, PAR30/90 and the split by class and by purpose (live, as of a date).

    Reads plain values (no model instances): one aggregate for days past due, one scan of active loans."""
    as_of = as_of or timezone.localdate()
    s = settings_for(koperasi)
    dpd = live_dpd(koperasi, as_of)
    by_class = {c: {"label": LOAN_CLASSES[c], "count": 0, "outstanding": ZERO, "provision": ZERO}
                for c in (["L", "DPK", "KL", "D", "M"] if s.scheme == LoanSettings.Scheme.BANK else
                          ["L", "KL", "D", "M"])}
    by_purpose: dict[str, dict] = defaultdict(lambda: {"count": 0, "outstanding": ZERO})
    par30 = par90 = total = ZERO
    count = 0
    sectors = {k: str(v) for k, v in SECTORS}
    class_out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    class_ppap: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = (Loan.objects.filter(koperasi=koperasi, status=Loan.Status.AKTIF)
            .values_list("id", "outstanding", "frequency", "season_months", "collateral_value", "purpose", "sector")
            .iterator(chunk_size=5000))
    for pk, out, freq, season, collateral, purpose, sector in rows:
        d = dpd.get(pk, 0)
        c = classify(d, scheme=s.scheme, settings=s, frequency=freq, season_months=season,
                     collateral_value=collateral, outstanding=out)
        count += 1
        total += out
        b = by_class[c]
        b["count"] += 1
        class_out[c] += out
        class_ppap[c] += s.provision(c, out, collateral)
        key = sectors.get(sector, "Produktif") if purpose == "produktif" else "Konsumtif"
        bp = by_purpose[key]
        bp["count"] += 1
        bp["outstanding"] += out
        if d > 30:
            par30 += out
        if d > 90:
            par90 += out
    for c, b in by_class.items():
        b["outstanding"] = class_out[c]
        b["provision"] = class_ppap[c]
    npl = sum((by_class[c]["outstanding"] for c in NPL_CLASSES if c in by_class), ZERO)

    def ratio(x):
        return (x / total * 100).quantize(Decimal("0.01")) if total else Decimal("0.00")

    return {"as_of": as_of, "scheme": s.scheme, "count": count, "outstanding": total, "npl": npl,
            "npl_ratio": ratio(npl), "par30": par30, "par30_ratio": ratio(par30), "par90": par90,
            "par90_ratio": ratio(par90), "by_class": by_class, "by_purpose": dict(by_purpose),
            "provision_required": sum((b["provision"] for b in by_class.values()), ZERO).quantize(Decimal("1"))}


def arrears_list(koperasi, as_of: dt.date | None = None) -> list[dict]:
    """For collectors: every active loan with something overdue, with the member's phone and the amount due."""
    as_of = as_of or timezone.localdate()
    dpd = live_dpd(koperasi, as_of)
    out = []
    loans = prefetch_open_rows(Loan.objects.filter(koperasi=koperasi, pk__in=list(dpd))
                               .select_related("member", "product"))
    for loan in loans:
        d = dues(loan, as_of)
        out.append({"loan": loan, "member": loan.member, "phone": loan.member.phone, "dpd": dpd[loan.pk],
                    "principal": d["principal"], "interest": d["interest"], "penalty": d["penalty"],
                    "total": d["total"], "outstanding": loan.outstanding,
                    "address": getattr(loan.member, "address_line", "")})
    out.sort(key=lambda r: -r["dpd"])
    return out


def flows(koperasi, start: dt.date, end: dt.date) -> dict:
    """Disbursements and repayments in a period."""
    disb = Loan.objects.filter(koperasi=koperasi, disbursed_on__range=(start, end))
    reps = Repayment.objects.filter(koperasi=koperasi, date__range=(start, end), reversed=False)
    d = disb.aggregate(n=Count("id"), s=Sum("amount"), f=Sum("admin_fee"), p=Sum("provision_fee"))
    r = reps.aggregate(n=Count("id"), s=Sum("amount"), pen=Sum("penalty"), i=Sum("interest"), pr=Sum("principal"))
    return {"start": start, "end": end, "disbursed_count": d["n"] or 0, "disbursed": d["s"] or ZERO,
            "fees": (d["f"] or ZERO) + (d["p"] or ZERO), "repaid_count": r["n"] or 0, "repaid": r["s"] or ZERO,
            "penalty": r["pen"] or ZERO, "interest": r["i"] or ZERO, "principal": r["pr"] or ZERO,
            "loans": list(disb.select_related("member", "product").order_by("disbursed_on")),
            "repayments": list(reps.select_related("loan__member").order_by("date", "id"))}


def statement(loan: Loan) -> list[dict]:
    """The member's statement of a loan: disbursement, payments (and their reversals), write-off; running balance."""
    rows = []
    if loan.disbursed_on:
        rows.append({"date": loan.disbursed_on, "label": "Pencairan pinjaman", "debit": loan.amount, "credit": ZERO,
                     "ref": loan.number})
    for r in loan.repayments.order_by("date", "id"):
        if r.kind == Repayment.Kind.PEMULIHAN:
            continue
        rows.append({"date": r.date, "label": f"{r.get_kind_display()} {r.number} (denda {r.penalty:,.0f}, "
                     f"jasa {r.interest:,.0f})".replace(",", "."), "debit": ZERO, "credit": r.principal,
                     "ref": r.number})
        if r.reversed:
            rows.append({"date": r.date, "label": f"Pembatalan {r.number}: {r.reversal_reason}",
                         "debit": r.principal, "credit": ZERO, "ref": r.number})
    if loan.written_off_amount:
        rows.append({"date": loan.closed_on, "label": "Hapus buku", "debit": ZERO,
                     "credit": loan.written_off_amount, "ref": loan.number})
    bal = ZERO
    for row in rows:
        bal += row["debit"] - row["credit"]
        row["balance"] = bal
    return rows


def dashboard_figures(koperasi) -> dict:
    active = Loan.objects.filter(koperasi=koperasi, status=Loan.Status.AKTIF)
    agg = active.aggregate(n=Count("id"), o=Sum("outstanding"),
                           npl=Sum("outstanding", filter=Q(loan_class__in=NPL_CLASSES)))
    pending = Loan.objects.filter(koperasi=koperasi, status__in=["diajukan", "dianalisis", "disetujui"]).count()
    o = agg["o"] or ZERO
    npl = agg["npl"] or ZERO
    return {"count": agg["n"] or 0, "outstanding": o, "npl": npl,
            "npl_ratio": (npl / o * 100).quantize(Decimal("0.01")) if o else ZERO, "pending": pending}
