"""Savings operations. Each posts to the ledger (unit simpan pinjam, member line on 3101/3102/2101) and writes
the passbook rows in the same transaction. All counter operations are idempotent by the client's key.

Functions other units call:

- :func:`balances(member)` → ``{"pokok", "wajib", "sukarela"}``;
- :func:`pay_pokok`, :func:`deposit`, :func:`withdraw` (counter);
- :func:`run_billing(koperasi, period)` (monthly wajib, idempotent per month), :func:`arrears`;
- :func:`run_jasa(koperasi, period)` (monthly jasa on sukarela, tax withheld);
- :func:`close_accounts` (used by ``members.services.exit_member``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from kopdes.core import audit, numbering
from kopdes.core.errors import DomainError
from kopdes.core.idempotency import run_idempotent
from kopdes.core.models import Koperasi, User
from kopdes.core.money import round_rupiah, to_money
from kopdes.core.units import Unit
from kopdes.members.models import Member

from .models import (
    KIND_ACCOUNT,
    METHOD_ACCOUNT,
    BillingRun,
    JasaRun,
    Kind,
    PaymentMethod,
    Receipt,
    SavingsSettings,
    SavingsTransaction,
    TxType,
    WajibDue,
)

ZERO = Decimal("0.00")
UNIT = Unit.SIMPAN_PINJAM


# --- reads ---------------------------------------------------------------------------------------------------

def settings_for(koperasi: Koperasi) -> SavingsSettings:
    obj = SavingsSettings.objects.filter(koperasi=koperasi).first()
    return obj or SavingsSettings(koperasi=koperasi)


def balances(member: Member, as_of: dt.date | None = None) -> dict[str, Decimal]:
    """The member's balance of each kind (from the passbook rows, which equal the ledger's member lines)."""
    qs = SavingsTransaction.objects.filter(koperasi_id=member.koperasi_id, member=member)
    if as_of:
        qs = qs.filter(date__lte=as_of)
    out = {k: ZERO for k in Kind.values}
    for row in qs.values("kind").annotate(s=Sum("amount")).order_by():
        out[row["kind"]] = row["s"] or ZERO
    return out


def balance(member: Member, kind: str) -> Decimal:
    return balances(member)[kind]


def all_balances(koperasi: Koperasi, kind: str, as_of: dt.date | None = None) -> dict[int, Decimal]:
    qs = SavingsTransaction.objects.filter(koperasi=koperasi, kind=kind)
    if as_of:
        qs = qs.filter(date__lte=as_of)
    return {r["member_id"]: r["s"] for r in qs.values("member_id").annotate(s=Sum("amount")).order_by()}


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def arrears(koperasi: Koperasi, as_of: dt.date | None = None) -> dict[int, Decimal]:
    """``{member_id: wajib in arrears}`` for dues of months up to ``as_of`` (default today)."""
    as_of = as_of or timezone.localdate()
    rows = (WajibDue.objects.filter(koperasi=koperasi, status=WajibDue.Status.OPEN, period__lte=as_of)
            .values("member_id").annotate(s=Sum(F("amount") - F("paid"))).order_by())
    return {r["member_id"]: r["s"] for r in rows if r["s"]}


def member_arrears(member: Member, as_of: dt.date | None = None) -> tuple[Decimal, int]:
    """(amount, number of months) of unpaid wajib."""
    as_of = as_of or timezone.localdate()
    dues = WajibDue.objects.filter(koperasi_id=member.koperasi_id, member=member, status=WajibDue.Status.OPEN,
                                   period__lte=as_of)
    total = sum((d.amount - d.paid for d in dues), ZERO)
    return total, len(dues)


# --- helpers -------------------------------------------------------------------------------------------------

def _money(amount, field: str = "amount") -> Decimal:
    try:
        value = amount if isinstance(amount, Decimal) else to_money(amount)
    except (ValueError, TypeError):
        raise DomainError("Jumlah tidak valid.", "Invalid amount.", field=field, code="invalid_amount")
    if value <= 0:
        raise DomainError("Jumlah harus lebih dari nol.", "The amount must be greater than zero.", field=field,
                          code="invalid_amount")
    if value != value.quantize(Decimal(1)):
        raise DomainError("Jumlah harus dalam rupiah penuh.", "The amount must be whole rupiah.", field=field,
                          code="invalid_amount")
    return value.quantize(Decimal("0.01"))


def _check_method(method: str, reference: str) -> None:
    if method not in METHOD_ACCOUNT:
        raise DomainError("Cara bayar tidak dikenal (tunai, transfer, QRIS).",
                          "Unknown payment method (cash, transfer, QRIS).", field="method", code="invalid_method")
    if method != PaymentMethod.TUNAI and not (reference or "").strip():
        raise DomainError("Isi nomor referensi transfer/QRIS.", "Give the transfer/QRIS reference.",
                          field="reference", code="reference_required")


def _check_date(date: dt.date | None) -> dt.date:
    today = timezone.localdate()
    date = date or today
    if date > today:
        raise DomainError("Tanggal transaksi tidak boleh di masa depan.", "The date must not be in the future.",
                          field="date", code="future_date")
    return date


def _lock_member(member: Member) -> Member:
    return Member.objects.locked(member.koperasi_id).get(pk=member.pk)


RECEIPT_SERIES = "savings.BS"


def _next_receipt_number(koperasi: Koperasi, date: dt.date) -> str:
    """Bukti setoran/penarikan ``BS-<year>-<n>``: gap-free per cooperative and year (core numbering)."""
    return f"BS-{date.year}-{numbering.next_value(koperasi, RECEIPT_SERIES, date.year):06d}"


def _ref(entry) -> str:
    return getattr(entry, "reference", "") or str(entry.pk)


def _post(koperasi, *, date, memo, lines, source, source_id, by):
    from kopdes.ledger.services import post

    return post(koperasi, date=date, memo=memo, lines=lines, source=source, source_id=str(source_id),
                by=by if getattr(by, "pk", None) else None)


def _counter_op(member: Member, *, kind: str, tx_type: str, amount: Decimal, method: str, reference: str,
                date: dt.date, by: User | None, memo: str) -> Receipt:
    """Post one counter movement (deposit: + amount, withdrawal: − amount) and write receipt + passbook row."""
    from kopdes.ledger.services import Line

    k = member.koperasi
    cash = METHOD_ACCOUNT[method]
    account = KIND_ACCOUNT[kind]
    absval = abs(amount)
    if amount > 0:
        lines = [Line(cash, debit=absval, unit=UNIT), Line(account, credit=absval, unit=UNIT, member_id=member.pk)]
    else:
        lines = [Line(account, debit=absval, unit=UNIT, member_id=member.pk), Line(cash, credit=absval, unit=UNIT)]
    number = _next_receipt_number(k, date)
    entry = _post(k, date=date, memo=f"{memo} — {member.number} {member.name}", lines=lines,
                  source="savings.Receipt", source_id=number, by=by)
    after = balances(member)[kind] + amount
    receipt = Receipt.objects.create(
        koperasi=k, number=number, member=member, date=date, kind=kind, type=tx_type, amount=absval,
        method=method, reference=reference[:80], balance_after=after, entry_id=entry.pk, entry_number=_ref(entry),
        created_by=by if getattr(by, "pk", None) else None,
    )
    SavingsTransaction.objects.create(
        koperasi=k, member=member, kind=kind, type=tx_type, date=date, amount=amount, method=method,
        reference=reference[:80], memo=memo[:200], receipt=receipt, entry_id=entry.pk, entry_number=_ref(entry),
        created_by=receipt.created_by,
    )
    return receipt


def _idempotent(member: Member, scope: str, client_key: str | None, payload: dict, fn) -> Receipt:
    def run():
        return {"receipt_id": fn().pk}

    result, _replayed = run_idempotent(member.koperasi, scope, client_key, payload, run)
    return Receipt.objects.get(pk=result["receipt_id"], koperasi_id=member.koperasi_id)


# --- counter operations --------------------------------------------------------------------------------------

@transaction.atomic
def pay_pokok(member: Member, *, method: str = PaymentMethod.TUNAI, reference: str = "", date: dt.date | None = None,
              by: User | None = None, client_key: str | None = None) -> Receipt:
    """Simpanan pokok: once, the amount of the by-laws in force; makes the calon anggota an anggota."""
    from kopdes.members.services import activate_member

    date = _check_date(date)
    payload = {"op": "pokok", "member": member.pk, "method": method, "reference": reference, "date": date}

    def do():
        m = _lock_member(member)
        _check_method(method, reference)
        if SavingsTransaction.objects.filter(koperasi_id=m.koperasi_id, member=m, kind=Kind.POKOK).exists():
            raise DomainError(
                f"Simpanan pokok {m.name} sudah dibayar; simpanan pokok hanya dibayar sekali.",
                "Simpanan pokok has already been paid; it is paid only once.", field="kind",
                code="pokok_already_paid")
        if m.status != Member.Status.CALON:
            raise DomainError(f"{m.name} bukan calon anggota ({m.get_status_display()}).",
                              "Only a candidate member pays simpanan pokok.", code="member_closed")
        bylaws = m.koperasi.bylaws_on(date)
        if bylaws is None:
            raise DomainError("AD/ART belum menetapkan simpanan pokok.", "The by-laws set no simpanan pokok.",
                              code="no_bylaws")
        # a member from this date: joined first, so the ledger's "not before the member joined" rule sees the date
        activate_member(m, date=date)
        return _counter_op(m, kind=Kind.POKOK, tx_type=TxType.SETOR, amount=bylaws.simpanan_pokok,
                           method=method, reference=reference, date=date, by=by, memo="Setoran simpanan pokok")

    return _idempotent(member, "savings.pokok", client_key, payload, do)


@transaction.atomic
def deposit(member: Member, kind: str, amount, *, method: str = PaymentMethod.TUNAI, reference: str = "",
            date: dt.date | None = None, by: User | None = None, client_key: str | None = None,
            memo: str = "") -> Receipt:
    """Setoran simpanan wajib or sukarela (pokok goes through :func:`pay_pokok`). Wajib pays open dues.
    ``memo`` replaces the default passbook text (e.g. "Pencairan pinjaman P-0012 ke sukarela")."""
    if kind == Kind.POKOK:
        return pay_pokok(member, method=method, reference=reference, date=date, by=by, client_key=client_key)
    if kind not in (Kind.WAJIB, Kind.SUKARELA):
        raise DomainError("Jenis simpanan tidak dikenal.", "Unknown savings kind.", field="kind")
    amount = _money(amount)
    date = _check_date(date)
    payload = {"op": "deposit", "member": member.pk, "kind": kind, "amount": amount, "method": method,
               "reference": reference, "date": date, "memo": memo}

    def do():
        m = _lock_member(member)
        _check_method(method, reference)
        if m.status != Member.Status.AKTIF:
            raise DomainError(
                f"{m.name} belum/tidak lagi menjadi anggota ({m.get_status_display()}); "
                "setoran hanya untuk anggota (bayar simpanan pokok lebih dulu).",
                "Deposits are for members only (pay simpanan pokok first).", code="not_member")
        label = memo or ("Setoran simpanan wajib" if kind == Kind.WAJIB else "Setoran simpanan sukarela")
        receipt = _counter_op(m, kind=kind, tx_type=TxType.SETOR, amount=amount, method=method,
                              reference=reference, date=date, by=by, memo=label)
        if kind == Kind.WAJIB:
            allocate_wajib(m, amount, date)
        return receipt

    return _idempotent(member, "savings.deposit", client_key, payload, do)


@transaction.atomic
def withdraw(member: Member, kind: str, amount, *, method: str = PaymentMethod.TUNAI, reference: str = "",
             date: dt.date | None = None, by: User | None = None, client_key: str | None = None,
             memo: str = "") -> Receipt:
    """Penarikan simpanan sukarela, never below the minimum balance. Pokok and wajib are not withdrawable."""
    if kind in (Kind.POKOK, Kind.WAJIB):
        raise DomainError(
            "Simpanan pokok dan wajib tidak dapat ditarik selama masih menjadi anggota; "
            "keduanya dikembalikan saat keluar.",
            "Simpanan pokok and wajib cannot be withdrawn while a member; they are refunded on exit.",
            field="kind", code="not_withdrawable")
    if kind != Kind.SUKARELA:
        raise DomainError("Jenis simpanan tidak dikenal.", "Unknown savings kind.", field="kind")
    amount = _money(amount)
    date = _check_date(date)
    payload = {"op": "withdraw", "member": member.pk, "kind": kind, "amount": amount, "method": method,
               "reference": reference, "date": date, "memo": memo}

    def do():
        m = _lock_member(member)
        _check_method(method, reference)
        if not m.is_current:
            raise DomainError("Anggota sudah keluar; simpanan diselesaikan lewat penyelesaian keanggotaan.",
                              "The member has left; savings are settled through the exit settlement.",
                              code="member_closed")
        current = balances(m)[Kind.SUKARELA]
        minimum = settings_for(m.koperasi).sukarela_min_balance
        available = max(current - minimum, ZERO)
        if amount > available:
            raise DomainError(
                f"Saldo tidak cukup: saldo sukarela Rp{current:,.0f}, saldo minimum Rp{minimum:,.0f}, "
                f"dapat ditarik paling banyak Rp{available:,.0f}.".replace(",", "."),
                f"Insufficient balance: sukarela balance {current:.0f}, minimum {minimum:.0f}, "
                f"at most {available:.0f} can be withdrawn.",
                field="amount", code="insufficient_balance")
        return _counter_op(m, kind=kind, tx_type=TxType.TARIK, amount=-amount, method=method, reference=reference,
                           date=date, by=by, memo=memo or "Penarikan simpanan sukarela")

    return _idempotent(member, "savings.withdraw", client_key, payload, do)


# --- wajib dues ----------------------------------------------------------------------------------------------

def _wajib_amount(koperasi: Koperasi, period: dt.date) -> Decimal:
    bylaws = koperasi.bylaws_on(period) or koperasi.bylaws_on(next_month(period) - dt.timedelta(days=1))
    return bylaws.simpanan_wajib_monthly if bylaws else ZERO


def allocate_wajib(member: Member, amount: Decimal, date: dt.date) -> None:
    """Apply a wajib payment to the member's open dues, oldest first; the rest pays the coming months ahead."""
    remaining = amount
    for due in WajibDue.objects.filter(koperasi_id=member.koperasi_id, member=member,
                                       status=WajibDue.Status.OPEN).order_by("period"):
        if remaining <= 0:
            break
        take = min(remaining, due.amount - due.paid)
        due.paid += take
        remaining -= take
        if due.paid >= due.amount:
            due.status, due.paid_on = WajibDue.Status.PAID, date
        due.save(update_fields=["paid", "status", "paid_on"])
    if remaining <= 0:
        return
    last = (WajibDue.objects.filter(koperasi_id=member.koperasi_id, member=member)
            .aggregate(m=Max("period"))["m"])
    period = next_month(last) if last else month_start(date)
    guard = 0
    while remaining > 0 and guard < 240:
        guard += 1
        monthly = _wajib_amount(member.koperasi, period)
        if monthly <= 0:
            break
        take = min(remaining, monthly)
        WajibDue.objects.create(koperasi_id=member.koperasi_id, member=member, period=period, amount=monthly,
                                paid=take, status=WajibDue.Status.PAID if take >= monthly else WajibDue.Status.OPEN,
                                paid_on=date if take >= monthly else None)
        remaining -= take
        period = next_month(period)


