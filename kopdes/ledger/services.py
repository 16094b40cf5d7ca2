"""Posting: the one way money moves in Kopdes.

    from kopdes.ledger.services import post, reverse, Line
    entry = post(koperasi, date=d, memo="Penjualan tunai", lines=[
        Line("1103", debit=Decimal("15000"), unit=Unit.SEMBAKO, member_id=m.pk),
        Line("4111", credit=Decimal("15000"), unit=Unit.SEMBAKO, member_id=m.pk),
    ], source="retail.Sale", source_id=str(sale.pk), idempotency_key=key, by=user)

Every refusal raises :class:`kopdes.core.errors.DomainError` (nothing written).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kopdes.core import numbering
from kopdes.core.errors import Conflict, DomainError
from kopdes.core.idempotency import run_idempotent
from kopdes.core.models import Koperasi
from kopdes.core.units import Unit

from . import dates, rules
from .models import (
    Account,
    AccountMonth,
    Attachment,
    CashCount,
    JournalEntry,
    JournalLine,
    ManualJournal,
    Period,
    PeriodReopen,
    YearClose,
)

CENT = Decimal("0.01")
ZERO = Decimal("0")
UNITS = set(Unit.values)


@dataclass
class Line:
    """One line to post: an account (code or :class:`Account`), one side positive, the unit, dimensions."""

    account: str | Account
    debit: Decimal | int | str = 0
    credit: Decimal | int | str = 0
    unit: str = Unit.KANTOR
    member_id: int | None = None
    partner_id: int | None = None
    memo: str = ""

    def as_payload(self) -> dict:
        acc = self.account.code if isinstance(self.account, Account) else str(self.account)
        return {"a": acc, "d": str(self.debit), "c": str(self.credit), "u": str(self.unit),
                "m": self.member_id, "p": self.partner_id, "memo": self.memo}


# --- fiscal years and periods -------------------------------------------------------------------------------

def fiscal_year(koperasi: Koperasi, date: dt.date) -> int:
    """The fiscal year a date belongs to, named by the calendar year in which it starts."""
    start = koperasi.fiscal_year_start_month or 1
    return date.year if date.month >= start else date.year - 1


def year_bounds(koperasi: Koperasi, year: int) -> tuple[dt.date, dt.date]:
    start = koperasi.fiscal_year_start_month or 1
    first = dt.date(year, start, 1)
    last = dt.date(year + 1, start, 1) - dt.timedelta(days=1) if start > 1 else dt.date(year, 12, 31)
    return first, last


def is_closed(koperasi: Koperasi, date: dt.date) -> bool:
    """In a closed month, or in (or before the end of) a closed fiscal year."""
    return dates.is_closed(koperasi, date)


# --- validation ---------------------------------------------------------------------------------------------

def _amount(value, field: str) -> Decimal:
    if isinstance(value, float):
        raise DomainError("Jumlah harus Decimal, bukan float.", "Amounts must be Decimal, not float.",
                          field=field, code="float_amount")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value or 0))
    except (InvalidOperation, ValueError):
        raise DomainError(f"Jumlah tidak valid: {value!r}.", f"Not an amount: {value!r}.", field=field,
                          code="invalid_amount") from None
    if not d.is_finite():
        raise DomainError("Jumlah tidak valid.", "Not an amount.", field=field, code="invalid_amount")
    if d != d.quantize(CENT):
        raise DomainError("Jumlah lebih dari 2 angka desimal (sen).", "Amount has more than 2 decimals.",
                          field=field, code="invalid_amount")
    if d < 0:
        raise DomainError("Jumlah tidak boleh negatif.", "Amounts must not be negative.", field=field,
                          code="negative_amount")
    if abs(d) >= Decimal("1e16"):
        raise DomainError("Jumlah terlalu besar.", "Amount too large.", field=field, code="invalid_amount")
    return d.quantize(CENT)


def _resolve_accounts(koperasi: Koperasi, lines: list[Line]) -> dict[str, Account]:
    codes = {ln.account for ln in lines if not isinstance(ln.account, Account)}
    by_code = {a.code: a for a in Account.objects.filter(koperasi=koperasi, code__in=[str(c) for c in codes])}
    out: dict[str, Account] = {}
    for i, ln in enumerate(lines):
        if isinstance(ln.account, Account):
            acc = ln.account
            if acc.koperasi_id != koperasi.pk:
                raise DomainError(
                    f"Baris {i + 1}: akun {acc.code} milik koperasi lain.",
                    f"Line {i + 1}: account {acc.code} belongs to another cooperative.",
                    field="lines", code="foreign_account",
                )
        else:
            acc = by_code.get(str(ln.account))
            if acc is None:
                raise DomainError(
                    f"Baris {i + 1}: akun {ln.account} tidak ada di bagan akun koperasi ini.",
                    f"Line {i + 1}: account {ln.account} does not exist in this cooperative's chart.",
                    field="lines", code="unknown_account",
                )
        if acc.is_header:
            raise DomainError(
                f"Baris {i + 1}: akun {acc.code} adalah akun induk dan tidak menerima posting.",
                f"Line {i + 1}: account {acc.code} is a header account.", field="lines", code="header_account",
            )
        if not acc.active:
            raise DomainError(
                f"Baris {i + 1}: akun {acc.code} tidak aktif.", f"Line {i + 1}: account {acc.code} is inactive.",
                field="lines", code="inactive_account",
            )
        out[str(i)] = acc
    return out


def _validate(koperasi: Koperasi, date, lines: list[Line]) -> tuple[list[tuple[Line, Account, Decimal, Decimal]],
                                                                     Decimal]:
    if not isinstance(koperasi, Koperasi) or koperasi.pk is None:
        raise DomainError("Koperasi tidak valid.", "Invalid cooperative.", code="invalid_koperasi")
    dates.check_static(koperasi, date)
    if not lines or len(lines) < 2:
        raise DomainError("Jurnal membutuhkan minimal dua baris (debit dan kredit).",
                          "An entry needs at least two lines (a debit and a credit).", field="lines",
                          code="too_few_lines")
    accounts = _resolve_accounts(koperasi, lines)
    out = []
    total_d = total_c = ZERO
    for i, ln in enumerate(lines):
        d = _amount(ln.debit, "lines")
        c = _amount(ln.credit, "lines")
        if (d > 0) == (c > 0):
            raise DomainError(
                f"Baris {i + 1}: isi tepat satu sisi (debit atau kredit) dengan jumlah lebih dari nol.",
                f"Line {i + 1}: exactly one side (debit or credit) must be greater than zero.",
                field="lines", code="line_sides",
            )
        if str(ln.unit) not in UNITS:
            raise DomainError(f"Baris {i + 1}: unit usaha {ln.unit!r} tidak dikenal.",
                              f"Line {i + 1}: unknown business unit {ln.unit!r}.", field="lines",
                              code="unknown_unit")
        for dim in ("member_id", "partner_id"):
            val = getattr(ln, dim)
            if val is not None and (not isinstance(val, int) or isinstance(val, bool) or val <= 0):
                raise DomainError(f"Baris {i + 1}: {dim} tidak valid.", f"Line {i + 1}: invalid {dim}.",
                                  field="lines", code="invalid_dimension")
        total_d += d
        total_c += c
        out.append((ln, accounts[str(i)], d, c))
    if total_d != total_c:
        raise DomainError(
            f"Jurnal tidak seimbang: debit {total_d} ≠ kredit {total_c}.",
            f"Unbalanced entry: debits {total_d} ≠ credits {total_c}.", field="lines", code="unbalanced",
        )
    if total_d <= 0:
        raise DomainError("Jurnal bernilai nol.", "Zero entry.", field="lines", code="zero_entry")
    return out, total_d


# --- numbering ----------------------------------------------------------------------------------------------

JOURNAL_SERIES = "ledger.JU"


def _next_number(koperasi: Koperasi, year: int, date: dt.date, member_ids: list[int], *,
                 allow_closed: bool = False) -> int | None:
    """Gap-free: one upsert on the cooperative-year counter of the core numbering service returns the number; the
    counter row stays locked until the posting transaction ends, and a rollback takes the number back with the
    entry. The same statement applies the date rule of :mod:`.dates` (closed year or month, before the opening
    balances, before a member joined): when it refuses, nothing changes and the result is None."""
    guard = dates.guard(koperasi, date, member_ids, allow_closed=allow_closed)
    return numbering.reserve(koperasi, JOURNAL_SERIES, year, guard=guard)


def _bump_snapshots(koperasi: Koperasi, date: dt.date, rows: list[tuple[Account, str, Decimal, Decimal]]) -> None:
    agg: dict[tuple[int, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for acc, unit, d, c in rows:
        agg[(acc.pk, unit)][0] += d
        agg[(acc.pk, unit)][1] += c
    table = AccountMonth._meta.db_table
    sql = (
        f"INSERT INTO {table} (koperasi_id, account_id, unit, year, month, debit, credit) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (koperasi_id, account_id, unit, year, month) DO UPDATE "
        f"SET debit = {table}.debit + excluded.debit, credit = {table}.credit + excluded.credit"
    )
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(agg))
    sql = sql.replace("VALUES (%s, %s, %s, %s, %s, %s, %s)", f"VALUES {values}")
    params = [p for (aid, unit), (d, c) in agg.items() for p in (koperasi.pk, aid, unit, date.year, date.month, d, c)]
    with connection.cursor() as cur:
        cur.execute(sql, params)


# --- posting ------------------------------------------------------------------------------------------------

def _write_entry(koperasi, *, date, memo, checked, total, source, source_id, idempotency_key, by,
                 reversal_of=None, allow_closed=False) -> JournalEntry:
    year = fiscal_year(koperasi, date)
    # opening balances carry the members' history from before the books (their joining dates may be unknown)
    member_ids = [] if source in dates.HISTORY_SOURCES else sorted(
        {ln.member_id for ln, _acc, _d, _c in checked if ln.member_id is not None})
    number = _next_number(koperasi, year, date, member_ids, allow_closed=allow_closed)
    if number is None:
        dates.check(koperasi, date, member_ids, allow_closed=allow_closed)  # raises the rule that refused
        raise dates.period_error(date)
    entry = JournalEntry.objects.create(
        koperasi=koperasi, year=year, number=number, date=date, memo=(memo or "")[:300],
        source=(source or "")[:60], source_id=str(source_id or "")[:64], idempotency_key=idempotency_key,
        status=JournalEntry.Status.DRAFT, amount=total, reversal_of=reversal_of,
        created_by=by if getattr(by, "pk", None) else None,
    )
    JournalLine.objects.bulk_create([
        JournalLine(entry=entry, koperasi=koperasi, account=acc, date=date, debit=d, credit=c, unit=str(ln.unit),
                    member_id=ln.member_id, partner_id=ln.partner_id, memo=(ln.memo or "")[:200])
        for ln, acc, d, c in checked
    ])
    JournalEntry.objects.row(entry).update(status=JournalEntry.Status.POSTED)
    entry.status = JournalEntry.Status.POSTED
    _bump_snapshots(koperasi, date, [(acc, str(ln.unit), d, c) for ln, acc, d, c in checked])
    return entry


@transaction.atomic
def post(koperasi: Koperasi, *, date: dt.date, memo: str, lines: list[Line], source: str = "",
         source_id: str = "", idempotency_key: str | None = None, by=None) -> JournalEntry:
    """Post a balanced journal entry. Atomic, numbered without gaps, idempotent by key, immutable."""
    checked, total = _validate(koperasi, date, list(lines))
    if not idempotency_key:
        return _write_entry(koperasi, date=date, memo=memo, checked=checked, total=total, source=source,
                            source_id=source_id, idempotency_key=None, by=by)
    key = str(idempotency_key)[:100]
    payload = {"date": date.isoformat(), "memo": memo, "source": source, "source_id": str(source_id),
               "lines": [ln.as_payload() for ln in lines]}

    def _do():
        entry = _write_entry(koperasi, date=date, memo=memo, checked=checked, total=total, source=source,
                             source_id=source_id, idempotency_key=key, by=by)
        return {"entry_id": entry.pk}

    try:
        result, replayed = run_idempotent(koperasi, "ledger.post", key, payload, _do)
    except IntegrityError:
        raise Conflict("Kunci idempotensi sudah dipakai.", "Idempotency key already used.",
                       code="idempotency_conflict") from None
    return JournalEntry.objects.get(pk=result["entry_id"], koperasi=koperasi)


@transaction.atomic
def reverse(entry: JournalEntry, *, date: dt.date | None = None, memo: str = "", by=None) -> JournalEntry:
    """Post the mirror image of a posted entry (debits ↔ credits). An entry can be reversed once."""
    entry = JournalEntry.objects.row(entry).select_related("koperasi").get()
    koperasi = entry.koperasi
    if entry.status != JournalEntry.Status.POSTED:
        raise DomainError("Hanya jurnal yang sudah diposting yang dapat dibalik.",
                          "Only a posted entry can be reversed.", code="not_posted")
    if entry.reversal_of_id is not None:
        raise DomainError("Jurnal pembalik tidak dapat dibalik lagi; posting jurnal baru.",
                          "A reversing entry cannot itself be reversed; post a new entry.", code="reversal_of_reversal")
    if JournalEntry.objects.filter(reversal_of=entry).exists():
        raise DomainError(f"Jurnal {entry.reference} sudah dibalik.", f"Entry {entry.reference} is already reversed.",
                          code="already_reversed")
    date = date or timezone.localdate()
    if date < entry.date:
        raise DomainError("Tanggal pembalikan tidak boleh sebelum tanggal jurnal asal.",
                          "The reversal date cannot precede the original entry.", field="date", code="invalid_date")
    lines = [
        Line(ln.account, debit=ln.credit, credit=ln.debit, unit=ln.unit, member_id=ln.member_id,
             partner_id=ln.partner_id, memo=ln.memo)
        for ln in entry.lines.select_related("account").order_by("id")
    ]
    # accounts may have been deactivated since: a reversal must still go through
    checked = []
    total = ZERO
    for ln in lines:
        checked.append((ln, ln.account, Decimal(ln.debit), Decimal(ln.credit)))
        total += Decimal(ln.debit)
    try:
        return _write_entry(koperasi, date=date, memo=memo or f"Pembalikan {entry.reference}: {entry.memo}"[:300],
                            checked=checked, total=total, source=entry.source, source_id=entry.source_id,
                            idempotency_key=None, by=by, reversal_of=entry)
    except IntegrityError:
        raise DomainError(f"Jurnal {entry.reference} sudah dibalik.", f"Entry {entry.reference} is already reversed.",
                          code="already_reversed") from None


# --- chart maintenance --------------------------------------------------------------------------------------

@transaction.atomic
def create_account(koperasi: Koperasi, *, code: str, name: str, type: str, normal: str | None = None,
                   is_cash: bool = False, segment: str = "", is_contra: bool = False) -> Account:
    code = (code or "").strip()
    if not code.isdigit() or not (3 <= len(code) <= 12):
        raise DomainError("Kode akun harus angka (3–12 digit).", "Account code must be 3–12 digits.", field="code",
                          code="invalid_code")
    if Account.objects.filter(koperasi=koperasi, code=code).exists():
        raise DomainError(f"Kode akun {code} sudah ada.", f"Account code {code} exists.", field="code",
                          code="duplicate_code")
    default_normal = "D" if type in ("asset", "cogs", "expense") else "C"
    if is_contra:
        default_normal = "C" if default_normal == "D" else "D"
    return Account.objects.create(koperasi=koperasi, code=code, name=name.strip()[:150], type=type,
                                  normal=normal or default_normal, is_cash=is_cash, segment=segment,
                                  is_contra=is_contra)


@transaction.atomic
def update_account(account: Account, *, name: str | None = None, active: bool | None = None, **changes) -> Account:
    """Rename or (de)activate an account; code, type and normal side change only while it has no postings."""
    account = Account.objects.locked(account.koperasi_id).get(pk=account.pk)
    structural = {k: v for k, v in changes.items() if k in ("code", "type", "normal", "is_cash", "segment")}
    if structural and any(getattr(account, k) != v for k, v in structural.items()):
        if JournalLine.objects.filter(account=account).exists():
            raise DomainError(
                f"Akun {account.code} sudah memiliki posting: kode, jenis dan saldo normal tidak dapat diubah.",
                f"Account {account.code} has postings: code, type and normal side cannot change.",
                field="code", code="account_has_postings",
            )
        for k, v in structural.items():
            setattr(account, k, v)
    if name is not None:
        account.name = name.strip()[:150]
    if active is not None:
        account.active = active
    account.save()
    return account


@transaction.atomic
def delete_account(account: Account) -> None:
    if JournalLine.objects.filter(account=account).exists():
        raise DomainError(
            f"Akun {account.code} sudah memiliki posting dan tidak dapat dihapus; nonaktifkan saja.",
            f"Account {account.code} has postings and cannot be deleted; deactivate it instead.",
            field="account", code="account_has_postings",
        )
    AccountMonth.objects.filter(account=account).delete()
    account.delete()


# --- periods ------------------------------------------------------------------------------------------------

def _months_between(a: dt.date, b: dt.date):
    y, m = a.year, a.month
    while (y, m) <= (b.year, b.month):
        yield y, m
        y, m = (y + (m == 12), m % 12 + 1)


@transaction.atomic
def close_month(koperasi: Koperasi, year: int, month: int, *, by=None) -> Period:
    """Close a month: no posting dated in it (or before it, once earlier months are closed) is accepted."""
    if not (1 <= int(month) <= 12):
        raise DomainError("Bulan tidak valid.", "Invalid month.", field="month", code="invalid_month")
    first = JournalEntry.objects.filter(koperasi=koperasi).order_by("date").values_list("date", flat=True).first()
    if first is not None:
        closed = set(Period.objects.filter(koperasi=koperasi, status=Period.Status.CLOSED)
                     .values_list("year", "month"))
        target = dt.date(int(year), int(month), 1)
        for y, m in _months_between(first, target):
            if (y, m) != (int(year), int(month)) and (y, m) not in closed:
                raise DomainError(
                    f"Tutup dulu periode {m:02d}/{y} sebelum menutup {int(month):02d}/{year}.",
                    f"Close {m:02d}/{y} before {int(month):02d}/{year}.", field="month", code="earlier_month_open",
                )
    period, _ = Period.objects.get_or_create(koperasi=koperasi, year=year, month=month)
    if period.status == Period.Status.CLOSED:
        raise DomainError("Periode ini sudah ditutup.", "This period is already closed.", field="month",
                          code="already_closed")
    period.status = Period.Status.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = by if getattr(by, "pk", None) else None
    period.save()
    return period


def _roles_of(user, koperasi) -> set[str]:
    from kopdes.core.models import RoleAssignment

    if user is None or not getattr(user, "pk", None):
        return set()
    return set(RoleAssignment.objects.active().filter(user=user, koperasi=koperasi).values_list("role", flat=True))


@transaction.atomic
def request_reopen(koperasi: Koperasi, year: int, month: int, *, reason: str, by=None) -> PeriodReopen:
    if not Period.objects.filter(koperasi=koperasi, year=year, month=month, status=Period.Status.CLOSED).exists():
        raise DomainError("Periode ini tidak dalam keadaan ditutup.", "This period is not closed.", field="month",
                          code="not_closed")
    first_day = dt.date(int(year), int(month), 1)
    if YearClose.objects.filter(koperasi=koperasi, year=fiscal_year(koperasi, first_day)).exists():
        raise DomainError("Tahun buku ini sudah ditutup (tutup buku akhir tahun); periode tidak dapat dibuka.",
                          "This fiscal year is closed; its months cannot be re-opened.", field="month",
                          code="year_closed")
    if not (reason or "").strip():
        raise DomainError("Alasan membuka kembali periode wajib diisi.", "A reason is required.", field="reason",
                          code="reason_required")
    return PeriodReopen.objects.create(koperasi=koperasi, year=year, month=month, reason=reason.strip(),
                                       requested_by=by if getattr(by, "pk", None) else None)


@transaction.atomic
def approve_reopen(req: PeriodReopen, *, by) -> PeriodReopen:
    """Ketua and bendahara each approve (two different people); the second approval re-opens the month."""
    req = PeriodReopen.objects.locked(req.koperasi_id).get(pk=req.pk)
    if req.status != PeriodReopen.Status.PENDING:
        raise DomainError("Permintaan ini sudah selesai.", "This request is closed.", code="not_pending")
    roles = _roles_of(by, req.koperasi)
    if "ketua" in roles and req.ketua_by_id is None and req.bendahara_by_id != by.pk:
        req.ketua_by = by
    elif "bendahara" in roles and req.bendahara_by_id is None and req.ketua_by_id != by.pk:
        req.bendahara_by = by
    elif roles & {"ketua", "bendahara"} and by.pk in (req.ketua_by_id, req.bendahara_by_id):
        raise DomainError("Anda sudah menyetujui; persetujuan kedua harus dari orang lain (ketua dan bendahara).",
                          "You already approved; the second approval must come from another person.",
                          code="same_approver")
    else:
        raise DomainError("Hanya ketua dan bendahara yang dapat menyetujui pembukaan kembali periode.",
                          "Only the ketua and the bendahara can approve re-opening a period.", code="not_allowed")
    if req.ketua_by_id and req.bendahara_by_id:
        Period.objects.filter(koperasi=req.koperasi, year=req.year, month=req.month).update(
            status=Period.Status.OPEN, closed_at=None)
        req.status = PeriodReopen.Status.DONE
        req.done_at = timezone.now()
        from kopdes.core import audit

        audit.record("ledger.period_reopen", koperasi_id=req.koperasi_id, instance=req,
                     summary=f"Periode {req.month:02d}/{req.year} dibuka kembali: {req.reason}"[:300])
    req.save()
    return req


@transaction.atomic
def close_year(koperasi: Koperasi, year: int, *, by=None) -> YearClose:
    """Year-end close: post the closing entry (income and expenses → 3401 SHU belum dibagi, per unit) on the
    last day of the fiscal year, then close every month of the year."""
    from .reports import CLOSING_SOURCE

    rules.require_year_end(koperasi, by)
    if YearClose.objects.filter(koperasi=koperasi, year=year).exists():
        raise DomainError(f"Tahun buku {year} sudah ditutup.", f"Fiscal year {year} is already closed.",
                          field="year", code="year_closed")
    start, end = year_bounds(koperasi, year)
    if (JournalEntry.objects.filter(koperasi=koperasi, date__lt=start).exists()
            and not YearClose.objects.filter(koperasi=koperasi, year=year - 1).exists()):
        raise DomainError(f"Tutup dulu tahun buku {year - 1}.", f"Close fiscal year {year - 1} first.",
                          field="year", code="earlier_year_open")
    from .queries import sums_by_account

    accounts = {a.pk: a for a in Account.objects.filter(koperasi=koperasi, type__in=["income", "cogs", "expense"])}
    sums = sums_by_account(koperasi, start, end, by_unit=True, account_ids=list(accounts))
    checked = []
    result = ZERO
    for (aid, unit), (d, c) in sorted(sums.items()):
        net = d - c
        if not net:
            continue
        acc = accounts[aid]
        ln = Line(acc, debit=-net if net < 0 else ZERO, credit=net if net > 0 else ZERO, unit=unit,
                  memo="Penutupan akun laba rugi")
        checked.append((ln, acc, Decimal(ln.debit), Decimal(ln.credit)))
        result -= net
    entry = None
    if checked:
        shu_acc = Account.objects.get(koperasi=koperasi, code="3401")
        ln = Line(shu_acc, debit=-result if result < 0 else ZERO, credit=result if result > 0 else ZERO,
                  memo=f"SHU tahun buku {year}")
        if result:
            checked.append((ln, shu_acc, Decimal(ln.debit), Decimal(ln.credit)))
        total = sum((c[2] for c in checked), ZERO)
        entry = _write_entry(koperasi, date=end, memo=f"Jurnal penutup tahun buku {year}", checked=checked,
                             total=total, source=CLOSING_SOURCE, source_id=str(year), idempotency_key=None, by=by,
                             allow_closed=True)
    for y, m in _months_between(start, end):
        Period.objects.update_or_create(koperasi=koperasi, year=y, month=m, defaults={
            "status": Period.Status.CLOSED, "closed_at": timezone.now(),
            "closed_by": by if getattr(by, "pk", None) else None})
    return YearClose.objects.create(koperasi=koperasi, year=year, result=result, entry=entry,
                                    closed_by=by if getattr(by, "pk", None) else None)


# --- opening balances ---------------------------------------------------------------------------------------

def parse_opening_xlsx(data: bytes) -> list[Line]:
    """Rows: kode | debit | kredit | unit (optional) | id anggota (optional). The first row may be a header."""
    from kopdes.core import uploads

    lines = []
    for i, row in enumerate(list(uploads.rows(data, ".xlsx", csv_ok=False, max_cols=10))):
        if not row or row[0] is None:
            continue
        code = str(row[0]).strip()
        if not code[:1].isdigit():
            continue  # header
        if isinstance(code, str) and code.endswith(".0"):
            code = code[:-2]

        def num(v):
            if v is None or v == "":
                return ZERO
            if isinstance(v, float):
                v = repr(v)
            return Decimal(str(v).replace(",", "")).quantize(CENT)

        try:
            d, c = num(row[1] if len(row) > 1 else None), num(row[2] if len(row) > 2 else None)
        except InvalidOperation:
            raise DomainError(f"Baris {i + 1}: jumlah tidak valid.", f"Row {i + 1}: invalid amount.", field="file",
                              code="invalid_amount") from None
        unit = str(row[3]).strip() if len(row) > 3 and row[3] else Unit.KANTOR
        member = int(row[4]) if len(row) > 4 and row[4] not in (None, "") else None
        if d or c:
            lines.append(Line(code, debit=d, credit=c, unit=unit, member_id=member, memo="Saldo awal"))
    return lines


@transaction.atomic
def import_opening_balances(koperasi: Koperasi, *, date: dt.date, data: bytes, by=None) -> JournalEntry:
    if JournalEntry.objects.filter(koperasi=koperasi, source="ledger.Opening").exists():
        raise DomainError("Saldo awal sudah pernah diimpor; koreksi dengan jurnal memorial.",
                          "Opening balances were already imported; correct them with a manual journal.",
                          field="file", code="opening_exists")
    if JournalEntry.objects.filter(koperasi=koperasi, date__lt=date).exists():
        raise DomainError(f"Sudah ada jurnal bertanggal sebelum {date:%d-%m-%Y}; saldo awal harus menjadi jurnal "
                          "pertama. Pakai tanggal sebelum jurnal pertama.",
                          f"Entries dated before {date.isoformat()} exist; opening balances must come first.",
                          field="date", code="entries_before_opening")
    lines = parse_opening_xlsx(data)
    return post(koperasi, date=date, memo="Saldo awal (impor Excel)", lines=lines, source="ledger.Opening",
                source_id=date.isoformat(), by=by)


# --- manual (memorial) journals, maker-checker ---------------------------------------------------------------

def _lines_from_json(rows: list[dict]) -> list[Line]:
    out = []
    for r in rows:
        out.append(Line(str(r.get("account", "")).strip(), debit=Decimal(str(r.get("debit") or 0)),
                        credit=Decimal(str(r.get("credit") or 0)), unit=r.get("unit") or Unit.KANTOR,
                        member_id=int(r["member_id"]) if r.get("member_id") else None,
                        memo=r.get("memo") or ""))
    return out


@transaction.atomic
def create_manual_journal(koperasi: Koperasi, *, date: dt.date, memo: str, lines: list[dict], by=None
                          ) -> ManualJournal:
    """The maker records a memorial journal; it waits for another person's approval before posting."""
    try:
        parsed = _lines_from_json(lines)
    except (InvalidOperation, ValueError):
        raise DomainError("Jumlah atau id anggota tidak valid.", "Invalid amount or member id.", field="lines",
                          code="invalid_amount") from None
    if not (memo or "").strip():
        raise DomainError("Keterangan wajib diisi.", "A description is required.", field="memo",
                          code="memo_required")
    _validate(koperasi, date, parsed)
    dates.check(koperasi, date, [ln.member_id for ln in parsed])
    clean = [{"account": ln.account, "debit": str(Decimal(ln.debit)), "credit": str(Decimal(ln.credit)),
              "unit": str(ln.unit), "member_id": ln.member_id, "memo": ln.memo} for ln in parsed]
    return ManualJournal.objects.create(koperasi=koperasi, date=date, memo=memo.strip()[:300], lines=clean,
                                        status=ManualJournal.Status.SUBMITTED,
                                        maker=by if getattr(by, "pk", None) else None)


