"""Storage fees: pure arithmetic, shared by services, pages and the member portal.

A lot is charged from the day after ``fees_through`` up to and including ``as_of``. At intake
``fees_through`` is the day before intake, so the intake day counts. A monthly tariff is charged per day at
1/30 of the monthly rate (a release in the middle of a month pays for the days stored, no more).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kopdes.core.money import round_rupiah

ZERO = Decimal("0.00")


def fee_days(fees_through: dt.date, as_of: dt.date) -> int:
    return max(0, (as_of - fees_through).days)


def storage_fee(kg: Decimal, rate: Decimal, period: str, fees_through: dt.date, as_of: dt.date) -> Decimal:
    days = fee_days(fees_through, as_of)
    if days == 0 or not kg or not rate:
        return ZERO
    amount = Decimal(kg) * Decimal(rate) * days
    if period == "month":
        amount = amount / 30
    return round_rupiah(amount)
