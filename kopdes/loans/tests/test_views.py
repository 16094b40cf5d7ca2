"""Pages: calculator, application, actions with refusals, documents, reports; tenancy and roles."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.test import Client

from kopdes.loans.models import Loan, Repayment

from .conftest import make_active_loan

pytestmark = pytest.mark.django_db


def url(k, name, *args):
    from django.urls import reverse

    return reverse(f"loans:{name}", args=[k.slug, *args])


def test_calculator_page_and_cli(sp, staff, client_as, capsys):
    c = client_as(staff["petugas"])
    r = c.get(url(sp, "calculator"), {"amount": "10000000", "method": "anuitas", "rate": "1.5", "rate_period": "bulan",
                                     "tenor": "12", "frequency": "bulanan", "day_count": "30/360", "rounding": "100",
                                     "start_date": "2026-01-15"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "Rp916.800" in body and "Rp1.001.599" in body
    r = c.get(url(sp, "calculator"), {"amount": "10000000", "method": "anuitas", "rate": "1.5", "rate_period": "bulan",
                                     "tenor": "12", "frequency": "bulanan", "day_count": "30/360", "rounding": "100",
                                     "grace_principal": "12"})
    assert "Masa tenggang harus lebih pendek" in r.content.decode()
    call_command("loans", "schedule", "--method", "anuitas", "--amount", "10000000", "--rate", "1.5", "--tenor", "12",
                 "--start", "2026-01-15")
    out = capsys.readouterr().out
    assert "Rp916.800" in out and "Rp11.001.599" in out


def test_application_through_page_refuses_non_member(sp, staff, member, product, client_as):
    from kopdes.members.tests.factories import new_member

    calon = new_member(sp)
    c = client_as(staff["petugas"])
    data = {"member": calon.pk, "product": product.pk, "amount": "1000000", "tenor": "6", "purpose": "konsumtif",
            "income": "5000000", "expense": "0", "other_instalments": "0", "collateral_value": "0"}
    r = c.post(url(sp, "apply"), data)
    assert r.status_code == 200 and "bukan anggota aktif" in r.content.decode()
    assert not Loan.objects.filter(koperasi=sp).exists()
    data["member"] = member.pk
    r = c.post(url(sp, "apply"), data)
    assert r.status_code == 302
    loan = Loan.objects.get(koperasi=sp)
    assert loan.created_by == staff["petugas"]
    r = c.get(url(sp, "detail", loan.pk))
    assert r.status_code == 200 and loan.number in r.content.decode()


def test_actions_maker_checker_double_disburse_and_closed_loan(sp, staff, member, product, client_as):
    from kopdes.loans import services

    loan = services.apply(sp, member=member, product=product, amount=D(2_000_000), tenor=4, purpose="konsumtif",
                          income=D(5_000_000), by=staff["ketua"], applied_on=dt.date(2026, 1, 5))
    ketua = client_as(staff["ketua"])
    ketua.post(url(sp, "analyse", loan.pk), {"note": "Layak"})
    r = ketua.post(url(sp, "approve", loan.pk), {"note": ""}, follow=True)
    assert "maker-checker" in r.content.decode()
    loan.refresh_from_db()
    assert loan.status == "dianalisis"
    b = Client()
    b.force_login(staff["bendahara"])
    b.post(url(sp, "approve", loan.pk), {"note": "ok"})
    loan.refresh_from_db()
    assert loan.status == "disetujui"
    p = Client()
    p.force_login(staff["petugas"])
    form = {"date": "2026-01-06", "channel": "tunai", "key": "abc"}
    p.post(url(sp, "disburse", loan.pk), form)
    p.post(url(sp, "disburse", loan.pk), form)  # double click: same key replays
    r = p.post(url(sp, "disburse", loan.pk), {**form, "key": "other"}, follow=True)
    assert "sudah dicairkan" in r.content.decode()
    loan.refresh_from_db()
    assert loan.status == "aktif" and loan.installments.count() == 4
    r = p.post(url(sp, "repay", loan.pk), {"amount": "0", "date": "2026-01-20", "channel": "tunai"}, follow=True)
    assert "lebih dari nol" in r.content.decode()
    q = services.settlement_quote(loan, dt.date(2026, 1, 20))
    p.post(url(sp, "repay", loan.pk), {"amount": str(int(q["total"])), "date": "2026-01-20", "channel": "tunai",
                                       "settle": "on"})
    loan.refresh_from_db()
    assert loan.status == "lunas"
    assert p.get(url(sp, "detail", loan.pk)).status_code == 200
    r = p.post(url(sp, "repay", loan.pk), {"amount": "1000", "date": "2026-01-21", "channel": "tunai"}, follow=True)
    assert "tidak aktif" in r.content.decode()
    assert Repayment.objects.filter(loan=loan).count() == 1
    rep = Repayment.objects.get(loan=loan)
    r = p.get(url(sp, "receipt", loan.pk, rep.pk))
    assert r["Content-Type"] == "application/pdf" and r.content[:4] == b"%PDF"


def test_documents_reports_and_exports(sp, staff, member, product, client_as):
    loan = make_active_loan(sp, member, product, staff, amount=D(3_000_000), tenor=6)
    c = client_as(staff["ketua"])
    for name in ("agreement", "schedule_pdf"):
        r = c.get(url(sp, name, loan.pk))
        assert r.status_code == 200 and r.content[:4] == b"%PDF"
    r = c.get(url(sp, "portfolio"), {"as_of": "2026-06-01"})
    body = r.content.decode()
    assert r.status_code == 200, body
    assert member.name in body, body[body.find("tunggakan"):body.find("tunggakan")+1500]
    assert member.phone and member.phone in body
    r = c.get(url(sp, "portfolio"), {"as_of": "2026-06-01", "format": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = c.get(url(sp, "portfolio"), {"as_of": "2026-06-01", "format": "pdf"})
    assert r.content[:4] == b"%PDF"
    r = c.post(url(sp, "portfolio"), {"as_of": "2026-06-01"})
    assert r.status_code == 302
    from kopdes.loans import services

    services.record_bank_facility(sp, bank_name="BNI", contract_number="K-1", amount=D(600_000_000),
                                  received_on=dt.date(2026, 10, 1), rate=D(6), tenor=60, grace=6)
    body = c.get(url(sp, "bank")).content.decode()
    assert "Kewajiban 12 bulan" in body and "Rp3.000.000" in body  # 6%/12 of Rp600 juta during grace
    for name in ("home", "products", "settings", "bank", "apply", "calculator"):
        assert c.get(url(sp, name)).status_code == 200, name
    from kopdes.core.dashboard import collect_widgets  # noqa: F401
    r = c.get(f"/k/{sp.slug}/")
    assert "Simpan pinjam" in r.content.decode()


def test_other_cooperative_and_other_unit_refused(sp, staff, member, product, other_koperasi, make_user, client_as):
    loan = make_active_loan(sp, member, product, staff, amount=D(1_000_000), tenor=2)
    foreign = make_user("ketua", koperasi=other_koperasi)
    c = client_as(foreign)
    assert c.get(url(sp, "detail", loan.pk)).status_code == 404
    assert c.get(f"/k/{other_koperasi.slug}/pinjaman/{loan.pk}/").status_code == 404
    kasir = make_user("operator", koperasi=sp, unit="sembako")
    c2 = Client()
    c2.force_login(kasir)
    assert c2.get(url(sp, "detail", loan.pk)).status_code == 403
    pengawas = make_user("pengawas", koperasi=sp)
    c3 = Client()
    c3.force_login(pengawas)
    assert c3.get(url(sp, "detail", loan.pk)).status_code == 200
    r = c3.post(url(sp, "repay", loan.pk), {"amount": "1000", "date": "2026-01-20", "channel": "tunai"})
    assert r.status_code == 403
    # an operator of the unit cannot approve (committee only)
    c4 = Client()
    c4.force_login(staff["petugas"])
    assert c4.post(url(sp, "write_off", loan.pk), {"reason": "x"}).status_code == 403


def pdf_text(data: bytes) -> str:
    """The text drawn in a ReportLab PDF (streams are ASCII85 + Flate encoded)."""
    import base64
    import re
    import zlib

    out = []
    for m in re.finditer(rb"/Filter \[ /ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream", data, re.S):
        raw = m.group(1).strip()
        raw = raw.removeprefix(b"<~").removesuffix(b"~>")
        try:
            out.append(zlib.decompress(base64.a85decode(raw, adobe=False, ignorechars=b" \t\n\r\x0b")).decode(
                "latin-1"))
        except (ValueError, zlib.error):
            continue
    return "\n".join(out)


def test_member_loan_card_lists_payments_reversal_and_dues(sp, staff, member, product, client_as):
    loan = make_active_loan(sp, member, product, staff, amount=D(1_200_000), tenor=3)
    from kopdes.loans import services

    rows = list(loan.installments.order_by("no"))
    rep1 = services.repay(sp, loan, amount=rows[0].total_due, date=rows[0].due_date)
    rep2 = services.repay(sp, loan, amount=D(50_000), date=rows[0].due_date)
    services.reverse_repayment(sp, rep2, reason="salah input", by=staff["ketua"])
    c = client_as(staff["petugas"])
    r = c.get(url(sp, "card", loan.pk))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    assert "KARTU PINJAMAN ANGGOTA" in text and member.name in text and loan.number in text
    assert rep1.number in text and "Batal: salah input" in text
    # flat 1.5%: instalment Rp418.000 (400.000 + 18.000); principal left after the first payment is Rp800.000
    assert "Rp418.000" in text and "Rp800.000" in text
    assert "Kartu pinjaman" in c.get(url(sp, "detail", loan.pk)).content.decode()
    # a foreign cooperative's user cannot print it
    assert c.get(f"/k/{sp.slug}/pinjaman/{loan.pk + 100000}/kartu.pdf").status_code == 404


def test_loan_pages_in_english(sp, staff, member, product, client_as):
    from django.conf import settings

    loan = make_active_loan(sp, member, product, staff, amount=D(1_200_000), tenor=3)
    c = client_as(staff["ketua"])
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = c.get(url(sp, "detail", loan.pk)).content.decode()
    assert "Repayment schedule" in body and "loan account" in body and "Loan card" in body
    assert "Jadwal angsuran" not in body and "a month (Flat (interest on the original principal))" in body
    body = c.get(url(sp, "portfolio"), {"as_of": "2026-06-01"}).content.decode()
    assert "Loan portfolio as of" in body and "Arrears list (for collectors)" in body
    assert "Savings & loans" in c.get(url(sp, "home")).content.decode()
    # a refusal is shown in English too
    from kopdes.loans import services

    services.repay(sp, loan, amount=services.settlement_quote(loan, dt.date(2026, 1, 20))["total"],
                   date=dt.date(2026, 1, 20), settle=True)
    r = c.post(url(sp, "repay", loan.pk), {"amount": "1000", "date": "2026-01-21", "channel": "tunai"}, follow=True)
    assert "is not active" in r.content.decode()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert "Jadwal angsuran" in c.get(url(sp, "detail", loan.pk)).content.decode()


def test_arrears_list_reads_instalments_once_for_all_loans(sp, staff, product):
    """The collectors' list (portfolio page) prefetches every overdue loan's open instalments in one query, and its
    dues equal the per-loan computation."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kopdes.loans import queries, services
    from kopdes.loans.models import Loan
    from kopdes.members.tests.factories import new_active_member

    for i in range(3):
        m = new_active_member(sp, date=dt.date(2026, 1, 2), phone=f"08123456780{i}")
        make_active_loan(sp, m, product, staff, amount=D(3_000_000), tenor=6)
    with CaptureQueriesContext(connection) as q:
        rows = queries.arrears_list(sp, dt.date(2026, 6, 1))
    assert len(rows) == 3
    # one for the days past due of all loans, one prefetch of their open instalments (not one per loan)
    assert sum("loans_installment" in x["sql"] for x in q.captured_queries) == 2
    for r in rows:
        fresh = services.dues(Loan.objects.get(pk=r["loan"].pk), dt.date(2026, 6, 1))
        assert (r["principal"], r["interest"], r["penalty"]) == (fresh["principal"], fresh["interest"],
                                                                 fresh["penalty"]) and r["total"] > 0