@transaction.atomic
def run_billing(koperasi: Koperasi, period: dt.date, *, autodebit: bool = True, by: User | None = None
                ) -> tuple[BillingRun, bool]:
    """Create the month's simpanan wajib dues for every active member. Idempotent per month: a second run of the
    same month returns the first run (``created`` False) and creates nothing.

    With ``autodebit``, members who consented (``Member.wajib_autodebit``) have their open dues paid from
    sukarela as far as the balance above the minimum allows (one journal entry for the run).
    """
    from kopdes.ledger.services import Line

    period = month_start(period)
    if period > month_start(timezone.localdate()):
        raise DomainError("Penagihan untuk bulan yang akan datang belum dapat dibuat.",
                          "Billing for a future month cannot be run yet.", field="period", code="future_period")
    list(Koperasi.objects.select_for_update().filter(pk=koperasi.pk).values_list("pk", flat=True))
    existing = BillingRun.objects.filter(koperasi=koperasi, period=period).first()
    if existing:
        return existing, False
    amount = _wajib_amount(koperasi, period)
    if amount <= 0:
        raise DomainError("AD/ART tidak menetapkan simpanan wajib bulanan.", "The by-laws set no monthly wajib.",
                          code="no_wajib")
    period_end = next_month(period) - dt.timedelta(days=1)
    run = BillingRun.objects.create(koperasi=koperasi, period=period,
                                    created_by=by if getattr(by, "pk", None) else None)
    with audit.bulk_mode():
        member_ids = list(Member.objects.filter(koperasi=koperasi, status=Member.Status.AKTIF,
                                                joined_on__lte=period_end).values_list("pk", flat=True))
        have = set(WajibDue.objects.filter(koperasi=koperasi, period=period).values_list("member_id", flat=True))
        new = [WajibDue(koperasi=koperasi, member_id=mid, period=period, amount=amount)
               for mid in member_ids if mid not in have]
        WajibDue.objects.bulk_create(new, batch_size=2000)
        run.members_billed = len(new)
        run.amount_billed = amount * len(new)

        if autodebit:
            _autodebit(koperasi, run, period, by, Line)
        run.save()
    audit.record("billing_run", koperasi_id=koperasi.pk, instance=run,
                 summary=f"Penagihan simpanan wajib {period:%m/%Y}: {run.members_billed} anggota, "
                         f"Rp{run.amount_billed:,.0f}; debet otomatis {run.autodebit_count} anggota "
                         f"Rp{run.autodebit_amount:,.0f}".replace(",", "."))
    return run, True


