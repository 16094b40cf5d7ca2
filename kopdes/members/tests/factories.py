"""Test helpers: members with valid NIKs."""

from __future__ import annotations

import datetime as dt
import itertools

from kopdes.core.identity import make_nik

_serial = itertools.count(1)


def member_data(sex: str = "L", birth: dt.date = dt.date(1980, 5, 17), **extra) -> dict:
    serial = next(_serial)
    data = {
        "nik": make_nik("16.02.04", birth, sex, serial), "name": f"Warga Uji {serial}", "birth_date": birth,
        "sex": sex, "birth_place": "Mesuji", "rt": "1", "rw": "2", "dusun": "Sidomulyo", "phone": "",
        "occupation": "petani", "land_area_ha": "1.5", "crops": "padi,jagung",
    }
    data.update(extra)
    return data


def new_member(koperasi, **extra):
    from kopdes.members.services import register_member

    return register_member(koperasi, **member_data(**extra))


def new_active_member(koperasi, date: dt.date | None = None, **extra):
    from kopdes.savings.services import pay_pokok

    m = new_member(koperasi, **extra)
    pay_pokok(m, date=date)
    m.refresh_from_db()
    return m
