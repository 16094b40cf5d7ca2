"""Issue 14 item 18: late-payment penalties (denda, 4104) and recoveries of written-off loans (4105) are not a
member's business with the cooperative: left out of SHU jasa usaha by default, counted only when the AD/ART
version says so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from kopdes.core.services import add_bylaws
from kopdes.core.units import Unit
from kopdes.ledger import shu
from kopdes.ledger.services import Line, post

pytestmark = pytest.mark.django_db
SP = Unit.SIMPAN_PINJAM


def _year(k):
    """Two members with the same loan interest (100.000 each); member 2 also paid 60.000 denda and 40.000 of a
    loan written off earlier. Non-member income makes the year's SHU 1.000.000 in all."""
    for m in (1, 2):
        post(k, date=dt.date(2025, 6, 1), memo="jasa pinjaman", lines=[
            Line("1101", debit=D("100000"), unit=SP), Line("4101", credit=D("100000"), unit=SP, member_id=m)])
    post(k, date=dt.date(2025, 7, 1), memo="denda", lines=[
        Line("1101", debit=D("60000"), unit=SP), Line("4104", credit=D("60000"), unit=SP, member_id=2)])
    post(k, date=dt.date(2025, 8, 1), memo="pemulihan", lines=[
        Line("1101", debit=D("40000"), unit=SP), Line("4105", credit=D("40000"), unit=SP, member_id=2)])
    post(k, date=dt.date(2025, 9, 1), memo="non-anggota", lines=[
        Line("1101", debit=D("700000"), unit=SP), Line("4102", credit=D("700000"), unit=SP)])


def _usaha(result):
    return {s["member_id"]: (s["transactions"], s["jasa_usaha"]) for s in result["shares"]}


def test_by_default_a_late_payer_earns_no_more_jasa_usaha(koperasi):
    _year(koperasi)
    result = shu.compute(koperasi, 2025)
    assert result["shu"] == D("1000000")
    # jasa usaha 25% of 1.000.000 = 250.000, split on 100.000 : 100.000
    assert _usaha(result) == {1: (D("100000"), D("125000")), 2: (D("100000"), D("125000"))}


def test_the_bylaws_can_count_penalties_and_recoveries(koperasi):
    _year(koperasi)
    add_bylaws(koperasi, effective_date=dt.date(2025, 1, 1), simpanan_pokok=D("100000"),
               simpanan_wajib_monthly=D("10000"), shu_usaha_denda=True, decided_by="RAT 2024")
    result = shu.compute(koperasi, 2025)
    # 100.000 : 160.000 of 250.000 → 96.154 : 153.846 (largest remainder)
    assert _usaha(result) == {1: (D("100000"), D("96154")), 2: (D("160000"), D("153846"))}
    add_bylaws(koperasi, effective_date=dt.date(2025, 12, 1), simpanan_pokok=D("100000"),
               simpanan_wajib_monthly=D("10000"), shu_usaha_denda=True, shu_usaha_pemulihan=True,
               decided_by="RAT luar biasa")
    result = shu.compute(koperasi, 2025)  # the version in force at the year's end decides
    assert _usaha(result) == {1: (D("100000"), D("83333")), 2: (D("200000"), D("166667"))}
