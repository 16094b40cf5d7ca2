"""Render a :class:`reports.Report` as CSV, Excel (openpyxl) or PDF (ReportLab)."""

from __future__ import annotations

import io
from decimal import Decimal

from kopdes.core.money import format_rupiah
from kopdes.core.pdf import esc, para
from kopdes.core.sheets import csv_writer, xlsx_bytes

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


CENT = Decimal("0.01")


def _money(v):
    """Amounts to two decimals in every export (no float tails from SQLite sums)."""
    return v.quantize(CENT) if isinstance(v, Decimal) else v


def _cell_text(v) -> str:
    if isinstance(v, Decimal):
        return format_rupiah(v, with_symbol=False)
    return "" if v is None else str(v)


def to_csv(rep) -> bytes:
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow([rep.koperasi.name])
    w.writerow([rep.title])
    w.writerow([rep.period_label])
    w.writerow(["Uraian", "Kode", *rep.columns])
    for r in rep.rows:
        w.writerow([("  " * r.level) + r.label, r.code if r.kind != "entry" else "",
                    *[str(_money(v)) if isinstance(v, Decimal) else ("" if v is None else v) for v in r.values]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rep) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = rep.key[:30] or "laporan"
    ws.append([rep.koperasi.name])
    ws.append([rep.title])
    ws.append([rep.period_label])
    ws.append([])
    ws.append(["Uraian", *rep.columns])
    for c in ws[5]:
        c.font = Font(bold=True)
    for r in rep.rows:
        vals = [_money(v) if isinstance(v, Decimal | int | type(None)) else str(v) for v in r.values]
        ws.append([r.label, *vals])
        row = ws.max_row
        ws.cell(row=row, column=1).alignment = Alignment(indent=r.level * 2)
        if r.kind in ("section", "total", "subtotal"):
            for c in ws[row]:
                c.font = Font(bold=True)
        for col in range(2, 2 + len(vals)):
            cell = ws.cell(row=row, column=col)
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00;(#,##0.00)"
    ws.column_dimensions["A"].width = 55
    for i in range(len(rep.columns)):
        ws.column_dimensions[chr(ord("B") + i)].width = 20
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"].font = Font(bold=True)
    return xlsx_bytes(wb)


def pdf_story(rep, styles=None):
    """Flowables of one report (shared with the RAT pack)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = styles or getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story = [para(rep.koperasi.name, styles["Title"]), para(rep.title, styles["Heading2"]),
             para(rep.period_label, styles["Normal"]), Spacer(1, 4 * mm)]
    data = [["Uraian", *rep.columns]]
    style = [("FONTSIZE", (0, 0), (-1, -1), 7.5), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
             ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold")]
    for r in rep.rows:
        label = Paragraph(("&nbsp;" * 4 * r.level) + esc(r.label), small)
        data.append([label, *[_cell_text(v) for v in r.values]] + [""] * (len(rep.columns) - len(r.values)))
        i = len(data) - 1
        if r.kind in ("section", "total", "subtotal"):
            style.append(("FONTNAME", (0, i), (-1, i), "Helvetica-Bold"))
        if r.kind == "total":
            style.append(("LINEABOVE", (1, i), (-1, i), 0.5, colors.black))
    ncol = len(rep.columns)
    avail = 180 * mm if ncol <= 3 else 267 * mm
    first = avail * (0.5 if ncol <= 3 else 0.3)
    widths = [first] + [(avail - first) / max(ncol, 1)] * ncol
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle(style))
    story.append(t)
    for name, ok in rep.checks.items():
        story.append(para(f"Pemeriksaan {name}: {'OK' if ok else 'TIDAK COCOK'}", small))
    return story


def to_pdf(rep) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    size = A4 if len(rep.columns) <= 3 else landscape(A4)
    doc = SimpleDocTemplate(out, pagesize=size, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=rep.title, author=rep.koperasi.name)
    doc.build(pdf_story(rep))
    return out.getvalue()


def render(rep, fmt: str) -> bytes:
    return {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[fmt](rep)


def filename(rep, fmt: str) -> str:
    end = rep.end.isoformat() if rep.end else ""
    return f"{rep.key}-{rep.koperasi.slug}-{end}.{fmt}"
