"""Printable documents: the warehouse receipt (PDF with a QR code to the public verification page) and the
utilisation report (Excel and PDF)."""

from __future__ import annotations

import io
from decimal import Decimal

import segno
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.para import Paragraph

from kopdes.core.money import format_rupiah
from kopdes.core.pdf import esc
from kopdes.core.sheets import xlsx_bytes

from .models import WarehouseReceipt

MONTHS = ["", "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def _kg(v) -> str:
    return format_rupiah(Decimal(v), with_symbol=False) + " kg"


def qr_png(url: str, scale: int = 4) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def receipt_pdf(receipt: WarehouseReceipt, verify_url: str) -> bytes:
    lot = receipt.lot
    k = receipt.koperasi
    buf = io.BytesIO()
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    c.setTitle(f"Resi gudang {receipt.number}")
    y = h - 20 * mm
    c.setFont("Helvetica-Bold", 14)
    c.drawString(20 * mm, y, k.name.upper()[:70])
    c.setFont("Helvetica", 9)
    c.drawString(20 * mm, y - 5 * mm, (k.address or "")[:110])
    c.setFont("Helvetica-Bold", 16)
    c.drawString(20 * mm, y - 16 * mm, "RESI GUDANG / WAREHOUSE RECEIPT")
    c.setFont("Helvetica", 11)
    c.drawString(20 * mm, y - 23 * mm, f"Nomor: {receipt.number}")
    c.drawString(20 * mm, y - 29 * mm, f"Tanggal terbit: {receipt.issued_on:%d-%m-%Y}")
    c.drawImage(ImageReader(io.BytesIO(qr_png(verify_url))), w - 60 * mm, y - 35 * mm, 40 * mm, 40 * mm)
    rows = [
        ("Penyimpan", lot.depositor_name + (" (anggota)" if lot.member_id else " (umum)")),
        ("Gudang / ruang", f"{lot.facility.name} — {lot.zone.name}"),
        ("Nomor lot", lot.number),
        ("Komoditas", lot.get_commodity_display() + (f" — {lot.variety}" if lot.variety else "")),
        ("Mutu / kelas", lot.grade or "-"),
        ("Kadar air", f"{lot.moisture_pct}%" if lot.moisture_pct is not None else "-"),
        ("Kotoran / benda asing", f"{lot.impurities_pct}%" if lot.impurities_pct is not None else "-"),
        ("Jumlah kemasan", str(lot.bags or "-")),
        ("Berat kotor", _kg(lot.gross_kg)),
        ("Berat bersih", _kg(lot.net_kg)),
        ("Tanggal masuk", f"{lot.intake_date:%d-%m-%Y}"),
        ("Tarif sewa", f"{format_rupiah(lot.tariff_rate)}/kg/{'hari' if lot.tariff_period == 'day' else 'bulan'}"),
    ]
    t = Table([[a, b] for a, b in rows], colWidths=[55 * mm, 110 * mm])
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 10),
                           ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 10),
                           ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    tw, th = t.wrapOn(c, w, h)
    t.drawOn(c, 20 * mm, y - 45 * mm - th)
    yy = y - 55 * mm - th
    c.setFont("Helvetica", 8.5)
    for line in (
        "Barang titipan tetap milik penyimpan; koperasi menyimpan dan menjaganya sesuai ketentuan gudang.",
        "Sewa gudang dihitung per hari sejak tanggal masuk dan dibayar saat barang dikeluarkan.",
        "Resi yang dijaminkan tidak dapat ditukar dengan barang sebelum pemberi pinjaman melepas jaminan.",
        f"Periksa keaslian dan status resi dengan memindai kode QR atau membuka: {verify_url}",
    ):
        c.drawString(20 * mm, yy, line[:150])
        yy -= 5 * mm
    yy -= 15 * mm
    c.setFont("Helvetica", 10)
    c.drawString(20 * mm, yy, "Penyimpan,")
    c.drawString(120 * mm, yy, "Kepala gudang,")
    c.drawString(20 * mm, yy - 22 * mm, f"({lot.depositor_name})")
    c.drawString(120 * mm, yy - 22 * mm, "(..............................)")
    c.showPage()
    c.save()
    return buf.getvalue()


def report_xlsx(koperasi, year: int, rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"Utilisasi {year}"
    ws.append([f"{koperasi.name} — utilisasi & pendapatan gudang {year}"])
    ws["A1"].font = Font(bold=True)
    header = ["Fasilitas", "Bulan", "Rata-rata tersimpan (kg)", "Akhir bulan (kg)", "Kapasitas (kg)",
              "Utilisasi (%)", "Masuk (kg)", "Keluar (kg)", "Pendapatan sewa (Rp)"]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r["facility"], MONTHS[r["month"]], r["avg_kg"], r["end_kg"], r["capacity_kg"],
                   r["utilisation_pct"], r["intake_kg"], r["release_kg"], r["revenue"]])
    for col, width in zip("ABCDEFGHI", (28, 8, 22, 16, 14, 12, 12, 12, 20), strict=True):
        ws.column_dimensions[col].width = width
    return xlsx_bytes(wb)


def report_pdf(koperasi, year: int, rows: list[dict]) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=f"Utilisasi gudang {year}")
    styles = getSampleStyleSheet()
    data = [["Fasilitas", "Bulan", "Rata-rata kg", "Akhir kg", "Kapasitas kg", "Utilisasi", "Masuk kg",
             "Keluar kg", "Pendapatan sewa"]]
    for r in rows:
        data.append([r["facility"], MONTHS[r["month"]], format_rupiah(r["avg_kg"], with_symbol=False),
                     format_rupiah(r["end_kg"], with_symbol=False), format_rupiah(r["capacity_kg"], with_symbol=False),
                     f"{r['utilisation_pct']}%" if r["utilisation_pct"] is not None else "-",
                     format_rupiah(r["intake_kg"], with_symbol=False), format_rupiah(r["release_kg"], with_symbol=False),
                     format_rupiah(r["revenue"])])
    t = Table(data, repeatRows=1)
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
                           ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                           ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                           ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    doc.build([Paragraph(f"<b>{esc(koperasi.name)}</b> — utilisasi &amp; pendapatan gudang {year}", styles["Title"]),
               Spacer(1, 4 * mm), t])
    return buf.getvalue()
