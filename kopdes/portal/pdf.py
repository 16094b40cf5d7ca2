"""The member's savings statement (rekening simpanan) as a PDF (ReportLab, A4)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.db.models import Sum
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kopdes.core.money import format_rupiah
from kopdes.core.pdf import para

KIND_LABEL = {"pokok": "Pokok", "wajib": "Wajib", "sukarela": "Sukarela"}


def savings_statement(member, rows: list, opening_qs, start: dt.date, end: dt.date) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Rekening simpanan {member.number}",
                            author=member.koperasi.name)
    st = getSampleStyleSheet()
    story = [
        para(member.koperasi.name, st["Title"]),
        Paragraph("Rekening Simpanan Anggota / Member savings statement", st["Heading2"]),
        para(f"{member.name} — No. anggota {member.number}", st["Normal"]),
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
            t.date.strftime("%d/%m/%Y"), KIND_LABEL.get(t.kind, t.kind), para(t.memo or t.get_type_display(),
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


def shu_slip(member, row: dict) -> bytes:
    """The member's SHU slip for one fiscal year: the amounts and how each was computed (A5).

    ``row`` is one year of :func:`kopdes.portal.sources.shu` (amounts from the ledger's SHU allocation)."""
    buf = io.BytesIO()
    year = row["year"]
    doc = SimpleDocTemplate(buf, pagesize=A5, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=f"Slip SHU {year} {member.number}",
                            author=member.koperasi.name)
    st = getSampleStyleSheet()
    rp = format_rupiah
    data = [
        ["Anggota / Member", f"{member.name}"],
        ["No. anggota", member.number],
        ["Tahun buku / Fiscal year", str(year)],
        ["SHU koperasi (dibagi)", rp(row["cooperative_shu"])],
        ["Bagian jasa modal (semua anggota)", rp(row["capital_pool"])],
        ["Rata-rata simpanan pokok+wajib Anda", f"{rp(row['capital_basis'])} dari {rp(row['capital_total'])}"],
        ["SHU jasa modal Anda", rp(row["capital_share"])],
        ["Bagian jasa usaha (semua anggota)", rp(row["transaction_pool"])],
        ["Transaksi Anda dengan koperasi", f"{rp(row['transaction_basis'])} dari {rp(row['transaction_total'])}"],
        ["SHU jasa usaha Anda", rp(row["transaction_share"])],
        ["Jumlah SHU Anda / Your SHU", rp(row["total"])],
        ["Status", str(row.get("status") or "")],
    ]
    table = Table(data, colWidths=[58 * mm, 66 * mm])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5), ("FONT", (0, 10), (-1, 10), "Helvetica-Bold", 9),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("GRID", (0, 0), (-1, -1), 0.2, colors.grey),
    ]))
    doc.build([
        para(member.koperasi.name, st["Heading3"]),
        Paragraph(f"Slip SHU tahun buku {year}", st["Title"]),
        table,
        Spacer(1, 4 * mm),
        Paragraph("Jasa modal = bagian jasa modal × simpanan Anda ÷ simpanan semua anggota; jasa usaha = bagian jasa "
                  "usaha × transaksi Anda ÷ transaksi semua anggota (AD/ART, keputusan RAT). Angka sama dengan "
                  "alokasi SHU di buku besar koperasi.", st["Italic"]),
    ])
    return buf.getvalue()
