"""A check over all data (run in CI and from ``kopdes ledger-check``): the database triggers are in place, every
posted entry balanced, numbering without gaps, month snapshots equal to the lines, no entry dated where the
books refuse one (:func:`kopdes.ledger.dates.violations`). Returns a list of problems
(empty = healthy)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import Abs

from .models import AccountMonth, JournalEntry, JournalLine

# the triggers of migrations 0002 and 0004; a later migration that rebuilds a table on SQLite would drop them
TRIGGERS = {
    "sqlite": ["ledger_entry_insert", "ledger_entry_immutable", "ledger_entry_post", "ledger_entry_delete",
               "ledger_line_insert", "ledger_line_update", "ledger_line_delete"],
    "postgresql": ["ledger_entry_guard", "ledger_line_guard"],
}

HALF_CENT = Decimal("0.005")


def _cents(value) -> Decimal:
    """Sums to the rupiah cent (SQLite returns float-born sums such as 60305.9900000000001)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def missing_triggers() -> list[str]:
    """Names of the ledger's database triggers that are not installed (empty = all in place)."""
    from django.db import connection

    wanted = TRIGGERS.get(connection.vendor, [])
    if not wanted:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cur.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {r[0] for r in cur.fetchall()}
    return [t for t in wanted if t not in present]


def check_integrity(koperasi=None) -> list[str]:
    problems: list[str] = [f"database trigger {t} is missing" for t in missing_triggers()]
    entries = JournalEntry.objects.all()
    lines = JournalLine.objects.all()
    snaps = AccountMonth.objects.all()
    if koperasi is not None:
        entries, lines, snaps = (qs.filter(koperasi=koperasi) for qs in (entries, lines, snaps))
    # balanced entries
    # SQLite keeps NUMERIC values with a fractional part as floating point, so sums are compared to within half a
    # cent (the same tolerance the SQLite trigger uses); PostgreSQL numeric sums are exact.
    money = DecimalField(max_digits=20, decimal_places=2)
    bad = (lines.values("entry_id").annotate(d=Sum("debit"), c=Sum("credit"))
           .annotate(gap=Abs(ExpressionWrapper(F("d") - F("c"), output_field=money)))
           .filter(gap__gte=HALF_CENT).order_by())
    for row in bad[:50]:
        problems.append(f"entry {row['entry_id']}: debit {row['d']} != credit {row['c']}")
    empty = entries.filter(status="posted").annotate(n=Count("lines")).filter(n__lt=2)
    for e in empty[:50]:
        problems.append(f"entry {e.pk}: fewer than two lines")
    wrong = (entries.filter(status="posted").annotate(d=Sum("lines__debit"), c=Sum("lines__credit"))
             .annotate(gd=Abs(ExpressionWrapper(F("d") - F("amount"), output_field=money)),
                       gc=Abs(ExpressionWrapper(F("c") - F("amount"), output_field=money)))
             .filter(Q(gd__gte=HALF_CENT) | Q(gc__gte=HALF_CENT)))
    for e in wrong[:50]:
        problems.append(f"entry {e.pk}: lines {e.d}/{e.c} differ from amount {e.amount}")
    drafts = entries.filter(status="draft").count()
    if drafts:
        problems.append(f"{drafts} draft entries left behind")
    # numbering
    for row in entries.values("koperasi_id", "year").annotate(n=Count("id"), top=Max("number")).order_by():
        if row["n"] != row["top"]:
            problems.append(f"koperasi {row['koperasi_id']} year {row['year']}: {row['n']} entries, "
                            f"last number {row['top']} (gap or duplicate)")
    # snapshots
    from django.db.models.functions import ExtractMonth, ExtractYear

    actual = {
        (r["koperasi_id"], r["account_id"], r["unit"], r["y"], r["m"]): (_cents(r["d"]), _cents(r["c"]))
        for r in lines.filter(entry__status="posted").annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values("koperasi_id", "account_id", "unit", "y", "m").annotate(d=Sum("debit"), c=Sum("credit")).order_by()
    }
    stored = {
        (s.koperasi_id, s.account_id, s.unit, s.year, s.month): (_cents(s.debit), _cents(s.credit)) for s in snaps
        if s.debit or s.credit
    }
    if actual != stored:
        keys = {k for k in actual.keys() | stored.keys() if actual.get(k) != stored.get(k)}
        problems.append(f"month snapshots differ from lines in {len(keys)} places")
        for key in sorted(keys, key=str)[:20]:
            problems.append(f"  snapshot {key}: lines {actual.get(key)} stored {stored.get(key)}")
    from .dates import violations  # noqa: PLC0415 — entries dated where the books refuse them

    problems += violations(koperasi)
    from django.apps import apps  # noqa: PLC0415

    if apps.is_installed("kopdes.savings"):  # passbooks are subsidiary ledgers of 3101/3102/2101
        from kopdes.savings.services import reconcile_with_ledger  # noqa: PLC0415

        problems += reconcile_with_ledger(koperasi)[:50]
    return problems
