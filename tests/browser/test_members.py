"""Issue 4 in a browser, on a 5-inch phone: an officer registers a member (a NIK whose sex does not match is
refused with a message and nothing is saved), pays simpanan pokok at the counter (the member becomes anggota,
receipt printed), deposits sukarela, is refused a withdrawal over the balance, and the statement equals the ledger's
member subsidiary balances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_pay_pokok_deposit_and_refusals(browser, phone_page, live_server):
    from kopdes.core.identity import make_nik
    from kopdes.core.services import create_koperasi, create_user_with_role
    from kopdes.ledger.queries import member_balance
    from kopdes.members.models import Member
    from kopdes.savings.models import Receipt

    page = phone_page
    k = create_koperasi("16.02.04.2006", slug="anggota-desa")
    create_user_with_role(role="operator", koperasi=k, unit="simpan_pinjam", username="petugas-simpan",
                          password="kopdes-demo", full_name="Rina Petugas")
    birth = dt.date(1984, 7, 9)
    nik_woman = make_nik("16.02.04", birth, "P", 17)  # day + 40 in the NIK
    base = f"{live_server.url}/k/{k.slug}"

    login(page, live_server, "petugas-simpan")
    page.goto(f"{base}/anggota/baru/")
    page.fill("#id_nik", nik_woman)
    page.fill("#id_name", "Sulastri")
    page.fill("#id_birth_date", birth.isoformat())
    page.select_option("#id_sex", "L")  # the NIK says woman
    page.select_option("#id_occupation", "pedagang")
    page.click("form.card button.btn-merah")
    page.wait_for_load_state("networkidle")
    assert "Jenis kelamin tidak cocok dengan NIK" in page.content()
    assert Member.objects.filter(koperasi=k).count() == 0
    page.select_option("#id_sex", "P")
    page.click("form.card button.btn-merah")
    page.wait_for_url("**/anggota/*/")
    m = Member.objects.get(koperasi=k, nik=nik_woman)
    assert m.status == "calon" and "Sulastri" in page.inner_text("h1")

    # pay simpanan pokok from the member page (the button opens the counter on this member)
    page.click("text=Bayar simpanan pokok")
    page.wait_for_url("**/simpanan/loket/**")
    page.click("form.card button.btn-merah")
    page.wait_for_url("**/simpanan/bukti/*/")
    assert "50.000" in page.content()
    screenshot(page, "members-receipt-phone")
    m.refresh_from_db()
    assert m.status == "aktif"

    # sukarela deposit, then a withdrawal over the balance is refused
    page.goto(f"{base}/simpanan/loket/?anggota={m.pk}")
    page.select_option("#id_kind", "sukarela")
    page.fill("#id_amount", "75.000")
    page.click("form.card button.btn-merah")
    page.wait_for_url("**/simpanan/bukti/*/")
    page.goto(f"{base}/simpanan/loket/?anggota={m.pk}")
    page.select_option("#id_op", "tarik")
    page.select_option("#id_kind", "sukarela")
    page.fill("#id_amount", "100000")
    page.click("form.card button.btn-merah")
    page.wait_for_load_state("networkidle")
    assert "Saldo tidak cukup" in page.content()
    assert Receipt.objects.filter(koperasi=k).count() == 2

    # the statement shows what the ledger's member subsidiary holds
    page.goto(f"{base}/simpanan/anggota/{m.pk}/")
    text = page.inner_text("body").replace("\xa0", "")
    assert member_balance(k, "3101", m.pk) == Decimal("50000")
    assert member_balance(k, "2101", m.pk) == Decimal("75000")
    assert "Rp50.000" in text and "Rp75.000" in text and "Rp125.000" in text
