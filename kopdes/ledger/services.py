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

from kopdes.core.errors import Conflict, DomainError
from kopdes.core.idempotency import run_idempotent
from kopdes.core.models import Koperasi
from kopdes.core.units import Unit

from .models import Account, AccountMonth, JournalCounter, JournalEntry, JournalLine, Period

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
    return Period.objects.filter(koperasi=koperasi, year=date.year, month=date.month,
                                 status=Period.Status.CLOSED).exists()


def _check_period(koperasi: Koperasi, date: dt.date) -> None:
    if is_closed(koperasi, date):
        raise DomainError(
            f"Periode {date.month:02d}/{date.year} sudah ditutup; jurnal bertanggal {date:%d-%m-%Y} tidak dapat "
            "diposting. Buka kembali periode (ketua + bendahara) atau pakai tanggal di periode terbuka.",
            f"Period {date.month:02d}/{date.year} is closed; an entry dated {date.isoformat()} cannot be posted.",
            field="date", code="period_closed",
        )


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
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise DomainError("Tanggal jurnal harus berupa tanggal.", "The entry date must be a date.", field="date",
                          code="invalid_date")
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

def _next_number(koperasi: Koperasi, year: int) -> int:
    """Gap-free: the counter row is locked until the posting transaction ends (rolled back together)."""
    JournalCounter.objects.bulk_create([JournalCounter(koperasi=koperasi, year=year, last_number=0)],
                                       ignore_conflicts=True)
    counter = JournalCounter.objects.select_for_update().get(koperasi=koperasi, year=year)
    counter.last_number += 1
    JournalCounter.objects.filter(pk=counter.pk).update(last_number=counter.last_number)
    return counter.last_number


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
    params = [(koperasi.pk, aid, unit, date.year, date.month, d, c) for (aid, unit), (d, c) in agg.items()]
    with connection.cursor() as cur:
        cur.executemany(sql, params)


# --- posting ------------------------------------------------------------------------------------------------

def _write_entry(koperasi, *, date, memo, checked, total, source, source_id, idempotency_key, by,
                 reversal_of=None) -> JournalEntry:
    _check_period(koperasi, date)
    year = fiscal_year(koperasi, date)
    number = _next_number(koperasi, year)
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
    JournalEntry.objects.filter(pk=entry.pk).update(status=JournalEntry.Status.POSTED)
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
    entry = JournalEntry.objects.select_related("koperasi").get(pk=entry.pk)
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
    account = Account.objects.select_for_update().get(pk=account.pk)
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
