"""The demo builds a pharmacy with ~150 drugs by batch and a clinic with a few hundred visits; twice = once.

About 40 s of CPU (minutes on a loaded machine): run with ``KOPDES_DEMO_TEST=1`` (the test budget of the
default suite is about two minutes).
"""

from __future__ import annotations

import os

import pytest

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(os.environ.get("KOPDES_DEMO_TEST") != "1", reason="set KOPDES_DEMO_TEST=1")]


def test_demo_pharmacy_and_clinic_idempotent():
    from kopdes.clinic.models import Patient, Visit
    from kopdes.core.demo import build_demo
    from kopdes.ledger.queries import account_balance
    from kopdes.pharmacy import services
    from kopdes.pharmacy.models import Dispensing, Drug
    from kopdes.retail import stock

    ctx = build_demo(apps=["members", "pharmacy", "clinic"])  # the other apps' demos are not needed here
    k = ctx.koperasi
    drugs, visits, patients = Drug.objects.filter(koperasi=k).count(), Visit.objects.filter(koperasi=k).count(), \
        Patient.objects.filter(koperasi=k).count()
    assert 140 <= drugs <= 160
    assert 150 <= visits <= 500 and patients >= 100
    near = list(services.near_expiry(k))
    assert any(q.lot.expiry_date < ctx.today for q in near)  # the expired batch
    assert sum(1 for q in near if q.lot.expiry_date >= ctx.today) >= 3
    assert Dispensing.objects.filter(koperasi=k, prescription__isnull=False).count() > 50
    assert stock.valuation(k)["1152"] == account_balance(k, "1152")
    build_demo(apps=["pharmacy", "clinic"])
    assert (Drug.objects.filter(koperasi=k).count(), Visit.objects.filter(koperasi=k).count()) == (drugs, visits)