def _autodebit(koperasi: Koperasi, run: BillingRun, period: dt.date, by, Line) -> None:
    consenting = list(Member.objects.filter(koperasi=koperasi, status=Member.Status.AKTIF, wajib_autodebit=True)
                      .values_list("pk", flat=True))
    if not consenting:
        return
    minimum = settings_for(koperasi).sukarela_min_balance
    sukarela = all_balances(koperasi, Kind.SUKARELA)
    dues_by_member: dict[int, list[WajibDue]] = defaultdict(list)
    for due in (WajibDue.objects.filter(koperasi=koperasi, member_id__in=consenting, status=WajibDue.Status.OPEN,
                                        period__lte=period).order_by("member_id", "period")):
        dues_by_member[due.member_id].append(due)
    lines, txs, changed = [], [], []
    date = min(next_month(period) - dt.timedelta(days=1), timezone.localdate())
    total = ZERO
    for mid, dues in dues_by_member.items():
        available = (sukarela.get(mid) or ZERO) - minimum
        take_total = ZERO
        for due in dues:
            need = due.amount - due.paid
            if need <= available - take_total:
                take_total += need
                due.paid, due.status, due.paid_on = due.amount, WajibDue.Status.PAID, date
                changed.append(due)
            else:
                break
        if take_total > 0:
            lines.append(Line("2101", debit=take_total, unit=UNIT, member_id=mid))
            lines.append(Line("3102", credit=take_total, unit=UNIT, member_id=mid))
            txs.append((mid, take_total))
            total += take_total
    if not txs:
        return
    entry = _post(koperasi, date=date, memo=f"Debet otomatis simpanan wajib {period:%m/%Y} dari sukarela",
                  lines=lines, source="savings.BillingRun", source_id=run.pk, by=by)
    WajibDue.objects.bulk_update(changed, ["paid", "status", "paid_on"], batch_size=2000)
    rows = []
    for mid, amt in txs:
        for kind, signed in ((Kind.SUKARELA, -amt), (Kind.WAJIB, amt)):
            rows.append(SavingsTransaction(
                koperasi=koperasi, member_id=mid, kind=kind, type=TxType.DEBET_WAJIB, date=date, amount=signed,
                method="internal", memo=f"Debet otomatis simpanan wajib {period:%m/%Y}", entry_id=entry.pk,
                entry_number=_ref(entry)))
    SavingsTransaction.objects.bulk_create(rows, batch_size=2000)
    run.autodebit_count = len(txs)
    run.autodebit_amount = total
    run.entry_id = entry.pk
    run.entry_number = _ref(entry)


