"""Pages: every page renders for management, readers can read but not write, exports, drill-down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kopdes.core.units import Unit
from kopdes.ledger.models import JournalEntry, ManualJournal
from kopdes.ledger.reports import REPORTS
from kopdes.ledger.services import Line, post

D = Decimal


@pytest.fixture
def booked(koperasi):
    post(koperasi, date=dt.date(2025, 3, 1), memo="Hibah", lines=[Line("1111", debit=D("1000000")),
                                                                  Line("3301", credit=D("1000000"))])
    post(koperasi, date=dt.date(2025, 3, 2), memo="Jual", lines=[
        Line("1103", debit=D("50000"), unit=Unit.SEMBAKO), Line("4111", credit=D("50000"), unit=Unit.SEMBAKO,
                                                                member_id=4)])
    return koperasi


def url(view, k, **kw):
    return reverse(f"ledger:{view}", kwargs={"slug": k.slug, **kw})


PAGES = ["home", "accounts", "journal", "manual_list", "manual_new", "periods", "opening", "cash", "shu", "rat",
         "report_posisi", "report_hasil", "report_ns", "report_kas"]


@pytest.mark.django_db
def test_pages_render_for_ketua(booked, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=booked))
    for name in PAGES:
        r = c.get(url(name, booked))
        assert r.status_code == 200, name
    q = "?from=2025-01-01&to=2025-12-31"
    for key in REPORTS:
        r = c.get(url("report", booked, name=key) + q + "&code=1103")
        assert r.status_code == 200, key
    r = c.get(url("report", booked, name="posisi-keuangan") + q)
    assert "Kas gerai sembako" in r.content.decode() and "Laporan posisi keuangan" in r.content.decode()
    e = JournalEntry.objects.filter(koperasi=booked).first()
    assert c.get(url("entry", booked, pk=e.pk)).status_code == 200
    for fmt, ctype in (("xlsx", "spreadsheetml"), ("pdf", "pdf"), ("csv", "csv")):
        r = c.get(url("report", booked, name="neraca-saldo") + q + f"&format={fmt}")
        assert r.status_code == 200 and ctype in r["Content-Type"]
    assert c.get(url("rat_pack", booked, year=2025))["Content-Type"] == "application/pdf"
    assert c.get(url("report", booked, name="nope")).status_code == 404


@pytest.mark.django_db
def test_dashboard_widget(booked, make_user, client_as):
    c = client_as(make_user("bendahara", koperasi=booked))
    r = c.get(reverse("core:dashboard", kwargs={"slug": booked.slug}))
    assert r.status_code == 200 and "SHU tahun berjalan" in r.content.decode()


@pytest.mark.django_db
def test_pengawas_reads_but_cannot_write(booked, make_user, client_as):
    c = client_as(make_user("pengawas", koperasi=booked))
    assert c.get(url("report_posisi", booked)).status_code == 200
    assert c.get(url("journal", booked)).status_code == 200
    r = c.post(url("manual_new", booked), {"date": "2025-03-03", "memo": "x", "account_0": "6102", "debit_0": "1",
                                           "account_1": "1101", "credit_1": "1"})
    assert r.status_code == 403
    e = JournalEntry.objects.filter(koperasi=booked).first()
    assert c.post(url("entry", booked, pk=e.pk), {"date": "2025-03-03"}).status_code == 403
    assert c.post(url("periods", booked), {"action": "close", "year": 2025, "month": 3}).status_code == 403
    assert not ManualJournal.objects.exists()


@pytest.mark.django_db
def test_operator_of_other_unit_cannot_read_books(booked, make_user, client_as):
    c = client_as(make_user("operator", koperasi=booked, unit="sembako"))
    assert c.get(url("home", booked)).status_code == 403
    c = client_as(make_user("operator", koperasi=booked, unit="kantor"))
    assert c.get(url("home", booked)).status_code == 200


@pytest.mark.django_db
def test_supervisor_reads(booked, make_user, client_as):
    c = client_as(make_user("dinas_kabupaten", region="16.02"))
    assert c.get(url("report_ns", booked)).status_code == 200
    assert c.post(url("cash", booked), {"action": "count"}).status_code == 403


@pytest.mark.django_db
def test_foreign_entry_404(booked, other_koperasi, make_user, client_as):
    e = JournalEntry.objects.filter(koperasi=booked).first()
    c = client_as(make_user("ketua", koperasi=other_koperasi))
    assert c.get(url("entry", other_koperasi, pk=e.pk)).status_code == 404
    assert c.get(url("home", booked)).status_code == 404


@pytest.mark.django_db
def test_manual_journal_maker_checker_through_pages(booked, make_user, client_as, client):
    maker = make_user("bendahara", koperasi=booked)
    checker = make_user("ketua", koperasi=booked)
    client.force_login(maker)
    r = client.post(url("manual_new", booked), {"date": "2025-03-03", "memo": "Listrik", "account_0": "6102",
                                                "debit_0": "125.000", "unit_0": "kantor", "account_1": "1101",
                                                "credit_1": "125.000", "unit_1": "kantor"})
    mj = ManualJournal.objects.get()
    assert r.status_code == 302 and mj.total == D("125000")
    client.post(url("manual_detail", booked, pk=mj.pk), {"action": "approve"})
    mj.refresh_from_db()
    assert mj.status == "submitted"  # the maker's own approval was refused
    client.force_login(checker)
    client.post(url("manual_detail", booked, pk=mj.pk), {"action": "approve"})
    mj.refresh_from_db()
    assert mj.status == "posted" and mj.entry_id
    r = client.get(url("entry", booked, pk=mj.entry_id))
    assert url("manual_detail", booked, pk=mj.pk) in r.content.decode()  # drill-down to the source


@pytest.mark.django_db
def test_reverse_through_page(booked, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=booked))
    e = JournalEntry.objects.filter(koperasi=booked).order_by("number").first()
    r = c.post(url("entry", booked, pk=e.pk), {"date": "2025-03-05", "memo": "salah"})
    assert r.status_code == 302
    assert JournalEntry.objects.filter(reversal_of=e).exists()


@pytest.mark.django_db
def test_demo_is_idempotent_and_statements_balance(koperasi, make_user):
    import random

    from kopdes.core.demo import DemoContext
    from kopdes.ledger import demo, reports
    from kopdes.ledger.integrity import check_integrity

    ctx = DemoContext(koperasi=koperasi, users={"bendahara": make_user("bendahara", koperasi=koperasi)},
                      today=dt.date(2026, 11, 24), rng=random.Random(1))
    demo.build(ctx)
    n = JournalEntry.objects.filter(koperasi=koperasi).count()
    assert n > 100
    demo.build(ctx)
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == n
    end = dt.date(2026, 11, 24)
    assert reports.balance_sheet(koperasi, end).ok
    assert reports.trial_balance(koperasi, dt.date(2026, 1, 1), end).ok
    assert reports.cash_flow(koperasi, dt.date(2026, 1, 1), end).ok
    assert reports.equity_changes(koperasi, dt.date(2026, 1, 1), end).ok
    assert check_integrity(koperasi) == []


@pytest.mark.django_db
def test_demo_yearend_closes_last_year_and_records_rat(koperasi, make_user):
    """The demo's year-end step: previous year closed (result in 3401, months closed), RAT recorded; idempotent."""
    import random

    from kopdes.core.demo import DemoContext
    from kopdes.core.errors import DomainError
    from kopdes.ledger import demo, queries, reports
    from kopdes.ledger.integrity import check_integrity
    from kopdes.ledger.models import AnnualMeeting, Period, YearClose
    from kopdes.ledger.services import Line, post
    from kopdes.ledger.yearend import demo as yearend

    users = {"bendahara": make_user("bendahara", koperasi=koperasi), "ketua": make_user("ketua", koperasi=koperasi)}
    ctx = DemoContext(koperasi=koperasi, users=users, today=dt.date(2026, 11, 24), rng=random.Random(1))
    demo.build(ctx)
    for m in range(1, 41):  # forty members paid their simpanan pokok in 2025
        post(koperasi, date=dt.date(2025, 9, 1), memo="Simpanan pokok", lines=[
            Line("1101", debit=D("50000")), Line("3101", credit=D("50000"), member_id=m)])
    result = reports.net_result(koperasi, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    yearend.build(ctx)
    close = YearClose.objects.get(koperasi=koperasi, year=2025)
    assert close.result == result and result < 0  # the first half-year is a loss (set-up costs, bank interest)
    assert queries.account_balance(koperasi, "3401") == result
    assert Period.objects.filter(koperasi=koperasi, year=2025, status="closed").count() == 12
    meeting = AnnualMeeting.objects.get(koperasi=koperasi, year=2025)
    assert (meeting.members_total, meeting.attendance, meeting.statements_approved, meeting.shu_approved) == (
        40, 28, True, False)
    assert meeting.date == dt.date(2026, 3, 21) and meeting.quorum_met
    with pytest.raises(DomainError) as exc:
        post(koperasi, date=dt.date(2025, 12, 1), memo="telat", lines=[
            Line("1101", debit=D("1")), Line("4201", credit=D("1"))])
    assert exc.value.code == "year_closed"  # a month of a closed fiscal year
    n = JournalEntry.objects.filter(koperasi=koperasi).count()
    yearend.build(ctx)
    demo.build(ctx)
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == n
    assert AnnualMeeting.objects.filter(koperasi=koperasi).count() == 1
    assert reports.balance_sheet(koperasi, dt.date(2026, 11, 24)).ok
    assert check_integrity(koperasi) == []


@pytest.mark.parametrize("typed,value", [("150.000", "150000"), ("150.000,50", "150000.50"), ("150000,5", "150000.5"),
                                         ("150000.50", "150000.50"), ("1,500,000", "1500000"), ("Rp 2.500", "2500"),
                                         ("", "0")])
def test_amount_typed_by_a_person(typed, value):
    from kopdes.ledger.views import _amount

    assert _amount(typed) == D(value)


@pytest.mark.django_db
def test_cash_count_transfer_reopen_opening_attachment_through_pages(koperasi, make_user, client_as, tmp_path,
                                                                     settings):
    """Every bookkeeping operation is reachable from its page: kas opname, transfer between units, re-opening a
    month (ketua + bendahara), opening balances from Excel, attachments on a manual journal."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from kopdes.ledger import queries
    from kopdes.ledger.models import Attachment, CashCount, Period, PeriodReopen

    settings.MEDIA_ROOT = str(tmp_path)
    bendahara, ketua = make_user("bendahara", koperasi=koperasi), make_user("ketua", koperasi=koperasi)
    cb = client_as(bendahara)  # the test client is shared: log in again before switching people
    # opening balances from Excel
    wb = Workbook()
    ws = wb.active
    ws.append(["kode", "debit", "kredit"])
    ws.append(["1101", 2000000, None])
    ws.append(["1103", 500000, None])
    ws.append(["3301", None, 2500000])
    buf = io.BytesIO()
    wb.save(buf)
    r = cb.post(url("opening", koperasi), {"date": "2026-01-01",
                                           "file": SimpleUploadedFile("saldo.xlsx", buf.getvalue())})
    assert r.status_code == 302 and queries.account_balance(koperasi, "1101") == D("2000000")
    assert "sudah diimpor" in cb.get(url("opening", koperasi)).content.decode()
    # kas opname: 1.990.500 counted against 2.000.000 in the books → 9.500 short, posted
    r = cb.post(url("cash", koperasi), {"action": "count", "date": "2026-02-02", "account": "1101",
                                        "unit": "kantor", "amount": "1.990.500", "note": "laci kantor"})
    cc = CashCount.objects.get(koperasi=koperasi)
    assert r.status_code == 302 and cc.difference == D("-9500") and cc.entry_id
    assert queries.account_balance(koperasi, "1101") == D("1990500")
    # transfer from the sembako drawer to the office
    cb.post(url("cash", koperasi), {"action": "transfer", "date": "2026-02-03", "from_account": "1103",
                                    "from_unit": "sembako", "to_account": "1101", "to_unit": "kantor",
                                    "amount": "200.000", "memo": "setoran gerai", "idem": "t1"})
    assert queries.account_balance(koperasi, "1101") == D("2190500")
    assert queries.account_balance(koperasi, "1103") == D("300000")
    # more than the drawer holds is refused with a message, nothing posted
    r = cb.post(url("cash", koperasi), {"action": "transfer", "date": "2026-02-03", "from_account": "1103",
                                        "to_account": "1101", "amount": "999.999.999", "idem": "t2"}, follow=True)
    assert queries.account_balance(koperasi, "1103") == D("300000") and "alert" in r.content.decode()
    # close January, then re-open it: bendahara requests and approves, ketua approves
    cb.post(url("periods", koperasi), {"action": "close", "year": 2026, "month": 1})
    assert Period.objects.get(koperasi=koperasi, year=2026, month=1).status == "closed"
    cb.post(url("periods", koperasi), {"action": "reopen", "year": 2026, "month": 1, "reason": "faktur terlambat"})
    req = PeriodReopen.objects.get(koperasi=koperasi)
    cb.post(url("periods", koperasi), {"action": "approve", "req": req.pk})
    req.refresh_from_db()
    assert req.status == "pending" and req.bendahara_by == bendahara
    r = cb.post(url("periods", koperasi), {"action": "approve", "req": req.pk}, follow=True)
    assert "orang lain" in r.content.decode()  # the same person cannot give the second approval
    client_as(ketua).post(url("periods", koperasi), {"action": "approve", "req": req.pk})
    req.refresh_from_db()
    assert req.status == "done" and Period.objects.get(koperasi=koperasi, year=2026, month=1).status == "open"
    # attachment on a manual journal, downloadable by a reader
    cb = client_as(bendahara)
    r = cb.post(url("manual_new", koperasi), {
        "date": "2026-02-05", "memo": "Koreksi", "account_0": "6102", "debit_0": "10.000", "unit_0": "kantor",
        "account_1": "1101", "credit_1": "10.000", "unit_1": "kantor",
        "files": SimpleUploadedFile("nota.pdf", b"%PDF-1.4 nota", content_type="application/pdf")})
    mj = ManualJournal.objects.get(koperasi=koperasi)
    cb.post(url("manual_detail", koperasi, pk=mj.pk), {
        "action": "attach", "files": SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")})
    atts = list(Attachment.objects.filter(journal=mj).order_by("id"))
    assert [a.name for a in atts] == ["nota.pdf", "foto.jpg"]
    r = client_as(make_user("pengawas", koperasi=koperasi)).get(url("attachment", koperasi, pk=atts[0].pk))
    assert r.status_code == 200 and b"".join(r.streaming_content if r.streaming else [r.content]) == b"%PDF-1.4 nota"


@pytest.mark.django_db
def test_pages_in_english(booked, make_user, client_as):
    from django.conf import settings

    c = client_as(make_user("ketua", koperasi=booked))
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = c.get(url("home", booked)).content.decode()
    assert '<h1 class="page-title">Accounting</h1>' in page and "Financial statements (SAK EP)" in page
    page = c.get(url("cash", booked)).content.decode()
    assert "Cash count (physical count)" in page and "Kas opname (hitung fisik)" not in page
    page = c.get(url("periods", booked)).content.decode()
    assert "Year-end closing" in page
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert '<h1 class="page-title">Akuntansi</h1>' in c.get(url("home", booked)).content.decode()


def test_shu_page_and_rat_pack_name_members_by_number_in_one_query(koperasi, make_user, client_as):
    """Allocated shares are listed as "<nomor anggota> <nama>" (never the database id), with one member lookup
    however many members; the RAT pack PDF names them the same way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kopdes.members.tests.factories import new_active_member
    from kopdes.portal.tests.test_member_data import pdf_text, shu_2025

    members = [new_active_member(koperasi, name=f"Petani {i}") for i in range(4)]
    shu_2025(koperasi, {m: ("100000", f"{(i + 1) * 100000}") for i, m in enumerate(members)})
    c = client_as(make_user("ketua", koperasi=koperasi))
    with CaptureQueriesContext(connection) as q:
        html = c.get(f"/k/{koperasi.slug}/akuntansi/shu/?year=2025").content.decode()
    assert all(f"{m.number} {m.name}" in html for m in members) and "Anggota #" not in html
    assert sum("members_member" in x["sql"] for x in q.captured_queries) == 1
    pdf = c.get(f"/k/{koperasi.slug}/akuntansi/rat/2025/bahan.pdf")
    assert pdf.status_code == 200 and f"{members[0].number} Petani 0" in pdf_text(pdf.content)


def test_cash_balances_in_one_sums_query_equal_account_balances(koperasi, make_user, client_as):
    """Ledger home, cash page and dashboard widget share cash_balances: every cash/bank account, one sums query
    (not one per account), each equal to account_balance."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kopdes.core.units import Unit
    from kopdes.ledger.queries import account_balance
    from kopdes.ledger.services import Line, post

    post(koperasi, date=dt.date.today().replace(day=1), memo="modal", lines=[
        Line("1111", debit=D("5000000"), unit=Unit.KANTOR), Line("3101", credit=D("5000000"), unit=Unit.KANTOR)])
    post(koperasi, date=dt.date.today(), memo="ke kas", lines=[
        Line("1101", debit=D("750000"), unit=Unit.KANTOR), Line("1111", credit=D("750000"), unit=Unit.KANTOR)])
    c = client_as(make_user("ketua", koperasi=koperasi))
    with CaptureQueriesContext(connection) as q:
        r = c.get(f"/k/{koperasi.slug}/akuntansi/kas/")
    balances = r.context["balances"]
    assert len(balances) >= 5 and all(b == account_balance(koperasi, a.code) for a, b in balances)
    assert dict((a.code, b) for a, b in balances)["1111"] == D("4250000")
    assert sum("ledger_accountmonth" in x["sql"] for x in q.captured_queries) <= 2
