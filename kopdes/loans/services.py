"""Simpan pinjam operations. Each one is atomic, refuses bad input with :class:`DomainError` and posts to the ledger.

Ledger (unit ``simpan_pinjam``, member on every member line, interest income too — SHU jasa usaha reads it):

- disbursement: Dr 1131 amount (member) / Cr 4103 fees (member) / Cr 1104 cash | 2101 sukarela (member) | 1111 bank
- repayment: Dr 1104 | 2101 (member) | 1111 / Cr 4104 denda, 4101 jasa, 1131 pokok (member)
- write-off: Dr 1133 (up to the provision) + Dr 6110 (rest) / Cr 1131 (member); recovery: Dr cash / Cr 4105
- ageing run: PPAP difference Dr 6110 / Cr 1133 (or back)
- bank financing: Dr 1111 / Cr 2201; instalment Dr 2201 + Dr 6112 / Cr 1111

Interest is recognised when paid (cash basis, usual for KSP); unpaid interest is shown in the arrears lists.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from kopdes.core import numbering
from kopdes.core.errors import Conflict, DomainError, NotFound
from kopdes.core.idempotency import run_idempotent
from kopdes.core.units import Unit
from kopdes.ledger.queries import account_balance, member_balance
from kopdes.ledger.services import Line, post, reverse
from kopdes.members.models import Member

from . import rules
from .models import (
    AgeingRun,
    Approval,
    BankFacility,
    BankInstallment,
    Installment,
    Loan,
    LoanClassHistory,
    LoanEvent,
    LoanProduct,
    LoanSettings,
    Repayment,
)
from .schedule import Terms, generate

U = Unit.SIMPAN_PINJAM
ZERO = Decimal("0")
RUPIAH = Decimal("1")
# sukarela goes through the savings unit's own services (passbook + ledger), through the simpan pinjam cash drawer
CHANNEL_ACCOUNT = {"tunai": "1104", "sukarela": "1104", "transfer": "1111"}
A_LOAN, A_PROVISION, A_FEES, A_INTEREST, A_PENALTY, A_RECOVERY, A_PPAP = (
    "1131", "1133", "4103", "4101", "4104", "4105", "6110")
A_ACCRUED = "1134"
PERFORMING_CLASSES = ("L", "DPK")  # interest is accrued only on these; worse classes go back to cash basis


def _interest_lines(member_id, interest: Decimal, cleared: Decimal, reversed_: Decimal) -> list[Line]:
    """Interest of a payment: the accrued part clears 1134, the rest is income (4101); accrual reversed because
    its interest was waived comes out of income (4101 may then be a debit)."""
    lines = []
    if cleared + reversed_ > 0:
        lines.append(Line(A_ACCRUED, credit=cleared + reversed_, unit=U, member_id=member_id,
                          memo="Piutang jasa (akrual)"))
    income = interest - cleared - reversed_
    if income > 0:
        lines.append(Line(A_INTEREST, credit=income, unit=U, member_id=member_id, memo="Jasa pinjaman"))
    elif income < 0:
        lines.append(Line(A_INTEREST, debit=-income, unit=U, member_id=member_id, memo="Koreksi jasa akrual"))
    return lines


def _apply_accrual(loan: Loan, accrual: dict, sign: int) -> None:
    """Apply (sign 1) or undo (sign -1) a payment's effect on the rows' accrued interest."""
    if not accrual:
        return
    rows = {r.pk: r for r in loan.installments.filter(pk__in=[int(k) for k in accrual])}
    for pk, (cleared, rev) in accrual.items():
        r = rows[int(pk)]
        r.accrual_cleared += sign * Decimal(cleared)
        r.interest_accrued -= sign * Decimal(rev)
    Installment.objects.bulk_update(list(rows.values()), ["accrual_cleared", "interest_accrued"])


def _reverse_open_accrual(koperasi, loan, rows, day, memo: str, by=None):
    """Take the open accrued interest of ``rows`` back out of income (Dr 4101 / Cr 1134); returns the amount."""
    total = ZERO
    for r in rows:
        if r.accrual_open > 0:
            total += r.accrual_open
            r.interest_accrued = r.accrual_cleared
    if total > 0:
        Installment.objects.bulk_update([r for r in rows], ["interest_accrued"])
        post(koperasi, date=day, memo=memo, lines=[
            Line(A_INTEREST, debit=total, unit=U, member_id=loan.member_id, memo="Pembalikan jasa akrual"),
            Line(A_ACCRUED, credit=total, unit=U, member_id=loan.member_id, memo="Piutang jasa (akrual)"),
        ], source="loans.Loan", source_id=str(loan.pk), by=by if getattr(by, "pk", None) else None)
    return total


def _rp(x) -> Decimal:
    return Decimal(x).quantize(RUPIAH, rounding=ROUND_HALF_UP)


def _positive(value, field: str, label: str = "Jumlah") -> Decimal:
    try:
        d = Decimal(str(value))
    except Exception as exc:  # noqa: BLE001
        raise DomainError(f"{label} bukan angka.", f"{label}: not a number.", field=field) from exc
    if not d.is_finite() or d <= 0:
        raise DomainError(f"{label} harus lebih dari nol.", f"{label} must be positive.", field=field,
                          code="not_positive")
    if d != d.to_integral_value():
        raise DomainError(f"{label} harus dalam rupiah bulat.", f"{label} must be whole rupiah.", field=field)
    return d


def _event(loan: Loan, kind: str, date: dt.date, note: str = "", by=None, **data) -> None:
    LoanEvent.objects.create(koperasi_id=loan.koperasi_id, loan=loan, kind=kind, date=date, note=note[:2000],
                             data={k: (str(v) if isinstance(v, Decimal | dt.date) else v) for k, v in data.items()},
                             by=by if getattr(by, "pk", None) else None)


def _next_number(koperasi, model, prefix: str, year: int) -> str:
    """``PJ-<year>-<n>`` (loans), ``BYR-<year>-<n>`` (repayments): core numbering, series ``loans.<prefix>``; the
    counter row stays locked until the document commits, so concurrent repayments never share a number."""
    return f"{prefix}-{year}-{numbering.next_value(koperasi, f'loans.{prefix}', year):05d}"


def settings_for(koperasi) -> LoanSettings:
    obj = LoanSettings.objects.filter(koperasi=koperasi).first()
    if obj is None:
        obj, _ = LoanSettings.objects.get_or_create(koperasi=koperasi)
    return obj


def _locked_loan(koperasi, loan_id) -> Loan:
    loan = Loan.objects.locked(koperasi).filter(koperasi=koperasi, pk=getattr(loan_id, "pk", loan_id)).first()
    if loan is None:
        raise NotFound("Pinjaman tidak ditemukan.", "Loan not found.", code="not_found")
    return loan


# --- products ---------------------------------------------------------------------------------------------------

@transaction.atomic
def create_product(koperasi, **fields) -> LoanProduct:
    product = LoanProduct(koperasi=koperasi, **fields)
    if product.min_amount <= 0 or product.max_amount < product.min_amount:
        raise DomainError("Plafon minimal harus > 0 dan ≤ plafon maksimal.", "Min amount must be > 0 and ≤ max.",
                          field="max_amount")
    if product.min_tenor < 1 or product.max_tenor < product.min_tenor:
        raise DomainError("Jangka minimal harus ≥ 1 dan ≤ jangka maksimal.", "Min tenor must be ≥ 1 and ≤ max.",
                          field="max_tenor")
    # the product's terms must produce a valid schedule
    generate(Terms(principal=product.min_amount.to_integral_value(), rate=product.rate, tenor=product.min_tenor,
                   method=product.method, rate_period=product.rate_period, frequency=product.frequency,
                   day_count=product.day_count, season_months=product.season_months, balloon=product.balloon,
                   rounding=product.rounding))
    if LoanProduct.objects.filter(koperasi=koperasi, code=product.code).exists():
        raise DomainError("Kode produk sudah dipakai.", "Product code already used.", field="code")
    product.save()
    return product


def default_products(koperasi) -> list[LoanProduct]:
    """The three products a new KDMP usually starts with (idempotent)."""
    specs = [
        dict(code="PMU", name="Pinjaman modal usaha", method="menurun", rate=Decimal("1.25"), max_amount=Decimal(
            "25000000"), max_tenor=24, provision_pct=Decimal("1"), admin_fee=Decimal("25000"),
             savings_multiple=Decimal("0")),
        dict(code="PKS", name="Pinjaman konsumtif anggota", method="flat", rate=Decimal("1.5"),
             max_amount=Decimal("10000000"), max_tenor=12, provision_pct=Decimal("1"), admin_fee=Decimal("20000"),
             savings_multiple=Decimal("0")),
        dict(code="PTP", name="Pinjaman tani (bayar saat panen)", method="flat", rate=Decimal("12"),
             rate_period="tahun", frequency="musiman", season_months=4, balloon=True, max_tenor=3,
             max_amount=Decimal("15000000"), provision_pct=Decimal("0.5"), admin_fee=Decimal("10000"),
             savings_multiple=Decimal("0")),
    ]
    out = []
    for spec in specs:
        p = LoanProduct.objects.filter(koperasi=koperasi, code=spec["code"]).first()
        out.append(p or create_product(koperasi, **spec))
    return out


# --- savings and capacity ------------------------------------------------------------------------------------------

def member_savings(koperasi, member_id: int) -> Decimal:
    """Pokok + wajib + sukarela from the ledger's member subsidiary."""
    return sum((member_balance(koperasi, code, member_id) for code in ("3101", "3102", "2101")), ZERO)


