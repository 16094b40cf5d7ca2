"""The demo builds a warehouse season and a month of logistics, consistently, and is idempotent."""

import pytest
from django.db.models import Sum

from kopdes.core.units import Unit


@pytest.mark.django_db
def test_demo_warehouse_and_logistics_idempotent(koperasi, member_factory, make_user):
    import datetime as dt
    import random

    from kopdes.core.demo import DemoContext
    from kopdes.ledger.queries import account_balance
    from kopdes.logistics import demo as logistics_demo
    from kopdes.logistics.models import DeliveryOrder, Vehicle
    from kopdes.warehouse import demo as warehouse_demo
    from kopdes.warehouse.models import CustodyMove, Excursion, Release, StoredLot, TemperatureReading
    from kopdes.warehouse.queries import affected_lots

    for i in range(12):
        member_factory(koperasi, name=f"Petani {i}")
    k = koperasi
    ctx = DemoContext(koperasi=k, users={"gudang": make_user("operator", koperasi=k, unit="pergudangan")},
                      today=dt.date.today(), rng=random.Random(7))
    # the kiosk's catalogue and suppliers (as the retail demo makes them) so the warehouse → kiosk deliveries
    # move the cooperative's own stock
    from kopdes.retail.catalog import save_product
    from kopdes.retail.models import Product, Supplier

    D = __import__("decimal").Decimal
    sphp = save_product(Product(koperasi=k, code="BRSSPHP", name="Beras SPHP Bulog", base_uom="kg",
                                member_price=D("12500"), public_price=D("12500")))
    lpg = save_product(Product(koperasi=k, code="LPG3", name="LPG 3 kg", base_uom="tabung",
                               member_price=D("18000"), public_price=D("18000")))
    Supplier.objects.create(koperasi=k, name="Perum Bulog", kind="bulog")
    Supplier.objects.create(koperasi=k, name="Agen LPG", kind="lpg")
    warehouse_demo.build(ctx)
    logistics_demo.build(ctx)
    lots = StoredLot.objects.filter(koperasi=k)
    assert lots.count() >= 50 and lots.filter(status="released").exists() and lots.filter(status="stored").exists()
    for lot in lots:
        assert (CustodyMove.objects.filter(lot=lot).aggregate(s=Sum("kg"))["s"]) == lot.remaining_kg
    fees = Release.objects.filter(koperasi=k).aggregate(s=Sum("fee_amount"))["s"]
    income = account_balance(k, "4141", unit=Unit.PERGUDANGAN) + account_balance(k, "4142", unit=Unit.PERGUDANGAN)
    assert fees > 0 and income == fees
    assert lots.filter(receipt__status="pledged").count() == 1
    exc = Excursion.objects.get(koperasi=k)
    assert affected_lots(exc).exists()
    assert TemperatureReading.objects.filter(koperasi=k).count() > 600
    assert Vehicle.objects.filter(koperasi=k).count() == 4
    delivered = DeliveryOrder.objects.filter(koperasi=k, status="delivered")
    assert delivered.count() > 20
    fee_total = delivered.aggregate(s=Sum("fee_amount"))["s"]
    assert account_balance(k, "4151", unit=Unit.LOGISTIK) + account_balance(k, "4152", unit=Unit.LOGISTIK) == fee_total
    assert account_balance(k, "6108", unit=Unit.LOGISTIK) > 0
    from kopdes.retail import stock
    from kopdes.retail.services import default_location

    moved = DeliveryOrder.objects.filter(koperasi=k, kind="gudang_gerai", status="delivered")
    assert moved.exists() and all(o.stock_moved_on and o.stock_entry_id for o in moved)
    gudang, gerai = default_location(k, Unit.PERGUDANGAN), default_location(k, Unit.SEMBAKO)
    assert stock.on_hand(k, sphp, gerai) == 500 * moved.count()
    assert stock.on_hand(k, sphp, gudang) == 4000 - 500 * moved.count()
    assert stock.on_hand(k, lpg, gerai) == 50 * moved.count()
    moved_value = moved.aggregate(s=Sum("stock_value"))["s"]
    assert moved_value == (500 * 11300 + 50 * 16000) * moved.count()
    assert account_balance(k, "1151", unit=Unit.SEMBAKO) == moved_value
    assert account_balance(k, "1151", unit=Unit.PERGUDANGAN) == 4000 * 11300 + 400 * 16000 - moved_value
    assert account_balance(k, "1151") == stock.valuation(k, account="1151")["1151"]
    counts = (lots.count(), Release.objects.count(), DeliveryOrder.objects.count(), TemperatureReading.objects.count())
    warehouse_demo.build(ctx)
    logistics_demo.build(ctx)
    assert counts == (lots.count(), Release.objects.count(), DeliveryOrder.objects.count(),
                      TemperatureReading.objects.count())
