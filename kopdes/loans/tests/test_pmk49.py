"""Issue 14 item 17: the PMK 49/2025 facility's terms are enforced by record_bank_facility — 6% a year, principal
grace 6–8 months, at most 72 months, at most Rp3 bn of which at most Rp500 m operating — with bilingual errors
naming the field and nothing written; instalments fall due on the 12th."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from kopdes.core.errors import DomainError
from kopdes.ledger.models import JournalEntry
from kopdes.ledger.queries import account_balance
from kopdes.loans import services
from kopdes.loans.models import BankFacility, BankInstallment

pytestmark = pytest.mark.django_db

OK = {"bank_name": "BRI", "contract_number": "KDMP-9", "amount": D(1_200_000_000), "received_on": dt.date(2026, 1, 15),
      "rate": D(6), "tenor": 72, "grace": 6, "operating_part": D(500_000_000)}


@pytest.mark.parametrize("change,field,code", [
    ({"rate": D("7")}, "rate", "pmk49_rate"),
    ({"rate": D("5.5")}, "rate", "pmk49_rate"),
    ({"grace": 5}, "grace", "pmk49_grace"),
    ({"grace": 9}, "grace", "pmk49_grace"),
    ({"grace": 0}, "grace", "pmk49_grace"),
    ({"tenor": 73}, "tenor", "pmk49_tenor"),
    ({"tenor": 6}, "tenor", "pmk49_tenor"),
    ({"amount": D(3_000_000_001)}, "amount", "over_limit"),
    ({"operating_part": D(500_000_001)}, "operating_part", "over_limit"),
    ({"amount": D(400_000_000), "operating_part": D(450_000_000)}, "operating_part", "over_limit"),
])
def test_terms_outside_pmk49_are_refused_and_nothing_written(sp, change, field, code):
    with pytest.raises(DomainError) as exc:
        services.record_bank_facility(sp, **{**OK, **change})
    assert exc.value.field == field and exc.value.code == code
    assert exc.value.message_id != exc.value.message_en and exc.value.message_en
    assert not BankFacility.objects.filter(koperasi=sp).exists()
    assert not BankInstallment.objects.filter(koperasi=sp).exists()
    assert not JournalEntry.objects.filter(koperasi=sp).exists()


@pytest.mark.parametrize("grace", [6, 7, 8])
def test_the_edges_are_accepted_and_instalments_fall_on_the_12th(sp, grace):
    f = services.record_bank_facility(sp, **{**OK, "amount": D(3_000_000_000), "grace": grace})
    rows = list(f.installments.order_by("no"))
    assert len(rows) == 72
    assert {r.due_date.day for r in rows} == {12}
    assert rows[0].due_date == dt.date(2026, 2, 12) and rows[-1].due_date == dt.date(2032, 1, 12)
    assert all(r.principal_due == 0 for r in rows[:grace]) and rows[grace].principal_due > 0
    # the odd first period 15 Jan → 12 Feb is 27 days (30/360): 3 bn × 6% × 27/360
    assert rows[0].interest_due == D(13_500_000)
    assert rows[1].interest_due == D(15_000_000)  # a whole month: 3 bn × 6% / 12
    assert sum(r.principal_due for r in rows) == D(3_000_000_000)
    assert account_balance(sp, "2201") == D(3_000_000_000)


def test_a_facility_received_on_the_12th_is_due_a_month_later(sp):
    f = services.record_bank_facility(sp, **{**OK, "received_on": dt.date(2026, 3, 12)})
    first = f.installments.order_by("no").first()
    assert first.due_date == dt.date(2026, 4, 12) and first.interest_due == D(6_000_000)  # 1.2 bn × 6% / 12
