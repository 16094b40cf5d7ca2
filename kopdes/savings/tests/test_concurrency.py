"""Two tellers at once on PostgreSQL (and Citus): a sukarela balance is never withdrawn twice, and a deposit sent
twice at the same moment (a phone re-sending) is recorded once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from kopdes.core.errors import DomainError
from kopdes.core.testing import race
from kopdes.ledger.models import JournalEntry
from kopdes.ledger.queries import member_balance
from kopdes.members.tests.factories import new_active_member
from kopdes.savings import services as s
from kopdes.savings.models import Receipt

D = Decimal
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")


def test_three_withdrawals_at_once_never_overdraw(koperasi):
    m = new_active_member(koperasi)
    s.deposit(m, "sukarela", D("210000"))  # minimum balance 10.000: 200.000 can be withdrawn
    results = race([lambda: s.withdraw(m, "sukarela", D("100000")) for _ in range(3)])
    refused = [r for r in results if isinstance(r, DomainError)]
    receipts = [r for r in results if isinstance(r, Receipt)]
    assert len(receipts) == 2 and len(refused) == 1, results
    assert refused[0].code == "insufficient_balance"
    assert s.balances(m)["sukarela"] == D("10000")
    assert member_balance(koperasi, "2101", m.pk) == D("10000")
    assert len({r.number for r in receipts}) == 2


def test_the_same_deposit_sent_twice_at_once_is_recorded_once(koperasi):
    m = new_active_member(koperasi)
    before = JournalEntry.objects.filter(koperasi=koperasi).count()
    results = race([lambda: s.deposit(m, "sukarela", D("50000"), client_key="hp-77") for _ in range(3)])
    assert all(isinstance(r, Receipt) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == before + 1
    assert s.balances(m)["sukarela"] == D("50000")
