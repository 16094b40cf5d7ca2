"""Excel (openpyxl) and PDF (ReportLab) output shared by the clinic and the apotek."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.http import HttpResponse

from kopdes.core.pdf import esc as pdf_esc
from kopdes.core.pdf import markup, para
from kopdes.core.sheets import xlsx_bytes


def _cell(v):
    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral_value() else int(v)
    return v


def xlsx_response(filename: str, title: str, headers: list[str], rows: list[list], *, subtitle: str = "") -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    if subtitle:
        ws.append([subtitle])
    ws.append([])
    ws.append(headers)
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([_cell(v) for v in r])
    for i, h in enumerate(headers, 1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(12, min(45, len(str(h)) + 6))
    data = xlsx_bytes(wb)
    resp = HttpResponse(data,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _fmt(v) -> str:
    if isinstance(v, Decimal):
        from kopdes.core.money import format_rupiah

        if v == v.to_integral_value() and abs(v) < 100000 and not str(v).endswith(".00"):
            return f"{v:f}".rstrip("0").rstrip(".").replace(".", ",")
        return format_rupiah(v, with_symbol=False)
    if isinstance(v, dt.date):
        return v.strftime("%d-%m-%Y")
    return "" if v is None else str(v)


def pdf_table_response(filename: str, title: str, headers: list[str], rows: list[list], *, subtitle: str = "",
                       landscape_mode: bool = False) -> HttpResponse:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buf = io.BytesIO()
    size = landscape(A4) if landscape_mode else A4
    doc = SimpleDocTemplate(buf, pagesize=size, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=title)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story = [para(title, styles["Title"])]
    if subtitle:
        story.append(para(subtitle, styles["Normal"]))
    story.append(Spacer(1, 4 * mm))
    data = [[Paragraph(markup("<b>{}</b>", h), small) for h in headers]]
    data += [[para(_fmt(v), small) for v in r] for r in rows]
    t = Table(data, repeatRows=1)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f1f1")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(t)
    doc.build(story)
    resp = HttpResponse(buf.getvalue(), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


def referral_pdf(referral, visit, patient, clinic_settings, koperasi) -> bytes:
    """Surat rujukan (A5-ish layout on A4)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Surat rujukan {referral.number}")
    st = getSampleStyleSheet()
    p = st["BodyText"]

    def esc(s):
        return pdf_esc(s or "-")

    story = [
        Paragraph(f"<b>{esc(clinic_settings.clinic_name)}</b> — {esc(koperasi.name)}", st["Heading3"]),
        Paragraph(esc(clinic_settings.address or koperasi.address), p),
        Spacer(1, 4 * mm),
        Paragraph(f"<b>SURAT RUJUKAN</b> No. {esc(referral.number)}", st["Title"]),
        Paragraph(f"Kepada Yth. {esc(referral.destination)}"
                  + (f", {esc(referral.specialty)}" if referral.specialty else ""), p),
        Paragraph("Mohon pemeriksaan dan penanganan lebih lanjut terhadap pasien:", p),
        Spacer(1, 2 * mm),
    ]
    dx = ", ".join(f"{d.code} {d.name}" for d in visit.diagnoses.all()) or "-"
    vit = []
    if visit.systolic:
        vit.append(f"TD {visit.systolic}/{visit.diastolic or '-'} mmHg")
    if visit.temperature:
        vit.append(f"suhu {visit.temperature} °C")
    if visit.pulse:
        vit.append(f"nadi {visit.pulse}/mnt")
    if visit.weight:
        vit.append(f"BB {visit.weight} kg")
    rows = [
        ["Nama", patient.name], ["No. rekam medis", patient.mrn], ["NIK", patient.nik or "-"],
        ["Umur / jenis kelamin", f"{patient.age_label} / {patient.get_sex_display()}"],
        ["No. BPJS Kesehatan", patient.bpjs_number or "-"], ["Alergi", patient.allergies or "tidak diketahui"],
        ["Keluhan", visit.complaint or "-"], ["Tanda vital", ", ".join(vit) or "-"],
        ["Diagnosis (ICD-10)", dx], ["Alasan rujukan", referral.reason],
        ["Ringkasan klinis & terapi", referral.summary or visit.plan or "-"],
    ]
    t = Table([[Paragraph(f"<b>{esc(a)}</b>", p), Paragraph(esc(b), p)] for a, b in rows],
              colWidths=[50 * mm, 115 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [t, Spacer(1, 8 * mm),
              Paragraph(f"{esc(koperasi.region.name if koperasi.region_id else '')}, "
                        f"{referral.date:%d-%m-%Y}", p),
              Paragraph("Pemeriksa,", p), Spacer(1, 14 * mm),
              Paragraph(esc(referral.created_by.display_name if referral.created_by else ""), p)]
    doc.build(story)
    return buf.getvalue()
