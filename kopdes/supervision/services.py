"""Operations that change supervision data. Each is atomic and refuses bad input with a ``DomainError``
(Indonesian first, English second) naming the field; nothing partial is ever written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kopdes.core import validators as v
from kopdes.core.errors import DomainError
from kopdes.core.models import Koperasi, Region
from kopdes.core.sheets import xlsx_bytes

from . import snapshots, stats
from .access import can_edit_village, supervises
from .models import (
    GOVERNANCE_LABELS,
    MILESTONE_KEYS,
    MILESTONE_LABELS,
    UNIT_CODES,
    AnnualMeetingReport,
    BuildingStatus,
    FollowUp,
    FormationEvidence,
    GovernanceIndicator,
    Rating,
    RecordedVia,
    SupervisionVisit,
    VillageFormation,
    VisitArea,
    VisitFinding,
)

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES = {  # magic bytes → (content type, extensions)
    b"%PDF-": ("application/pdf", {".pdf"}),
    b"\xff\xd8\xff": ("image/jpeg", {".jpg", ".jpeg"}),
    b"\x89PNG\r\n\x1a\n": ("image/png", {".png"}),
}

DATE_FIELDS = [f"{k}_date" for k in MILESTONE_KEYS] + [f"unit_{u}" for u in UNIT_CODES]
TEXT_FIELDS = ["musdesus_berita_acara", "akta_number", "notary_name", "ahu_number", "nib", "npwp", "bank_name",
               "bank_account", "notes"]
INT_FIELDS = ["musdesus_attendance", "rapat_pendirian_attendance"]
CHOICE_FIELDS = {"formation_model": Koperasi.FormationModel, "building_status": BuildingStatus}
EDITABLE = set(DATE_FIELDS) | set(TEXT_FIELDS) | set(INT_FIELDS) | set(CHOICE_FIELDS)


def _refuse_outside(code: str) -> DomainError:
    err = DomainError(
        f"Desa/kelurahan {code} di luar wilayah kewenangan Anda.",
        f"Village {code} is outside your jurisdiction.", field="region", code="outside_region")
    err.status = 403
    return err


def _village(code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None or region.level != Region.Level.DESA:
        raise DomainError(
            f"Kode desa/kelurahan {code!r} tidak dikenal (harus kode Kemendagri tingkat desa, mis. 16.02.04.2006).",
            f"Unknown village code {code!r} (a Kemendagri level-4 code, e.g. 16.02.04.2006).",
            field="region", code="unknown_region")
    return region


def _check_dates_in_order(f: VillageFormation, today: dt.date) -> None:
    prev_key, prev_date = None, None
    for key in MILESTONE_KEYS:
        d = f.milestone_date(key)
        if d is None:
            continue
        if d > today:
            raise DomainError(f"Tanggal {MILESTONE_LABELS[key]} ({d:%d-%m-%Y}) ada di masa depan.",
                              f"The {key} date is in the future.", field=f"{key}_date", code="future_date")
        if prev_date is not None and d < prev_date:
            raise DomainError(
                f"Tanggal {MILESTONE_LABELS[key]} ({d:%d-%m-%Y}) sebelum tanggal {MILESTONE_LABELS[prev_key]} "
                f"({prev_date:%d-%m-%Y}). Tahapan harus berurutan.",
                f"The {key} date ({d}) is before the {prev_key} date ({prev_date}): milestones must be in order.",
                field=f"{key}_date", code="milestone_order")
        prev_key, prev_date = key, d
    for u in UNIT_CODES:
        d = getattr(f, f"unit_{u}")
        if d is None:
            continue
        if d > today:
            raise DomainError(f"Tanggal mulai unit {u} ada di masa depan.", f"Unit {u} start is in the future.",
                              field=f"unit_{u}", code="future_date")
        if f.rapat_pendirian_date and d < f.rapat_pendirian_date:
            raise DomainError(
                f"Unit {u} tidak mungkin beroperasi ({d:%d-%m-%Y}) sebelum rapat pendirian "
                f"({f.rapat_pendirian_date:%d-%m-%Y}).",
                f"Unit {u} cannot operate before the founding meeting.", field=f"unit_{u}", code="milestone_order")


def _clean_value(name: str, value):
    if name in DATE_FIELDS:
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return parse_date(str(value), name)
    if name in INT_FIELDS:
        if value in (None, ""):
            return None
        try:
            n = int(value)
        except (TypeError, ValueError):
            n = -1
        if n < 0:
            raise DomainError(f"{name}: harus bilangan bulat ≥ 0.", f"{name}: must be a whole number ≥ 0.",
                              field=name, code="invalid_number")
        return n
    if name in CHOICE_FIELDS:
        choices = CHOICE_FIELDS[name]
        value = str(value or "").strip().lower()
        if value not in choices.values:
            raise DomainError(f"{name}: pilihan {value!r} tidak dikenal ({', '.join(choices.values)}).",
                              f"{name}: unknown choice {value!r}.", field=name, code="invalid_choice")
        return value
    value = "" if value is None else str(value).strip()
    try:
        if name == "nib" and value:
            v.validate_nib(value)
        if name == "npwp" and value:
            value = v.normalize_npwp(value)
            v.validate_npwp(value)
    except ValidationError as exc:
        msg = "; ".join(exc.messages)
        raise DomainError(f"{name}: {msg}", f"{name}: {msg}", field=name, code="invalid") from None
    return value


def parse_date(text: str, name: str = "date") -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise DomainError(f"{name}: tanggal {text!r} tidak dapat dibaca (pakai HH-BB-TTTT).",
                      f"{name}: cannot read date {text!r} (use DD-MM-YYYY).", field=name, code="invalid_date")


@transaction.atomic
def record_formation(village_code: str, data: dict, *, by=None, via: str = RecordedVia.DINAS,
                     today: dt.date | None = None) -> VillageFormation:
    """Create or update the formation record of one village. ``data`` holds only the fields to change."""
    today = today or timezone.localdate()
    region = _village(village_code)
    if by is not None and not can_edit_village(by, region.code):
        raise _refuse_outside(region.code)
    unknown = set(data) - EDITABLE
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(sorted(unknown))}", "Unknown field",
                          field=sorted(unknown)[0], code="unknown_field")
    f = VillageFormation.objects.select_for_update().filter(region=region).first()
    old = stats.formation_values(f)
    if f is None:
        k = Koperasi.objects.filter(region=region).first()
        f = VillageFormation(region=region, koperasi=k,
                             formation_model=k.formation_model if k else Koperasi.FormationModel.BARU)
    for name, value in data.items():
        setattr(f, name, _clean_value(name, value))
    _check_dates_in_order(f, today)
    if f.koperasi_id is None:
        f.koperasi = Koperasi.objects.filter(region=region).first()
    f.stage = f.compute_stage()
    f.recorded_via = via
    f.updated_by = by if getattr(by, "pk", None) else None
    f.updated_at = timezone.now()
    f.save()
    stats.formation_changed(region.code, old, stats.formation_values(f))
    return f


def _sniff(head: bytes) -> tuple[str, set[str]] | None:
    for magic, info in EVIDENCE_TYPES.items():
        if head.startswith(magic):
            return info
    return None


@transaction.atomic
def add_evidence(village_code: str, milestone: str, upload, *, by=None) -> FormationEvidence:
    """Attach a PDF/JPEG/PNG (≤ 5 MB) as evidence of a milestone."""
    region = _village(village_code)
    if by is not None and not can_edit_village(by, region.code):
        raise _refuse_outside(region.code)
    valid = set(MILESTONE_KEYS) | {"bangunan", "unit"}
    if milestone not in valid:
        raise DomainError("Pilih tahapan yang dibuktikan.", "Choose the milestone.", field="milestone",
                          code="invalid_choice")
    size = getattr(upload, "size", None) or 0
    if size > MAX_EVIDENCE_BYTES:
        raise DomainError(f"Berkas terlalu besar ({size // 1024} KB); maksimum {MAX_EVIDENCE_BYTES // 1024 // 1024} MB.",
                          "File too large (max 5 MB).", field="file", code="file_too_large")
    if size == 0:
        raise DomainError("Berkas kosong.", "Empty file.", field="file", code="empty_file")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    info = _sniff(head)
    name = getattr(upload, "name", "berkas") or "berkas"
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if info is None or ext not in info[1]:
        raise DomainError("Bukti harus berupa PDF atau gambar (JPG/PNG).", "Evidence must be a PDF or an image "
                          "(JPG/PNG).", field="file", code="invalid_file_type")
    f = VillageFormation.objects.filter(region=region).first()
    if f is None:
        f = record_formation(region.code, {}, by=by)
    ev = FormationEvidence(formation=f, milestone=milestone, original_name=name[:200], content_type=info[0],
                           size=size, uploaded_by=by if getattr(by, "pk", None) else None)
    ev.file.save(name, upload, save=False)
    ev.save()
    return ev


# --- Excel bulk update ------------------------------------------------------------------------------------

IMPORT_COLUMNS: list[tuple[str, str]] = [
    ("kode_wilayah", "region"),
    ("model", "formation_model"),
    ("sosialisasi", "sosialisasi_date"),
    ("musdesus", "musdesus_date"),
    ("musdesus_hadir", "musdesus_attendance"),
    ("musdesus_berita_acara", "musdesus_berita_acara"),
    ("rapat_pendirian", "rapat_pendirian_date"),
    ("rapat_hadir", "rapat_pendirian_attendance"),
    ("akta", "akta_date"),
    ("akta_nomor", "akta_number"),
    ("notaris", "notary_name"),
    ("ahu", "ahu_date"),
    ("ahu_nomor", "ahu_number"),
    ("nib_tanggal", "nib_date"),
    ("nib", "nib"),
    ("npwp_tanggal", "npwp_date"),
    ("npwp", "npwp"),
    ("rekening", "rekening_date"),
    ("bank", "bank_name"),
    ("nomor_rekening", "bank_account"),
    ("status_bangunan", "building_status"),
    *[(f"unit_{u}", f"unit_{u}") for u in UNIT_CODES],
]


@dataclass
class ImportResult:
    rows: int = 0
    applied: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, code, message)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def import_template() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "pembentukan"
    ws.append([c for c, _f in IMPORT_COLUMNS])
    ws.append(["16.02.04.2006", "baru", "2025-04-20", "2025-05-10", 120, "BA-01/2025", "2025-06-14", 25,
               "2025-06-20", "17", "Ratna Dewi, S.H., M.Kn.", "2025-07-02", "AHU-0012345.AH.01.29.TAHUN 2025"])
    info = wb.create_sheet("petunjuk")
    for line in [
        "Satu baris per desa/kelurahan; kode_wilayah = kode Kemendagri tingkat desa (PP.KK.CC.DDDD).",
        "Sel kosong = tidak diubah. Tanggal: TTTT-BB-HH atau HH-BB-TTTT. Tahapan harus berurutan.",
        "model: baru / pengembangan / revitalisasi. status_bangunan: belum / lahan / dibangun / selesai / beroperasi.",
        "unit_*: tanggal unit mulai beroperasi.",
        "Jika ada satu baris salah, tidak ada yang disimpan; perbaiki baris yang disebut lalu unggah ulang.",
    ]:
        info.append([line])
    return xlsx_bytes(wb)


def import_formations(upload, *, by=None, today: dt.date | None = None) -> ImportResult:
    """Bulk update from an Excel file: all rows or none; errors per row."""
    from kopdes.core import uploads

    result = ImportResult()
    try:
        rows = iter(list(uploads.rows(upload, ".xlsx", csv_ok=False)))
    except DomainError as exc:
        if exc.code == "bad_file":
            raise DomainError("Berkas bukan Excel (.xlsx) yang dapat dibaca.", "Not a readable Excel (.xlsx) file.",
                              field="file", code="invalid_file_type") from None
        raise
    header = next(rows, None)
    if not header:
        raise DomainError("Berkas kosong.", "Empty file.", field="file", code="empty_file")
    names = [str(h or "").strip().lower() for h in header]
    colmap = dict(IMPORT_COLUMNS)
    if "kode_wilayah" not in names:
        raise DomainError("Kolom kode_wilayah tidak ada pada baris judul.", "Header row lacks kode_wilayah.",
                          field="file", code="bad_header")
    unknown = [n for n in names if n and n not in colmap]
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}", f"Unknown columns: {', '.join(unknown)}",
                          field="file", code="bad_header")
    seen: dict[str, int] = {}
    try:
        with transaction.atomic():
            for idx, values in enumerate(rows, start=2):
                if values is None or all(x in (None, "") for x in values):
                    continue
                result.rows += 1
                rec = {names[i]: values[i] for i in range(min(len(names), len(values))) if names[i]}
                code = str(rec.pop("kode_wilayah") or "").strip()
                if code in seen:
                    result.errors.append((idx, code, f"Desa {code} sudah ada di baris {seen[code]}."))
                    continue
                seen[code] = idx
                data = {colmap[k]: val for k, val in rec.items() if val not in (None, "")}
                try:
                    with transaction.atomic():
                        record_formation(code, data, by=by, via=RecordedVia.IMPOR, today=today)
                    result.applied += 1
                except DomainError as exc:
                    result.errors.append((idx, code, exc.message))
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.applied = 0
    return result


# --- visits, governance, RAT ---------------------------------------------------------------------------------


def _require_supervisor(by, koperasi: Koperasi) -> None:
    if by is None or not supervises(by, koperasi):
        err = DomainError("Hanya Dinas yang membina koperasi ini yang dapat mencatat.",
                          "Only the supervising Dinas may record this.", code="not_supervisor")
        err.status = 403
        raise err


FINDING_FIELDS = ["area", "indicator", "procedure", "evidence", "rating", "finding", "recommendation",
                  "responsible", "deadline"]


@transaction.atomic
def record_visit(koperasi: Koperasi, *, date: dt.date, findings: list[dict], by, purpose: str = "",
                 summary: str = "", today: dt.date | None = None) -> SupervisionVisit:
    today = today or timezone.localdate()
    _require_supervisor(by, koperasi)
    if date > today:
        raise DomainError("Tanggal kunjungan di masa depan.", "Visit date is in the future.", field="date",
                          code="future_date")
    visit = SupervisionVisit.objects.create(
        koperasi=koperasi, date=date, officer=by, officer_name=getattr(by, "display_name", str(by))[:150],
        purpose=purpose, summary=summary)
    for i, fd in enumerate(findings, start=1):
        if not (fd.get("indicator") or "").strip():
            continue
        if fd.get("area") not in VisitArea.values:
            raise DomainError(f"Temuan {i}: pilih aspek.", f"Finding {i}: choose an area.", field="area")
        if fd.get("rating") not in Rating.values:
            raise DomainError(f"Temuan {i}: pilih penilaian (tidak sesuai/cukup/sesuai).",
                              f"Finding {i}: choose a rating.", field="rating")
        deadline = fd.get("deadline")
        if deadline and deadline < date:
            raise DomainError(f"Temuan {i}: batas waktu sebelum tanggal kunjungan.",
                              f"Finding {i}: deadline before the visit.", field="deadline")
        if fd["rating"] != Rating.SESUAI and not (fd.get("recommendation") or "").strip():
            raise DomainError(f"Temuan {i}: penilaian {fd['rating']} memerlukan rekomendasi.",
                              f"Finding {i}: a recommendation is required.", field="recommendation")
        VisitFinding.objects.create(koperasi=koperasi, visit=visit,
                                    **{k: fd.get(k) or ("" if k != "deadline" else None) for k in FINDING_FIELDS})
    return visit


@transaction.atomic
def update_follow_up(finding: VisitFinding, *, status: str, note: str = "", by) -> VisitFinding:
    """The supervising Dinas or the cooperative's management reports progress on a finding."""
    from .access import manages_village

    k = finding.koperasi
    if by is None or not (supervises(by, k) or manages_village(by, k.region_id)):
        err = DomainError("Anda tidak berwenang memperbarui tindak lanjut.", "Not allowed.", code="forbidden")
        err.status = 403
        raise err
    if status not in FollowUp.values:
        raise DomainError("Status tindak lanjut tidak dikenal.", "Unknown follow-up status.", field="follow_up")
    finding.follow_up = status
    finding.follow_up_note = note[:300]
    finding.save(update_fields=["follow_up", "follow_up_note"])
    return finding


