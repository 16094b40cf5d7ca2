"""Bulk import of members (and opening savings balances) from Excel or CSV.

The whole file is validated first; errors are listed per row and column in Indonesian (English second); only a
file without errors is imported, all-or-nothing, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kopdes.core import audit, uploads
from kopdes.core.errors import DomainError
from kopdes.core.models import Koperasi, User
from kopdes.core.sheets import xlsx_bytes

from .models import CROPS, Member, MemberNameToken, Occupation, tokens_for
from .services import RegionCache, clean_member_data, format_number, index_niks, next_seq

MAX_ROWS = 50_000
#: a file larger than this is imported by the task worker, with progress on a page (``ImportJob``)
BACKGROUND_BYTES = 256 * 1024
PROGRESS_EVERY = 250

# column key, header, field, required, help
MEMBER_COLUMNS = [
    ("nik", "nik", True, "16 digit, sesuai e-KTP"),
    ("nama", "name", True, "nama lengkap sesuai KTP"),
    ("tempat_lahir", "birth_place", False, ""),
    ("tanggal_lahir", "birth_date", False, "DD-MM-YYYY; boleh kosong (diambil dari NIK), jika diisi harus cocok"),
    ("jenis_kelamin", "sex", False, "L atau P; boleh kosong (diambil dari NIK)"),
    ("no_kk", "kk", False, "16 digit"),
    ("alamat", "address", False, "jalan/gang"),
    ("rt", "rt", False, ""),
    ("rw", "rw", False, ""),
    ("dusun", "dusun", False, ""),
    ("no_hp", "phone", False, "mis. 081234567890"),
    ("pekerjaan", "occupation", False, "kode atau nama, lihat lembar Petunjuk"),
    ("luas_lahan_ha", "land_area_ha", False, "hektare, mis. 1,5"),
    ("komoditas", "crops", False, "kode dipisah koma, mis. sawit,karet"),
    ("kelompok_tani", "farmer_group", False, ""),
    ("ahli_waris", "heir_name", False, ""),
    ("hubungan_ahli_waris", "heir_relation", False, "mis. istri, suami, anak"),
    ("nik_ahli_waris", "heir_nik", False, ""),
    ("hp_ahli_waris", "heir_phone", False, ""),
    ("tanggal_daftar", "registered_on", False, "DD-MM-YYYY; kosong = hari ini"),
]
FIELD_TO_COLUMN = {f: c for c, f, _r, _h in MEMBER_COLUMNS}
ALIASES = {"nama_lengkap": "nama", "kk": "no_kk", "nomor_kk": "no_kk", "hp": "no_hp", "telepon": "no_hp",
           "nomor_hp": "no_hp", "l/p": "jenis_kelamin", "jk": "jenis_kelamin", "luas_lahan": "luas_lahan_ha",
           "tgl_lahir": "tanggal_lahir"}

BALANCE_COLUMNS = [
    ("nomor_anggota", "nomor anggota (atau isi nik)"),
    ("nik", "NIK (jika nomor anggota kosong)"),
    ("simpanan_pokok", "saldo simpanan pokok"),
    ("simpanan_wajib", "saldo simpanan wajib"),
    ("simpanan_sukarela", "saldo simpanan sukarela"),
]


@dataclass
class RowError:
    row: int
    column: str
    message: str
    message_en: str = ""

    def __str__(self) -> str:
        return f"Baris {self.row}, kolom {self.column}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    total_amount: Decimal = Decimal(0)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(DomainError):
    """The file has errors: nothing was saved. ``errors`` lists them per row and column."""

    def __init__(self, errors: list[RowError], rows: int):
        n = len(errors)
        super().__init__(
            f"Berkas ditolak: {n} kesalahan pada {len({e.row for e in errors})} baris dari {rows}. "
            "Tidak ada data yang disimpan; perbaiki lalu unggah lagi.",
            f"File refused: {n} error(s) in {len({e.row for e in errors})} of {rows} rows. Nothing was saved.",
            field="file", code="import_rejected",
        )
        self.errors = errors
        self.rows = rows


# --- reading ------------------------------------------------------------------------------------------------

def _norm_header(h) -> str:
    key = str(h or "").strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def read_table(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """Rows of the first sheet (xlsx) or the CSV as ``[(row_number, {column: value})]``; row 1 is the header.
    Read within :mod:`kopdes.core.uploads`' bounds (size, unpacked size, rows, columns, cell length)."""
    rows = list(uploads.rows(data, filename, max_rows=MAX_ROWS))
    if not rows:
        raise DomainError("Berkas kosong.", "The file is empty.", field="file", code="empty_file")
    headers = [_norm_header(h) for h in rows[0]]
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") and str(v).strip() for v in r):
            continue
        out.append((i, {h: v for h, v in zip(headers, r, strict=False) if h}))
    return out


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _date(v, column: str) -> dt.date | None:
    if v in (None, ""):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = str(v).strip()
    for fmt in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise DomainError(f"Tanggal {text!r} tidak dikenali (pakai DD-MM-YYYY).",
                      f"Date {text!r} not understood (use DD-MM-YYYY).", field=column)


