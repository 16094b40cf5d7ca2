"""Drill-down from a journal entry to its source document: units register how to link their sources.

    from kopdes.ledger.sources import register_source
    register_source("retail.Sale", lambda koperasi, source_id: reverse("retail:sale", args=[koperasi.slug, source_id]))
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse

_SOURCES: dict[str, Callable] = {}
LABELS = {
    "ledger.ManualJournal": "Jurnal memorial",
    "ledger.Opening": "Saldo awal",
    "ledger.CashCount": "Kas opname",
    "ledger.Transfer": "Pemindahan kas",
    "ledger.YearClose": "Jurnal penutup tahun",
    "ledger.ShuAllocation": "Alokasi SHU",
    "ledger.ShuPayout": "Pembayaran SHU",
}


def register_source(source: str, url_fn: Callable, label: str | None = None) -> None:
    _SOURCES[source] = url_fn
    if label:
        LABELS[source] = label


def source_url(koperasi, source: str, source_id: str) -> str | None:
    fn = _SOURCES.get(source)
    if fn is None:
        return None
    try:
        return fn(koperasi, source_id)
    except (NoReverseMatch, ValueError, TypeError):
        return None


def _manual(koperasi, source_id):
    return reverse("ledger:manual_detail", kwargs={"slug": koperasi.slug, "pk": int(source_id)})


register_source("ledger.ManualJournal", _manual)
