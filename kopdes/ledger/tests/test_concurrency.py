"""Concurrent posting from several cashiers: no duplicate and no missing number. Also proves the test flush
(DELETE on SQLite, TRUNCATE on PostgreSQL) is not blocked by the ledger triggers."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from kopdes.core.units import Unit
from kopdes.ledger.integrity import check_integrity
from kopdes.ledger.models import JournalEntry
from kopdes.ledger.services import Line, post


@pytest.fixture(scope="module", autouse=True)
def _restore_regions_after_flush(django_db_blocker):
    """Transactional tests end with a flush that empties the region table: put it back for later tests."""
    yield
    from kopdes.core.models import Region
    from kopdes.core.regions import load_regions

    with django_db_blocker.unblock():
        if Region.objects.count() < 1000:
            Region.objects.all().delete()
            load_regions()


@pytest.fixture
def tx_koperasi():
    """A cooperative in a transactional test (the root conftest's region reload needs the DB too early)."""
    from kopdes.core.models import Region
    from kopdes.core.services import create_koperasi

    code = "16.02.04.2006"
    if not Region.objects.filter(code=code).exists():
        Region.objects.create(code=code, name="Surya Adi", level=4)
    return create_koperasi(code, slug="surya-adi-tx")


@pytest.mark.django_db(transaction=True)
def test_flush_after_posting_works(tx_koperasi):
    koperasi = tx_koperasi
    post(koperasi, date=dt.date(2026, 5, 1), memo="x",
         lines=[Line("1101", debit=Decimal("1")), Line("4202", credit=Decimal("1"))])
    assert JournalEntry.objects.count() == 1  # the flush after this test must not be blocked


@pytest.mark.django_db(transaction=True)
def test_concurrent_cashiers_gap_free(tx_koperasi):
    koperasi = tx_koperasi
    if connection.vendor != "postgresql":
        pytest.skip("threads against an in-memory SQLite test database are not meaningful")
    errors: list[Exception] = []

    def cashier(n: int) -> None:
        try:
            for i in range(10):
                post(koperasi, date=dt.date(2026, 5, 1), memo=f"kasir {n} #{i}", lines=[
                    Line("1103", debit=Decimal("1000"), unit=Unit.SEMBAKO),
                    Line("4112", credit=Decimal("1000"), unit=Unit.SEMBAKO),
                ], idempotency_key=f"c{n}-{i}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cashier, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(JournalEntry.objects.filter(koperasi=koperasi).values_list("number", flat=True))
    assert numbers == list(range(1, 41))
    assert check_integrity(koperasi) == []