def capacity(loan: Loan) -> dict:
    """Repayment-capacity analysis: instalment vs net monthly income."""
    s = generate(loan.terms(start=loan.applied_on))
    inst = s.max_instalment
    if loan.frequency == "mingguan":
        monthly = inst * Decimal(52) / 12
    elif loan.frequency == "musiman":
        monthly = inst / loan.season_months
    else:
        monthly = inst
    net = loan.net_income
    ratio = (monthly / net * 100).quantize(Decimal("0.01")) if net > 0 else None
    return {"instalment": inst, "monthly_equivalent": _rp(monthly), "net_income": net, "ratio": ratio,
            "schedule": s}


def _check_limits(loan: Loan) -> None:
    product = loan.product
    k = loan.koperasi
    if not product.active:
        raise DomainError("Produk pinjaman tidak aktif.", "The loan product is inactive.", field="product")
    if loan.amount < product.min_amount or loan.amount > product.max_amount:
        raise DomainError(
            f"Jumlah pinjaman harus antara Rp{product.min_amount:,.0f} dan Rp{product.max_amount:,.0f}.".replace(
                ",", "."),
            f"The amount must be between {product.min_amount:,.0f} and {product.max_amount:,.0f}.",
            field="amount", code="over_limit")
    if loan.tenor < product.min_tenor or loan.tenor > product.max_tenor:
        raise DomainError(f"Jangka waktu harus {product.min_tenor}–{product.max_tenor} angsuran.",
                          f"The tenor must be {product.min_tenor}–{product.max_tenor} instalments.", field="tenor",
                          code="over_limit")
    if max(loan.grace_principal, loan.grace_interest) > product.max_grace:
        raise DomainError(f"Masa tenggang maksimal {product.max_grace} angsuran.",
                          f"Grace at most {product.max_grace} instalments.", field="grace_principal")
    if product.savings_multiple > 0:
        savings = member_savings(k, loan.member_id)
        cap = savings * product.savings_multiple
        if loan.amount > cap:
            raise DomainError(
                f"Plafon maksimal {product.savings_multiple.normalize()}× simpanan anggota "
                f"(Rp{savings:,.0f}) = Rp{cap:,.0f}.".replace(",", "."),
                f"At most {product.savings_multiple.normalize()}× the member's savings = {cap:,.0f}.",
                field="amount", code="over_limit")
    if product.one_active_per_member and Loan.objects.filter(
            koperasi=k, member_id=loan.member_id, product=product, status__in=Loan.OPEN_STATUSES
    ).exclude(pk=loan.pk).exists():
        raise DomainError("Anggota masih memiliki pinjaman aktif/berjalan untuk produk ini.",
                          "The member already has an open loan of this product.", field="product",
                          code="one_active")
    if loan.amount > product.guarantee_threshold and not loan.guarantor_id and loan.collateral_value <= 0:
        raise DomainError(
            f"Pinjaman di atas Rp{product.guarantee_threshold:,.0f} wajib ada penjamin atau agunan.".replace(",", "."),
            "Loans above the threshold need a guarantor or collateral.", field="guarantor",
            code="guarantee_required")
    if loan.income < 0 or loan.expense < 0 or loan.other_instalments < 0 or loan.collateral_value < 0:
        raise DomainError("Pendapatan, pengeluaran dan nilai agunan tidak boleh negatif.",
                          "Income, expenses and collateral cannot be negative.", field="income")
    if product.max_instalment_pct > 0:
        cap = capacity(loan)
        if cap["ratio"] is None or cap["ratio"] > product.max_instalment_pct:
            raise DomainError(
                f"Angsuran (setara Rp{cap['monthly_equivalent']:,.0f}/bulan) melebihi "
                f"{product.max_instalment_pct.normalize()}% pendapatan bersih (Rp{cap['net_income']:,.0f}).".replace(
                    ",", "."),
                "The instalment exceeds the allowed share of net income.", field="income", code="capacity")


# --- application workflow -------------------------------------------------------------------------------------------

@transaction.atomic
def apply(koperasi, *, member, product, amount, tenor: int, purpose: str, by=None, applied_on=None, sector: str = "",
          purpose_note: str = "", income=0, expense=0, other_instalments=0, collateral_type: str = "",
          collateral_value=0, collateral_docs: str = "", guarantor=None, grace_principal: int = 0,
          grace_interest: int = 0) -> Loan:
    """Enter an application. Members only (closed loop): an applicant must be an active member of this cooperative."""
    member_id = getattr(member, "pk", member)
    m = Member.objects.filter(koperasi=koperasi, pk=member_id).first() if member_id else None
    if m is None:
        raise DomainError("Peminjam harus anggota koperasi ini (simpan pinjam hanya untuk anggota).",
                          "The borrower must be a member of this cooperative (closed loop).", field="member",
                          code="not_member")
    if m.status != Member.Status.AKTIF:
        raise DomainError(f"{m.name} bukan anggota aktif (status: {m.get_status_display()}).",
                          f"{m.name} is not an active member.", field="member", code="not_member")
    prod_id = getattr(product, "pk", product)
    product = LoanProduct.objects.filter(koperasi=koperasi, pk=prod_id).first()
    if product is None:
        raise DomainError("Produk pinjaman tidak ditemukan.", "Loan product not found.", field="product")
    g = None
    if guarantor:
        g = Member.objects.filter(koperasi=koperasi, pk=getattr(guarantor, "pk", guarantor),
                                  status=Member.Status.AKTIF).first()
        if g is None:
            raise DomainError("Penjamin harus anggota aktif koperasi ini.", "The guarantor must be an active member.",
                              field="guarantor")
        if g.pk == m.pk:
            raise DomainError("Penjamin tidak boleh peminjam sendiri.", "The borrower cannot guarantee themself.",
                              field="guarantor")
    if purpose not in Loan.Purpose.values:
        raise DomainError("Pilih tujuan pinjaman: produktif atau konsumtif.", "Choose the purpose.", field="purpose")
    if purpose == Loan.Purpose.PRODUKTIF and not sector:
        raise DomainError("Pinjaman produktif harus menyebut sektor usaha.", "Productive loans need a sector.",
                          field="sector")
    amount = _positive(amount, "amount", "Jumlah pinjaman")
    try:
        tenor = int(tenor)
    except (TypeError, ValueError) as exc:
        raise DomainError("Jangka waktu tidak valid.", "Invalid tenor.", field="tenor") from exc
    if tenor < 1:
        raise DomainError("Jangka waktu harus minimal 1 angsuran.", "The tenor must be at least 1.", field="tenor")
    day = applied_on or timezone.localdate()
    loan = Loan(
        koperasi=koperasi, member=m, product=product, applied_on=day, amount=amount, tenor=tenor,
        grace_principal=grace_principal or 0, grace_interest=grace_interest or 0, method=product.method,
        rate=product.rate, rate_period=product.rate_period, day_count=product.day_count, frequency=product.frequency,
        season_months=product.season_months, balloon=product.balloon, rounding=product.rounding, purpose=purpose,
        sector=sector if purpose == Loan.Purpose.PRODUKTIF else "", purpose_note=purpose_note,
        income=Decimal(str(income or 0)), expense=Decimal(str(expense or 0)),
        other_instalments=Decimal(str(other_instalments or 0)), collateral_type=collateral_type,
        collateral_value=Decimal(str(collateral_value or 0)), collateral_docs=collateral_docs, guarantor=g,
        created_by=by if getattr(by, "pk", None) else None,
    )
    loan.koperasi = koperasi
    _check_limits(loan)
    loan.number = _next_number(koperasi, Loan, "PJ", day.year)
    loan.save()
    _event(loan, "diajukan", day, f"Pengajuan Rp{amount:,.0f}".replace(",", "."), by)
    return loan


@transaction.atomic
def analyse(koperasi, loan, *, note: str, by=None, recommend: bool = True) -> Loan:
    loan = _locked_loan(koperasi, loan)
    if loan.status != Loan.Status.DIAJUKAN:
        raise DomainError("Hanya pengajuan baru yang dapat dianalisis.", "Only new applications can be analysed.",
                          code="bad_state")
    if not (note or "").strip():
        raise DomainError("Tulis hasil analisis.", "Write the analysis.", field="note")
    cap = capacity(loan)
    loan.analysis_note = note.strip()
    loan.analysed_by = by if getattr(by, "pk", None) else None
    loan.status = Loan.Status.DIANALISIS
    loan.save(update_fields=["analysis_note", "analysed_by", "status"])
    _event(loan, "dianalisis", timezone.localdate(), note, by, ratio=str(cap["ratio"]), recommend=recommend)
    return loan


