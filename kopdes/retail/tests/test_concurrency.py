"""Two cashiers at once on PostgreSQL: the RDKK quota holds and stock never goes negative."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from kopdes.core.errors import DomainError
from kopdes.core.testing import race

from .. import pos, services, stock
from ..models import FertilizerAllocation, FertilizerRedemption, Sale
from .helpers import D, bal, cid, kiosk, member

DAY = dt.date(2026, 2, 3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_cashiers_cannot_exceed_fertilizer_quota(koperasi, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    shop = kiosk(koperasi)
    farmer = member(koperasi)
    services.set_allocation(koperasi, member_id=farmer.pk, season="2026-MT1", fertilizer_type="urea",
                            allocated_kg="150", valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 4, 30))
    shifts = []
    for _ in range(2):
        u = make_user("operator", koperasi=koperasi, unit="sembako")
        shifts.append((u, pos.open_shift(koperasi, cashier=u, location=shop["gerai"], opening_float=0)))

    def sale(u, sh):
        return lambda: pos.checkout(koperasi, client_id=cid(), shift=sh, by=u, member=farmer.pk, date=DAY,
                                    lines=[{"product_id": shop["urea"].pk, "qty": "100"}])

    for _round in range(3):
        results = race([sale(u, sh) for u, sh in shifts])
        ok = [r for r in results if isinstance(r, dict)]
        errors = [r for r in results if isinstance(r, DomainError)]
        assert len(ok) + len(errors) == 2, results
        if _round == 0:
            assert len(ok) == 1 and errors[0].code == "over_allocation"
        else:
            assert not ok
    alloc = FertilizerAllocation.objects.get(member_id=farmer.pk)
    assert alloc.redeemed_kg == D("100")
    assert sum(r.qty_kg for r in FertilizerRedemption.objects.filter(allocation=alloc)) == D("100")
    assert Sale.objects.filter(koperasi=koperasi).count() == 1
    assert bal(koperasi, "1153") == D("600000")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sales_never_oversell(koperasi, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    shop = kiosk(koperasi)  # 10 bags of sugar
    cashiers = []
    for _ in range(4):
        u = make_user("operator", koperasi=koperasi, unit="sembako")
        cashiers.append((u, pos.open_shift(koperasi, cashier=u, location=shop["gerai"], opening_float=0)))
    results = race([lambda u=u, sh=sh: pos.checkout(koperasi, client_id=cid(), shift=sh, by=u, date=DAY,
                                                    lines=[{"product_id": shop["gula"].pk, "qty": "3"}])
                     for u, sh in cashiers])
    assert sum(isinstance(r, dict) for r in results) == 3, results
    shop["gula"].refresh_from_db()
    assert shop["gula"].stock_qty == 1 and shop["gula"].stock_value == D("14000")
    assert bal(koperasi, "4112") == D("157500")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_client_id_twice_at_once_records_one_sale(koperasi, make_user):
    """A phone re-sending while the first request is still running: the second waits on the idempotency key and
    replays the first sale; stock and cash move once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    shop = kiosk(koperasi)
    u = make_user("operator", koperasi=koperasi, unit="sembako")
    sh = pos.open_shift(koperasi, cashier=u, location=shop["gerai"], opening_float=0)
    key = cid()
    lines = [{"product_id": shop["gula"].pk, "qty": "2"}, {"product_id": shop["sphp"].pk, "qty": "5"}]
    results = race([lambda: pos.checkout(koperasi, client_id=key, shift=sh, by=u, date=DAY, lines=lines)] * 3)
    assert all(isinstance(r, dict) for r in results), results
    assert len({r["sale_id"] for r in results}) == 1 and sum(not r["replayed"] for r in results) == 1
    assert Sale.objects.filter(koperasi=koperasi).count() == 1
    shop["gula"].refresh_from_db()
    assert shop["gula"].stock_qty == 8
    assert bal(koperasi, "1103") == D("2") * 17500 + D("5") * 12500


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_cashiers_same_products_unique_numbers_and_exact_books(koperasi, make_user):
    """Six cashiers ring up overlapping 3-line sales at once, in different line orders (the product locks are
    taken in id order: no deadlock); every receipt number is unique, nothing oversold, books exact."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    shop = kiosk(koperasi)
    cashiers = []
    for _ in range(6):
        u = make_user("operator", koperasi=koperasi, unit="sembako")
        cashiers.append((u, pos.open_shift(koperasi, cashier=u, location=shop["gerai"], opening_float=0)))
    orders = [["gula", "sphp", "lpg"], ["lpg", "sphp", "gula"], ["sphp", "gula", "lpg"]]
    nik = member(koperasi, active=False).nik

    def sale(i, u, sh):
        return lambda: pos.checkout(koperasi, client_id=cid(), shift=sh, by=u, date=DAY, buyer_nik=nik,
                                    lines=[{"product_id": shop[n].pk, "qty": "1"} for n in orders[i % 3]])

    services.receive_goods(koperasi, supplier=shop["supplier"], location=shop["gerai"], date=DAY,
                           lines=[{"product_id": shop["gula"].pk, "qty": "10", "unit_cost": "14000"}])
    s = pos.settings_for(koperasi)
    s.lpg_limit_qty = D("100")
    s.save()
    for _round in range(2):
        results = race([sale(i, u, sh) for i, (u, sh) in enumerate(cashiers)])
        assert all(isinstance(r, dict) for r in results), results
    sales = Sale.objects.filter(koperasi=koperasi)
    assert sales.count() == 12 and sales.values("number").distinct().count() == 12
    for name, left in (("gula", 8), ("sphp", 88), ("lpg", 8)):
        shop[name].refresh_from_db()
        assert shop[name].stock_qty == left
    assert bal(koperasi, "1103") == 12 * (D("17500") + D("12500") + D("18000"))
    assert bal(koperasi, "1151") == stock.valuation(koperasi)["1151"]


def _tills(koperasi, make_user, shop, n=3):
    pos.settings_for(koperasi)  # the settings row exists (its first creation would serialise the tills)
    out = []
    for _ in range(n):
        u = make_user("operator", koperasi=koperasi, unit="sembako")
        out.append((u, pos.open_shift(koperasi, cashier=u, location=shop["gerai"], opening_float=0)))
    return out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bon_sales_respect_the_credit_limit(koperasi, make_user):
    """Three tills sell on bon to one member at once (limit 500.000, each sale 285.600): one is accepted. The
    member's bon balance is read under the member's row lock."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    shop = kiosk(koperasi)
    buyer = member(koperasi)
    tills = _tills(koperasi, make_user, shop)
    results = race([lambda u=u, sh=sh: pos.checkout(
        koperasi, client_id=cid(), shift=sh, by=u, date=DAY, member=buyer.pk, method="bon",
        lines=[{"product_id": shop["gula"].pk, "qty": "1", "price": "285600"}]) for u, sh in tills])
    ok = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(ok) == 1 and len(refused) == 2, results
    assert {e.code for e in refused} == {"credit_limit"}
    assert bal(koperasi, "1141", member_id=buyer.pk) == D("285600")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_lpg_sales_respect_the_nik_limit(koperasi, make_user):
    """Three tills sell 2 LPG 3 kg tubes to one NIK at once (limit 2 per 7 days): 2 tubes are sold, not 6. The
    NIK need not be a member: its purchases are summed under a core lock row."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    shop = kiosk(koperasi)
    nik = member(koperasi, active=False).nik
    tills = _tills(koperasi, make_user, shop)
    results = race([lambda u=u, sh=sh: pos.checkout(
        koperasi, client_id=cid(), shift=sh, by=u, date=DAY, buyer_nik=nik,
        lines=[{"product_id": shop["lpg"].pk, "qty": "2"}]) for u, sh in tills])
    ok = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(ok) == 1 and {e.code for e in refused} == {"lpg_limit"} and len(refused) == 2, results
    shop["lpg"].refresh_from_db()
    assert shop["lpg"].stock_qty == 18


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_fertilizer_sales_from_many_tills_hold_the_rdkk_quota(koperasi, make_user):
    """Four tills sell urea to one farmer at once (150 kg allocated, 60 kg each): two are accepted (120 kg)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    shop = kiosk(koperasi)
    farmer = member(koperasi)
    services.set_allocation(koperasi, member_id=farmer.pk, season="2026-MT1", fertilizer_type="urea",
                            allocated_kg="150", valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 4, 30))
    tills = _tills(koperasi, make_user, shop, n=4)
    results = race([lambda u=u, sh=sh: pos.checkout(
        koperasi, client_id=cid(), shift=sh, by=u, date=DAY, member=farmer.pk, method="bon",
        lines=[{"product_id": shop["urea"].pk, "qty": "60"}]) for u, sh in tills])
    ok = [r for r in results if isinstance(r, dict)]
    assert len(ok) == 2, results
    assert {e.code for e in results if isinstance(e, DomainError)} == {"over_allocation"}
    assert FertilizerAllocation.objects.get(member_id=farmer.pk).redeemed_kg == D("120")
