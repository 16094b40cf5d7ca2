"""The first README command builds the whole demo: every unit's year of activity, books that balance, and a second
run that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from kopdes.core.demo import build_demo

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m.__module__.startswith("kopdes.") and m._meta.label not in ("core.AuditLog", "core.IdempotencyRecord")
    }


def test_full_demo_balances_and_is_idempotent():
    from kopdes.ledger.integrity import check_integrity
    from kopdes.ledger.reports import position_figures, trial_balance

    ctx = build_demo()
    k = ctx.koperasi
    before = _counts()
    # every unit left real activity behind
    for label in ("members.Member", "ledger.JournalEntry", "loans.Loan", "retail.Sale", "clinic.Visit",
                  "warehouse.WarehouseReceipt", "logistics.DeliveryOrder"):
        assert before[label] > 0, label
    assert check_integrity(k) == []
    today = timezone.localdate()
    figures = position_figures(k, today)
    assert figures["assets"] == figures["liabilities"] + figures["equity"]
    assert figures["assets"] > 0
    tb = trial_balance(k, dt.date(today.year - 1, 1, 1), today)
    assert tb is not None

    build_demo()
    assert _counts() == before
