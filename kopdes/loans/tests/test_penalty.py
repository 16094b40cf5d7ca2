"""Daily late penalty from first principles: each day past the tolerance costs rate × the part of the instalment
still unpaid on that day. A partial payment lowers the base from its day on; it does not wipe the penalty."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from kopdes.loans import services

from .conftest import make_active_loan

pytestmark = pytest.mark.django_db


def test_penalty_keeps_accruing_on_what_is_still_unpaid(sp, staff, member, product):
    product.penalty_mode = "harian"
    product.penalty_rate = D("0.1")  # % per day
    product.penalty_grace_days = 0
    product.save()
    loan = make_active_loan(sp, member, product, staff)
    row = loan.installments.filter(superseded=False).order_by("no").first()
    unpaid = row.unpaid
    first_pay = row.due_date + dt.timedelta(days=10)
    due = services.dues(loan, as_of=first_pay)["rows"][0][1]
    assert due == (unpaid * D("0.001") * 10).quantize(D(1))
    # pay the 10 days' penalty and 60 % of the instalment: 40 % stays unpaid
    rest = (unpaid * D("0.4")).quantize(D(1))
    services.repay(sp, loan, amount=due + unpaid - rest, date=first_pay, by=staff["petugas"])
    row.refresh_from_db()
    assert row.unpaid == rest and row.penalty_paid == due
    later = first_pay + dt.timedelta(days=10)
    loan.refresh_from_db()
    pen = services.dues(loan, as_of=later)["rows"][0][1]
    # ten more days on the 40 % still unpaid (before: recomputed on 40 % over all 20 days minus what was paid → 0)
    assert pen == (rest * D("0.001") * 10).quantize(D(1)) > 0
