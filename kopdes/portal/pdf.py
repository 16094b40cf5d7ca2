"""The member's savings statement (rekening simpanan) as a PDF (ReportLab, A4)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.db.models import Sum
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kopdes.core.money import format_rupiah

KIND_LABEL = {"pokok": "Pokok", "wajib": "Wajib", "sukarela": "Sukarela"}


def savings_statement(member, rows: list, opening_qs, start: dt.date, end: dt.date) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Rekening simpanan {member.number}",
                            author=member.koperasi.name)
    st = getSampleStyleSheet()
    story = [
        Paragraph(member.koperasi.name, st["Title"]),
        Paragraph("Rekening Simpanan Anggota / Member savings statement", st["Heading2"]),
        Paragraph(f"{member.name} — No. anggota {member.number}", st["Normal"]),
        Paragraph(f"Periode {start:%d/%m/%Y} – {end:%d/%m/%Y}", st["Normal"]),
        Spacer(1, 6 * mm),
    ]
    running = {k: Decimal(0) for k in KIND_LABEL}
    if opening_qs is not None:
        for r in opening_qs.values("kind").annotate(s=Sum("amount")).order_by():
            running[r["kind"]] = r["s"] or Decimal(0)
    data = [["Tanggal", "Jenis", "Keterangan", "Setor", "Tarik", "Saldo jenis"]]
    data.append(["", "", "Saldo awal", "", "", format_rupiah(sum(running.values(), Decimal(0)))])
    for t in rows:
        running[t.kind] += t.amount
        data.append([
            t.date.strftime("%d/%m/%Y"), KIND_LABEL.get(t.kind, t.kind), Paragraph(t.memo or t.get_type_display(),
                                                                                   st["BodyText"]),
            format_rupiah(t.amount) if t.amount > 0 else "", format_rupiah(-t.amount) if t.amount < 0 else "",
            format_rupiah(running[t.kind]),
        ])
    table = Table(data, colWidths=[22 * mm, 20 * mm, 62 * mm, 26 * mm, 26 * mm, 28 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9), ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
        ("ALIGN", (3, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black), ("GRID", (0, 1), (-1, -1), 0.2, colors.grey),
    ]))
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    totals = [["Saldo akhir", *[f"{KIND_LABEL[k]}: {format_rupiah(v)}" for k, v in running.items()],
               f"Total: {format_rupiah(sum(running.values(), Decimal(0)))}"]]
    story.append(Table(totals, style=[("FONT", (0, 0), (-1, -1), "Helvetica-Bold", 9)]))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"Dicetak {dt.date.today():%d/%m/%Y} dari portal anggota. Saldo sama dengan buku besar "
                           "koperasi (akun simpanan per anggota).", st["Italic"]))
    doc.build(story)
    return buf.getvalue()
