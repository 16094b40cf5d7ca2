"""A check over all data (run in CI and from ``kopdes ledger-check``): every posted entry balanced, numbering
without gaps, month snapshots equal to the lines. Returns a list of problems (empty = healthy)."""

from __future__ import annotations

from django.db.models import Count, F, Max, Q, Sum

from .models import AccountMonth, JournalEntry, JournalLine


def check_integrity(koperasi=None) -> list[str]:
    problems: list[str] = []
    entries = JournalEntry.objects.all()
    lines = JournalLine.objects.all()
    snaps = AccountMonth.objects.all()
    if koperasi is not None:
        entries, lines, snaps = (qs.filter(koperasi=koperasi) for qs in (entries, lines, snaps))
    # balanced entries
    bad = (lines.values("entry_id").annotate(d=Sum("debit"), c=Sum("credit"))
           .filter(~Q(d=Sum("credit"))).order_by())
    for row in bad[:50]:
        problems.append(f"entry {row['entry_id']}: debit {row['d']} != credit {row['c']}")
    empty = entries.filter(status="posted").annotate(n=Count("lines")).filter(n__lt=2)
    for e in empty[:50]:
        problems.append(f"entry {e.pk}: fewer than two lines")
    wrong = (entries.filter(status="posted").annotate(d=Sum("lines__debit"), c=Sum("lines__credit"))
             .filter(~Q(d=F("amount")) | ~Q(c=F("amount"))))
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
        (r["koperasi_id"], r["account_id"], r["unit"], r["y"], r["m"]): (r["d"], r["c"])
        for r in lines.filter(entry__status="posted").annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values("koperasi_id", "account_id", "unit", "y", "m").annotate(d=Sum("debit"), c=Sum("credit")).order_by()
    }
    stored = {
        (s.koperasi_id, s.account_id, s.unit, s.year, s.month): (s.debit, s.credit) for s in snaps
        if s.debit or s.credit
    }
    if actual != stored:
        diff = set(actual.items()) ^ set(stored.items())
        problems.append(f"month snapshots differ from lines in {len(diff)} places")
    return problems