def approvals_needed(loan: Loan) -> int:
    return 2 if loan.amount > loan.product.two_approver_threshold else 1


@transaction.atomic
def approve(koperasi, loan, *, by, note: str = "") -> Loan:
    """Committee approval (maker-checker): the one who entered the application cannot approve it; above the
    product's limit two different approvers are needed."""
    loan = _locked_loan(koperasi, loan)
    if loan.status not in (Loan.Status.DIANALISIS, Loan.Status.DIAJUKAN):
        raise DomainError("Pengajuan ini tidak menunggu persetujuan.", "This application is not awaiting approval.",
                          code="bad_state")
    if loan.status == Loan.Status.DIAJUKAN:
        raise DomainError("Pengajuan harus dianalisis dahulu.", "The application must be analysed first.",
                          code="not_analysed")
    if by is None or not getattr(by, "pk", None):
        raise DomainError("Pemutus harus pengguna yang masuk.", "The approver must be a signed-in user.")
    if loan.created_by_id == by.pk:
        raise DomainError("Pembuat pengajuan tidak boleh menyetujui pengajuannya sendiri (maker-checker).",
                          "The maker of an application cannot approve it.", code="maker_checker")
    rules.require_committee(koperasi, by)
    if loan.approvals.filter(by=by).exists():
        raise DomainError("Anda sudah menyetujui pengajuan ini; perlu pemutus lain.",
                          "You already approved this; another approver is needed.", code="same_approver")
    Approval.objects.create(koperasi=koperasi, loan=loan, by=by, note=note[:200])
    count = loan.approvals.count()
    _event(loan, "persetujuan", timezone.localdate(), note, by, approvals=count, needed=approvals_needed(loan))
    if count >= approvals_needed(loan):
        loan.status = Loan.Status.DISETUJUI
        loan.save(update_fields=["status"])
    return loan


@transaction.atomic
def reject(koperasi, loan, *, by, reason: str) -> Loan:
    loan = _locked_loan(koperasi, loan)
    if loan.status not in (Loan.Status.DIAJUKAN, Loan.Status.DIANALISIS, Loan.Status.DISETUJUI):
        raise DomainError("Pinjaman ini tidak dapat ditolak lagi.", "This loan can no longer be rejected.",
                          code="bad_state")
    if not (reason or "").strip():
        raise DomainError("Alasan penolakan wajib diisi.", "A reason is required.", field="reason")
    if by is not None:
        rules.require_committee(koperasi, by)
    loan.status = Loan.Status.DITOLAK
    loan.reject_reason = reason.strip()
    loan.save(update_fields=["status", "reject_reason"])
    _event(loan, "ditolak", timezone.localdate(), reason, by)
    return loan


def fees_for(loan: Loan) -> tuple[Decimal, Decimal]:
    product = loan.product
    return _rp(product.admin_fee), _rp(loan.amount * product.provision_pct / 100)


def disburse(koperasi, loan, *, by=None, date=None, channel: str = "tunai", first_due_date=None,
             idempotency_key: str | None = None) -> Loan:
    """Pay out an approved loan net of fees (cash, sukarela or bank). A retry with the same key replays; a second
    disbursement of the same loan is refused."""
    loan_id = getattr(loan, "pk", loan)
    payload = {"loan": loan_id, "date": str(date), "channel": channel, "first_due": str(first_due_date)}

    def _do():
        return _disburse(koperasi, loan_id, by=by, date=date, channel=channel, first_due_date=first_due_date).pk

    with transaction.atomic():
        pk, _replayed = run_idempotent(koperasi, "loans.disburse", idempotency_key, payload, _do)
    return Loan.objects.get(pk=pk, koperasi=koperasi)


def _disburse(koperasi, loan_id, *, by, date, channel, first_due_date) -> Loan:
    loan = _locked_loan(koperasi, loan_id)
    if loan.status in (Loan.Status.AKTIF, Loan.Status.LUNAS, Loan.Status.DIHAPUS) or loan.disbursed_on:
        raise Conflict(f"Pinjaman {loan.number} sudah dicairkan.", f"Loan {loan.number} was already disbursed.",
                       code="already_disbursed")
    if loan.status != Loan.Status.DISETUJUI:
        raise DomainError("Pinjaman belum disetujui komite.", "The loan is not approved.", code="not_approved")
    if channel not in CHANNEL_ACCOUNT:
        raise DomainError("Cara pencairan tidak dikenal.", "Unknown disbursement channel.", field="channel")
    member = Member.objects.filter(pk=loan.member_id, koperasi=koperasi).first()
    if member is None or member.status != Member.Status.AKTIF:
        raise DomainError("Peminjam bukan lagi anggota aktif.", "The borrower is no longer an active member.",
                          field="member", code="not_member")
    day = date or timezone.localdate()
    if day < loan.applied_on:
        raise DomainError("Tanggal pencairan sebelum tanggal pengajuan.", "Disbursement before application.",
                          field="date")
    admin, provision = fees_for(loan)
    net = loan.amount - admin - provision
    if net <= 0:
        raise DomainError("Biaya melebihi jumlah pinjaman.", "Fees exceed the loan amount.", field="amount")
    loan.disbursed_on = day
    loan.first_due_date = first_due_date
    sched = generate(loan.terms(start=day))
    lines = [Line(A_LOAN, debit=loan.amount, unit=U, member_id=loan.member_id, memo=f"Pinjaman {loan.number}")]
    if admin + provision > 0:
        lines.append(Line(A_FEES, credit=admin + provision, unit=U, member_id=loan.member_id,
                          memo="Provisi & administrasi"))
    lines.append(Line(CHANNEL_ACCOUNT[channel], credit=net, unit=U, memo="Pencairan bersih"))
    entry = post(koperasi, date=day, memo=f"Pencairan pinjaman {loan.number} — {member.name}", lines=lines,
                 source="loans.Loan", source_id=str(loan.pk), by=by if getattr(by, "pk", None) else None)
    if channel == "sukarela":
        from kopdes.savings.services import deposit

        deposit(member, "sukarela", net, method="tunai", reference=loan.number, date=day,
                by=by if getattr(by, "pk", None) else None)
    Installment.objects.bulk_create([
        Installment(koperasi=koperasi, loan=loan, no=r.no, due_date=r.due_date, principal_due=r.principal,
                    interest_due=r.interest) for r in sched.rows
    ])
    loan.status = Loan.Status.AKTIF
    loan.disbursement_channel = channel
    loan.admin_fee, loan.provision_fee = admin, provision
    loan.outstanding = loan.amount
    loan.disbursement_entry_id = entry.pk
    loan.save()
    _event(loan, "dicairkan", day, f"Dicairkan bersih Rp{net:,.0f} ({channel})".replace(",", "."), by,
           entry=entry.pk, admin=admin, provision=provision, total_interest=sched.total_interest)
    return loan


@transaction.atomic
def cancel(koperasi, loan, *, by=None, reason: str = "") -> Loan:
    loan = _locked_loan(koperasi, loan)
    if loan.status not in (Loan.Status.DIAJUKAN, Loan.Status.DIANALISIS, Loan.Status.DISETUJUI):
        raise DomainError("Hanya pengajuan yang belum dicairkan yang dapat dibatalkan.",
                          "Only undisbursed applications can be cancelled.", code="bad_state")
    loan.status = Loan.Status.BATAL
    loan.reject_reason = reason
    loan.save(update_fields=["status", "reject_reason"])
    _event(loan, "batal", timezone.localdate(), reason, by)
    return loan


# --- what is owed ----------------------------------------------------------------------------------------------------

OPEN_ROWS = "open_rows_prefetched"


def open_rows(loan: Loan):
    """The loan's unsettled current instalments, in order. Read-only lists prefetch them into ``OPEN_ROWS`` (see
    :func:`prefetch_open_rows`); services that change instalments always read them fresh."""
    cached = getattr(loan, OPEN_ROWS, None)
    if cached is not None:
        return list(cached)
    return list(loan.installments.filter(superseded=False, settled=False).order_by("no"))


def prefetch_open_rows(loans):
    """One query for the open instalments of every loan in ``loans`` (a queryset), for pages listing many."""
    from django.db.models import Prefetch

    return loans.prefetch_related(Prefetch(
        "installments", queryset=Installment.objects.filter(superseded=False, settled=False).order_by("no"),
        to_attr=OPEN_ROWS))


