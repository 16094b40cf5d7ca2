"""Issue 14 item 8: imports read uploads within bounds — size, unpacked size (zip bombs), rows, columns, cell
length — through core.uploads, for every Excel/CSV import; refused with a bilingual error and nothing written."""

from __future__ import annotations

import datetime as dt
import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from kopdes.core import uploads
from kopdes.core.errors import DomainError
from kopdes.core.identity import make_nik
from kopdes.core.sheets import xlsx_bytes

pytestmark = pytest.mark.django_db


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    return xlsx_bytes(wb)


def _bomb(rows=(("nik", "nama"),), mb: int = 4) -> bytes:
    """A valid xlsx with one more entry that unpacks ~1000× (a few KB in the file)."""
    buf = io.BytesIO(_xlsx(rows))
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/pad.xml", b" " * (mb * 1024 * 1024))
    return buf.getvalue()


def _code(fn) -> str:
    with pytest.raises(DomainError) as exc:
        fn()
    assert exc.value.field == "file" and exc.value.message_id and exc.value.message_en != exc.value.message_id
    return exc.value.code


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    data = _bomb(mb=40)
    assert len(data) < 200_000
    tracemalloc.start()
    t = time.monotonic()
    assert _code(lambda: list(uploads.rows(data, "a.xlsx"))) == "zip_bomb"
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.monotonic() - t < 2 and peak < 5 * 1024 * 1024


def test_unpacked_size_bound(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_RATIO", 10**9)
    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED", 1024 * 1024)
    assert _code(lambda: list(uploads.rows(_bomb(mb=2), "a.xlsx"))) == "zip_bomb"


def test_size_rows_columns_cells():
    big = b"nik,nama\n" + b"1,a\n" * (uploads.MAX_BYTES // 4 + 1)
    assert _code(lambda: list(uploads.rows(big, "a.csv"))) == "too_large"
    rows = "nik,nama\n" + "1,a\n" * 11
    assert _code(lambda: list(uploads.rows(rows.encode(), "a.csv", max_rows=10))) == "too_many_rows"
    assert len(list(uploads.rows(rows.encode(), "a.csv", max_rows=11))) == 12
    # blank rows at the end of a sheet do not count
    assert len(list(uploads.rows(_xlsx([["nik"], ["1"]] + [[None]] * 20), "a.xlsx", max_rows=1))) == 22
    wide = _xlsx([["x"] * (uploads.MAX_COLS + 1)])
    assert _code(lambda: list(uploads.rows(wide, "a.xlsx"))) == "too_many_columns"
    long = _xlsx([["nama"], ["a" * (uploads.MAX_CELL + 1)]])
    assert _code(lambda: list(uploads.rows(long, "a.xlsx"))) == "cell_too_long"
    long_csv = ("nama\n" + "a" * (uploads.MAX_CELL * 5) + "\n").encode()
    assert _code(lambda: list(uploads.rows(long_csv, "a.csv"))) == "cell_too_long"
    assert _code(lambda: list(uploads.rows(b"not a zip", "a.xlsx"))) == "bad_file"


def test_an_uploaded_file_over_the_bound_is_not_read_whole():
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("a.csv", b"x" * (uploads.MAX_BYTES + 10))
    assert _code(lambda: uploads.read(f)) == "too_large"


def test_member_import_goes_through_the_bounds(koperasi, monkeypatch):
    from kopdes.members import importing
    from kopdes.members.models import Member

    assert _code(lambda: importing.import_members(koperasi, _bomb(), "anggota.xlsx")) == "zip_bomb"
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    region = koperasi.region_id.rsplit(".", 1)[0]
    lines = ["nik,nama,tanggal_lahir,jenis_kelamin"] + [
        f"{make_nik(region, dt.date(1980, 1, 1), 'L', 600 + i)},Orang {i},01-01-1980,L" for i in range(4)]
    assert _code(lambda: importing.import_members(koperasi, "\n".join(lines).encode(), "a.csv")) == "too_many_rows"
    assert not Member.objects.filter(koperasi=koperasi).exists()
    report = importing.import_members(koperasi, "\n".join(lines[:4]).encode(), "a.csv")
    assert report.created == 3 and Member.objects.filter(koperasi=koperasi).count() == 3


def test_the_other_imports_go_through_the_bounds(koperasi):
    from kopdes.ledger.models import JournalEntry
    from kopdes.ledger.services import import_opening_balances
    from kopdes.retail.services import read_rdkk_excel
    from kopdes.supervision.services import import_formations

    assert _code(lambda: import_opening_balances(koperasi, date=dt.date(2026, 7, 1), data=_bomb())) == "zip_bomb"
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()
    assert _code(lambda: read_rdkk_excel(io.BytesIO(_bomb()))) == "zip_bomb"
    assert _code(lambda: import_formations(io.BytesIO(_bomb()))) == "zip_bomb"
