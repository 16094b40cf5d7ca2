"""Drill-down: statement → buku besar → jurnal → source document, for every source the units post."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from kopdes.ledger import sources
from kopdes.ledger.models import JournalEntry
from kopdes.ledger.services import Line, post, record_cash_count

D = Decimal
ROOT = Path(__file__).resolve().parents[2]  # kopdes/


def _posted_sources() -> set[str]:
    """Every literal ``source="app.Model"`` passed to the ledger in the code of the apps (tests excluded)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        found |= set(re.findall(r'source="([a-z]+\.[A-Z][A-Za-z]+)"', path.read_text("utf-8")))
    return found


def test_every_posted_source_has_a_link():
    posted = _posted_sources()
    assert {"retail.Sale", "loans.Repayment", "savings.Receipt", "clinic.Visit", "warehouse.Release",
            "logistics.DeliveryOrder", "members.Settlement"} <= posted
    missing = sorted(s for s in posted if not sources.is_registered(s) and s != "ledger.Demo")
    assert missing == [], f"no drill-down link for {missing}: add it to ledger/sources.DEFAULT_SOURCES"
    assert all(s in sources.LABELS for s in posted)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(sources.DEFAULT_SOURCES))
def test_default_links_resolve(koperasi, name):
    """Each default points at a URL that exists (a missing row gives None, never a broken link)."""
    fn = sources.DEFAULT_SOURCES[name]
    try:
        url = fn(koperasi, "1")
    except NoReverseMatch as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{name}: {exc}")
    assert url is None or url.startswith(f"/k/{koperasi.slug}/")


@pytest.mark.django_db
def test_drill_down_statement_ledger_entry_document(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    day = dt.date(2026, 3, 10)
    post(koperasi, date=day, memo="Setoran modal", lines=[Line("1101", debit=D("1000000")),
                                                          Line("3103", credit=D("1000000"))])
    cc = record_cash_count(koperasi, date=day, account="1101", counted=D("990000"))
    base = f"/k/{koperasi.slug}/akuntansi"
    page = c.get(f"{base}/laporan/posisi-keuangan/?from=2026-01-01&to=2026-03-31").content.decode()
    ledger_link = f"{base}/laporan/buku-besar/?code=1101&from=2026-01-01&to=2026-03-31"
    assert ledger_link in page
    page = c.get(ledger_link).content.decode()
    entry_url = reverse("ledger:entry", args=[koperasi.slug, cc.entry_id])
    assert entry_url in page
    page = c.get(entry_url).content.decode()
    assert f'href="{base}/kas/"' in page and "Kas opname" in page
    sale = JournalEntry.objects.filter(koperasi=koperasi, source="").first()
    assert "—" in c.get(reverse("ledger:entry", args=[koperasi.slug, sale.pk])).content.decode()


@pytest.mark.django_db
def test_unit_source_links_to_its_document(koperasi, make_user, client_as):
    """A unit's entry (here a loan repayment stand-in: a retail sale id) links to the unit's page."""
    e = post(koperasi, date=dt.date(2026, 3, 10), memo="Penjualan", source="retail.Sale", source_id="42",
             lines=[Line("1103", debit=D("5000"), unit="sembako"), Line("4112", credit=D("5000"), unit="sembako")])
    c = client_as(make_user("ketua", koperasi=koperasi))
    page = c.get(reverse("ledger:entry", args=[koperasi.slug, e.pk])).content.decode()
    assert reverse("retail:sale", args=[koperasi.slug, 42]) in page