def _paid_on_row(row: Installment) -> list[tuple[dt.date, Decimal]]:
    """(date, jasa + pokok) each standing repayment put on this instalment, oldest first (one query, and only
    for a row that has payments)."""
    if not (row.principal_paid or row.interest_paid):
        return []
    out = []
    for day, alloc in (Repayment.objects.filter(koperasi_id=row.koperasi_id, loan_id=row.loan_id, reversed=False)
                       .values_list("date", "allocation")):
        for a in alloc or []:
            if int(a[0]) == row.pk:
                out.append((day, Decimal(str(a[2])) + Decimal(str(a[3]))))
    return sorted(out)


def _late_amount_days(row: Installment, start: dt.date, as_of: dt.date) -> Decimal:
    """Σ over the days after ``start`` up to ``as_of`` of the instalment's unpaid amount on that day (a payment
    counts from the day after it: its own day is charged on what was unpaid before it, as a same-day quote is)."""
    payments = _paid_on_row(row)
    amount = row.unpaid + sum((a for d, a in payments if d > start), ZERO)  # unpaid when the penalty starts
    total, cursor = ZERO, start
    for day, paid in payments:
        if day <= start:
            continue
        if day >= as_of:
            break
        total += amount * (day - cursor).days
        amount -= paid
        cursor = day
    return total + amount * (as_of - cursor).days


def penalty_due(loan: Loan, row: Installment, as_of: dt.date) -> Decimal:
    """Late penalty of one instalment not yet paid, after the tolerance days. Daily mode, from first principles:
    each late day costs ``penalty_rate`` % of what was still unpaid on that day, so a partial payment lowers the
    base from then on (it used to recompute all late days on today's smaller amount, and after a payment the
    penalty already paid wiped out what kept accruing)."""
    product = loan.product
    late = (as_of - row.due_date).days - product.penalty_grace_days
    if late <= 0 or row.unpaid <= 0:
        return ZERO
    if product.penalty_mode == LoanProduct.Penalty.DAILY:
        start = row.due_date + dt.timedelta(days=product.penalty_grace_days)
        accrued = _rp(_late_amount_days(row, start, as_of) * product.penalty_rate / 100)
    elif product.penalty_mode == LoanProduct.Penalty.INSTALMENT:
        accrued = _rp(product.penalty_amount)
    else:
        accrued = ZERO
    return max(ZERO, accrued - row.penalty_paid - row.penalty_waived)


def dues(loan: Loan, as_of: dt.date | None = None) -> dict:
    """What the member owes on ``as_of``: overdue rows with penalty, and what remains in the future."""
    as_of = as_of or timezone.localdate()
    rows = open_rows(loan)
    due_rows = [r for r in rows if r.due_date <= as_of]
    out = {"as_of": as_of, "penalty": ZERO, "interest": ZERO, "principal": ZERO, "rows": [], "dpd": 0,
           "future_principal": ZERO, "future_interest": ZERO}
    for r in due_rows:
        pen = penalty_due(loan, r, as_of)
        out["penalty"] += pen
        out["interest"] += r.unpaid_interest
        out["principal"] += r.unpaid_principal
        out["rows"].append((r, pen))
    if due_rows:
        out["dpd"] = max(0, (as_of - due_rows[0].due_date).days)
    for r in rows:
        if r.due_date > as_of:
            out["future_principal"] += r.unpaid_principal
            out["future_interest"] += r.unpaid_interest
    out["total"] = out["penalty"] + out["interest"] + out["principal"]
    out["remaining"] = out["total"] + out["future_principal"] + out["future_interest"]
    return out


def settlement_quote(loan: Loan, as_of: dt.date | None = None) -> dict:
    """Early settlement: arrears + penalty + all principal + interest per the product's rule."""
    as_of = as_of or timezone.localdate()
    d = dues(loan, as_of)
    future = [r for r in open_rows(loan) if r.due_date > as_of]
    rule = loan.product.early_rule
    interest_future = ZERO
    if future:
        if rule == LoanProduct.EarlyRule.FULL:
            interest_future = sum((r.unpaid_interest for r in future), ZERO)
        else:
            nxt = future[0]
            if rule == LoanProduct.EarlyRule.PERIOD:
                interest_future = nxt.unpaid_interest
            else:
                prev = loan.installments.filter(superseded=False, due_date__lt=nxt.due_date).order_by(
                    "-due_date").values_list("due_date", flat=True).first() or loan.disbursed_on
                span = max((nxt.due_date - prev).days, 1)
                elapsed = min(max((as_of - prev).days, 0), span)
                interest_future = min(nxt.unpaid_interest, _rp(nxt.interest_due * elapsed / span))
    waived = d["future_interest"] - interest_future
    total = d["total"] + d["future_principal"] + interest_future
    return {"as_of": as_of, "arrears": d["total"], "penalty": d["penalty"], "principal": d["principal"] + d[
        "future_principal"], "interest": d["interest"] + interest_future, "interest_waived": waived,
        "total": total, "rule": rule}


# --- repayments --------------------------------------------------------------------------------------------------------

def repay(koperasi, loan, *, amount, date=None, channel: str = "tunai", by=None, idempotency_key: str | None = None,
          settle: bool = False) -> Repayment:
    """Record a payment: allocated oldest instalment first, inside each instalment in the product's order
    (default denda → jasa → pokok); anything beyond today's dues pays the next instalments in advance. With
    ``settle`` the loan is paid off early (the amount must equal the settlement quote)."""
    loan_id = getattr(loan, "pk", loan)
    payload = {"loan": loan_id, "amount": str(amount), "date": str(date), "channel": channel, "settle": settle}

    def _do():
        return _repay(koperasi, loan_id, amount=amount, date=date, channel=channel, by=by, settle=settle).pk

    with transaction.atomic():
        pk, _ = run_idempotent(koperasi, "loans.repay", idempotency_key, payload, _do)
    return Repayment.objects.get(pk=pk, koperasi=koperasi)


def _channel_check(koperasi, loan: Loan, channel: str, amount: Decimal, day: dt.date) -> None:
    if channel not in CHANNEL_ACCOUNT:
        raise DomainError("Cara bayar tidak dikenal.", "Unknown payment channel.", field="channel")
    if channel == "sukarela":
        from kopdes.savings.services import withdraw

        # the savings unit checks the balance and minimum; its withdrawal puts the money in the drawer we debit
        withdraw(loan.member, "sukarela", amount, method="tunai", reference=loan.number, date=day)


