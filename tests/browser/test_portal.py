"""The demo member logs in to the member portal on a 5-inch phone and sees savings and loans equal to the ledger.

SHU: no unit's demo allocates an SHU (that needs a closed fiscal year and an RAT decision), so the test closes last
year through the ledger's services (with the demo member's purchases at the gerai booked in December so that the
year has a surplus), records the RAT decision and allocates; the SHU shown must equal the member's SHU payable
(2121) in the ledger and its jasa modal / jasa usaha split.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kopdes.core.demo import build_demo
from kopdes.core.money import format_rupiah

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTAL_PHONE = "081273000099"  # the members demo's portal login "anggota"


def _give_loan(ctx, member) -> None:
    """A disbursed loan for the demo member (through the loans unit's services), so loans are not just zero."""
    import datetime as dt

    from kopdes.loans import services as loans
    from kopdes.loans.models import Loan

    k, users = ctx.koperasi, ctx.users
    if Loan.objects.filter(koperasi=k, member_id=member.pk, status="aktif").exists():
        return
    product = loans.default_products(k)[0]
    day = ctx.today - dt.timedelta(days=45)
    loan = loans.apply(k, member=member, product=product, amount=Decimal("600000"), tenor=6, purpose="konsumtif",
                       income=Decimal("5000000"), expense=Decimal("2000000"), by=users["simpanpinjam"],
                       applied_on=day)
    loans.analyse(k, loan, note="Layak", by=users["simpanpinjam"])
    loans.approve(k, loan, by=users["ketua"])
    loan.refresh_from_db()
    if loan.status != "disetujui":
        loans.approve(k, loan, by=users["bendahara"])
    loans.disburse(k, loan, by=users["simpanpinjam"], date=day, channel="tunai")
    loan.refresh_from_db()
    loans.repay(k, loan, amount=Decimal("110000"), date=day + dt.timedelta(days=30), channel="tunai",
                by=users["simpanpinjam"])


def _shu_last_year(ctx, member) -> int:
    """Close every fiscal year up to last year, record last year's RAT approving the SHU and allocate it."""
    import datetime as dt

    from kopdes.core.units import Unit
    from kopdes.ledger import rat, shu
    from kopdes.ledger.models import JournalEntry, ShuAllocation, YearClose
    from kopdes.ledger.services import Line, close_year, post
    from kopdes.members.models import Member

    k, year = ctx.koperasi, ctx.today.year - 1
    if ShuAllocation.objects.filter(koperasi=k, year=year).exists():
        return year
    result = shu.year_result(k, year)
    bought = max(Decimal("0"), -result) + Decimal("25000000")
    post(k, date=dt.date(year, 12, 15), memo="Belanja anggota di gerai (tutup tahun demo)",
         lines=[Line("1103", debit=bought, unit=Unit.SEMBAKO),
                Line("4111", credit=bought, unit=Unit.SEMBAKO, member_id=member.pk)])
    first = JournalEntry.objects.filter(koperasi=k).order_by("date").values_list("date", flat=True).first()
    for y in range(first.year, year + 1):
        if not YearClose.objects.filter(koperasi=k, year=y).exists():
            close_year(k, y)
    total = Member.objects.filter(koperasi=k, status__in=Member.CURRENT_STATUSES).count()
    meeting = rat.record_meeting(k, year=year, date=min(dt.date(year + 1, 3, 1), ctx.today), members_total=total,
                                 attendance=total * 3 // 4 + 1, statements_approved=True, shu_approved=True)
    shu.allocate(k, year, meeting=meeting)
    return year


def test_demo_member_sees_own_savings_and_loans_on_a_phone(phone_page, live_server):
    from kopdes.ledger.queries import member_balance
    from kopdes.members.models import Member

    ctx = build_demo(apps=["ledger", "members", "savings", "loans", "portal"])
    k = ctx.koperasi
    member = Member.objects.get(koperasi=k, user__username="anggota")
    _give_loan(ctx, member)
    shu_year = _shu_last_year(ctx, member)
    from kopdes.ledger.models import ShuMemberShare

    share = ShuMemberShare.objects.get(koperasi=k, allocation__year=shu_year, member_id=member.pk)
    shu_payable = member_balance(k, "2121", member.pk)
    assert shu_payable == share.total > 0 and share.jasa_modal > 0 and share.jasa_usaha > 0
    savings = {code: member_balance(k, code, member.pk) for code in ("3101", "3102", "2101")}
    loan_receivable = member_balance(k, "1131", member.pk)

    page = phone_page
    page.goto(f"{live_server.url}/portal/masuk/")
    page.fill("#id_identifier", PORTAL_PHONE)
    page.fill("#id_pin", "kopdes-demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")
    assert member.name in page.inner_text("body")
    assert page.inner_text("[data-testid=shu-latest]") == format_rupiah(shu_payable)
    assert page.get_attribute("link[rel=manifest]", "href") == "/portal/manifest.webmanifest"
    # savings on the home page equal the member's lines in the ledger (3101 pokok, 3102 wajib, 2101 sukarela)
    assert page.inner_text("[data-testid=savings-pokok]") == format_rupiah(savings["3101"])
    assert page.inner_text("[data-testid=savings-wajib]") == format_rupiah(savings["3102"])
    assert page.inner_text("[data-testid=savings-sukarela]") == format_rupiah(savings["2101"])
    assert page.inner_text("[data-testid=savings-total]") == format_rupiah(sum(savings.values(), Decimal(0)))
    # loans: outstanding principal equals the member's piutang pinjaman (1131) in the ledger
    assert loan_receivable > 0
    assert page.inner_text("[data-testid=loan-outstanding]") == format_rupiah(loan_receivable)
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "portal-home-phone")

    page.click("#card-savings")
    page.wait_for_url("**/portal/simpanan/")
    assert page.inner_text("[data-testid=bal-sukarela]") == format_rupiah(savings["2101"])
    screenshot(page, "portal-savings-phone")

    page.goto(f"{live_server.url}/portal/pinjaman/")
    body = page.inner_text("body")
    assert "Pinjaman saya" in body
    page.locator("main a.card").first.click()
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=loan-detail-outstanding]") == format_rupiah(loan_receivable)
    assert "Jadwal angsuran" in page.inner_text("body")
    screenshot(page, "portal-loan-phone")

    page.goto(f"{live_server.url}/portal/shu/")
    assert "SHU saya" in page.inner_text("body")
    card = page.locator(f"[data-testid=shu-{shu_year}]")
    assert card.locator("[data-testid=shu-total]").inner_text() == format_rupiah(shu_payable)
    assert card.locator("[data-testid=shu-modal]").inner_text() == format_rupiah(share.jasa_modal)
    assert card.locator("[data-testid=shu-usaha]").inner_text() == format_rupiah(share.jasa_usaha)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "portal-shu-phone")
    slip = page.request.get(f"{live_server.url}/portal/shu/{shu_year}/slip.pdf")
    assert slip.status == 200 and slip.body().startswith(b"%PDF")

    page.goto(f"{live_server.url}/portal/pengumuman/")
    assert "Rapat Anggota Tahunan" in page.inner_text("body")

    # another member's loan id in the URL: not found
    from kopdes.loans.models import Loan

    other = Loan.objects.filter(koperasi=k).exclude(member_id=member.pk).first()
    if other is not None:
        resp = page.goto(f"{live_server.url}/portal/pinjaman/{other.pk}/")
        assert resp.status == 404
