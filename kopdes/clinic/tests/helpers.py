from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from kopdes.core.identity import make_nik

_serial = itertools.count(500)


def patient_data(**extra) -> dict:
    n = next(_serial)
    birth = extra.pop("birth_date", dt.date(1985, 3, 12))
    sex = extra.pop("sex", "P")
    data = {"name": f"Pasien Uji {n}", "nik": make_nik("16.02.04", birth, sex, n), "birth_date": birth, "sex": sex,
            "phone": "", "address": "Dusun Sidomulyo", "bpjs_number": "", "allergies": ""}
    data.update(extra)
    return data


def new_patient(koperasi, **extra):
    from kopdes.clinic.services import register_patient

    return register_patient(koperasi, **patient_data(**extra))


def active_member(koperasi, **extra):
    from kopdes.members.services import activate_member, register_member
    from kopdes.members.tests.factories import member_data

    m = register_member(koperasi, **member_data(**extra))
    return activate_member(m)


def plain_drug(koperasi, code="AMX500", drug_class="keras", **extra):
    """A drug row without stock item (enough for prescriptions in clinic tests)."""
    from kopdes.pharmacy.models import Drug

    return Drug.objects.create(koperasi=koperasi, code=code, generic_name=extra.pop("generic_name", "Amoksisilin"),
                               strength="500 mg", form="kapsul", drug_class=drug_class, base_uom="kapsul",
                               member_price=Decimal("500"), public_price=Decimal("700"), **extra)
