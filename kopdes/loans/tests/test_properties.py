"""Property: whatever payments arrive (partial, late, advance, too much, on a closed loan), the loan's running
state, the member statement and the ledger's subsidiary balance stay equal, and a refused payment writes nothing."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kopdes.core.errors import DomainError
from kopdes.ledger.models import JournalLine
from kopdes.ledger.queries import member_balance
from kopdes.loans import queries, services
from kopdes.loans.models import Installment

from .conftest import make_active_loan

pytestmark = pytest.mark.django_db

payments = st.lists(st.tuples(st.integers(min_value=0, max_value=300), st.integers(min_value=-1000, max_value=900_000),
                              st.booleans()), min_size=1, max_size=8)


class _Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(plan=payments, method=st.sampled_from(["PKS", "PMU"]), accrue=st.booleans())
def test_any_payment_sequence_keeps_books_equal(sp, staff, member, plan, method, accrue):
    """With the accrual basis on, an ageing run before each payment accrues due interest (or reverses it for a
    non-performing loan); 1134 always equals the rows' open accruals, never more than the unpaid interest."""
    from kopdes.loans.models import LoanProduct

    product = LoanProduct.objects.get(koperasi=sp, code=method)
    try:
        with transaction.atomic():
            s = services.settings_for(sp)
            s.accrue_interest = accrue
            s.save()
            loan = make_active_loan(sp, member, product, staff, amount=D(3_000_000), tenor=6)
            day = loan.disbursed_on
            for offset, amount, settle in sorted(plan):
                day = max(day, loan.disbursed_on + dt.timedelta(days=offset))
                if accrue and loan.status == "aktif":
                    services.run_ageing(sp, as_of=day)
                lines_before = JournalLine.objects.filter(koperasi=sp).count()
                try:
                    if settle and loan.status == "aktif":
                        q = services.settlement_quote(loan, day)
                        services.repay(sp, loan, amount=q["total"], date=day, settle=True)
                    else:
                        services.repay(sp, loan, amount=amount, date=day)
                except DomainError:
                    assert JournalLine.objects.filter(koperasi=sp).count() == lines_before
                loan.refresh_from_db()
                rows = Installment.objects.filter(loan=loan, superseded=False)
                assert loan.outstanding == sum(r.principal_due - r.principal_paid for r in rows)
                assert all(r.principal_paid <= r.principal_due and r.interest_paid <= r.interest_due for r in rows)
                assert loan.outstanding == member_balance(sp, "1131", member.pk)
                stmt = queries.statement(loan)
                assert stmt[-1]["balance"] == loan.outstanding
                assert (loan.status == "lunas") == (loan.outstanding == 0 and not rows.filter(settled=False).exists())
                all_rows = Installment.objects.filter(loan=loan)
                assert member_balance(sp, "1134", member.pk) == sum((r.accrual_open for r in all_rows), D(0))
                assert all(D(0) <= r.accrual_open <= max(r.unpaid_interest, D(0)) for r in all_rows)
                if not accrue:
                    assert member_balance(sp, "1134", member.pk) == 0
            raise _Rollback
    except _Rollback:
        pass
