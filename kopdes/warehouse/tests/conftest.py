import datetime as dt
from decimal import Decimal

import pytest


@pytest.fixture
def member_factory(db):
    from kopdes.core.identity import make_nik
    from kopdes.members.services import register_member

    counter = {"n": 0}

    def _make(koperasi, name="Sutrisno"):
        counter["n"] += 1
        bd = dt.date(1980, 1, counter["n"])
        # registered before the dated operations of the tests (the books refuse a member's operation before it)
        return register_member(koperasi, nik=make_nik("16.02.04", bd, "L", counter["n"]), name=name,
                               birth_date=bd, sex="L", registered_on=dt.date(2025, 7, 1))

    return _make


@pytest.fixture
def wh(koperasi):
    """A warehouse with a 10-tonne floor zone and a 2-tonne cold room, and tariffs."""
    from kopdes.warehouse import services as s

    f = s.create_facility(koperasi, code="G1", name="Gudang Utama")
    floor = s.create_zone(f, code="A", name="Lantai A", capacity=Decimal("10000"))
    cold = s.create_zone(f, code="CS1", name="Cold room 1", kind="cold_room", capacity=Decimal("2000"),
                         temp_min=Decimal("0"), temp_max=Decimal("5"))
    s.set_tariff(koperasi, member_rate=Decimal("3"), public_rate=Decimal("6"), period="month",
                 effective_from=dt.date(2026, 1, 1))
    s.set_tariff(koperasi, member_rate=Decimal("5"), public_rate=Decimal("10"), period="day", cold=True,
                 effective_from=dt.date(2026, 1, 1))
    return {"facility": f, "floor": floor, "cold": cold}
