"""Exports for supervisors: the cooperative table as Excel (streamed row by row; big regions run as a background
job with progress, see ``jobs``) and the region report as PDF (from ``RegionStat`` rows only, like the page)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
from decimal import Decimal

from django.utils import timezone, translation

from kopdes.core.money import format_rupiah
from kopdes.core.pdf import para
from kopdes.core.sheets import safe_row, xlsx_bytes

from .models import STAGE_LABELS, HealthClass
from .queries import place_names

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COOP_COLUMNS = ["Kode wilayah", "Desa/kelurahan", "Kecamatan", "Koperasi", "Status", "Tahap", "Anggota", "Simpanan pokok", "Simpanan wajib",
                "Simpanan sukarela", "Pinjaman beredar", "NPL %", "Aset", "Ekuitas", "Pendapatan", "SHU berjalan",
                "Skor", "Kelas", "Peringatan", "RAT terakhir", "Data per"]
_VALUES = ("region_code", "koperasi__name", "koperasi__status", "koperasi__formation__stage", "members",
           "simpanan_pokok", "simpanan_wajib", "simpanan_sukarela", "loans_outstanding", "npl_ratio", "assets", "equity",
           "revenue", "result", "health_score", "health_class", "warning_detail", "last_rat_date", "as_of")


def _in_indonesian(fn):
    """Official documents speak Bahasa Indonesia whatever the reader's UI language (labels are lazy). A fresh
    ``override`` per call: one shared ``@translation.override`` instance keeps its previous language on itself,
    which threads running exports at the same time would overwrite."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with translation.override("id"):
            return fn(*args, **kwargs)

    return wrapped


@_in_indonesian
def coop_workbook(qs, *, progress=None, every: int = 2000) -> bytes:
    """The cooperative table (a ``CoopSnapshot`` queryset, already filtered and sorted) as an .xlsx file.

    ``progress(done, total)`` is called every ``every`` rows (the background export shows it)."""
    from openpyxl import Workbook

    total = qs.count() if progress else 0
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("koperasi")
    ws.append(COOP_COLUMNS)
    n = 0
    rows = qs.values_list(*_VALUES).iterator(chunk_size=5000)
    while chunk := list(itertools.islice(rows, 5000)):
        names = place_names(r[0] for r in chunk)
        for r in chunk:
            n += 1
            _append_coop(ws, r, names.get(r[0], ("", "")))
            if progress and n % every == 0:
                progress(n, total)
    data = xlsx_bytes(wb)
    if progress:
        progress(n, total)
    return data


def _append_coop(ws, r, place: tuple[str, str]) -> None:
    r = list(r)
    r[3] = str(STAGE_LABELS.get(r[3] or 0))
    for i in (5, 6, 7, 8, 10, 11, 12, 13):
        r[i] = float(r[i] or 0)
    r[9] = float(r[9]) if r[9] is not None else None
    r[14] = float(r[14]) if r[14] is not None else None
    r[15] = str(HealthClass(r[15]).label)
    r[16] = "; ".join((r[16] or {}).values())
    ws.append(safe_row([r[0], *place, *r[1:]]))  # write-only: neutralised row by row


def _n(v) -> str:
    return format_rupiah(v, with_symbol=False)


def _p(n: int, of: int) -> str:
    if not of:
        return "–"
    return f"{(Decimal(n * 100) / of).quantize(Decimal('0.1'))}".replace(".", ",") + "%"


@_in_indonesian
def region_pdf(ctx: dict, title: str, *, today: dt.date | None = None) -> bytes:
    """The region report (what the region page shows) as an A4 PDF: villages and formation stages, legal
    milestones, health classes, early warnings, financial totals and the table per child region."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    today = today or timezone.localdate()
    styles = getSampleStyleSheet()
    stat = ctx["stat"]
    villages = stat.villages

    def table(data, widths=None):
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([
            ("FONTSIZE", (0, 0), (-1, -1), 8), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d1d5db")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        return t

    story = [
        para(f"Laporan pengawasan KDMP — {title}", styles["Title"]),
        Paragraph(f"Per {today:%d-%m-%Y}; angka dari ringkasan per koperasi (diperbarui "
                  f"{timezone.localtime(stat.refreshed_at):%d-%m-%Y %H:%M}).", styles["Normal"]),
        Spacer(1, 4 * mm),
        table([["Desa/kelurahan", "Kelurahan", "KDMP terdaftar", "Berbadan hukum (AHU)", "Dengan peringatan",
                "Anggota"],
               [_n(villages), _n(stat.kelurahan), f"{_n(stat.get('k'))} ({_p(stat.get('k'), villages)})",
                f"{_n(stat.get('m:ahu'))} ({_p(stat.get('m:ahu'), villages)})", _n(stat.get("warned")),
                _n(stat.get("members"))]]),
        Spacer(1, 4 * mm),
    ]
    stages = [["Tahap pembentukan", "Desa", "%"]] + [[f"{i}. {label}", _n(n), _p(n, villages)]
                                                     for i, label, n, _pc in ctx["stages"]]
    health = [["Kelas kesehatan", "Koperasi"]] + [[str(label), _n(n)] for _c, label, n in ctx["health"]]
    warns = [["Peringatan dini", "Koperasi"]] + [[str(label), _n(n)] for _c, label, n in ctx["warnings"]]
    side = Table([[table(health, [45 * mm, 22 * mm])], [Spacer(1, 3 * mm)], [table(warns, [60 * mm, 22 * mm])]])
    story += [Table([[table(stages, [50 * mm, 22 * mm, 18 * mm]), side]], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]),
              Spacer(1, 4 * mm)]
    story.append(table([["Tonggak legalitas", "Desa", "%"]] + [[str(label), _n(n), _p(n, villages)]
                                                               for _k, label, n, _pc in ctx["milestones"]],
                       [60 * mm, 25 * mm, 20 * mm]))
    story.append(Spacer(1, 4 * mm))
    t = ctx["totals"]
    story.append(table([["Simpanan pokok", "Simpanan wajib", "Simpanan sukarela", "Pinjaman beredar", "Aset",
                         "Ekuitas", "Pendapatan", "SHU berjalan"],
                        [format_rupiah(t[k]) for k in ("pokok", "wajib", "sukarela", "loans", "assets", "equity",
                                                       "revenue", "result")]]))
    if ctx["children"]:
        story += [Spacer(1, 4 * mm), para(f"Per {ctx['child_level']}", styles["Heading3"])]
        rows = [[ctx["child_level"], "Kode", "Desa", "KDMP", "AHU", "Beroperasi", "Sehat", "Pengawasan",
                 "Peringatan", "Anggota"]]
        for c in ctx["children"]:
            rows.append([c["name"], c["code"], _n(c["villages"]), _n(c["koperasi"]),
                         f"{_n(c['ahu'])} ({_p(c['ahu'], c['villages'])})",
                         f"{_n(c['operating'])} ({_p(c['operating'], c['villages'])})", _n(c["sehat"]),
                         _n(c["khusus"]), _n(c["warned"]), _n(c["members"])])
        story.append(table(rows))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                      bottomMargin=12 * mm, title=f"Pengawasan {title}").build(story)
    return buf.getvalue()
