"""The loan schedule engine: pure functions, no database.

Methods
-------
- ``flat``: interest on the original principal every period (``P × r``), principal in equal parts.
- ``anuitas`` (effective, equal instalments): interest on the outstanding balance, the instalment is the annuity
  ``B·r / (1 − (1+r)^−n)``, so principal grows as interest shrinks.
- ``menurun`` (effective, declining): equal principal parts, interest on the outstanding balance.

Rate per month or per year; day count ``30/360`` (every month is 1/12 year, a week 7/360) or ``act/365`` (interest of
a period = balance × annual rate × actual days / 365; the instalment of ``anuitas`` is computed from the nominal rate
and the last instalment absorbs the difference). Frequencies: weekly, monthly and seasonal (one period = N months,
e.g. one harvest); ``balloon`` puts all principal in the last instalment (interest-only before: the farmer repays at
harvest). Grace: the first ``grace_principal`` periods carry no principal; the first ``grace_interest`` periods carry
no interest payment — the interest still accrues and is spread over the later instalments (nothing is forgiven).

Rounding rule: interest of each row is rounded to the rupiah (half up); each instalment is rounded *up* to
``rounding`` rupiah (default Rp100); the principal of a row is the rounded instalment minus its interest; the last
instalment takes exactly the remaining balance. If rounding up pays the balance off early, the schedule ends there.
Invariants (checked by :func:`Schedule.check` and property tests): every component ≥ 0, principal parts sum to the
principal, each row total = principal + interest, and the totals shown equal the sum of the rows, to the rupiah.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext_lazy as _

from kopdes.core.errors import DomainError

METHODS = {
    "flat": _("Flat (bunga tetap dari pokok awal)"),
    "anuitas": _("Efektif anuitas (angsuran sama)"),
    "menurun": _("Efektif menurun (pokok sama)"),
}
METHOD_ALIASES = {"annuity": "anuitas", "effective": "anuitas", "declining": "menurun", "sliding": "menurun"}
FREQUENCIES = {"mingguan": _("Mingguan"), "bulanan": _("Bulanan"), "musiman": _("Musiman / panen")}
FREQUENCY_ALIASES = {"weekly": "mingguan", "monthly": "bulanan", "seasonal": "musiman", "harvest": "musiman",
                     "panen": "musiman"}
RATE_PERIODS = {"bulan": _("per bulan"), "tahun": _("per tahun")}
RATE_PERIOD_ALIASES = {"month": "bulan", "year": "tahun", "monthly": "bulan", "annual": "tahun"}
DAY_COUNTS = {"30/360": "30/360", "act/365": _("Aktual/365")}

MAX_AMOUNT = Decimal("100000000000")  # Rp100 miliar: far above any KDMP loan or facility
MAX_TENOR = 520  # 10 years of weekly instalments
MAX_RATE_YEAR = Decimal("120")  # % a year; anything above is a typing error
ONE = Decimal(1)
RUPIAH = Decimal(1)


def _err(msg_id: str, msg_en: str, field_name: str) -> DomainError:
    return DomainError(msg_id, msg_en, field=field_name, code="invalid_schedule")


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    if d.day <= 28:
        return dt.date(y, m, d.day)
    last = 29 if m == 2 and calendar.isleap(y) else _MONTH_DAYS[m - 1]
    return dt.date(y, m, min(d.day, last))


def round_up(value: Decimal, step: int) -> Decimal:
    s = Decimal(step)
    return ((value / s).to_integral_value(rounding=ROUND_CEILING) * s).quantize(RUPIAH)


def round_half(value: Decimal) -> Decimal:
    return value.quantize(RUPIAH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Terms:
    """What a schedule depends on. Amounts in rupiah, rate in percent."""

    principal: Decimal
    rate: Decimal
    tenor: int
    method: str = "anuitas"
    rate_period: str = "bulan"
    frequency: str = "bulanan"
    day_count: str = "30/360"
    start_date: dt.date = field(default_factory=lambda: dt.date.today())
    first_due_date: dt.date | None = None
    grace_principal: int = 0
    grace_interest: int = 0
    balloon: bool = False
    season_months: int = 4
    rounding: int = 100

    def normalized(self) -> Terms:
        """Canonical names, types and validation (raises :class:`DomainError` naming the field)."""
        method = METHOD_ALIASES.get(str(self.method).lower(), str(self.method).lower())
        freq = FREQUENCY_ALIASES.get(str(self.frequency).lower(), str(self.frequency).lower())
        rp = RATE_PERIOD_ALIASES.get(str(self.rate_period).lower(), str(self.rate_period).lower())
        dc = str(self.day_count).lower().replace("actual", "act")
        if method not in METHODS:
            raise _err(f"Metode bunga tidak dikenal: {self.method}.", f"Unknown interest method: {self.method}.",
                       "method")
        if freq not in FREQUENCIES:
            raise _err("Frekuensi angsuran tidak dikenal.", "Unknown instalment frequency.", "frequency")
        if rp not in RATE_PERIODS:
            raise _err("Periode suku bunga harus per bulan atau per tahun.", "Rate period must be month or year.",
                       "rate_period")
        if dc not in DAY_COUNTS:
            raise _err("Basis hari harus 30/360 atau aktual/365.", "Day count must be 30/360 or act/365.",
                       "day_count")
        try:
            principal = Decimal(str(self.principal))
            rate = Decimal(str(self.rate))
            tenor = int(self.tenor)
        except Exception as exc:  # noqa: BLE001
            raise _err("Angka tidak valid.", "Not a number.", "principal") from exc
        if not principal.is_finite() or principal <= 0:
            raise _err("Jumlah pinjaman harus lebih dari nol.", "The loan amount must be positive.", "principal")
        if principal != principal.to_integral_value():
            raise _err("Jumlah pinjaman harus dalam rupiah bulat.", "The loan amount must be whole rupiah.",
                       "principal")
        if principal > MAX_AMOUNT:
            raise _err("Jumlah pinjaman terlalu besar.", "The loan amount is too large.", "principal")
        annual = rate * 12 if rp == "bulan" else rate
        if not rate.is_finite() or rate < 0 or annual > MAX_RATE_YEAR:
            raise _err("Suku bunga harus antara 0 dan 120% per tahun.", "The rate must be between 0 and 120% a year.",
                       "rate")
        if tenor < 1 or tenor > MAX_TENOR:
            raise _err(f"Jangka waktu harus 1–{MAX_TENOR} angsuran.", f"The tenor must be 1–{MAX_TENOR} instalments.",
                       "tenor")
        gp, gi = int(self.grace_principal or 0), int(self.grace_interest or 0)
        if gp < 0 or gi < 0 or gp >= tenor or gi >= tenor:
            raise _err("Masa tenggang harus lebih pendek dari jangka waktu.", "Grace must be shorter than the tenor.",
                       "grace_principal")
        season = int(self.season_months or 4)
        if freq == "musiman" and not 1 <= season <= 12:
            raise _err("Satu musim harus 1–12 bulan.", "A season must be 1–12 months.", "season_months")
        step = int(self.rounding or 1)
        if step not in (1, 10, 50, 100, 500, 1000):
            raise _err("Pembulatan harus Rp1, 10, 50, 100, 500 atau 1.000.", "Rounding must be 1/10/50/100/500/1000.",
                       "rounding")
        start = self.start_date
        if isinstance(start, str):
            start = dt.date.fromisoformat(start)
        first = self.first_due_date
        if isinstance(first, str):
            first = dt.date.fromisoformat(first) if first else None
        if first is not None and first <= start:
            raise _err("Angsuran pertama harus setelah tanggal pencairan.", "The first due date must be after "
                       "disbursement.", "first_due_date")
        return Terms(principal=principal.quantize(RUPIAH), rate=rate, tenor=tenor, method=method, rate_period=rp,
                     frequency=freq, day_count=dc, start_date=start, first_due_date=first, grace_principal=gp,
                     grace_interest=gi, balloon=bool(self.balloon), season_months=season, rounding=step)

    # --- rates --------------------------------------------------------------------------------------------------
    @property
    def annual_rate(self) -> Decimal:
        """Nominal annual rate as a fraction (1.5 %/month → 0.18)."""
        r = self.rate / 100
        return r * 12 if self.rate_period == "bulan" else r

    def period_months(self) -> int:
        return {"bulanan": 1, "musiman": self.season_months}.get(self.frequency, 0)

    def nominal_period_rate(self) -> Decimal:
        if self.frequency == "mingguan":
            days = Decimal(360 if self.day_count == "30/360" else 365)
            return self.annual_rate * 7 / days
        return self.annual_rate * self.period_months() / 12

    def due_dates(self) -> list[dt.date]:
        first = self.first_due_date
        out = []
        for k in range(self.tenor):
            if self.frequency == "mingguan":
                out.append((first or self.start_date + dt.timedelta(days=7)) + dt.timedelta(days=7 * k))
            else:
                months = self.period_months()
                out.append(add_months(first, months * k) if first else add_months(self.start_date, months * (k + 1)))
        return out

    def period_rate(self, prev: dt.date, due: dt.date) -> Decimal:
        if self.day_count == "act/365":
            return self.annual_rate * Decimal((due - prev).days) / 365
        if self.frequency == "mingguan":
            return self.nominal_period_rate()
        if prev.day == due.day and prev.day <= 28:  # whole months (the usual case): no day arithmetic needed
            months = (due.year - prev.year) * 12 + due.month - prev.month
            return self.annual_rate * months / 12
        # 30/360: whole months count as 30 days; an odd first period counts its 30/360 days
        d1, d2 = prev, due
        day1, day2 = min(d1.day, 30), min(d2.day, 30)
        days = (d2.year - d1.year) * 360 + (d2.month - d1.month) * 30 + (day2 - day1)
        return self.annual_rate * Decimal(days) / 360


@dataclass
class Row:
    no: int
    due_date: dt.date
    principal: Decimal
    interest: Decimal
    balance: Decimal  # outstanding principal after this instalment

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest

    def as_dict(self) -> dict:
        d = asdict(self)
        d["total"] = self.total
        return d


@dataclass
class Schedule:
    terms: Terms
    rows: list[Row]

    @property
    def total_principal(self) -> Decimal:
        return sum((r.principal for r in self.rows), Decimal(0))

    @property
    def total_interest(self) -> Decimal:
        return sum((r.interest for r in self.rows), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.total_principal + self.total_interest

    @property
    def first_instalment(self) -> Decimal:
        return self.rows[0].total if self.rows else Decimal(0)

    @property
    def max_instalment(self) -> Decimal:
        return max((r.total for r in self.rows), default=Decimal(0))

    @property
    def regular_instalment(self) -> Decimal:
        """The instalment a member pays most periods (the most frequent total)."""
        counts: dict[Decimal, int] = {}
        for r in self.rows:
            counts[r.total] = counts.get(r.total, 0) + 1
        return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0] if counts else Decimal(0)

    def check(self) -> None:
        """The invariants. A violation is a bug, never a user error — but it is refused with a clear message (no
        schedule that does not sum is ever saved or shown as valid)."""
        bal = self.terms.principal
        for r in self.rows:
            if r.principal < 0 or r.interest < 0 or r.balance < 0:
                raise _mismatch(f"Angsuran ke-{r.no} bernilai negatif.", f"Instalment {r.no} is negative.")
            if r.principal != r.principal.to_integral_value() or r.interest != r.interest.to_integral_value():
                raise _mismatch(f"Angsuran ke-{r.no} tidak dalam rupiah bulat.",
                                f"Instalment {r.no} is not whole rupiah.")
            bal -= r.principal
            if bal != r.balance:
                raise _mismatch(f"Sisa pokok angsuran ke-{r.no} tidak sesuai.", f"Balance mismatch in row {r.no}.")
        if bal != 0 or self.total_principal != self.terms.principal:
            raise _mismatch(f"Jumlah pokok jadwal (Rp{self.total_principal:,.0f}) tidak sama dengan pinjaman "
                            f"(Rp{self.terms.principal:,.0f}).".replace(",", "."),
                            "The principal parts do not sum to the principal.")

    def as_dict(self) -> dict:
        t = self.terms
        return {
            "method": t.method, "principal": t.principal, "rate": t.rate, "rate_period": t.rate_period,
            "tenor": t.tenor, "frequency": t.frequency, "day_count": t.day_count,
            "total_principal": self.total_principal, "total_interest": self.total_interest, "total": self.total,
            "rows": [r.as_dict() for r in self.rows],
        }


def _mismatch(msg_id: str, msg_en: str) -> DomainError:
    return DomainError(f"Jadwal angsuran ditolak: {msg_id}", f"Schedule refused: {msg_en}", field="principal",
                       code="schedule_mismatch")


def _spread(total: Decimal, n: int) -> list[Decimal]:
    """``total`` (whole rupiah) into ``n`` whole-rupiah parts, equal but for the last."""
    if n <= 0:
        return []
    part = (total / n).quantize(RUPIAH, rounding=ROUND_HALF_UP)
    parts = [part] * (n - 1)
    last = total - part * (n - 1)
    if last < 0:  # cannot happen with half-up of a non-negative total, but never emit a negative part
        part = (total / n).to_integral_value(rounding="ROUND_FLOOR")
        parts = [part] * (n - 1)
        last = total - part * (n - 1)
    return parts + [last]


def generate(terms: Terms) -> Schedule:
    """The schedule for these terms (validated), exact to the rupiah."""
    t = terms.normalized()
    with localcontext() as ctx:
        ctx.prec = 34
        return _generate(t)


def _generate(t: Terms) -> Schedule:
    n, gp, gi, step = t.tenor, t.grace_principal, t.grace_interest, t.rounding
    dues = t.due_dates()
    amort = 1 if t.balloon else n - gp  # periods that repay principal
    first_amort = n - 1 if t.balloon else gp
    r_nom = t.nominal_period_rate()
    P = t.principal

    # Interest per row before grace deferral (flat is known in advance; effective is computed on the way)
    flat_interest: list[Decimal] = []
    if t.method == "flat":
        prev = t.start_date
        for d in dues:
            flat_interest.append(P * t.period_rate(prev, d))
            prev = d
        total_flat = round_half(sum(flat_interest, Decimal(0)))
        flat_parts = _spread(total_flat, n - gi)  # paid only in the rows after interest grace
    annuity = None
    if t.method == "anuitas" and not t.balloon:
        annuity = P / amort if r_nom == 0 else P * r_nom / (ONE - (ONE + r_nom) ** -amort)

    rows: list[Row] = []
    bal = P
    deferred = Decimal(0)  # interest accrued during interest grace, not yet scheduled
    deferred_parts: list[Decimal] = []
    prev = t.start_date
    for k in range(n):
        due = dues[k]
        last = k == n - 1
        # interest of this row
        if t.method == "flat":
            accrued = Decimal(0) if k < gi else flat_parts[k - gi]
            pay_interest = accrued
        else:
            accrued = round_half(bal * t.period_rate(prev, due))
            if k < gi:
                deferred += accrued
                pay_interest = Decimal(0)
            else:
                if k == gi and deferred:
                    deferred_parts = _spread(deferred, n - gi)
                extra = deferred_parts[k - gi] if deferred_parts else Decimal(0)
                pay_interest = accrued + extra
        # principal of this row
        if last:
            principal = bal
        elif k < first_amort:
            principal = Decimal(0)
        else:
            if t.method == "anuitas" and annuity is not None:
                raw_total = annuity + (pay_interest - accrued if t.method != "flat" else 0)
                # the annuity covers this row's accrued interest; deferred grace interest is paid on top
                target = round_up(raw_total, step)
                principal = target - pay_interest
            else:
                raw_principal = bal / (n - k) if t.method == "menurun" else P / amort
                target = round_up(raw_principal + pay_interest, step)
                principal = target - pay_interest
            principal = min(max(principal, Decimal(0)), bal)
        bal -= principal
        rows.append(Row(no=k + 1, due_date=due, principal=principal, interest=pay_interest, balance=bal))
        prev = due
        if bal == 0 and not last and t.method != "flat":
            # rounding up paid the loan off early: the schedule ends here; deferred interest is collected now
            if k < gi:
                rows[-1].interest += deferred
            elif deferred_parts:
                rows[-1].interest += sum(deferred_parts[k - gi + 1:], Decimal(0))
            break
        if bal == 0 and not last and t.method == "flat":
            # flat interest was promised for the whole term: collect what is left in this row
            rest = sum(flat_parts[max(k - gi + 1, 0):], Decimal(0))
            rows[-1].interest += rest
            break
    sched = Schedule(t, rows)
    sched.check()
    return sched


def describe(terms: Terms) -> str:
    t = terms.normalized()
    freq = FREQUENCIES[t.frequency].lower()
    if t.frequency == "musiman":
        freq = f"musiman ({t.season_months} bulan)"
    return (f"{METHODS[t.method]}, {t.rate}% {RATE_PERIODS[t.rate_period]}, {t.tenor} angsuran {freq}, "
            f"basis hari {DAY_COUNTS[t.day_count]}")