@transaction.atomic
def approve_manual_journal(mj: ManualJournal, *, by) -> ManualJournal:
    mj = ManualJournal.objects.locked(mj.koperasi_id).get(pk=mj.pk)
    if mj.status != ManualJournal.Status.SUBMITTED:
        raise DomainError("Jurnal ini tidak menunggu persetujuan.", "This journal is not awaiting approval.",
                          code="not_submitted")
    if by is None or not getattr(by, "pk", None) or by.pk == mj.maker_id:
        raise DomainError("Pembuat jurnal tidak boleh menyetujui jurnalnya sendiri (maker-checker).",
                          "The maker cannot approve their own journal (maker-checker).", code="maker_is_checker")
    rules.require_checker(mj.koperasi, by)
    entry = post(mj.koperasi, date=mj.date, memo=mj.memo, lines=_lines_from_json(mj.lines),
                 source="ledger.ManualJournal", source_id=str(mj.pk), by=by)
    mj.status = ManualJournal.Status.POSTED
    mj.checker = by
    mj.checked_at = timezone.now()
    mj.entry = entry
    mj.save()
    return mj


@transaction.atomic
def reject_manual_journal(mj: ManualJournal, *, by, reason: str) -> ManualJournal:
    mj = ManualJournal.objects.locked(mj.koperasi_id).get(pk=mj.pk)
    if mj.status != ManualJournal.Status.SUBMITTED:
        raise DomainError("Jurnal ini tidak menunggu persetujuan.", "This journal is not awaiting approval.",
                          code="not_submitted")
    if by is None or by.pk == mj.maker_id:
        raise DomainError("Pembuat jurnal tidak boleh memeriksa jurnalnya sendiri.",
                          "The maker cannot check their own journal.", code="maker_is_checker")
    rules.require_checker(mj.koperasi, by)
    mj.status = ManualJournal.Status.REJECTED
    mj.checker = by
    mj.checked_at = timezone.now()
    mj.reject_reason = (reason or "")[:300]
    mj.save()
    return mj


