import datetime as dt
from decimal import Decimal as D

import pytest


@pytest.fixture
def sp(koperasi):
    """A cooperative with the standard products, two staff (maker, two committee members) and members."""
    from kopdes.loans import services

    services.default_products(koperasi)
    return koperasi


@pytest.fixture
def staff(sp, make_user):
    return {
        "petugas": make_user("operator", koperasi=sp, unit="simpan_pinjam"),
        "ketua": make_user("ketua", koperasi=sp),
        "bendahara": make_user("bendahara", koperasi=sp),
    }


@pytest.fixture
def member(sp):
    from kopdes.members.tests.factories import new_active_member

    return new_active_member(sp, date=dt.date(2026, 1, 2), phone="081234567890")


@pytest.fixture
def product(sp):
    from kopdes.loans.models import LoanProduct

    p = LoanProduct.objects.get(koperasi=sp, code="PKS")
    p.guarantee_threshold = D("50000000")
    p.save()
    return p


def make_active_loan(k, member, product, staff, *, amount=D(6_000_000), tenor=12, day=dt.date(2026, 1, 10),
                     channel="tunai", **kw):
    from kopdes.loans import services

    loan = services.apply(k, member=member, product=product, amount=amount, tenor=tenor, purpose="konsumtif",
                          income=D(5_000_000), expense=D(2_000_000), by=staff["petugas"], applied_on=day, **kw)
    services.analyse(k, loan, note="Layak: usaha warung stabil", by=staff["petugas"])
    services.approve(k, loan, by=staff["ketua"])
    loan.refresh_from_db()
    if loan.status != "disetujui":
        services.approve(k, loan, by=staff["bendahara"])
    return services.disburse(k, loan, by=staff["petugas"], date=day, channel=channel)
