"""Property: whatever sequence of counter operations (some refused), the passbook equals the ledger's member
subsidiary, the ledger balances, sukarela never drops below the minimum, and a refusal leaves no trace."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kopdes.core.errors import DomainError
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.queries import member_balance
from kopdes.members.tests.factories import new_active_member
from kopdes.savings import services as s
from kopdes.savings.models import Receipt

pytestmark = pytest.mark.django_db

ops = st.lists(
    st.tuples(st.sampled_from(["setor_wajib", "setor_sukarela", "tarik_sukarela", "tarik_wajib"]),
              st.integers(min_value=1, max_value=300_000)),
    min_size=1, max_size=6,
)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=ops)
def test_counter_sequences_keep_books_in_step(koperasi, sequence):
    m = new_active_member(koperasi)
    minimum = s.settings_for(koperasi).sukarela_min_balance
    for op, amount in sequence:
        verb, kind = op.split("_")
        before = (JournalEntry.objects.filter(koperasi=koperasi).count(), Receipt.objects.count())
        ok = True
        try:
            if verb == "setor":
                s.deposit(m, kind, Decimal(amount))
            else:
                s.withdraw(m, kind, Decimal(amount))
        except DomainError:
            ok = False
            assert (JournalEntry.objects.filter(koperasi=koperasi).count(), Receipt.objects.count()) == before
        bal = s.balances(m)
        assert bal["sukarela"] >= 0
        if verb == "tarik":
            assert not ok or (kind == "sukarela" and bal["sukarela"] >= minimum)
        for kind_, code in (("pokok", "3101"), ("wajib", "3102"), ("sukarela", "2101")):
            assert member_balance(koperasi, code, m.pk) == bal[kind_]
    agg = JournalLine.objects.filter(koperasi=koperasi).aggregate(d=Sum("debit"), c=Sum("credit"))
    assert agg["d"] == agg["c"]