_OCC_LOOKUP = {}
for _code, _label in Occupation.choices:
    _OCC_LOOKUP[_code] = _code
    _OCC_LOOKUP[str(_label).lower()] = _code
    _OCC_LOOKUP[str(_label).split(" (")[0].split("/")[0].lower()] = _code
_OCC_LOOKUP.update({"asn": "pns", "pns": "pns", "ibu rumah tangga": "irt", "irt": "irt", "tani": "petani",
                    "pekebun": "pekebun", "petani sawit": "pekebun", "petani karet": "pekebun", "buruh": "buruh",
                    "swasta": "karyawan", "tni": "tni_polri", "polri": "tni_polri", "wirausaha": "wiraswasta"})
@functools.lru_cache(maxsize=1)
def _crop_lookup() -> dict[str, str]:
    """Codes and Indonesian labels (whatever the UI language) of the crops, lower case → code."""
    from django.utils import translation

    with translation.override("id"):
        return {c: c for c, _l in CROPS} | {str(label).lower(): c for c, label in CROPS} | {"kelapa sawit": "sawit"}


def _occupation(v) -> str:
    text = _text(v).lower()
    if not text:
        return Occupation.LAINNYA
    return _OCC_LOOKUP.get(text, text)


def _crops(v) -> str:
    parts = [p.strip().lower() for p in _text(v).replace(";", ",").split(",") if p.strip()]
    lookup = _crop_lookup()
    return ",".join(lookup.get(p, p.replace(" ", "_")) for p in parts)


# --- members ------------------------------------------------------------------------------------------------