def _repay(koperasi, loan_id, *, amount, date, channel, by, settle) -> Repayment:
    loan = _locked_loan(koperasi, loan_id)
    amount = _positive(amount, "amount", "Jumlah pembayaran")
    day = date or timezone.localdate()
    if loan.status != Loan.Status.AKTIF:
        raise DomainError(f"Pinjaman {loan.number} tidak aktif ({loan.get_status_display()}); pembayaran ditolak.",
                          f"Loan {loan.number} is not active ({loan.status}).", field="amount", code="loan_closed")
    if day < loan.disbursed_on:
        raise DomainError("Tanggal bayar sebelum pencairan.", "Payment before disbursement.", field="date")
    _channel_check(koperasi, loan, channel, amount, day)
    rows = open_rows(loan)
    order = loan.product.allocation()
    alloc: dict[int, list[Decimal]] = {}
    remaining = amount
    waived = ZERO
    if settle:
        q = settlement_quote(loan, day)
        if amount != q["total"]:
            raise DomainError(f"Jumlah pelunasan harus Rp{q['total']:,.0f}.".replace(",", "."),
                              "The settlement amount must equal the quote.", field="amount", code="settle_amount")
        d_rows = [r for r in rows if r.due_date <= day]
        f_rows = [r for r in rows if r.due_date > day]
        interest_left = q["interest"] - sum((r.unpaid_interest for r in d_rows), ZERO)
        for r in d_rows:
            pen = penalty_due(loan, r, day)
            alloc[r.pk] = [pen, r.unpaid_interest, r.unpaid_principal]
        for r in f_rows:
            take_i = min(interest_left, r.unpaid_interest)
            interest_left -= take_i
            alloc[r.pk] = [ZERO, take_i, r.unpaid_principal, r.unpaid_interest - take_i]
            waived += r.unpaid_interest - take_i
        remaining = ZERO
    else:
        for r in rows:
            if remaining <= 0:
                break
            parts = {"denda": penalty_due(loan, r, day) if r.due_date <= day else ZERO,
                     "jasa": r.unpaid_interest, "pokok": r.unpaid_principal}
            got = {"denda": ZERO, "jasa": ZERO, "pokok": ZERO}
            for comp in order:
                take = min(remaining, parts[comp])
                got[comp] = take
                remaining -= take
            if any(got.values()):
                alloc[r.pk] = [got["denda"], got["jasa"], got["pokok"]]
        if remaining > 0:
            owed = amount - remaining
            raise DomainError(
                f"Pembayaran melebihi seluruh sisa kewajiban (Rp{owed:,.0f}); gunakan pelunasan.".replace(",", "."),
                "The payment exceeds everything owed; use early settlement.", field="amount", code="overpayment")
    pen = sum((a[0] for a in alloc.values()), ZERO)
    intr = sum((a[1] for a in alloc.values()), ZERO)
    prin = sum((a[2] for a in alloc.values()), ZERO)
    # accrual basis: interest already booked on 1134 is cleared first; accrual whose interest is waived is reversed
    by_row = {r.pk: r for r in rows}
    accrual = {}
    for pk, parts in alloc.items():
        r = by_row[pk]
        if r.accrual_open <= 0:
            continue
        cleared = min(parts[1], r.accrual_open)
        unpaid_after = r.unpaid_interest - parts[1] - (parts[3] if len(parts) > 3 else ZERO)
        rev = max(ZERO, r.accrual_open - cleared - unpaid_after)
        if cleared or rev:
            accrual[str(pk)] = [str(cleared), str(rev)]
    acc_cleared = sum((Decimal(v[0]) for v in accrual.values()), ZERO)
    acc_rev = sum((Decimal(v[1]) for v in accrual.values()), ZERO)
    by_user = by if getattr(by, "pk", None) else None
    rep = Repayment(koperasi=koperasi, loan=loan, number=_next_number(koperasi, Repayment, "BYR", day.year),
                    kind=Repayment.Kind.PELUNASAN if settle else Repayment.Kind.ANGSURAN, date=day, amount=amount,
                    channel=channel, penalty=pen, interest=intr, principal=prin, interest_waived=waived,
                    allocation=[[k, *(str(x) for x in v)] for k, v in alloc.items()], accrual=accrual, by=by_user)
    rep.save()
    lines = [Line(CHANNEL_ACCOUNT[channel], debit=amount, unit=U, memo=f"Angsuran {loan.number}")]
    if pen > 0:
        lines.append(Line(A_PENALTY, credit=pen, unit=U, member_id=loan.member_id, memo="Denda"))
    lines += _interest_lines(loan.member_id, intr, acc_cleared, acc_rev)
    if prin > 0:
        lines.append(Line(A_LOAN, credit=prin, unit=U, member_id=loan.member_id, memo="Pokok pinjaman"))
    entry = post(koperasi, date=day, memo=f"{rep.get_kind_display()} {loan.number} — {rep.number}", lines=lines,
                 source="loans.Repayment", source_id=str(rep.pk), by=by_user)
    rep.entry_id = entry.pk
    rep.save(update_fields=["entry_id"])
    _apply_allocation(loan, alloc, day, sign=1)
    _apply_accrual(loan, accrual, 1)
    loan.outstanding -= prin
    _close_if_done(loan, day)
    loan.save(update_fields=["outstanding", "status", "closed_on"])
    _event(loan, "pelunasan" if settle else "pembayaran", day, rep.number, by, amount=amount, penalty=pen,
           interest=intr, principal=prin, waived=waived)
    return rep


def _apply_allocation(loan: Loan, alloc: dict, day: dt.date, *, sign: int, waive_future: bool = False) -> None:
    rows = {r.pk: r for r in Installment.objects.filter(loan=loan, pk__in=list(alloc))}
    for pk, parts in alloc.items():
        pen, intr, prin = parts[:3]
        waived = Decimal(parts[3]) if len(parts) > 3 else ZERO
        r = rows[int(pk)]
        r.penalty_paid += sign * Decimal(pen)
        r.interest_paid += sign * Decimal(intr)
        r.principal_paid += sign * Decimal(prin)
        if sign > 0 and waived:
            r.interest_due -= waived  # waived by early settlement
        elif sign < 0 and waived:
            r.interest_due += waived  # the settlement is undone: the interest is owed again
        elif waive_future and sign > 0 and r.interest_paid < r.interest_due and r.principal_paid == r.principal_due:
            r.interest_due = r.interest_paid  # member left: remaining interest of paid-off rows is waived
        r.settled = r.principal_paid >= r.principal_due and r.interest_paid >= r.interest_due
        r.settled_on = day if r.settled else None
        r.save(update_fields=["penalty_paid", "interest_paid", "principal_paid", "interest_due", "settled",
                              "settled_on"])


def _close_if_done(loan: Loan, day: dt.date) -> None:
    if loan.outstanding == 0 and not loan.installments.filter(superseded=False, settled=False).exists():
        loan.status = Loan.Status.LUNAS
        loan.closed_on = day
    elif loan.status == Loan.Status.LUNAS:
        loan.status = Loan.Status.AKTIF
        loan.closed_on = None


@transaction.atomic
def reverse_repayment(koperasi, repayment, *, by=None, reason: str, date=None) -> Repayment:
    """Undo a mistaken payment: reverse its journal entry and its allocation (the loan reopens if it had closed)."""
    rep = Repayment.objects.locked(koperasi).filter(koperasi=koperasi, pk=getattr(repayment, "pk",
                                                                                     repayment)).first()
    if rep is None:
        raise NotFound("Pembayaran tidak ditemukan.", "Payment not found.")
    if rep.reversed:
        raise Conflict("Pembayaran ini sudah dibatalkan.", "This payment is already reversed.", code="already_reversed")
    if not (reason or "").strip():
        raise DomainError("Alasan pembatalan wajib diisi.", "A reason is required.", field="reason")
    loan = _locked_loan(koperasi, rep.loan_id)
    if rep.kind in (Repayment.Kind.PEMULIHAN,):
        loan.recovered_amount -= rep.amount
    elif loan.status not in (Loan.Status.AKTIF, Loan.Status.LUNAS):
        raise DomainError("Pinjaman sudah dihapus buku atau direstrukturisasi sejak pembayaran ini.",
                          "The loan changed state since this payment.", code="bad_state")
    if rep.kind != Repayment.Kind.PEMULIHAN and loan.restructured and LoanEvent.objects.filter(
            loan=loan, kind="restrukturisasi", date__gte=rep.date).exists():
        raise DomainError("Pembayaran sebelum restrukturisasi tidak dapat dibatalkan.",
                          "A payment before a restructuring cannot be reversed.", code="bad_state")
    from kopdes.ledger.models import JournalEntry

    entry = JournalEntry.objects.get(pk=rep.entry_id, koperasi=koperasi)
    rev = reverse(entry, date=date or max(timezone.localdate(), rep.date),
                  memo=f"Pembatalan {rep.number}: {reason}"[:300], by=by if getattr(by, "pk", None) else None)
    if rep.kind != Repayment.Kind.PEMULIHAN:
        alloc = {int(a[0]): [Decimal(x) for x in a[1:]] for a in rep.allocation}
        _apply_allocation(loan, alloc, rep.date, sign=-1)
        _apply_accrual(loan, rep.accrual, -1)
        loan.outstanding += rep.principal
        _close_if_done(loan, rep.date)
    loan.save(update_fields=["outstanding", "status", "closed_on", "recovered_amount"])
    rep.reversed = True
    rep.reversal_entry_id = rev.pk
    rep.reversal_reason = reason.strip()[:200]
    rep.save(update_fields=["reversed", "reversal_entry_id", "reversal_reason"])
    _event(loan, "pembatalan_bayar", rev.date, reason, by, repayment=rep.number)
    return rep


# --- restructuring, write-off, recovery --------------------------------------------------------------------------

