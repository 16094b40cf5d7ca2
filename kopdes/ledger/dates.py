"""Which dates the books accept: one rule for every entry of every unit.

An entry (and so every money operation of every unit, since they all post through ``services.post``) is refused
when its date is

1. before the books opened: the cooperative's founding date (``Koperasi.founded_on``) or, when opening balances
   were imported, the date of the opening-balance entry (``source="ledger.Opening"``);
2. inside a closed fiscal year, or before one (a closed year closes everything up to its last day);
3. inside a closed month;
4. before a member named on one of its lines joined (``joined_on``; a candidate: ``registered_on``) — except in
   entries of balances carried in from before the books (``HISTORY_SOURCES``);
5. not a sane date: before 1900, or more than ``KOPDES_LEDGER_MAX_FUTURE_DAYS`` (default 31) days ahead of today.

Rules 1 (founding), 5 and the date type are checked in Python from what is in memory; rules 1 (opening balances),
2, 3 and 4 travel as one SQL condition inside the journal-numbering upsert (:func:`guard`), so posting still
takes the number in one round trip and the check sees the committed state under the counter row lock. When the
condition refuses, :func:`check` runs the same rules as queries to say which one. The year-end closing entry is
the only entry allowed into a closed period (``allow_closed``). ``integrity.check_integrity`` (``kopdes
ledger-check``) reports entries that break these rules (posted before the rule, or by hand).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from kopdes.core.errors import DomainError
from kopdes.core.models import Koperasi

from .models import JournalEntry, Period, YearClose

OPENING_SOURCE = "ledger.Opening"
#: entries that carry balances from before the books (the ledger's opening balances, the members' savings at the
#: start): the member rule does not apply to them — a member's joining date may predate the registry
HISTORY_SOURCES = (OPENING_SOURCE, "savings.OpeningBalance")
MIN_DATE = dt.date(1900, 1, 1)


def max_future_days() -> int:
    return int(getattr(settings, "KOPDES_LEDGER_MAX_FUTURE_DAYS", 31))


def _fiscal_year(koperasi: Koperasi, date: dt.date) -> int:
    start = koperasi.fiscal_year_start_month or 1
    return date.year if date.month >= start else date.year - 1


def _member_table() -> str | None:
    if not apps.is_installed("kopdes.members"):
        return None
    return apps.get_model("members", "Member")._meta.db_table


def opening_date(koperasi: Koperasi) -> dt.date | None:
    return (JournalEntry.objects.filter(koperasi=koperasi, source=OPENING_SOURCE).order_by("date")
            .values_list("date", flat=True).first())


def books_open_date(koperasi: Koperasi) -> dt.date | None:
    """The first day the books accept: the later of the founding date and the opening-balance date."""
    dates = [d for d in (koperasi.founded_on, opening_date(koperasi)) if d]
    return max(dates) if dates else None


def _fmt(d: dt.date) -> str:
    return f"{d:%d-%m-%Y}" if d.year >= 1000 else d.isoformat()


def check_static(koperasi: Koperasi, date) -> None:
    """The checks that need no query: a date, sane, not before the founding, not too far ahead."""
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise DomainError("Tanggal jurnal harus berupa tanggal.", "The entry date must be a date.", field="date",
                          code="invalid_date")
    if date < MIN_DATE:
        raise DomainError(f"Tanggal {_fmt(date)} tidak masuk akal.", f"The date {date.isoformat()} is not plausible.",
                          field="date", code="invalid_date")
    limit = timezone.localdate() + dt.timedelta(days=max_future_days())
    if date > limit:
        raise DomainError(
            f"Tanggal {_fmt(date)} terlalu jauh di masa depan (paling lambat {_fmt(limit)}).",
            f"The date {date.isoformat()} is too far in the future (at most {limit.isoformat()}).",
            field="date", code="future_date")
    if koperasi.founded_on and date < koperasi.founded_on:
        raise _before_books(date, koperasi.founded_on, "tanggal pendirian koperasi", "the cooperative's founding")


def _before_books(date: dt.date, first: dt.date, what_id: str, what_en: str) -> DomainError:
    return DomainError(
        f"Tanggal {_fmt(date)} sebelum pembukuan dimulai ({what_id} {_fmt(first)}); jurnal tidak dapat diposting.",
        f"The date {date.isoformat()} is before the books opened ({what_en}, {first.isoformat()}).",
        field="date", code="before_books_opened")


def guard(koperasi: Koperasi, date: dt.date, member_ids: Iterable[int] = (), *, allow_closed: bool = False
          ) -> tuple[str, list]:
    """The SQL condition (and its parameters) that holds when ``date`` is open for posting (rules 1–4)."""
    kid = koperasi.pk
    parts = [f"NOT EXISTS (SELECT 1 FROM {JournalEntry._meta.db_table} WHERE koperasi_id = %s AND source = %s "
             "AND date > %s)"]
    params: list = [kid, OPENING_SOURCE, date]
    if not allow_closed:
        parts.append(f"NOT EXISTS (SELECT 1 FROM {YearClose._meta.db_table} WHERE koperasi_id = %s AND year >= %s)")
        params += [kid, _fiscal_year(koperasi, date)]
        parts.append(f"NOT EXISTS (SELECT 1 FROM {Period._meta.db_table} WHERE koperasi_id = %s AND year = %s "
                     "AND month = %s AND status = 'closed')")
        params += [kid, date.year, date.month]
    ids = sorted({int(m) for m in member_ids if m is not None})
    table = _member_table()
    if ids and table:
        marks = ", ".join(["%s"] * len(ids))
        parts.append(f"NOT EXISTS (SELECT 1 FROM {table} WHERE koperasi_id = %s AND id IN ({marks}) "
                     "AND COALESCE(joined_on, registered_on) > %s)")
        params += [kid, *ids, date]
    return " AND ".join(parts), params


def check(koperasi: Koperasi, date, member_ids: Iterable[int] = (), *, allow_closed: bool = False) -> None:
    """Every rule, as queries; raises the :class:`DomainError` of the first one broken (nothing to say: returns)."""
    check_static(koperasi, date)
    opening = opening_date(koperasi)
    if opening and date < opening:
        raise _before_books(date, opening, "saldo awal", "the opening balances")
    if not allow_closed:
        fy = _fiscal_year(koperasi, date)
        closed = (YearClose.objects.filter(koperasi=koperasi, year__gte=fy).order_by("-year")
                  .values_list("year", flat=True).first())
        if closed is not None:
            raise DomainError(
                f"Tahun buku {closed} sudah ditutup; jurnal bertanggal {_fmt(date)} (tahun buku {fy}) tidak dapat "
                "diposting. Pakai tanggal di tahun buku yang masih terbuka.",
                f"Fiscal year {closed} is closed; an entry dated {date.isoformat()} (fiscal year {fy}) cannot be "
                "posted.", field="date", code="year_closed")
        if Period.objects.filter(koperasi=koperasi, year=date.year, month=date.month,
                                 status=Period.Status.CLOSED).exists():
            raise period_error(date)
    ids = sorted({int(m) for m in member_ids if m is not None})
    if ids and _member_table():
        Member = apps.get_model("members", "Member")
        for m in Member.objects.filter(koperasi=koperasi, pk__in=ids).order_by("pk"):
            since = m.joined_on or m.registered_on
            if since and date < since:
                raise DomainError(
                    f"Tanggal {_fmt(date)} sebelum {m.name} ({m.number}) menjadi anggota ({_fmt(since)}).",
                    f"The date {date.isoformat()} is before member {m.number} joined ({since.isoformat()}).",
                    field="date", code="before_member_joined")


def period_error(date: dt.date) -> DomainError:
    return DomainError(
        f"Periode {date.month:02d}/{date.year} sudah ditutup; jurnal bertanggal {date:%d-%m-%Y} tidak dapat "
        "diposting. Buka kembali periode (ketua + bendahara) atau pakai tanggal di periode terbuka.",
        f"Period {date.month:02d}/{date.year} is closed; an entry dated {date.isoformat()} cannot be posted.",
        field="date", code="period_closed",
    )


def is_closed(koperasi: Koperasi, date: dt.date) -> bool:
    """The date is in a closed month or in (or before the end of) a closed fiscal year."""
    return (YearClose.objects.filter(koperasi=koperasi, year__gte=_fiscal_year(koperasi, date)).exists()
            or Period.objects.filter(koperasi=koperasi, year=date.year, month=date.month,
                                     status=Period.Status.CLOSED).exists())


# --- ledger-check ---------------------------------------------------------------------------------------------

def violations(koperasi: Koperasi | None = None, limit: int = 50) -> list[str]:
    """Posted entries that break the rule: dated before the books opened, in a closed year or month but posted
    after it closed, before a member on a line joined, or at an implausible date."""
    from django.db.models import Exists, F, OuterRef
    from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

    from .models import JournalLine

    entries = JournalEntry.objects.filter(status=JournalEntry.Status.POSTED)
    lines = JournalLine.objects.filter(member_id__isnull=False)
    if koperasi is not None:
        entries, lines = entries.filter(koperasi=koperasi), lines.filter(koperasi=koperasi)
    out: list[str] = []

    def report(qs, why: str) -> None:
        for kid, ref_year, number, date in qs.values_list("koperasi_id", "year", "number", "date")[:limit]:
            out.append(f"koperasi {kid} entry JU-{ref_year}-{number:06d} dated {date}: {why}")

    report(entries.filter(koperasi__founded_on__isnull=False, date__lt=F("koperasi__founded_on")).order_by("pk"),
           "before the cooperative's founding date")
    report(entries.filter(Exists(JournalEntry.objects.filter(
        koperasi_id=OuterRef("koperasi_id"), source=OPENING_SOURCE, date__gt=OuterRef("date")))).order_by("pk"),
        "before the opening balances")
    report(entries.filter(Exists(YearClose.objects.filter(
        koperasi_id=OuterRef("koperasi_id"), year__gte=OuterRef("year"), closed_at__lt=OuterRef("created_at"))))
        .order_by("pk"), "posted into a fiscal year after it was closed")
    report(entries.annotate(y=ExtractYear("date"), m=ExtractMonth("date")).filter(Exists(Period.objects.filter(
        koperasi_id=OuterRef("koperasi_id"), year=OuterRef("y"), month=OuterRef("m"), status=Period.Status.CLOSED,
        closed_at__lt=OuterRef("created_at")))).order_by("pk"), "posted into a month after it was closed")
    horizon = timezone.localdate() + dt.timedelta(days=max_future_days())
    report(entries.filter(date__lt=MIN_DATE).order_by("pk"), "implausible date")
    report(entries.filter(date__gt=horizon).order_by("pk"), f"more than {max_future_days()} days ahead")
    if _member_table():
        Member = apps.get_model("members", "Member")
        late = (Member.objects.filter(koperasi_id=OuterRef("koperasi_id"), pk=OuterRef("member_id"))
                .annotate(since=Coalesce("joined_on", "registered_on")).filter(since__gt=OuterRef("date")))
        bad = (lines.filter(Exists(late), entry__status=JournalEntry.Status.POSTED)
               .exclude(entry__source__in=HISTORY_SOURCES)
               .values_list("koperasi_id", "entry_id", "member_id", "date").order_by("entry_id")[:limit])
        for kid, entry_id, member_id, date in bad:
            out.append(f"koperasi {kid} entry {entry_id} dated {date}: before member {member_id} joined")
    return out