def validate_member_rows(koperasi: Koperasi, table: list[tuple[int, dict]], progress=None
                         ) -> tuple[list[tuple[int, dict]], list[RowError], list[str]]:
    regions = RegionCache()
    errors: list[RowError] = []
    warnings: list[str] = []
    clean: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    if table and "nik" not in table[0][1] and "nama" not in table[0][1]:
        raise DomainError("Kolom 'nik' dan 'nama' tidak ditemukan di baris judul; pakai templat.",
                          "Columns 'nik' and 'nama' missing from the header row; use the template.", field="file",
                          code="bad_header")
    today = timezone.localdate()
    for n, (rownum, raw) in enumerate(table):
        if progress and n % PROGRESS_EVERY == 0:
            progress(n, len(table))
        data: dict = {}
        row_errors: list[RowError] = []
        for col, fld, required, _h in MEMBER_COLUMNS:
            v = raw.get(col)
            if required and not _text(v):
                row_errors.append(RowError(rownum, col, f"{col} wajib diisi.", f"{col} is required."))
                continue
            try:
                if fld in ("birth_date", "registered_on"):
                    data[fld] = _date(v, col)
                elif fld == "occupation":
                    data[fld] = _occupation(v)
                elif fld == "crops":
                    data[fld] = _crops(v)
                elif fld == "land_area_ha":
                    data[fld] = _text(v).replace(",", ".") or "0"
                else:
                    data[fld] = _text(v)
            except DomainError as exc:
                row_errors.append(RowError(rownum, col, exc.message_id, exc.message_en))
        if row_errors:
            errors.extend(row_errors)
            continue
        if data.get("registered_on") and data["registered_on"] > today:
            errors.append(RowError(rownum, "tanggal_daftar", "Tanggal daftar di masa depan.", "Future date."))
            continue
        try:
            d = clean_member_data(data, regions=regions, registering_on=data.get("registered_on") or today)
        except DomainError as exc:
            col = FIELD_TO_COLUMN.get(exc.field or "", exc.field or "-")
            errors.append(RowError(rownum, col, exc.message_id, exc.message_en))
            continue
        if d["nik"] in seen:
            errors.append(RowError(rownum, "nik", f"NIK {d['nik']} ganda: sudah ada di baris {seen[d['nik']]}.",
                                   f"Duplicate NIK (also row {seen[d['nik']]})."))
            continue
        seen[d["nik"]] = rownum
        d["registered_on"] = d.get("registered_on") or today
        clean.append((rownum, d))
    niks = [d["nik"] for _r, d in clean]
    existing: dict[str, str] = {}
    others: dict[str, set[str]] = {}
    for i in range(0, len(niks), 900):
        chunk = niks[i:i + 900]
        for nik, kid, number, kname in (Member.objects.filter(nik__in=chunk, status__in=Member.CURRENT_STATUSES)
                                        .values_list("nik", "koperasi_id", "number", "koperasi__name")):
            if kid == koperasi.pk:
                existing[nik] = number
            else:
                others.setdefault(nik, set()).add(kname)
    for rownum, d in clean:
        if d["nik"] in existing:
            errors.append(RowError(rownum, "nik",
                                   f"NIK {d['nik']} sudah terdaftar di koperasi ini (nomor {existing[d['nik']]}).",
                                   "NIK already a current member of this cooperative."))
        elif d["nik"] in others:
            warnings.append(f"Baris {rownum}: {d['name']} juga anggota {', '.join(sorted(others[d['nik']]))}.")
    errors.sort(key=lambda e: (e.row, e.column))
    return clean, errors, warnings


def import_members(koperasi: Koperasi, data: bytes, filename: str, *, dry_run: bool = False,
                   by: User | None = None, progress=None) -> ImportReport:
    """Validate the whole file, then create every member (calon anggota) in one transaction — or none.

    Raises :class:`ImportRejected` (with ``errors``) when any row is wrong.
    """
    table = read_table(data, filename)
    clean, errors, warnings = validate_member_rows(koperasi, table, progress)
    report = ImportReport(rows=len(table), errors=errors, warnings=warnings, dry_run=dry_run)
    if errors:
        raise ImportRejected(errors, len(table))
    if dry_run or not clean:
        return report
    with transaction.atomic(), audit.bulk_mode():
        seq = next_seq(koperasi, count=len(clean))
        objs = []
        for _rownum, d in clean:
            m = Member(koperasi=koperasi, seq=seq, number=format_number(seq), status=Member.Status.CALON, **d)
            m.name_key = " ".join(m.name.lower().split())
            objs.append(m)
            seq += 1
        Member.objects.bulk_create(objs, batch_size=1000)
        index_niks(koperasi.pk, [m.nik for m in objs])
        MemberNameToken.objects.bulk_create([t for m in objs for t in tokens_for(m)], batch_size=2000)
        report.created = len(objs)
        audit.record("import", koperasi_id=koperasi.pk,
                     summary=f"Impor anggota dari {filename}: {len(objs)} calon anggota "
                             f"(nomor {objs[0].number}–{objs[-1].number})")
    return report