# --- jasa on sukarela ----------------------------------------------------------------------------------------

def jasa_basis_amounts(koperasi: Koperasi, period: dt.date, basis: str) -> dict[int, Decimal]:
    """Per member: the lowest end-of-day sukarela balance of the month, or the average daily balance."""
    period = month_start(period)
    end = next_month(period) - dt.timedelta(days=1)
    days = (end - period).days + 1
    opening = all_balances(koperasi, Kind.SUKARELA, as_of=period - dt.timedelta(days=1))
    moves: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for mid, d, amt in (SavingsTransaction.objects.filter(koperasi=koperasi, kind=Kind.SUKARELA,
                                                          date__gte=period, date__lte=end)
                        .values_list("member_id", "date", "amount").order_by("member_id", "date")):
        moves[mid].append((d, amt))
    out: dict[int, Decimal] = {}
    for mid in set(opening) | set(moves):
        bal = opening.get(mid) or ZERO
        by_day: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
        for d, amt in moves.get(mid, []):
            by_day[d] += amt
        lowest, total = None, ZERO
        day = period
        while day <= end:
            bal += by_day.get(day, ZERO)
            lowest = bal if lowest is None or bal < lowest else lowest
            total += bal
            day += dt.timedelta(days=1)
        value = lowest if basis == SavingsSettings.Basis.TERENDAH else (total / days)
        if value and value > 0:
            out[mid] = value
    return out


