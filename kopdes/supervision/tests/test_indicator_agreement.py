"""The wajib-arrears figure is one figure: the cooperative's home card, its savings page, the health score's warning
(which the Dinas sees) and the member portal all count the billed wajib that is unpaid (issue 18: the home card said
21 members behind while the health card on the same page said 109 of 145)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from kopdes.members.tests.factories import new_active_member
from kopdes.savings import services as s
from kopdes.supervision import snapshots

pytestmark = pytest.mark.django_db


def test_wajib_arrears_agree_on_home_savings_health_and_portal(koperasi, make_user, client_as):
    today = timezone.localdate()
    period = today.replace(day=1)
    last = (period - dt.timedelta(days=1)).replace(day=1)
    joined = (last - dt.timedelta(days=70)).replace(day=1)  # members since three months before the billing began
    a, b, c = (new_active_member(koperasi, date=joined) for _ in range(3))
    s.run_billing(koperasi, last)
    s.deposit(a, "wajib", D("10000"), date=last)  # a paid the one month billed so far
    s.deposit(b, "wajib", D("10000"), date=last)
    # c has not paid: one member of three is behind on what was billed
    assert s.arrears(koperasi) == {c.pk: D("10000")}

    snap = snapshots.refresh_koperasi(koperasi, today=today)
    assert (snap.wajib_arrears_members, snap.wajib_arrears_ratio) == (1, D("33.33"))
    assert "1 dari 3 anggota menunggak simpanan wajib" in str(snap.warning_detail)

    ketua = client_as(make_user("ketua", koperasi=koperasi))
    home = ketua.get(f"/k/{koperasi.slug}/").content.decode()
    assert "Tunggakan wajib (1 anggota)" in home
    savings_home = ketua.get(f"/k/{koperasi.slug}/simpanan/").content.decode()
    assert "Rp10.000" in savings_home
    assert s.member_arrears(c) == (D("10000"), 1)  # what the portal shows the member
    assert s.member_arrears(a) == (D("0"), 0)