# --- opening balances ---------------------------------------------------------------------------------------

def _amount(v, column: str) -> Decimal:
    text = _text(v).replace("Rp", "").replace(" ", "")
    if not text:
        return Decimal(0)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1 or (text.count(".") == 1 and len(text.split(".")[1]) == 3):
        text = text.replace(".", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DomainError(f"Jumlah {text!r} bukan angka.", f"Amount {text!r} is not a number.", field=column)
    if value < 0:
        raise DomainError("Jumlah tidak boleh negatif.", "Amount must not be negative.", field=column)
    if value != value.quantize(Decimal(1)):
        raise DomainError("Jumlah harus rupiah penuh.", "Amount must be whole rupiah.", field=column)
    return value.quantize(Decimal("0.01"))


def import_opening_balances(koperasi: Koperasi, data: bytes, filename: str, *, date: dt.date,
                            counter_account: str = "1101", dry_run: bool = False,
                            by: User | None = None, progress=None) -> ImportReport:
    """Opening balances of savings per member (all-or-nothing). One journal entry: debit ``counter_account``
    (default 1101 kas kantor: the money collected before Kopdes), credit 3101/3102/2101 per member.
    A member with an opening pokok becomes anggota (joined on ``date`` unless already set).
    Refused for a member who already has movements of that kind."""
    from kopdes.ledger.services import Line, post
    from kopdes.savings.models import KIND_ACCOUNT, SavingsTransaction, TxType

    if date > timezone.localdate():
        raise DomainError("Tanggal saldo awal di masa depan.", "Opening date in the future.", field="date")
    table = read_table(data, filename)
    members = {m.number: m for m in Member.objects.filter(koperasi=koperasi)}
    by_nik = {m.nik: m for m in members.values() if m.is_current}
    have = set(SavingsTransaction.objects.filter(koperasi=koperasi).values_list("member_id", "kind").distinct())
    errors: list[RowError] = []
    rows: list[tuple[Member, dict[str, Decimal]]] = []
    seen: dict[int, int] = {}
    for n, (rownum, raw) in enumerate(table):
        if progress and n % PROGRESS_EVERY == 0:
            progress(n, len(table))
        number, nik = _text(raw.get("nomor_anggota")), _text(raw.get("nik"))
        m = members.get(number) or (members.get(number.zfill(5)) if number.isdigit() else None)
        if m is None and nik:
            m = by_nik.get(nik)
        if m is None:
            col = "nomor_anggota" if number else "nik"
            errors.append(RowError(rownum, col, f"Anggota {number or nik or '(kosong)'} tidak ditemukan.",
                                   "Member not found."))
            continue
        if not m.is_current:
            errors.append(RowError(rownum, "nomor_anggota", f"{m.name} sudah keluar.", "Member has left."))
            continue
        if m.pk in seen:
            errors.append(RowError(rownum, "nomor_anggota", f"Anggota {m.number} ganda (baris {seen[m.pk]}).",
                                   "Duplicate member."))
            continue
        seen[m.pk] = rownum
        amounts: dict[str, Decimal] = {}
        for kind in ("pokok", "wajib", "sukarela"):
            col = f"simpanan_{kind}"
            try:
                amt = _amount(raw.get(col), col)
            except DomainError as exc:
                errors.append(RowError(rownum, col, exc.message_id, exc.message_en))
                continue
            if amt > 0 and (m.pk, kind) in have:
                errors.append(RowError(rownum, col, f"{m.name} sudah punya mutasi simpanan {kind}.",
                                       f"Member already has {kind} movements."))
                continue
            if amt > 0:
                amounts[kind] = amt
        if (amounts.get("wajib") or amounts.get("sukarela")) and "pokok" not in amounts and not m.is_active:
            errors.append(RowError(rownum, "simpanan_pokok", "Calon anggota tanpa simpanan pokok tidak dapat "
                                   "memiliki saldo wajib/sukarela.", "A candidate needs simpanan pokok first."))
            continue
        if amounts:
            rows.append((m, amounts))
    errors.sort(key=lambda e: (e.row, e.column))
    report = ImportReport(rows=len(table), errors=errors, dry_run=dry_run)
    if errors:
        raise ImportRejected(errors, len(table))
    report.total_amount = sum((a for _m, am in rows for a in am.values()), Decimal(0))
    if dry_run or not rows:
        return report
    with transaction.atomic(), audit.bulk_mode():
        lines = [Line(counter_account, debit=report.total_amount, unit="simpan_pinjam")]
        for m, am in rows:
            for kind, amt in am.items():
                lines.append(Line(KIND_ACCOUNT[kind], credit=amt, unit="simpan_pinjam", member_id=m.pk))
        entry = post(koperasi, date=date, memo=f"Saldo awal simpanan anggota ({filename})", lines=lines,
                     source="savings.OpeningBalance", source_id=date.isoformat(),
                     by=by if getattr(by, "pk", None) else None)
        ref = getattr(entry, "reference", str(entry.pk))
        SavingsTransaction.objects.bulk_create([
            SavingsTransaction(koperasi=koperasi, member=m, kind=kind, type=TxType.SALDO_AWAL, date=date, amount=amt,
                               method="internal", memo="Saldo awal", entry_id=entry.pk, entry_number=ref)
            for m, am in rows for kind, amt in am.items()
        ], batch_size=2000)
        # calon with an opening pokok → anggota, joined when registered (or on the opening date if later)
        to_activate = [m.pk for m, am in rows if "pokok" in am and m.status == Member.Status.CALON]
        for i in range(0, len(to_activate), 900):
            chunk = Member.objects.filter(koperasi=koperasi, pk__in=to_activate[i:i + 900],
                                          status=Member.Status.CALON)
            chunk.filter(registered_on__lte=date).update(status=Member.Status.AKTIF, joined_on=F("registered_on"))
            chunk.update(status=Member.Status.AKTIF, joined_on=date)
        report.created = len(rows)
        audit.record("import", koperasi_id=koperasi.pk,
                     summary=f"Saldo awal simpanan {len(rows)} anggota, total Rp{report.total_amount:,.0f} "
                             f"({filename}), jurnal {ref}".replace(",", "."))
    return report


# --- templates ----------------------------------------------------------------------------------------------

def member_template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Anggota"
    ws.append([c for c, _f, _r, _h in MEMBER_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(["1602041705800001", "Contoh Nama Anggota", "Mesuji", "17-05-1980", "L", "1602040101080001",
               "Jl. Poros Desa", "001", "002", "Sidomulyo", "081234567890", "pekebun", "2", "sawit,karet",
               "Tani Makmur", "Siti Contoh", "istri", "", "", ""])
    for col in ws.columns:
        ws.column_dimensions[col[0].column_letter].width = 18
    for row in ws.iter_rows(min_row=2, max_row=500):
        for cell in row[:1] + row[5:6] + row[17:18]:
            cell.number_format = "@"
    info = wb.create_sheet("Petunjuk")
    info.append(["Kolom", "Wajib", "Keterangan"])
    for c, _f, req, h in MEMBER_COLUMNS:
        info.append([c, "ya" if req else "", h])
    info.append([])
    info.append(["Kode pekerjaan", "", ""])
    for code, label in Occupation.choices:
        info.append([code, "", str(label)])
    info.append([])
    info.append(["Kode komoditas", "", ""])
    for code, label in CROPS:
        info.append([code, "", str(label)])
    info.append([])
    info.append(["Hapus baris contoh sebelum mengunggah. Seluruh berkas diperiksa dulu; jika ada kesalahan, "
                 "tidak ada yang disimpan."])
    return xlsx_bytes(wb)


def balance_template_xlsx(koperasi: Koperasi | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Saldo awal"
    ws.append([c for c, _h in BALANCE_COLUMNS] + ["nama (tidak dibaca)"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    if koperasi is not None:
        for m in Member.objects.filter(koperasi=koperasi, status__in=Member.CURRENT_STATUSES).order_by("seq"):
            ws.append([m.number, m.nik, None, None, None, m.name])
    for col in ws.columns:
        ws.column_dimensions[col[0].column_letter].width = 20
    return xlsx_bytes(wb)


# --- big imports in the background (issue 14 item 8) ---------------------------------------------------------

def start_job(koperasi: Koperasi, data: bytes, filename: str, *, kind: str, date: dt.date | None = None,
              dry_run: bool = False, by: User | None = None):
    """Queue an import for the task worker; the file is checked against the upload bounds first."""
    from django.db import transaction

    from .models import ImportJob

    data = uploads.read(data)
    if kind == ImportJob.Kind.BALANCES and date is None:
        raise DomainError("Isi tanggal saldo awal.", "Give the opening balance date.", field="date")
    job = ImportJob.objects.create(koperasi=koperasi, kind=kind, filename=(filename or "berkas")[:200], data=data,
                                   opening_date=date, dry_run=dry_run, created_by=by if getattr(by, "pk", None)
                                   else None)
    kid, jid = koperasi.pk, job.pk

    def go():
        from .tasks import run_import

        try:
            result = run_import.enqueue(kid, jid)
        except Exception as exc:  # noqa: BLE001 - no task backend: the job says so instead of waiting forever
            ImportJob.objects.filter(koperasi_id=kid, pk=jid).update(
                status=ImportJob.Status.FAILED, finished_at=timezone.now(), data=b"",
                message=f"Antrean tugas tidak tersedia: {exc}"[:300])
            return
        ImportJob.objects.filter(koperasi_id=kid, pk=jid).update(task_id=str(result.id)[:64])

    transaction.on_commit(go)
    return job


def run_job(koperasi_id: int, job_id: int):
    """Run a queued import (called by the worker); refusals and failures are kept on the job."""
    from kopdes.core.audit import acting_as

    from .models import ImportJob

    jobs = ImportJob.objects.for_koperasi(koperasi_id)
    if not jobs.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(status=ImportJob.Status.RUNNING,
                                                                         started_at=timezone.now()):
        return jobs.filter(pk=job_id).first()
    job = jobs.select_related("koperasi", "created_by").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        jobs.filter(pk=job_id).update(done=done, total=total)

    try:
        with acting_as(job.created_by, label="members-import"):
            if job.kind == ImportJob.Kind.MEMBERS:
                report = import_members(job.koperasi, bytes(job.data), job.filename, dry_run=job.dry_run,
                                        by=job.created_by, progress=progress)
            else:
                report = import_opening_balances(job.koperasi, bytes(job.data), job.filename, date=job.opening_date,
                                                 dry_run=job.dry_run, by=job.created_by, progress=progress)
    except ImportRejected as exc:
        job.status, job.message = ImportJob.Status.FAILED, exc.message_id[:300]
        job.errors = [{"row": e.row, "column": e.column, "message": e.message, "message_en": e.message_en}
                      for e in exc.errors[:1000]]
        job.total = job.done = exc.rows
    except DomainError as exc:
        job.status, job.message = ImportJob.Status.FAILED, exc.message_id[:300]
    except Exception as exc:  # noqa: BLE001
        import logging

        logging.getLogger(__name__).exception("member import job %s failed", job_id)
        job.status, job.message = ImportJob.Status.FAILED, f"Gagal: {exc}"[:300]
    else:
        job.status = ImportJob.Status.DONE
        job.total = job.done = report.rows
        job.created = report.created
        job.warnings = report.warnings[:200]
        job.message = (f"{report.rows} baris diperiksa" + ("" if report.dry_run else f", {report.created} disimpan")
                       + (f"; total Rp{report.total_amount:,.0f}".replace(",", ".") if report.total_amount else ""))
    job.data = b""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "errors", "warnings", "total", "done", "created", "data",
                            "finished_at"])
    return job