ALLOWED_ATTACHMENTS = (".pdf", ".jpg", ".jpeg", ".png", ".xlsx", ".xls", ".csv", ".doc", ".docx")


@transaction.atomic
def attach(mj: ManualJournal, upload, *, by=None) -> Attachment:
    name = getattr(upload, "name", "berkas")
    if not name.lower().endswith(ALLOWED_ATTACHMENTS):
        raise DomainError("Jenis berkas tidak diizinkan (pdf, gambar, Excel, Word).",
                          "File type not allowed (pdf, image, Excel, Word).", field="file", code="bad_file")
    if getattr(upload, "size", 0) > 5 * 1024 * 1024:
        raise DomainError("Berkas lebih dari 5 MB.", "File larger than 5 MB.", field="file", code="too_large")
    return Attachment.objects.create(koperasi=mj.koperasi, journal=mj, file=upload, name=name[:200],
                                     uploaded_by=by if getattr(by, "pk", None) else None)


# --- cash & bank ---------------------------------------------------------------------------------------------

def _cash_account(koperasi: Koperasi, code: str) -> Account:
    acc = Account.objects.filter(koperasi=koperasi, code=str(code), is_cash=True).first()
    if acc is None:
        raise DomainError(f"Akun {code} bukan akun kas/bank.", f"Account {code} is not a cash/bank account.",
                          field="account", code="not_cash")
    return acc