@transaction.atomic
def restructure(koperasi, loan, *, by=None, date=None, tenor: int, rate=None, grace_principal: int = 0,
                grace_interest: int = 0, reason: str = "") -> Loan:
    """Reschedule the outstanding principal from ``date``: new tenor (remaining instalments), optional new rate and
    grace. Arrears interest moves to the first new instalment; the old open rows are kept as superseded history."""
    loan = _locked_loan(koperasi, loan)
    if loan.status != Loan.Status.AKTIF:
        raise DomainError("Hanya pinjaman aktif yang dapat direstrukturisasi.", "Only active loans can be rescheduled.",
                          code="bad_state")
    if not (reason or "").strip():
        raise DomainError("Alasan restrukturisasi wajib diisi.", "A reason is required.", field="reason")
    day = date or timezone.localdate()
    rows = open_rows(loan)
    arrears_interest = sum((r.unpaid_interest for r in rows if r.due_date <= day), ZERO)
    arrears_penalty = sum((penalty_due(loan, r, day) for r in rows if r.due_date <= day), ZERO)
    old = {"tenor": loan.tenor, "rate": str(loan.rate), "outstanding": str(loan.outstanding),
           "open_rows": [[r.no, r.due_date.isoformat(), str(r.unpaid_principal), str(r.unpaid_interest)]
                         for r in rows]}
    new_rate = Decimal(str(rate)) if rate not in (None, "") else loan.rate
    terms = Terms(principal=loan.outstanding, rate=new_rate, tenor=int(tenor), method=loan.method,
                  rate_period=loan.rate_period, frequency=loan.frequency, day_count=loan.day_count, start_date=day,
                  grace_principal=grace_principal, grace_interest=grace_interest, balloon=loan.balloon,
                  season_months=loan.season_months, rounding=loan.rounding)
    sched = generate(terms)
    version = (loan.installments.order_by("-version").values_list("version", flat=True).first() or 1) + 1
    last_no = loan.installments.filter(superseded=False).order_by("-no").values_list("no", flat=True).first() or 0
    loan.installments.filter(pk__in=[r.pk for r in rows]).update(superseded=True)
    new_rows = []
    for i, r in enumerate(sched.rows):
        interest = r.interest + (arrears_interest if i == 0 else ZERO)
        new_rows.append(Installment(koperasi=koperasi, loan=loan, version=version, no=last_no + r.no,
                                    due_date=r.due_date, principal_due=r.principal, interest_due=interest))
    # accrual basis: accrued arrears interest moves with the arrears to the first new instalment; any other open
    # accrual (rows not yet due) is taken back out of income
    moved = min(sum((r.accrual_open for r in rows if r.due_date <= day and r.accrual_open > 0), ZERO),
                arrears_interest)
    if new_rows and moved > 0:
        left = moved
        for r in rows:
            take = min(left, max(r.accrual_open, ZERO))
            r.accrual_cleared += take
            left -= take
        new_rows[0].interest_accrued = moved
    Installment.objects.bulk_update(rows, ["accrual_cleared"])
    _reverse_open_accrual(koperasi, loan, rows, day, f"Pembalikan jasa akrual {loan.number} (restrukturisasi)", by)
    Installment.objects.bulk_create(new_rows)
    loan.restructured = True
    loan.rate = new_rate
    loan.tenor = last_no + len(sched.rows)
    loan.save(update_fields=["restructured", "rate", "tenor"])
    _event(loan, "restrukturisasi", day, reason, by, old=old, new_tenor=int(tenor), new_rate=str(new_rate),
           grace_principal=grace_principal, grace_interest=grace_interest, arrears_interest=str(arrears_interest),
           penalty_waived=str(arrears_penalty), new_instalment=str(sched.regular_instalment))
    return loan


@transaction.atomic
def write_off(koperasi, loan, *, by=None, date=None, reason: str) -> Loan:
    """Hapus buku: the outstanding principal leaves the books against the provision (PPAP); any shortfall is an
    expense. The member still owes it; recoveries are income (4105)."""
    loan = _locked_loan(koperasi, loan)
    if loan.status != Loan.Status.AKTIF:
        raise DomainError("Hanya pinjaman aktif yang dapat dihapus buku.", "Only active loans can be written off.",
                          code="bad_state")
    if not (reason or "").strip():
        raise DomainError("Alasan hapus buku wajib diisi.", "A reason is required.", field="reason")
    day = date or timezone.localdate()
    _reverse_open_accrual(koperasi, loan, list(loan.installments.filter(superseded=False)), day,
                          f"Pembalikan jasa akrual {loan.number} (hapus buku)", by)
    amount = loan.outstanding
    provision = max(account_balance(koperasi, A_PROVISION), ZERO)
    from_provision = min(amount, provision)
    lines = []
    if from_provision > 0:
        lines.append(Line(A_PROVISION, debit=from_provision, unit=U, memo="Pemakaian PPAP"))
    if amount - from_provision > 0:
        lines.append(Line(A_PPAP, debit=amount - from_provision, unit=U, memo="Kekurangan PPAP"))
    lines.append(Line(A_LOAN, credit=amount, unit=U, member_id=loan.member_id, memo=f"Hapus buku {loan.number}"))
    entry = post(koperasi, date=day, memo=f"Hapus buku pinjaman {loan.number}", lines=lines, source="loans.Loan",
                 source_id=str(loan.pk), by=by if getattr(by, "pk", None) else None)
    loan.status = Loan.Status.DIHAPUS
    loan.written_off_amount = amount
    loan.outstanding = ZERO
    loan.closed_on = day
    loan.save(update_fields=["status", "written_off_amount", "outstanding", "closed_on"])
    _event(loan, "hapus_buku", day, reason, by, amount=amount, from_provision=from_provision, entry=entry.pk)
    return loan


def recover(koperasi, loan, *, amount, date=None, channel: str = "tunai", by=None,
            idempotency_key: str | None = None) -> Repayment:
    loan_id = getattr(loan, "pk", loan)
    payload = {"loan": loan_id, "amount": str(amount), "date": str(date), "channel": channel}

    def _do():
        return _recover(koperasi, loan_id, amount=amount, date=date, channel=channel, by=by).pk

    with transaction.atomic():
        pk, _ = run_idempotent(koperasi, "loans.recover", idempotency_key, payload, _do)
    return Repayment.objects.get(pk=pk, koperasi=koperasi)


def _recover(koperasi, loan_id, *, amount, date, channel, by) -> Repayment:
    loan = _locked_loan(koperasi, loan_id)
    amount = _positive(amount, "amount", "Jumlah pemulihan")
    if loan.status != Loan.Status.DIHAPUS:
        raise DomainError("Pemulihan hanya untuk pinjaman yang sudah dihapus buku.",
                          "Recovery applies to written-off loans only.", code="bad_state")
    left = loan.written_off_amount - loan.recovered_amount
    if amount > left:
        raise DomainError(f"Pemulihan melebihi sisa yang dihapus buku (Rp{left:,.0f}).".replace(",", "."),
                          "The recovery exceeds what was written off.", field="amount", code="overpayment")
    day = date or timezone.localdate()
    _channel_check(koperasi, loan, channel, amount, day)
    by_user = by if getattr(by, "pk", None) else None
    rep = Repayment.objects.create(koperasi=koperasi, loan=loan, number=_next_number(koperasi, Repayment, "BYR",
                                                                                      day.year),
                                   kind=Repayment.Kind.PEMULIHAN, date=day, amount=amount, channel=channel, by=by_user)
    entry = post(koperasi, date=day, memo=f"Pemulihan pinjaman hapus buku {loan.number}", lines=[
        Line(CHANNEL_ACCOUNT[channel], debit=amount, unit=U),
        Line(A_RECOVERY, credit=amount, unit=U, member_id=loan.member_id),
    ], source="loans.Repayment", source_id=str(rep.pk), by=by_user)
    rep.entry_id = entry.pk
    rep.save(update_fields=["entry_id"])
    loan.recovered_amount += amount
    loan.save(update_fields=["recovered_amount"])
    _event(loan, "pemulihan", day, rep.number, by, amount=amount)
    return rep


# --- collectibility and provisions (set-based) --------------------------------------------------------------------

def classify(dpd: int, *, scheme: str, settings: LoanSettings, frequency: str = "bulanan", season_months: int = 1,
             collateral_value: Decimal = ZERO, outstanding: Decimal = ZERO) -> str:
    """Python mirror of the SQL in :func:`run_ageing` (used for live reports and tested against it)."""
    if scheme == LoanSettings.Scheme.BANK:
        return "M" if dpd > 180 else "D" if dpd > 120 else "KL" if dpd > 90 else "DPK" if dpd > 0 else "L"
    kl, d = _thresholds(settings, frequency, season_months)
    if dpd > settings.m_days:
        return "M"
    if dpd > d:
        return "D" if collateral_value * 100 >= settings.collateral_cover_pct * outstanding else "M"
    return "KL" if dpd > kl else "L"


def _thresholds(s: LoanSettings, frequency: str, season_months: int) -> tuple[int, int]:
    """Cooperative rule: monthly loans 3–6 months; daily/weekly 1–2 months; ≥6-monthly 6–12 months."""
    if frequency == "mingguan":
        return s.kl_days // 3, s.d_days // 3
    if frequency == "musiman" and season_months >= 6:
        return s.kl_days * 2, s.d_days * 2
    return s.kl_days, s.d_days


def _class_case_sql(s: LoanSettings) -> tuple[str, list]:
    if s.scheme == LoanSettings.Scheme.BANK:
        return ("CASE WHEN dpd > 180 THEN 'M' WHEN dpd > 120 THEN 'D' WHEN dpd > 90 THEN 'KL' "
                "WHEN dpd > 0 THEN 'DPK' ELSE 'L' END"), []
    kl_m, d_m = s.kl_days, s.d_days
    kl_w, d_w = _thresholds(s, "mingguan", 1)
    kl_l, d_l = _thresholds(s, "musiman", 6)
    kl = ("(CASE WHEN frequency = 'mingguan' THEN %s WHEN frequency = 'musiman' AND season_months >= 6 THEN %s "
          "ELSE %s END)")
    sql = (f"CASE WHEN dpd > %s THEN 'M' WHEN dpd > {kl} THEN (CASE WHEN collateral_value * 100 >= %s * outstanding "
           f"THEN 'D' ELSE 'M' END) WHEN dpd > {kl} THEN 'KL' ELSE 'L' END")
    return sql, [s.m_days, d_w, d_l, d_m, s.collateral_cover_pct, kl_w, kl_l, kl_m]


