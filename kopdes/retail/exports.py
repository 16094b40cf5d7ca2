"""Excel (openpyxl) and PDF (ReportLab) for report tables."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.http import HttpResponse

from kopdes.core.money import format_rupiah
from kopdes.core.pdf import para
from kopdes.core.sheets import xlsx_bytes


def _cell(v):
    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral_value() else int(v)
    return v


def export(fmt: str, title: str, subtitle: str, headers: list[str], rows: list[list], filename: str) -> HttpResponse:
    if fmt == "xlsx":
        return xlsx(title, subtitle, headers, rows, filename)
    return pdf(title, subtitle, headers, rows, filename)


def xlsx(title, subtitle, headers, rows, filename) -> HttpResponse:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title[:30].replace("/", "-")
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([subtitle])
    ws.append([])
    ws.append(headers)
    for c in ws[4]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([_cell(v) for v in r])
    for i, _h in enumerate(headers, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = 18
    data = xlsx_bytes(wb)
    resp = HttpResponse(data,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return resp


def _fmt(v):
    if isinstance(v, Decimal):
        return format_rupiah(v, with_symbol=False)
    if isinstance(v, dt.date):
        return v.strftime("%d-%m-%Y")
    return "" if v is None else str(v)


def pdf(title, subtitle, headers, rows, filename) -> HttpResponse:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=28, rightMargin=28, topMargin=28,
                            bottomMargin=28, title=title)
    styles = getSampleStyleSheet()
    data = [headers] + [[_fmt(v) for v in r] for r in rows]
    table = Table(data, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f1f1")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    doc.build([para(title, styles["Title"]), para(subtitle, styles["Normal"]), Spacer(1, 8), table])
    resp = HttpResponse(buf.getvalue(), content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return resp