@transaction.atomic
def record_cash_count(koperasi: Koperasi, *, date: dt.date, account: str, counted: Decimal,
                      unit: str = Unit.KANTOR, denominations: dict | None = None, note: str = "",
                      by=None) -> CashCount:
    """Kas opname: compare the counted cash with the books and post the difference (4203 over / 6115 short)."""
    from .queries import account_balance

    acc = _cash_account(koperasi, account)
    counted = _amount(counted, "counted")
    book = account_balance(koperasi, acc.code, as_of=date)
    diff = counted - book
    entry = None
    if diff:
        if diff > 0:
            lines = [Line(acc, debit=diff, unit=unit), Line("4203", credit=diff, unit=unit)]
        else:
            lines = [Line("6115", debit=-diff, unit=unit), Line(acc, credit=-diff, unit=unit)]
        entry = post(koperasi, date=date, memo=f"Selisih kas opname {acc.name} {date:%d-%m-%Y}", lines=lines,
                     source="ledger.CashCount", by=by)
    cc = CashCount.objects.create(koperasi=koperasi, date=date, account=acc, unit=unit, counted=counted,
                                  book_balance=book, difference=diff, denominations=denominations or {},
                                  note=note[:300], entry=entry, counted_by=by if getattr(by, "pk", None) else None)
    return cc


