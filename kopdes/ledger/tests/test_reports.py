"""Statements: figures, balance checks, member/non-member split, per unit, cash flow, exports, CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from kopdes.core.units import Unit
from kopdes.ledger import export, reports
from kopdes.ledger.services import Line, close_year, post

D = Decimal


def book_year(k):
    """A small year: capital, a grant, sales to members and non-members, expenses, a loan, depreciation."""
    p = lambda d, memo, *lines: post(k, date=d, memo=memo, lines=list(lines))  # noqa: E731
    p(dt.date(2025, 1, 2), "Simpanan pokok", Line("1101", debit=D("100000")),
      Line("3101", credit=D("50000"), member_id=1), Line("3101", credit=D("50000"), member_id=2))
    p(dt.date(2025, 1, 3), "Hibah desa", Line("1111", debit=D("10000000")), Line("3301", credit=D("10000000")))
    p(dt.date(2025, 2, 1), "Beli peralatan", Line("1206", debit=D("2400000")), Line("1111", credit=D("2400000")))
    p(dt.date(2025, 3, 5), "Penjualan anggota", Line("1103", debit=D("300000"), unit=Unit.SEMBAKO),
      Line("4111", credit=D("300000"), unit=Unit.SEMBAKO, member_id=1))
    p(dt.date(2025, 3, 5), "HPP anggota", Line("5111", debit=D("250000"), unit=Unit.SEMBAKO),
      Line("1151", credit=D("250000"), unit=Unit.SEMBAKO))
    p(dt.date(2025, 3, 6), "Beli persediaan", Line("1151", debit=D("1000000"), unit=Unit.SEMBAKO),
      Line("1111", credit=D("1000000")))
    p(dt.date(2025, 4, 9), "Penjualan umum", Line("1103", debit=D("200000"), unit=Unit.SEMBAKO),
      Line("4112", credit=D("200000"), unit=Unit.SEMBAKO))
    p(dt.date(2025, 6, 30), "Gaji", Line("6101", debit=D("150000")), Line("1101", credit=D("150000")))
    p(dt.date(2025, 7, 1), "Jasa klinik", Line("1106", debit=D("75000"), unit=Unit.KLINIK),
      Line("4131", credit=D("75000"), unit=Unit.KLINIK, member_id=2))
    p(dt.date(2025, 12, 31), "Penyusutan", Line("6105", debit=D("40000")), Line("1207", credit=D("40000")))
    p(dt.date(2025, 12, 31), "Bunga bank", Line("1111", debit=D("12345.67")), Line("4201", credit=D("12345.67")))
    p(dt.date(2025, 12, 31), "Setor kas gerai ke bank", Line("1111", debit=D("500000")),
      Line("1103", credit=D("500000"), unit=Unit.SEMBAKO))


YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
# income 300000 + 200000 + 75000 + 12345.67 = 587345.67; cogs 250000; expenses 190000
SHU = D("147345.67")


def row(rep, label):
    return next(r for r in rep.rows if r.label == label)


@pytest.mark.django_db
def test_statements_balance_and_figures(koperasi):
    book_year(koperasi)
    bs = reports.balance_sheet(koperasi, YEAR[1])
    assert bs.ok, bs.checks
    assert row(bs, "Jumlah aset").values[0] == D("10100000") + SHU
    assert row(bs, "SHU tahun berjalan (belum ditutup)").values[0] == SHU
    assert row(bs, "Akumulasi penyusutan peralatan").values[0] == D("-40000")
    inc = reports.income_statement(koperasi, *YEAR)
    assert row(inc, "SISA HASIL USAHA (SHU) BERSIH").values == [SHU, D("0")]
    assert row(inc, "Jumlah pendapatan dari anggota").values[0] == D("375000")
    assert row(inc, "Jumlah pendapatan dari non-anggota").values[0] == D("200000")
    assert reports.net_result(koperasi, *YEAR) == SHU
    unit = reports.income_statement(koperasi, *YEAR, unit=Unit.SEMBAKO, compare=False)
    assert row(unit, "SISA HASIL USAHA (SHU) BERSIH").values == [D("250000")]
    by_unit = reports.income_by_unit(koperasi, *YEAR)
    net = row(by_unit, "SISA HASIL USAHA (SHU) BERSIH").values
    assert net[-1] == SHU and sum(net[:-1]) == SHU
    tb = reports.trial_balance(koperasi, *YEAR)
    assert tb.ok and row(tb, "JUMLAH").values[2] == row(tb, "JUMLAH").values[3]
    eq = reports.equity_changes(koperasi, *YEAR)
    assert eq.ok, eq.checks
    cf = reports.cash_flow(koperasi, *YEAR)
    assert cf.ok, cf.checks
    assert row(cf, "Kas dan setara kas akhir periode").values[0] == D("10100000") - D("2400000") - D("1000000") \
        + D("575000") - D("150000") + D("12345.67") - D("0")
    assert row(cf, "Kas neto dari aktivitas investasi").values[0] == D("-2400000")
    assert row(cf, "Kas neto dari aktivitas pendanaan").values[0] == D("10100000")
    jb = reports.journal_book(koperasi, *YEAR)
    assert jb.ok and len([r for r in jb.rows if r.kind == "section"]) == 12
    gl = reports.general_ledger(koperasi, "1103", dt.date(2025, 4, 1), YEAR[1])
    assert gl.rows[0].values[-1] == D("300000")  # opening from snapshots
    assert gl.rows[-1].values[-1] == D("0")


@pytest.mark.django_db
def test_year_close_moves_result_and_statements_still_show_it(koperasi, make_user):
    book_year(koperasi)
    yc = close_year(koperasi, 2025)
    assert yc.result == SHU
    from kopdes.ledger.queries import account_balance

    assert account_balance(koperasi, "3401") == SHU
    assert account_balance(koperasi, "4111") == 0
    inc = reports.income_statement(koperasi, *YEAR)
    assert row(inc, "SISA HASIL USAHA (SHU) BERSIH").values[0] == SHU  # closing entry excluded
    bs = reports.balance_sheet(koperasi, YEAR[1])
    assert bs.ok and row(bs, "SHU tahun berjalan (belum ditutup)").values[0] == 0
    assert reports.equity_changes(koperasi, *YEAR).ok
    from kopdes.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        close_year(koperasi, 2025)
    assert exc.value.code == "year_closed"
    with pytest.raises(DomainError) as exc:  # every month of 2025 is now closed
        post(koperasi, date=dt.date(2025, 6, 1), memo="telat", lines=[Line("1101", debit=D("1")),
                                                                      Line("4202", credit=D("1"))])
    assert exc.value.code == "year_closed"  # a month of a closed fiscal year


@pytest.mark.django_db
@pytest.mark.parametrize("fmt,magic", [("csv", b"\xef\xbb\xbf"), ("xlsx", b"PK"), ("pdf", b"%PDF")])
def test_exports(koperasi, fmt, magic):
    book_year(koperasi)
    for name in reports.REPORTS:
        rep = reports.build(name, koperasi, *YEAR, code="1103")
        data = export.render(rep, fmt)
        assert data.startswith(magic), name


@pytest.mark.django_db
def test_cli_report(koperasi, tmp_path, capsys):
    book_year(koperasi)
    out = tmp_path / "ns.csv"
    call_command("report", "neraca-saldo", koperasi="surya-adi", **{"from": "2025-01-01", "to": "2025-12-31"},
                 format="csv", output=str(out))
    text = out.read_text("utf-8-sig")
    assert "1103 Kas gerai sembako" in text and "JUMLAH" in text
    call_command("report", "posisi-keuangan", koperasi="surya-adi", **{"from": "2025-01-01", "to": "2025-12-31"},
                 format="xlsx", output=str(tmp_path / "pk.xlsx"))
    assert (tmp_path / "pk.xlsx").read_bytes()[:2] == b"PK"


@pytest.mark.django_db
def test_ledger_check_command(koperasi, capsys):
    book_year(koperasi)
    call_command("ledger_check")
    assert "ledger OK" in capsys.readouterr().out


@pytest.mark.django_db
def test_exports_and_cli_show_two_decimals(koperasi, tmp_path):
    """SQLite sums of fractional amounts come back as floats (5610018366.71000000): every exported amount is
    quantized to the cent, and the figures stay exact."""
    import csv
    import io
    import re

    from openpyxl import load_workbook

    amounts = ["5610018366.71", "0.10", "0.20", "60305.99", "1234567.89", "0.07"]
    for i, a in enumerate(amounts):
        post(koperasi, date=dt.date(2025, 3, 1 + i), memo=f"bunga {i}", lines=[
            Line("1111", debit=D(a)), Line("4201", credit=D(a))])
    total = sum(D(a) for a in amounts)  # 5611313240.96
    money = re.compile(r"^-?\d+\.\d{2}$")
    for name in ("neraca-saldo", "posisi-keuangan", "hasil-usaha", "buku-besar", "arus-kas"):
        rep = reports.build(name, koperasi, dt.date(2025, 3, 3), dt.date(2025, 12, 31), code="1111")
        rows = list(csv.reader(io.StringIO(export.to_csv(rep).decode("utf-8-sig"))))[4:]
        cells = [c for r in rows for c in r[2:] if c and re.match(r"^-?[\d.]+$", c)]
        assert cells and all(money.match(c) for c in cells), (name, [c for c in cells if not money.match(c)])
        wb = load_workbook(io.BytesIO(export.to_xlsx(rep)))
        for r in wb.active.iter_rows(min_row=6, values_only=True):
            for v in r[1:]:
                if isinstance(v, float | int) and not isinstance(v, bool):
                    assert round(v, 2) == v, (name, v)
    ns = reports.build("neraca-saldo", koperasi, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    bank = next(r for r in ns.rows if r.code == "1111")
    assert bank.values[2] == total and str(bank.values[2]) == "5611313240.96"
    out = tmp_path / "ns.csv"
    call_command("report", "neraca-saldo", koperasi=koperasi.slug, **{"from": "2025-01-01", "to": "2025-12-31"},
                 format="csv", output=str(out))
    text = out.read_text("utf-8-sig")
    assert "5611313240.96" in text and not re.search(r"\d\.\d{3,}", text)