@transaction.atomic
def set_governance(koperasi: Koperasi, *, year: int, scores: dict[str, int], notes: dict[str, str] | None = None,
                   by) -> int:
    _require_supervisor(by, koperasi)
    notes = notes or {}
    n = 0
    for key, score in scores.items():
        if key not in GOVERNANCE_LABELS:
            raise DomainError(f"Indikator {key!r} tidak dikenal.", "Unknown indicator.", field=key)
        if score in (None, ""):
            GovernanceIndicator.objects.filter(koperasi=koperasi, year=year, key=key).delete()
            continue
        score = int(score)
        if not 1 <= score <= 4:
            raise DomainError("Nilai indikator 1 sampai 4.", "Scores are 1 to 4.", field=key, code="invalid_score")
        GovernanceIndicator.objects.update_or_create(
            koperasi=koperasi, year=year, key=key,
            defaults={"score": score, "note": (notes.get(key) or "")[:300], "entered_by": by,
                      "entered_at": timezone.now()})
        n += 1
    snapshots.refresh_koperasi(koperasi)
    return n


@transaction.atomic
def record_rat(koperasi: Koperasi, *, fiscal_year: int, held_on: dt.date, attendance: int | None = None,
               accounts_approved: bool = True, note: str = "", by=None,
               today: dt.date | None = None) -> AnnualMeetingReport:
    """A RAT held: by the cooperative's management or the supervising Dinas."""
    from .access import manages_village

    today = today or timezone.localdate()
    if by is not None and not (supervises(by, koperasi) or manages_village(by, koperasi.region_id)):
        err = DomainError("Anda tidak berwenang mencatat RAT koperasi ini.", "Not allowed.", code="forbidden")
        err.status = 403
        raise err
    if held_on > today:
        raise DomainError("Tanggal RAT di masa depan.", "RAT date in the future.", field="held_on")
    m = koperasi.fiscal_year_start_month
    fy_end = dt.date(fiscal_year, 12, 31) if m == 1 else dt.date(fiscal_year + 1, m, 1) - dt.timedelta(days=1)
    if held_on <= fy_end:
        raise DomainError(f"RAT tahun buku {fiscal_year} harus setelah tutup buku ({fy_end:%d-%m-%Y}).",
                          "The RAT must be held after the fiscal year end.", field="held_on", code="rat_before_year_end")
    rat, _c = AnnualMeetingReport.objects.update_or_create(
        koperasi=koperasi, fiscal_year=fiscal_year,
        defaults={"held_on": held_on, "attendance": attendance, "accounts_approved": accounts_approved,
                  "note": note[:300], "created_by": by if getattr(by, "pk", None) else None})
    snapshots.refresh_koperasi(koperasi, today=today)
    return rat