@transaction.atomic
def run_jasa(koperasi: Koperasi, period: dt.date, *, by: User | None = None) -> tuple[JasaRun, bool]:
    """Credit the month's jasa on sukarela (annual rate / 12 on the chosen basis), withholding tax on members
    whose jasa exceeds the threshold. Idempotent per month. The month must be over."""
    from kopdes.ledger.services import Line

    period = month_start(period)
    end = next_month(period) - dt.timedelta(days=1)
    if end >= timezone.localdate():
        raise DomainError("Jasa dihitung setelah bulan berakhir.", "Jasa is computed after the month ends.",
                          field="period", code="period_open")
    cfg = settings_for(koperasi)
    if not cfg.jasa_enabled or cfg.jasa_rate_annual <= 0:
        raise DomainError("Jasa simpanan sukarela belum diaktifkan di pengaturan simpanan.",
                          "Jasa on sukarela is not enabled in the savings settings.", code="jasa_disabled")
    list(Koperasi.objects.select_for_update().filter(pk=koperasi.pk).values_list("pk", flat=True))
    existing = JasaRun.objects.filter(koperasi=koperasi, period=period).first()
    if existing:
        return existing, False
    run = JasaRun.objects.create(koperasi=koperasi, period=period, basis=cfg.jasa_basis,
                                 rate_annual=cfg.jasa_rate_annual, tax_rate=cfg.tax_rate,
                                 tax_threshold=cfg.tax_threshold, created_by=by if getattr(by, "pk", None) else None)
    current = set(Member.objects.filter(koperasi=koperasi, status__in=Member.CURRENT_STATUSES)
                  .values_list("pk", flat=True))
    bases = jasa_basis_amounts(koperasi, period, cfg.jasa_basis)
    lines, rows = [], []
    gross_total = tax_total = ZERO
    for mid, base in sorted(bases.items()):
        if mid not in current:
            continue
        gross = round_rupiah(base * cfg.jasa_rate_annual / Decimal(100) / Decimal(12))
        if gross <= 0:
            continue
        tax = ZERO
        if gross > cfg.tax_threshold:
            tax = (gross * cfg.tax_rate / Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            tax = tax.quantize(Decimal("0.01"))
        lines.append(Line("2101", credit=gross, unit=UNIT, member_id=mid))
        rows.append(SavingsTransaction(koperasi=koperasi, member_id=mid, kind=Kind.SUKARELA, type=TxType.JASA,
                                       date=end, amount=gross, method="internal",
                                       memo=f"Jasa simpanan sukarela {period:%m/%Y}"))
        if tax > 0:
            lines.append(Line("2101", debit=tax, unit=UNIT, member_id=mid))
            rows.append(SavingsTransaction(koperasi=koperasi, member_id=mid, kind=Kind.SUKARELA, type=TxType.PAJAK,
                                           date=end, amount=-tax, method="internal",
                                           memo=f"PPh atas jasa simpanan {period:%m/%Y}"))
        gross_total += gross
        tax_total += tax
        run.members_paid += 1
    if gross_total > 0:
        lines.insert(0, Line("6111", debit=gross_total, unit=UNIT))
        if tax_total > 0:
            lines.append(Line("2112", credit=tax_total, unit=UNIT))
        entry = _post(koperasi, date=end, memo=f"Jasa simpanan sukarela {period:%m/%Y}", lines=lines,
                      source="savings.JasaRun", source_id=run.pk, by=by)
        for r in rows:
            r.entry_id, r.entry_number = entry.pk, _ref(entry)
        with audit.bulk_mode():
            SavingsTransaction.objects.bulk_create(rows, batch_size=2000)
        run.entry_id, run.entry_number = entry.pk, _ref(entry)
    run.gross_total, run.tax_total = gross_total, tax_total
    run.save()
    return run, True


def record_shu_credits(koperasi: Koperasi, entry, credits: dict[int, Decimal], *, date: dt.date, year: int) -> int:
    """Passbook rows for SHU credited to simpanan sukarela by the ledger's SHU payout (the journal is already
    posted: Dr 2121 / Cr 2101 per member). Keeps passbook = ledger member lines; returns rows written."""
    known = set(Member.objects.filter(koperasi=koperasi, pk__in=credits).values_list("pk", flat=True))
    rows = [SavingsTransaction(koperasi=koperasi, member_id=mid, kind=Kind.SUKARELA, type=TxType.SHU, date=date,
                               amount=amount, method="internal", memo=f"SHU tahun buku {year}",
                               entry_id=entry.pk, entry_number=_ref(entry))
            for mid, amount in sorted(credits.items()) if mid in known and amount > 0]
    with audit.bulk_mode():
        SavingsTransaction.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def reconcile_with_ledger(koperasi: Koperasi | None = None) -> list[str]:
    """Passbook (SavingsTransaction) = ledger member lines on 3101/3102/2101, per member and kind; and no line on
    those accounts without a member. Run by ``check_integrity`` / ``kopdes ledger-check``."""
    from kopdes.ledger.models import JournalLine

    accounts = {str(k): a for k, a in KIND_ACCOUNT.items()}
    tx = SavingsTransaction.objects.all()
    lines = JournalLine.objects.filter(entry__status="posted", account__code__in=accounts.values())
    if koperasi is not None:
        tx, lines = tx.filter(koperasi=koperasi), lines.filter(koperasi=koperasi)
    book: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for r in tx.values("koperasi_id", "member_id", "kind").annotate(s=Sum("amount")).order_by():
        book[(r["koperasi_id"], r["member_id"], accounts[r["kind"]])] += r["s"] or ZERO
    ledger: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    problems = []
    for r in (lines.values("koperasi_id", "member_id", "account__code").annotate(c=Sum("credit"), d=Sum("debit"))
              .order_by()):
        if r["member_id"] is None:
            problems.append(f"koperasi {r['koperasi_id']}: {r['account__code']} has lines without a member")
            continue
        ledger[(r["koperasi_id"], r["member_id"], r["account__code"])] += (r["c"] or ZERO) - (r["d"] or ZERO)
    # member ids the registry knows (ledger-only tests and imports may carry bare ids; those are not passbooks)
    members = set(Member.objects.filter(pk__in={k[1] for k in ledger}).values_list("koperasi_id", "pk"))
    for key in sorted(book.keys() | {k for k in ledger if (k[0], k[1]) in members}):
        if abs(book.get(key, ZERO) - ledger.get(key, ZERO)) >= Decimal("0.005"):
            problems.append(f"koperasi {key[0]} member {key[1]} account {key[2]}: passbook {book.get(key, ZERO)} "
                            f"!= ledger {ledger.get(key, ZERO)}")
    return problems


# --- exit ----------------------------------------------------------------------------------------------------

@transaction.atomic
def close_accounts(member: Member, *, date: dt.date, credits: list[tuple[str, Decimal, str, str]], memo: str,
                   by: User | None = None):
    """Move every savings balance of a leaving member out: one entry debiting 3101/3102/2101 (member lines) and
    crediting ``credits`` = [(account, amount, unit, memo)] (debts offset, 2115 refund payable). Cancels the
    member's open wajib dues. Returns the journal entry (None when there was nothing to move)."""
    from kopdes.ledger.services import Line

    k = member.koperasi
    bal = balances(member)
    if any(v < 0 for v in bal.values()):
        raise DomainError("Saldo simpanan negatif; periksa mutasi anggota.", "Negative savings balance.",
                          code="negative_balance")
    total = sum(bal.values(), ZERO)
    credit_total = sum((c[1] for c in credits), ZERO)
    if credit_total != total:
        raise DomainError("Penyelesaian tidak seimbang.", "Unbalanced settlement.", code="unbalanced")
    WajibDue.objects.filter(koperasi=k, member=member, status=WajibDue.Status.OPEN).update(
        status=WajibDue.Status.CANCELLED)
    if total <= 0:
        return None
    lines = [Line(KIND_ACCOUNT[kind], debit=amt, unit=UNIT, member_id=member.pk)
             for kind, amt in bal.items() if amt > 0]
    lines += [Line(acc, credit=amt, unit=unit, member_id=member.pk, memo=lm[:200])
              for acc, amt, unit, lm in credits if amt > 0]
    entry = _post(k, date=date, memo=memo, lines=lines, source="members.Settlement", source_id=member.pk, by=by)
    SavingsTransaction.objects.bulk_create([
        SavingsTransaction(koperasi=k, member=member, kind=kind, type=TxType.PENUTUPAN, date=date, amount=-amt,
                           method="internal", memo="Penutupan: anggota keluar", entry_id=entry.pk,
                           entry_number=_ref(entry), created_by=by if getattr(by, "pk", None) else None)
        for kind, amt in bal.items() if amt > 0
    ])
    return entry


# --- settings -------------------------------------------------------------------------------------------------

@transaction.atomic
def update_settings(koperasi: Koperasi, *, by: User | None = None, **values) -> SavingsSettings:
    allowed = {"sukarela_min_balance", "jasa_enabled", "jasa_rate_annual", "jasa_basis", "tax_rate",
               "tax_threshold", "decided_by"}
    unknown = set(values) - allowed
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(sorted(unknown))}", "Unknown field",
                          field=sorted(unknown)[0])
    obj = SavingsSettings.objects.locked(koperasi).filter(koperasi=koperasi).first() or SavingsSettings(
        koperasi=koperasi)
    for key, val in values.items():
        setattr(obj, key, val)
    for key in ("sukarela_min_balance", "tax_threshold"):
        if getattr(obj, key) is None or getattr(obj, key) < 0:
            raise DomainError("Tidak boleh negatif.", "Must not be negative.", field=key)
    for key in ("jasa_rate_annual", "tax_rate"):
        if getattr(obj, key) is None or not (0 <= getattr(obj, key) <= 100):
            raise DomainError("Persentase harus 0–100.", "Percentage must be 0–100.", field=key)
    if obj.jasa_basis not in SavingsSettings.Basis.values:
        raise DomainError("Dasar jasa tidak dikenal.", "Unknown jasa basis.", field="jasa_basis")
    obj.save()
    return obj
