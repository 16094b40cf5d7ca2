"""The one date rule of the books (``ledger/dates.py``): no entry before the books opened, in or before a closed
fiscal year, in a closed month, before a member joined, or at an implausible date — for every unit, and
``ledger-check`` reports entries that break it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kopdes.core.errors import DomainError
from kopdes.core.units import Unit
from kopdes.ledger.integrity import check_integrity
from kopdes.ledger.models import JournalEntry
from kopdes.ledger.services import Line, close_month, close_year, post

D = Decimal
FOUNDED = dt.date(2025, 6, 14)

pytestmark = pytest.mark.django_db


def sale(k, date, amount="15000", member_id=None):
    return post(k, date=date, memo="Penjualan", lines=[
        Line("1103", debit=D(amount), unit=Unit.SEMBAKO),
        Line("4111" if member_id else "4112", credit=D(amount), unit=Unit.SEMBAKO, member_id=member_id),
    ])


@pytest.fixture
def founded(koperasi):
    from kopdes.core.models import Bylaws

    koperasi.founded_on = FOUNDED
    koperasi.save()
    Bylaws.objects.filter(koperasi=koperasi).update(effective_date=FOUNDED)
    return koperasi


def refused(k, date, code, **kw):
    before = JournalEntry.objects.filter(koperasi=k).count()
    with pytest.raises(DomainError) as exc:
        sale(k, date, **kw)
    assert exc.value.code == code, (date, exc.value.code, exc.value.message_id)
    assert exc.value.field == "date" and exc.value.message_en != exc.value.message_id
    assert JournalEntry.objects.filter(koperasi=k).count() == before


@pytest.mark.parametrize("day", [dt.date(2024, 12, 31), dt.date(1999, 1, 1), dt.date(1900, 1, 1),
                                 dt.date(1, 1, 1), dt.date(2025, 6, 13)])
def test_no_entry_before_the_founding(founded, day):
    refused(founded, day, "invalid_date" if day.year < 1900 else "before_books_opened")
    sale(founded, FOUNDED)  # the founding day itself is open


def test_no_entry_in_or_before_a_closed_year(founded):
    sale(founded, dt.date(2025, 7, 1))
    close_year(founded, 2025)
    # the closed year's months are closed, and so is everything before it — even months that have no Period row
    for day in (dt.date(2025, 12, 31), dt.date(2025, 6, 14)):
        refused(founded, day, "year_closed")
    founded.founded_on = None  # without a founding date the closed year still shuts what precedes it
    founded.save()
    refused(founded, dt.date(2024, 12, 31), "year_closed")
    assert sale(founded, dt.date(2026, 1, 2)).year == 2026


def test_no_entry_in_a_closed_month(founded):
    sale(founded, dt.date(2026, 1, 5))
    close_month(founded, 2026, 1)
    refused(founded, dt.date(2026, 1, 31), "period_closed")
    sale(founded, dt.date(2026, 2, 1))


def test_no_entry_before_the_opening_balances(koperasi):
    from kopdes.ledger.services import import_opening_balances

    from .test_operations import xlsx

    import_opening_balances(koperasi, date=dt.date(2026, 1, 1), data=xlsx([["1101", 1000000, 0], ["3101", 0, 1000000]]))
    refused(koperasi, dt.date(2025, 12, 31), "before_books_opened")
    sale(koperasi, dt.date(2026, 1, 1))


def test_opening_balances_must_come_first(koperasi):
    from kopdes.ledger.services import import_opening_balances

    from .test_operations import xlsx

    sale(koperasi, dt.date(2026, 1, 10))
    with pytest.raises(DomainError) as exc:
        import_opening_balances(koperasi, date=dt.date(2026, 2, 1), data=xlsx([["1101", 1000, 0], ["3101", 0, 1000]]))
    assert exc.value.code == "entries_before_opening"


def test_no_entry_far_in_the_future(koperasi):
    today = timezone.localdate()
    refused(koperasi, today + dt.timedelta(days=400), "future_date")
    refused(koperasi, dt.date(9999, 12, 31), "future_date")
    sale(koperasi, today + dt.timedelta(days=3))


def test_no_operation_before_the_member_joined(koperasi):
    from kopdes.members.tests.factories import new_active_member

    m = new_active_member(koperasi, date=dt.date(2026, 3, 1))
    assert m.joined_on == dt.date(2026, 3, 1)
    refused(koperasi, dt.date(2026, 2, 28), "before_member_joined", member_id=m.pk)
    sale(koperasi, dt.date(2026, 2, 28))  # the same day without the member is fine
    sale(koperasi, dt.date(2026, 3, 1), member_id=m.pk)


def test_savings_counter_cannot_back_date(founded):
    """The reported case: a deposit dated before the founding posted JU-2024-000001 into the closed books."""
    from kopdes.members.tests.factories import new_active_member
    from kopdes.savings.services import deposit, withdraw

    m = new_active_member(founded, date=dt.date(2025, 7, 1))
    deposit(m, "sukarela", D("50000"), date=dt.date(2025, 7, 2))
    for day in (dt.date(2024, 12, 31), dt.date(1999, 1, 1)):
        for op in (deposit, withdraw):
            with pytest.raises(DomainError) as exc:
                op(m, "sukarela", D("10000"), date=day)
            assert exc.value.code in ("before_books_opened", "before_member_joined")
    assert not JournalEntry.objects.filter(koperasi=founded, date__lt=FOUNDED).exists()


def test_ledger_check_reports_entries_the_rule_refuses(founded):
    from kopdes.members.tests.factories import new_active_member

    m = new_active_member(founded, date=dt.date(2025, 8, 1))
    sale(founded, dt.date(2025, 8, 1), member_id=m.pk)
    sale(founded, dt.date(2025, 9, 1))
    close_year(founded, 2025)
    assert check_integrity(founded) == []
    # rows written around the rule (raw SQL, an old version, a later correction of the dates they depend on)
    founded.founded_on = dt.date(2025, 8, 15)
    founded.save()
    type(m).objects.filter(pk=m.pk).update(joined_on=dt.date(2025, 8, 10))
    problems = check_integrity(founded)
    assert any("before the cooperative's founding date" in p for p in problems), problems
    assert any(f"before member {m.pk} joined" in p for p in problems), problems
    late = JournalEntry.objects.filter(koperasi=founded, date=dt.date(2025, 9, 1)).get()
    from kopdes.ledger.models import YearClose

    YearClose.objects.filter(koperasi=founded).update(closed_at=late.created_at - dt.timedelta(seconds=1))
    assert any("posted into a fiscal year after it was closed" in p for p in check_integrity(founded))