@transaction.atomic
def save_health_config(data: dict, *, by=None):
    """A new version of the health parameters (weights, classes, thresholds, bands), checked for sense."""
    from .health import DEFAULT_CONFIG
    from .models import HealthConfig

    if not isinstance(data, dict):
        raise DomainError("Format parameter tidak dikenal.", "Unknown format.", field="config")
    weights = data.get("weights", DEFAULT_CONFIG["weights"])
    if set(weights) - set(DEFAULT_CONFIG["weights"]) or any(
            not isinstance(v, int | float) or v < 0 for v in weights.values()) or not sum(weights.values()):
        raise DomainError("Bobot aspek harus angka ≥ 0 (tata_kelola, profil_risiko, kinerja_keuangan, permodalan) "
                          "dan tidak semuanya nol.", "Weights must be numbers ≥ 0, not all zero.", field="config")
    classes = data.get("classes", DEFAULT_CONFIG["classes"])
    try:
        ordered = float(classes["sehat"]) > float(classes["cukup"]) > float(classes["pengawasan"]) >= 0
    except (KeyError, TypeError, ValueError):
        ordered = False
    if not ordered:
        raise DomainError("Batas kelas harus sehat > cukup > pengawasan ≥ 0.", "Class limits must descend.",
                          field="config")
    bands = data.get("bands", {})
    for key, band in bands.items():
        limits = band.get("limits") if isinstance(band, dict) else None
        if key not in DEFAULT_CONFIG["bands"] or not isinstance(limits, list) or len(limits) != 3:
            raise DomainError(f"Rentang rasio {key!r} tidak valid (perlu 3 batas).", "Invalid band.", field="config")
        up = band.get("direction", DEFAULT_CONFIG["bands"][key]["direction"]) == "lower_better"
        if sorted(limits, reverse=not up) != limits:
            raise DomainError(f"Batas rentang {key!r} tidak berurutan.", "Band limits out of order.", field="config")
    thresholds = data.get("thresholds", {})
    if set(thresholds) - set(DEFAULT_CONFIG["thresholds"]) or any(
            not isinstance(v, int | float) or v < 0 for v in thresholds.values()):
        raise DomainError("Ambang peringatan harus angka ≥ 0.", "Thresholds must be numbers ≥ 0.", field="config")
    return HealthConfig.objects.create(weights=weights, classes=classes, bands=bands, thresholds=thresholds,
                                       created_by=by if getattr(by, "pk", None) else None,
                                       name=f"Versi {timezone.localdate():%d-%m-%Y}")
