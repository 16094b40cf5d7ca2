"""Fixtures for API tests: tokens and a client sending them."""

from __future__ import annotations

import pytest


@pytest.fixture
def token_for(db):
    """``token_for(user, scopes=[...], koperasi=None)`` → the raw bearer token."""
    from kopdes.api.models import ALL_SCOPES
    from kopdes.api.services import create_personal_token

    def _make(user, scopes=None, koperasi=None, **kw):
        _t, raw = create_personal_token(user, name="test", scopes=scopes or ALL_SCOPES, koperasi=koperasi, **kw)
        return raw

    return _make


@pytest.fixture
def api(client):
    """``api(raw).get(path)`` / ``.post(path, json, key=...)``."""

    class _Api:
        def __init__(self, raw):
            self.h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}

        def get(self, path, **params):
            return client.get(path, params, **self.h)

        def post(self, path, data, key=None):
            h = dict(self.h)
            if key:
                h["HTTP_IDEMPOTENCY_KEY"] = key
            return client.post(path, data, content_type="application/json", **h)

    return _Api


@pytest.fixture
def member_in(db):
    """``member_in(koperasi)`` → an active member (simpanan pokok paid)."""
    import datetime as dt
    import itertools

    from kopdes.core.identity import make_nik
    from kopdes.members.services import register_member
    from kopdes.savings.services import pay_pokok

    serial = itertools.count(8101)

    def _make(koperasi, name=None):
        n = next(serial)
        birth = dt.date(1979, 8, 21)
        m = register_member(koperasi, nik=make_nik(koperasi.region_id.rsplit(".", 1)[0], birth, "P", n),
                            name=name or f"Anggota API {n}", birth_date=birth, sex="P")
        pay_pokok(m, date=dt.date(2026, 1, 5))
        m.refresh_from_db()
        return m

    return _make


@pytest.fixture
def device_for(db):
    """``device_for(koperasi)`` → (device, raw token) of a cold-room sensor (warehouse app)."""
    from decimal import Decimal

    from kopdes.warehouse import services as wh

    def _make(koperasi):
        fac = wh.create_facility(koperasi, code="CS1", name="Cold storage", kind="cold_storage")
        zone = wh.create_zone(fac, code="R1", name="Ruang 1", kind="cold_room", capacity=Decimal("5000"),
                              temp_min=Decimal("0"), temp_max=Decimal("8"))
        return wh.register_device(zone, name="Sensor R1")

    return _make
