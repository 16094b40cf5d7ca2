"""Statement (rekening koran simpanan) as PDF, A4 portrait, ReportLab platypus."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kopdes.core.money import format_rupiah
from kopdes.core.pdf import markup

from .statement import Statement


def statement_pdf(st: Statement) -> bytes:
    m = st.member
    k = m.koperasi
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Rekening simpanan {m.number}")
    ss = getSampleStyleSheet()
    small = ss["BodyText"].clone("small", fontSize=8, leading=10)
    story = [
        Paragraph(markup("<b>{}</b>", k.name), ss["Title"].clone("t", fontSize=13)),
        Paragraph("REKENING KORAN SIMPANAN ANGGOTA", ss["Heading3"]),
        Paragraph(markup("Anggota: <b>{} — {}</b> · NIK {} · {}", m.number, m.name, m.nik, m.get_status_display()),
                  small),
        Paragraph(f"Periode: {st.start.strftime('%d-%m-%Y') if st.start else 'awal'} s.d. "
                  f"{st.end.strftime('%d-%m-%Y') if st.end else 'sekarang'}", small),
        Spacer(1, 4 * mm),
    ]
    data = [["Tanggal", "Simpanan", "Transaksi", "Referensi", "Jumlah", "Saldo jenis", "Saldo total"],
            ["", "Saldo awal", "", "", "", "", format_rupiah(st.opening_total)]]
    for r in st.rows:
        data.append([r.date.strftime("%d-%m-%Y"), r.kind_label.replace("Simpanan ", ""), r.type_label[:28],
                     r.reference, format_rupiah(r.amount), format_rupiah(r.balance), format_rupiah(r.total)])
    t = Table(data, repeatRows=1, colWidths=[20 * mm, 20 * mm, 38 * mm, 30 * mm, 24 * mm, 24 * mm, 24 * mm])
    t.setStyle(TableStyle([
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#fde8e8")),
        ("ALIGN", (4, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
    ]))
    story.append(t)
    story.append(Spacer(1, 4 * mm))
    summary = [["Saldo akhir", ""]] + [[f"Simpanan {kind}", format_rupiah(v)] for kind, v in st.closing.items()]
    summary.append(["Jumlah", format_rupiah(st.closing_total)])
    s = Table(summary, colWidths=[50 * mm, 35 * mm])
    s.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 8.5), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                           ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, -1), (-1, -1),
                                                                                  "Helvetica-Bold")]))
    story.append(s)
    for sec in st.sections:
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(markup("<b>{}</b>", sec.get("title", "")), ss["Heading4"]))
        rows = [[r["date"].strftime("%d-%m-%Y") if r.get("date") else "", r.get("label", ""),
                 format_rupiah(r.get("amount", 0))] for r in sec.get("rows", [])]
        if sec.get("balance") is not None:
            rows.append(["", sec.get("balance_label", "Saldo"), format_rupiah(sec["balance"])])
        if rows:
            tt = Table(rows, colWidths=[22 * mm, 110 * mm, 30 * mm])
            tt.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 7.5), ("ALIGN", (2, 0), (2, -1), "RIGHT")]))
            story.append(tt)
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph("Dokumen ini dicetak dari Kopdes; saldo sama dengan buku besar pembantu anggota.", small))
    doc.build(story)
    return buf.getvalue()
