"""Done-when of issue 5 in a browser: an officer enters a loan application, the committee approves it (the maker
cannot), the officer disburses it (a second disbursement is refused), a member pays the first instalment, and the
schedule, the member's loan account and the ledger's subsidiary (1131) agree to the rupiah."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rp(page, selector: str) -> str:
    return page.inner_text(selector).replace("\xa0", "").strip()


def test_application_approval_disbursement_repayment_agree_with_ledger(browser, page, live_server):
    from kopdes.core.money import format_rupiah
    from kopdes.core.services import create_koperasi, create_user_with_role
    from kopdes.ledger.queries import member_balance
    from kopdes.loans import services
    from kopdes.loans.models import Loan
    from kopdes.members.tests.factories import new_active_member

    k = create_koperasi("16.02.04.2006", slug="sp-desa")
    pks = services.default_products(k)[1]  # PKS: consumptive, flat 1.5% a month
    m = new_active_member(k, date=dt.date.today() - dt.timedelta(days=30), name="Sumarni", phone="081234500011")
    create_user_with_role(role="operator", koperasi=k, unit="simpan_pinjam", username="petugas-sp",
                          password="kopdes-demo", full_name="Rina Petugas")
    create_user_with_role(role="ketua", koperasi=k, username="ketua-sp", password="kopdes-demo",
                          full_name="Pak Ketua")
    base = f"{live_server.url}/k/{k.slug}/pinjaman"

    # 1. the officer enters the application (consumptive, Rp3.000.000 over 6 months, flat 1.5%)
    login(page, live_server, "petugas-sp")
    page.goto(f"{base}/ajukan/")
    page.select_option("#id_member", str(m.pk))
    page.select_option("#id_product", str(pks.pk))
    page.fill("#id_amount", "3000000")
    page.fill("#id_tenor", "6")
    page.select_option("#id_purpose", "konsumtif")
    page.fill("#id_income", "4000000")
    page.fill("#id_expense", "1500000")
    page.click("form.card button.btn-merah")
    page.wait_for_url("**/pinjaman/*/")
    loan = Loan.objects.get(koperasi=k, member=m)
    assert loan.status == "diajukan" and loan.number in page.inner_text("h1")

    # 2. analysis by the officer; the officer (maker, not committee) gets no approval form
    page.fill("form[action$='/analisis/'] textarea[name=note]", "Warung stabil, rasio angsuran 23%.")
    page.click("form[action$='/analisis/'] button")
    page.wait_for_load_state("networkidle")
    assert "Analisis tersimpan" in page.content()
    assert page.locator("form[action$='/setujui/']").count() == 0

    # 3. the committee (ketua) approves in its own session
    ketua = browser.new_context(viewport={"width": 1280, "height": 860}, locale="id-ID").new_page()
    ketua.set_default_timeout(15000)
    login(ketua, live_server, "ketua-sp")
    ketua.goto(f"{base}/{loan.pk}/")
    ketua.click("form[action$='/setujui/'] button")
    ketua.wait_for_load_state("networkidle")
    assert "Persetujuan tercatat" in ketua.content()
    loan.refresh_from_db()
    assert loan.status == "disetujui"
    ketua.context.close()

    # 4. the officer disburses (net of Rp20.000 admin + 1% provision); the form's retry key makes a double submit
    #    harmless and a fresh second disbursement is refused
    page.goto(f"{base}/{loan.pk}/")
    page.select_option("form[action$='/cairkan/'] select[name=channel]", "tunai")
    page.click("form[action$='/cairkan/'] button")
    page.wait_for_load_state("networkidle")
    assert "Pinjaman dicairkan" in page.content()
    loan.refresh_from_db()
    assert loan.status == "aktif" and loan.outstanding == Decimal("3000000")
    assert loan.admin_fee + loan.provision_fee == Decimal("50000")
    with pytest.raises(Exception, match="sudah dicairkan"):
        services.disburse(k, loan, date=loan.disbursed_on)

    # 5. the member pays the first instalment (500.000 principal + 45.000 interest)
    first = loan.installments.order_by("no").first()
    assert first.principal_due + first.interest_due == Decimal("545000")
    page.fill("form[action$='/bayar/'] input[name=amount]", "545000")
    page.click("form[action$='/bayar/'] button")
    page.wait_for_load_state("networkidle")
    assert "Pembayaran tercatat" in page.content()
    loan.refresh_from_db()
    assert loan.outstanding == Decimal("2500000")

    # 6. page, schedule, member's loan account and ledger agree
    ledger_1131 = member_balance(k, "1131", m.pk)
    assert ledger_1131 == loan.outstanding == Decimal("2500000")
    body = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert format_rupiah(ledger_1131) in body.replace("\xa0", "")
    assert page.locator("tr.table-success").count() == 1  # instalment 1 settled in the schedule
    last_balance = page.locator("#loan-statement tbody tr").last.locator("td").last
    assert last_balance.inner_text().replace("\xa0", "") == format_rupiah(ledger_1131)
    assert member_balance(k, "4101", m.pk) == Decimal("45000")  # interest income carries the member
    screenshot(page, "loans-detail-after-repayment")

    # 7. the printouts open: agreement, schedule, loan card, receipt
    rep = loan.repayments.get()
    for path in ("perjanjian.pdf", "jadwal.pdf", "kartu.pdf", f"bayar/{rep.pk}/kuitansi.pdf"):
        r = page.request.get(f"{base}/{loan.pk}/{path}")
        assert r.status == 200 and r.body()[:4] == b"%PDF", path