@transaction.atomic
def transfer_cash(koperasi: Koperasi, *, date: dt.date, from_account: str, to_account: str, amount: Decimal,
                  from_unit: str = Unit.KANTOR, to_unit: str = Unit.KANTOR, memo: str = "", by=None,
                  idempotency_key: str | None = None) -> JournalEntry:
    """Move cash between drawers, units and bank accounts. The source cannot go below zero."""
    from .queries import account_balance

    src = _cash_account(koperasi, from_account)
    dst = _cash_account(koperasi, to_account)
    amount = _amount(amount, "amount")
    if amount <= 0:
        raise DomainError("Jumlah pemindahan harus lebih dari nol.", "The amount must be positive.", field="amount",
                          code="zero_entry")
    if src.pk == dst.pk and from_unit == to_unit:
        raise DomainError("Akun asal dan tujuan sama.", "Source and destination are the same.",
                          field="to_account", code="same_account")
    available = account_balance(koperasi, src.code, as_of=date)
    if amount > available:
        raise DomainError(f"Saldo {src.name} tidak cukup (tersedia {available}).",
                          f"Insufficient balance in {src.name} ({available}).", field="amount",
                          code="insufficient_cash")
    return post(koperasi, date=date, memo=memo or f"Pemindahan kas {src.name} → {dst.name}", lines=[
        Line(dst, debit=amount, unit=to_unit), Line(src, credit=amount, unit=from_unit)],
        source="ledger.Transfer", idempotency_key=idempotency_key, by=by)
