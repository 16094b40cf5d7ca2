"""Reading uploaded spreadsheets within bounds (issue 14 item 8).

A 0.9 MB xlsx kept a server thread busy for minutes, a 0.4 MB zip-bomb xlsx took 600 MB of memory and a 50 MB CSV
almost as much: the imports read whatever came. Every Excel/CSV import (members, members' opening savings, opening
balances of the ledger, RDKK, village formations) reads through :func:`rows`, which

- refuses a file larger than ``MAX_BYTES``;
- opens an xlsx only after looking into its zip: more than ``MAX_UNCOMPRESSED`` bytes once unpacked, or an entry
  packed more than ``MAX_RATIO`` times, is a zip bomb and refused before any XML is parsed;
- streams the rows (openpyxl read-only; CSV line by line), at most ``max_rows`` data rows and ``max_cols`` columns
  (cells beyond are never read), each cell at most ``MAX_CELL`` characters.

Refusals are :class:`~kopdes.core.errors.DomainError` on the field ``file`` with codes ``too_large``,
``zip_bomb``, ``too_many_rows``, ``too_many_columns``, ``cell_too_long``, ``bad_file``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

from .errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 150
MAX_ROWS = 50_000
MAX_COLS = 60
MAX_CELL = 2_000


def read(source) -> bytes:
    """The upload's bytes, refused (before reading more than the bound) when larger than ``MAX_BYTES``."""
    if isinstance(source, bytes | bytearray):
        if len(source) > MAX_BYTES:
            _too_large()
        return bytes(source)
    size = getattr(source, "size", None)
    if size is not None and size > MAX_BYTES:
        _too_large()
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        _too_large()
    return data


def _too_large():
    mb = MAX_BYTES // (1024 * 1024)
    raise DomainError(f"Berkas lebih dari {mb} MB; bagi menjadi beberapa berkas.",
                      f"The file is larger than {mb} MB; split it into several files.", field="file",
                      code="too_large")


def check_xlsx(data: bytes) -> None:
    """Refuse a file that is not a zip or that would unpack beyond the bounds (before openpyxl parses it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise DomainError("Berkas Excel tidak dapat dibaca (gunakan .xlsx).",
                          "The Excel file cannot be read (use .xlsx).", field="file", code="bad_file") from None
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_UNCOMPRESSED or worst > MAX_RATIO:
        raise DomainError(
            f"Isi berkas Excel terlalu besar setelah dibuka ({total // (1024 * 1024)} MB, maks. "
            f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB); simpan ulang tanpa sel kosong yang diformat atau bagi "
            "berkasnya.",
            f"The Excel file unpacks too large ({total // (1024 * 1024)} MB, max "
            f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB); save it again without formatted empty cells or split it.",
            field="file", code="zip_bomb")


def _counted(it, max_rows: int, max_cols: int) -> Iterator[list]:
    """Checks each row; blank rows (formatted but empty, common at the end of a sheet) do not count."""
    n = 0
    for line, row in enumerate(it, start=1):
        if any(v not in (None, "") for v in row):
            n += 1
        yield _check_row(n - 1, line, row, max_rows, max_cols)


def _check_row(n: int, line: int, row: list, max_rows: int, max_cols: int) -> list:
    if n > max_rows:
        raise DomainError(f"Terlalu banyak baris (maks. {max_rows}).", f"Too many rows (max {max_rows}).",
                          field="file", code="too_many_rows")
    if len(row) > max_cols:
        if any(v not in (None, "") for v in row[max_cols:]):
            raise DomainError(f"Terlalu banyak kolom (maks. {max_cols}).", f"Too many columns (max {max_cols}).",
                              field="file", code="too_many_columns")
        row = row[:max_cols]
    for v in row:
        if isinstance(v, str) and len(v) > MAX_CELL:
            raise DomainError(f"Baris {line}: isi sel lebih dari {MAX_CELL} karakter.",
                              f"Row {line}: a cell longer than {MAX_CELL} characters.", field="file",
                              code="cell_too_long")
    return row


def rows(source, filename: str = ".xlsx", *, max_rows: int = MAX_ROWS, max_cols: int = MAX_COLS,
         csv_ok: bool = True) -> Iterator[list]:
    """The rows of the first sheet (or the CSV), header included, as lists; bounded as the module says.
    ``source``: bytes or an uploaded file. ``max_rows`` counts the rows after the first (the header)."""
    data = read(source)
    name = (filename or "").lower()
    if name.endswith((".csv", ".txt")) and csv_ok:
        yield from _csv_rows(data, max_rows, max_cols)
        return
    if not name.endswith((".xlsx", ".xlsm")):
        raise DomainError("Format berkas harus .xlsx atau .csv." if csv_ok else "Format berkas harus .xlsx.",
                          "The file must be .xlsx or .csv." if csv_ok else "The file must be .xlsx.",
                          field="file", code="bad_file")
    check_xlsx(data)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
    except Exception:  # noqa: BLE001 - any unreadable workbook
        raise DomainError("Berkas Excel tidak dapat dibaca (gunakan .xlsx).",
                          "The Excel file cannot be read (use .xlsx).", field="file", code="bad_file") from None
    try:
        yield from _counted((list(r) for r in ws.iter_rows(values_only=True, max_col=max_cols + 1)),
                            max_rows, max_cols)
    finally:
        wb.close()


def _csv_rows(data: bytes, max_rows: int, max_cols: int) -> Iterator[list]:
    encoding = "utf-8-sig"
    try:
        data[:65536].decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < 65532:  # not just a character cut at the sample's end
            encoding = "latin-1"
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    sample = text.read(4096)
    text.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    old = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL * 4)
    try:
        yield from _counted(csv.reader(text, dialect), max_rows, max_cols)
    except csv.Error:
        raise DomainError(f"Isi sel lebih dari {MAX_CELL} karakter atau CSV rusak.",
                          f"A cell longer than {MAX_CELL} characters, or a broken CSV.", field="file",
                          code="cell_too_long") from None
    finally:
        csv.field_size_limit(old)