@transaction.atomic
def run_ageing(koperasi, *, as_of: dt.date | None = None, post_provision: bool = True, by=None) -> AgeingRun:
    """Classify every active loan by days past due and post the PPAP difference. Set-based: a few SQL statements
    whatever the number of loans. Re-running the same date replaces that date's history."""
    t0 = time.perf_counter()
    LAST_AGEING_TIMINGS.clear()

    def lap(label):
        LAST_AGEING_TIMINGS.append((label, round(time.perf_counter() - t0, 3)))

    as_of = as_of or timezone.localdate()
    s = settings_for(koperasi)
    kid = koperasi.pk
    loan_t, inst_t = Loan._meta.db_table, Installment._meta.db_table
    hist_t = "loans_loanclasshistory"
    pg = connection.vendor == "postgresql"
    # literal FALSE (not a parameter) so PostgreSQL can use the partial index of open instalments
    open_rows = f"{inst_t}.settled = FALSE AND {inst_t}.superseded = FALSE"
    days = "(%s::date - MIN(due_date))" if pg else "CAST(julianday(%s) - julianday(MIN(due_date)) AS INTEGER)"
    with connection.cursor() as cur:
        # only rows that change are written: loans no longer overdue, then the overdue ones whose dpd moved
        cur.execute(
            f"UPDATE {loan_t} SET dpd = 0 WHERE koperasi_id = %s AND status = 'aktif' AND dpd <> 0 AND NOT EXISTS "
            f"(SELECT 1 FROM {inst_t} WHERE {inst_t}.koperasi_id = {loan_t}.koperasi_id "
            f"AND {inst_t}.loan_id = {loan_t}.id AND {open_rows} AND {inst_t}.due_date < %s)", [kid, as_of])
        lap("reset dpd")
        cur.execute(
            f"UPDATE {loan_t} SET dpd = s.dpd FROM (SELECT koperasi_id, loan_id, {days} AS dpd FROM {inst_t} "
            f"WHERE koperasi_id = %s AND {open_rows} AND due_date < %s GROUP BY koperasi_id, loan_id) s "
            f"WHERE {loan_t}.koperasi_id = s.koperasi_id AND {loan_t}.id = s.loan_id AND {loan_t}.koperasi_id = %s "
            f"AND {loan_t}.status = 'aktif' AND {loan_t}.dpd <> s.dpd", [as_of, kid, as_of, kid])
        lap("dpd")
        case, params = _class_case_sql(s)
        cur.execute(f"UPDATE {loan_t} SET loan_class = {case} WHERE koperasi_id = %s AND status = 'aktif' "
                    f"AND loan_class <> {case}", params + [kid] + params)
        lap("class")
    old_runs = list(AgeingRun.objects.filter(koperasi=koperasi, as_of=as_of).values_list("pk", flat=True))
    if old_runs:
        LoanClassHistory.objects.filter(koperasi=koperasi, run_id__in=old_runs)._raw_delete(LoanClassHistory.objects.db)
        AgeingRun.objects.filter(koperasi=koperasi, pk__in=old_runs).delete()
    lap("drop same-date history")
    run = AgeingRun.objects.create(koperasi=koperasi, as_of=as_of, scheme=s.scheme)
    pct_case = ("CASE loan_class WHEN 'L' THEN %s WHEN 'DPK' THEN %s WHEN 'KL' THEN %s WHEN 'D' THEN %s "
                "WHEN 'M' THEN %s ELSE 0 END")
    pcts = [s.pct_lancar, s.pct_dpk, s.pct_kl, s.pct_d, s.pct_m]
    # below Lancar the provision is on the outstanding less the eligible share of the collateral (never below 0)
    net = "(outstanding - COALESCE(collateral_value, 0) * %s / 100)"
    base = f"CASE WHEN loan_class = 'L' THEN outstanding WHEN {net} > 0 THEN {net} ELSE 0 END"
    cp = s.ppap_collateral_pct
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {hist_t} (koperasi_id, run_id, loan_id, loan_class, dpd, outstanding, provision) "
            f"SELECT koperasi_id, %s, id, loan_class, dpd, outstanding, ROUND(({base}) * ({pct_case}) / 100, 2) "
            f"FROM {loan_t} WHERE koperasi_id = %s AND status = 'aktif'", [run.pk, cp, cp, *pcts, kid])
    lap("history insert")
    by_class = {}
    for row in run.rows.values("loan_class").annotate(n=Count("id"), o=Sum("outstanding"), p=Sum("provision")):
        by_class[row["loan_class"]] = {"count": row["n"], "outstanding": str(_rp(row["o"] or 0)),
                                       "provision": str(_rp(row["p"] or 0))}
    run.by_class = by_class
    run.loan_count = sum(v["count"] for v in by_class.values())
    run.outstanding = sum((Decimal(v["outstanding"]) for v in by_class.values()), ZERO)
    run.provision_required = sum((Decimal(v["provision"]) for v in by_class.values()), ZERO)
    lap("totals")
    run.provision_before = account_balance(koperasi, A_PROVISION, as_of=as_of)
    diff = run.provision_required - run.provision_before
    if post_provision and diff != 0:
        lines = ([Line(A_PPAP, debit=diff, unit=U), Line(A_PROVISION, credit=diff, unit=U)] if diff > 0 else
                 [Line(A_PROVISION, debit=-diff, unit=U), Line(A_PPAP, credit=-diff, unit=U)])
        entry = post(koperasi, date=as_of, memo=f"Penyesuaian PPAP per {as_of:%d-%m-%Y}", lines=lines,
                     source="loans.AgeingRun", source_id=str(run.pk), by=by if getattr(by, "pk", None) else None)
        run.entry_id = entry.pk
        run.provision_posted = diff
    lap("provision journal")
    if post_provision and s.accrue_interest:
        net, entry = accrue_interest(koperasi, as_of=as_of, run=run, by=by)
        run.accrual_posted, run.accrual_entry_id = net, getattr(entry, "pk", None)
        lap("interest accrual")
    run.seconds = round(time.perf_counter() - t0, 3)
    run.save()
    return run


def accrue_interest(koperasi, *, as_of: dt.date, run=None, by=None):
    """Accrual basis (``LoanSettings.accrue_interest``), run with the ageing: interest of instalments due by
    ``as_of`` and not paid is booked as income (Dr 1134 / Cr 4101, member lines) while the loan is performing
    (Lancar / DPK); when a loan falls to Kurang lancar or worse its open accrual is reversed (back to cash basis).
    Idempotent: each row is only ever accrued up to its unpaid interest. Returns (net change of 1134, entry)."""
    rows = list(Installment.objects.filter(koperasi=koperasi, superseded=False, loan__status=Loan.Status.AKTIF)
                .filter(Q(settled=False, due_date__lte=as_of) | Q(interest_accrued__gt=F("accrual_cleared")))
                .select_related("loan"))
    per_member: dict[int, Decimal] = {}
    changed = []
    for r in rows:
        performing = r.loan.loan_class in PERFORMING_CLASSES
        target = r.unpaid_interest if (performing and r.due_date <= as_of and not r.settled) else (
            min(r.accrual_open, r.unpaid_interest) if performing else ZERO)
        delta = max(target, ZERO) - r.accrual_open
        if delta == 0:
            continue
        r.interest_accrued += delta
        changed.append(r)
        per_member[r.loan.member_id] = per_member.get(r.loan.member_id, ZERO) + delta
    if not changed:
        return ZERO, None
    Installment.objects.bulk_update(changed, ["interest_accrued"], batch_size=2000)
    lines = []
    for member_id, d in sorted(per_member.items()):
        if d > 0:
            lines += [Line(A_ACCRUED, debit=d, unit=U, member_id=member_id),
                      Line(A_INTEREST, credit=d, unit=U, member_id=member_id)]
        elif d < 0:
            lines += [Line(A_INTEREST, debit=-d, unit=U, member_id=member_id),
                      Line(A_ACCRUED, credit=-d, unit=U, member_id=member_id)]
    entry = None
    if lines:
        entry = post(koperasi, date=as_of, memo=f"Jasa pinjaman akrual per {as_of:%d-%m-%Y}", lines=lines,
                     source="loans.AgeingRun" if run else "loans.Accrual", source_id=str(getattr(run, "pk", as_of)),
                     by=by if getattr(by, "pk", None) else None)
    return sum(per_member.values(), ZERO), entry


#: cumulative seconds after each step of the last :func:`run_ageing` (printed by bench/loans_bench.py)
LAST_AGEING_TIMINGS: list[tuple[str, float]] = []


# --- the cooperative's own bank financing (PMK 49/2025) -------------------------------------------------------------
# The terms of the Himbara financing for KDMP under PMK 49/2025 (issue 14 item 17): 6% a year, principal grace of
# 6 to 8 months, at most 72 months, at most Rp3 billion per cooperative of which at most Rp500 million for operating
# costs (modal kerja/operasional), instalments due on the 12th of each month. The first instalment falls on the
# 12th of the month after the disbursement (its interest is the odd first period, 30/360).
PMK49_RATE = Decimal("6")
PMK49_GRACE = (6, 8)
PMK49_MAX_TENOR = 72
PMK49_MAX_AMOUNT = Decimal("3000000000")
PMK49_MAX_OPERATING = Decimal("500000000")
PMK49_DUE_DAY = 12


