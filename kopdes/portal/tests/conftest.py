"""Portal fixtures: members with valid NIKs, activated portal logins."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

_serial = itertools.count(7001)


def _member(koperasi, *, phone: str = "", active: bool = True, name: str | None = None):
    from kopdes.core.identity import make_nik
    from kopdes.members.services import register_member
    from kopdes.savings.services import pay_pokok

    serial = next(_serial)
    birth = dt.date(1982, 3, 9)
    m = register_member(koperasi, nik=make_nik(koperasi.region_id.rsplit(".", 1)[0], birth, "L", serial),
                        name=name or f"Anggota Portal {serial}", birth_date=birth, sex="L", phone=phone)
    if active:
        pay_pokok(m, date=dt.date(2026, 1, 5))
        m.refresh_from_db()
    return m


@pytest.fixture
def make_member(db):
    return _member


@pytest.fixture
def activated(db):
    """``activated(member, pin="kebun-2026")`` → the member's portal user (via a real activation code)."""
    from kopdes.portal import services

    def _act(member, pin: str = "kebun-2026"):
        _code, raw = services.issue_code(member)
        return services.activate(raw, member.number, pin, pin)

    return _act
