import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from kopdes.core.identity import make_nik
from kopdes.ledger.queries import account_balance, member_balance
from kopdes.members import importing
from kopdes.members.models import Member
from kopdes.members.tests.factories import new_member
from kopdes.savings import services as s

pytestmark = pytest.mark.django_db
HEADER = [c for c, _f, _r, _h in importing.MEMBER_COLUMNS]


def _rows(n, start=1):
    out = []
    for i in range(start, start + n):
        birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        sex = "P" if i % 2 else "L"
        out.append({"nik": make_nik("16.02.04", birth, sex, i), "nama": f"Anggota Impor {i}",
                    "tanggal_lahir": birth.strftime("%d-%m-%Y"), "jenis_kelamin": sex, "rt": str(i % 9 + 1),
                    "no_hp": f"0812{i:08d}", "pekerjaan": "Pekebun" if i % 3 else "petani",
                    "luas_lahan_ha": "1,5", "komoditas": "sawit, karet"})
    return out


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append([r.get(c) for c in HEADER])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_500_rows_with_3_bad_saves_nothing(koperasi):
    rows = _rows(500)
    rows[10]["nik"] = "12345"  # row 12: length
    rows[200]["jenis_kelamin"] = "L" if rows[200]["jenis_kelamin"] == "P" else "P"  # row 202: sex mismatch
    rows[499]["nik"] = rows[0]["nik"]  # row 501: duplicate within the file
    rows[499]["tanggal_lahir"] = rows[0]["tanggal_lahir"]
    rows[499]["jenis_kelamin"] = rows[0]["jenis_kelamin"]
    with pytest.raises(importing.ImportRejected) as exc:
        importing.import_members(koperasi, _xlsx(rows), "anggota.xlsx")
    errs = exc.value.errors
    assert [(e.row, e.column) for e in errs] == [(12, "nik"), (202, "jenis_kelamin"), (501, "nik")]
    assert "16 digit" in errs[0].message
    assert "Jenis kelamin" in errs[1].message
    assert "baris 2" in errs[2].message
    assert "3 kesalahan pada 3 baris dari 500" in exc.value.message_id
    assert Member.objects.count() == 0


def test_import_ok_csv_semicolon_and_dry_run(koperasi, other_koperasi):
    new_member(koperasi)  # numbering continues after existing members
    rows = _rows(20, start=100)
    lines = [";".join(HEADER)] + [";".join(str(r.get(c, "")) for c in HEADER) for r in rows]
    data = "\n".join(lines).encode("utf-8-sig")
    report = importing.import_members(koperasi, data, "a.csv", dry_run=True)
    assert report.ok and report.rows == 20 and report.created == 0
    assert Member.objects.filter(koperasi=koperasi).count() == 1
    report = importing.import_members(koperasi, data, "a.csv")
    assert report.created == 20
    m = Member.objects.get(koperasi=koperasi, number="00002")
    assert m.occupation == "petani" or m.occupation == "pekebun"
    assert m.crop_list == ["sawit", "karet"] and m.land_area_ha == Decimal("1.5")
    assert m.phone.startswith("62812")
    # importing the same file again: every row is a duplicate NIK in this cooperative
    with pytest.raises(importing.ImportRejected) as exc:
        importing.import_members(koperasi, data, "a.csv")
    assert len(exc.value.errors) == 20 and "sudah terdaftar" in exc.value.errors[0].message
    # the same people in another cooperative: allowed, with a warning per person
    report = importing.import_members(other_koperasi, _xlsx(rows[:2]), "b.xlsx")
    assert report.created == 2 and len(report.warnings) == 2 and koperasi.name in report.warnings[0]


def test_import_bad_header_and_format(koperasi):
    from kopdes.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        importing.import_members(koperasi, b"a,b\n1,2\n", "x.csv")
    assert exc.value.code == "bad_header"
    with pytest.raises(DomainError) as exc:
        importing.import_members(koperasi, b"garbage", "x.pdf")
    assert exc.value.code == "bad_file"


def test_template_is_importable_header(koperasi):
    wb = load_workbook(io.BytesIO(importing.member_template_xlsx()))
    ws = wb["Anggota"]
    assert [c.value for c in ws[1]] == HEADER
    # the example row itself is valid
    report = importing.import_members(koperasi, importing.member_template_xlsx(), "templat.xlsx", dry_run=True)
    assert report.ok and report.rows == 1


def test_opening_balances(koperasi):
    a = new_member(koperasi)
    b = new_member(koperasi)
    s.pay_pokok(b)
    wb = Workbook()
    ws = wb.active
    ws.append(["nomor_anggota", "nik", "simpanan_pokok", "simpanan_wajib", "simpanan_sukarela"])
    ws.append([a.number, None, "50.000", 120000, "75000"])
    ws.append([None, b.nik, None, "10000", None])
    buf = io.BytesIO()
    wb.save(buf)
    date = dt.date.today() - dt.timedelta(days=30)
    report = importing.import_opening_balances(koperasi, buf.getvalue(), "saldo.xlsx", date=date)
    assert report.created == 2 and report.total_amount == Decimal("255000")
    a.refresh_from_db()
    assert a.status == "aktif"
    assert member_balance(koperasi, "3102", a.pk) == Decimal("120000")
    assert s.balances(a) == {"pokok": Decimal("50000"), "wajib": Decimal("120000"), "sukarela": Decimal("75000")}
    assert account_balance(koperasi, "1101") == Decimal("255000")
    # b already paid pokok at the counter: a second pokok via opening balance is refused, nothing saved
    ws.append([b.number, None, "50000", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(importing.ImportRejected) as exc:
        importing.import_opening_balances(koperasi, buf.getvalue(), "saldo.xlsx", date=date)
    assert {e.row for e in exc.value.errors} == {2, 3, 4}
    assert account_balance(koperasi, "1101") == Decimal("255000")


def test_cli_import(koperasi, tmp_path, capsys):
    path = tmp_path / "anggota.xlsx"
    path.write_bytes(_xlsx(_rows(5)))
    call_command("members", "import", str(path), "--koperasi", koperasi.slug, "--dry-run")
    assert Member.objects.count() == 0
    call_command("members", "import", str(path), "--koperasi", koperasi.slug)
    assert Member.objects.count() == 5
    with pytest.raises(CommandError) as exc:
        call_command("members", "import", str(path), "--koperasi", koperasi.slug)
    assert "ditolak" in str(exc.value)
    with pytest.raises(CommandError):
        call_command("members", "import", str(path), "--koperasi", "tidak-ada")