def pmk49_first_due(received_on: dt.date) -> dt.date:
    """The 12th of the month after the disbursement."""
    from .schedule import add_months

    return add_months(received_on.replace(day=1), 1).replace(day=PMK49_DUE_DAY)


def _int_term(value, field: str, label_id: str, label_en: str) -> int:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or number != number.to_integral_value():
        raise DomainError(f"{label_id} harus bilangan bulat bulan.", f"{label_en} must be whole months.", field=field)
    return int(number)


@transaction.atomic
def record_bank_facility(koperasi, *, bank_name: str, contract_number: str, amount, received_on: dt.date,
                         rate=PMK49_RATE, tenor: int = PMK49_MAX_TENOR, grace: int = PMK49_GRACE[0],
                         operating_part=0, method: str = "anuitas", unit: str = Unit.KANTOR, by=None,
                         note: str = "") -> BankFacility:
    """Record a PMK 49/2025 facility with its schedule and post the disbursement; its terms are enforced."""
    if not bank_name or not contract_number:
        raise DomainError("Nama bank dan nomor perjanjian wajib diisi.", "Bank and contract number are required.",
                          field="bank_name")
    amount = _positive(amount, "amount", "Plafon")
    if amount > PMK49_MAX_AMOUNT:
        raise DomainError("Pembiayaan PMK 49/2025 paling banyak Rp3 miliar per koperasi.",
                          "PMK 49/2025 financing is at most Rp3 billion.", field="amount", code="over_limit")
    try:
        operating_part = Decimal(str(operating_part or 0))
    except InvalidOperation:
        raise DomainError("Bagian operasional tidak valid.", "Invalid operating part.", field="operating_part") \
            from None
    if operating_part < 0 or operating_part > min(amount, PMK49_MAX_OPERATING):
        raise DomainError("Bagian operasional paling banyak Rp500 juta dan tidak melebihi plafon.",
                          "The operating part is at most Rp500 million and within the facility.",
                          field="operating_part", code="over_limit")
    try:
        rate = Decimal(str(rate))
    except InvalidOperation:
        rate = None
    if rate != PMK49_RATE:
        raise DomainError("Bunga pembiayaan PMK 49/2025 adalah 6% per tahun.",
                          "PMK 49/2025 financing carries 6% a year.", field="rate", code="pmk49_rate")
    tenor = _int_term(tenor, "tenor", "Jangka", "The tenor")
    grace = _int_term(grace, "grace", "Masa tenggang", "The grace period")
    if not 1 <= tenor <= PMK49_MAX_TENOR:
        raise DomainError("Jangka pembiayaan paling lama 72 bulan.", "Tenor at most 72 months.", field="tenor",
                          code="pmk49_tenor")
    if not PMK49_GRACE[0] <= grace <= PMK49_GRACE[1]:
        raise DomainError("Masa tenggang pokok PMK 49/2025 adalah 6 sampai 8 bulan.",
                          "The PMK 49/2025 principal grace period is 6 to 8 months.", field="grace",
                          code="pmk49_grace")
    if grace >= tenor:
        raise DomainError("Jangka harus lebih panjang dari masa tenggang.", "The tenor must exceed the grace period.",
                          field="tenor", code="pmk49_tenor")
    f = BankFacility(koperasi=koperasi, bank_name=bank_name, contract_number=contract_number, amount=amount,
                     operating_part=operating_part, rate=rate, tenor=tenor, grace=grace, method=method,
                     received_on=received_on, unit=unit, note=note)
    sched = generate(f.terms())
    f.save()
    BankInstallment.objects.bulk_create([
        BankInstallment(koperasi=koperasi, facility=f, no=r.no, due_date=r.due_date, principal_due=r.principal,
                        interest_due=r.interest) for r in sched.rows])
    entry = post(koperasi, date=received_on, memo=f"Pencairan pembiayaan {bank_name} {contract_number}", lines=[
        Line("1111", debit=amount, unit=unit), Line("2201", credit=amount, unit=unit)],
        source="loans.BankFacility", source_id=str(f.pk), by=by if getattr(by, "pk", None) else None)
    f.entry_id = entry.pk
    f.save(update_fields=["entry_id"])
    return f


@transaction.atomic
def pay_bank_installment(koperasi, installment, *, date=None, by=None) -> BankInstallment:
    inst = BankInstallment.objects.locked(koperasi).filter(
        koperasi=koperasi, pk=getattr(installment, "pk", installment)).select_related("facility").first()
    if inst is None:
        raise NotFound("Angsuran tidak ditemukan.", "Instalment not found.")
    if inst.paid_on:
        raise Conflict("Angsuran bank ini sudah dibayar.", "This bank instalment is already paid.",
                       code="already_paid")
    earlier = BankInstallment.objects.filter(facility=inst.facility, no__lt=inst.no, paid_on__isnull=True).exists()
    if earlier:
        raise DomainError("Bayar angsuran sebelumnya terlebih dahulu.", "Pay the earlier instalments first.")
    day = date or timezone.localdate()
    f = inst.facility
    lines = []
    if inst.principal_due > 0:
        lines.append(Line("2201", debit=inst.principal_due, unit=f.unit))
    if inst.interest_due > 0:
        lines.append(Line("6112", debit=inst.interest_due, unit=f.unit))
    lines.append(Line("1111", credit=inst.principal_due + inst.interest_due, unit=f.unit))
    entry = post(koperasi, date=day, memo=f"Angsuran ke-{inst.no} {f.bank_name} {f.contract_number}", lines=lines,
                 source="loans.BankInstallment", source_id=str(inst.pk), by=by if getattr(by, "pk", None) else None)
    inst.paid_on, inst.entry_id = day, entry.pk
    inst.save(update_fields=["paid_on", "entry_id"])
    if not f.installments.filter(paid_on__isnull=True).exists():
        f.status = BankFacility.Status.LUNAS
        f.save(update_fields=["status"])
    return inst


# --- members' exit: debts hook -----------------------------------------------------------------------------------

def member_debts(member):
    from kopdes.members.debts import Debt

    out = []
    for loan in Loan.objects.filter(koperasi_id=member.koperasi_id, member=member, status=Loan.Status.AKTIF):
        if loan.outstanding > 0:
            out.append(Debt(source=f"loans.Loan:{loan.pk}", label=f"Pinjaman {loan.number}", amount=loan.outstanding,
                            account=A_LOAN, unit=U))
    return out


def on_debt_offset(member, debt, amount, entry) -> None:
    """The members app credited 1131 with ``amount``: record it as a principal payment (oldest rows first)."""
    loan = _locked_loan(member.koperasi_id, int(debt.source.split(":")[1]))
    amount = Decimal(amount)
    alloc = {}
    left = amount
    for r in open_rows(loan):
        if left <= 0:
            break
        take = min(left, r.unpaid_principal)
        if take > 0:
            alloc[r.pk] = [ZERO, ZERO, take]
            left -= take
    day = getattr(entry, "date", None) or timezone.localdate()
    Repayment.objects.create(koperasi_id=loan.koperasi_id, loan=loan,
                             number=_next_number(loan.koperasi, Repayment, "BYR", day.year),
                             kind=Repayment.Kind.KOMPENSASI, date=day, amount=amount, channel="sukarela",
                             principal=amount, allocation=[[k, "0", "0", str(v[2])] for k, v in alloc.items()],
                             entry_id=getattr(entry, "pk", None))
    # interest on rows whose principal is now paid is waived (the member left)
    _apply_allocation(loan, alloc, day, sign=1, waive_future=True)
    waived_rows = [r for r in loan.installments.filter(pk__in=list(alloc)) if r.accrual_open > r.unpaid_interest]
    for r in waived_rows:  # only the part of the accrual above what is still owed is reversed
        r.accrual_cleared += r.unpaid_interest
    _reverse_open_accrual(loan.koperasi, loan, waived_rows, day,
                          f"Pembalikan jasa akrual {loan.number} (anggota keluar)")
    for r in waived_rows:
        r.accrual_cleared -= r.unpaid_interest
        r.interest_accrued += r.unpaid_interest
    if waived_rows:
        Installment.objects.bulk_update(waived_rows, ["accrual_cleared", "interest_accrued"])
    loan.outstanding -= amount
    _close_if_done(loan, day)
    loan.save(update_fields=["outstanding", "status", "closed_on"])
    _event(loan, "kompensasi", day, "Dikompensasi dengan simpanan saat keluar", None, amount=amount)


def outstanding_filter() -> Q:
    return Q(status=Loan.Status.AKTIF)
