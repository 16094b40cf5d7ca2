"""The apotek's demo: ~150 drugs by batch (some near expiry, one expired), packs, over-the-counter sales by the
strip; stock valuation equals the ledger. Runs by default (the apotek part only, a few seconds).

The whole demo (every app, clinic visits included), its balance, integrity and idempotent rerun are tested in
``tests/test_demo_full.py``; the clinic's demo figures (few hundred visits, prescriptions dispensed) are checked
here only with ``KOPDES_DEMO_TEST=1`` because the clinic part alone takes about 40 s of CPU.
"""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.django_db


def test_demo_pharmacy_batches_packs_and_books():
    from kopdes.core.demo import build_demo
    from kopdes.ledger.queries import account_balance
    from kopdes.pharmacy import services
    from kopdes.pharmacy.models import DispenseLine, Drug
    from kopdes.retail import stock

    ctx = build_demo(apps=["pharmacy"])
    k = ctx.koperasi
    drugs = Drug.objects.filter(koperasi=k).count()
    assert 140 <= drugs <= 160
    assert not Drug.objects.filter(koperasi=k, drug_class="narkotika").exists()
    near = list(services.near_expiry(k))
    assert sum(1 for q in near if q.lot.expiry_date < ctx.today) == 1  # the one expired batch
    assert sum(1 for q in near if q.lot.expiry_date >= ctx.today) >= 3
    strips = DispenseLine.objects.filter(koperasi=k, uom_name="strip")
    assert strips.exists() and all(ln.qty == ln.uom_qty * 10 for ln in strips)
    # the expired batch was never sold
    from kopdes.retail.models import StockMove

    assert StockMove.objects.filter(koperasi=k, lot__lot_number="BEXP2024").exclude(kind="receipt").count() == 0
    assert stock.valuation(k)["1152"] == account_balance(k, "1152")
    build_demo(apps=["pharmacy"])
    assert Drug.objects.filter(koperasi=k).count() == drugs


@pytest.mark.skipif(os.environ.get("KOPDES_DEMO_TEST") != "1", reason="set KOPDES_DEMO_TEST=1 (about 40 s of CPU)")
def test_demo_clinic_visits_and_dispensing():
    from kopdes.clinic.models import Patient, Visit
    from kopdes.core.demo import build_demo
    from kopdes.pharmacy.models import Dispensing

    ctx = build_demo(apps=["members", "pharmacy", "clinic"])
    k = ctx.koperasi
    visits = Visit.objects.filter(koperasi=k).count()
    assert 150 <= visits <= 500 and Patient.objects.filter(koperasi=k).count() >= 100
    assert Dispensing.objects.filter(koperasi=k, prescription__isnull=False).count() > 50
    build_demo(apps=["clinic"])
    assert Visit.objects.filter(koperasi=k).count() == visits
