"""Member card PDF (credit-card size, QR code with the member number) drawn with ReportLab and segno."""

from __future__ import annotations

import io

from reportlab.lib.colors import HexColor, white
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .models import Member
from .services import card_payload

CARD_W, CARD_H = 85.6 * mm, 54 * mm
MERAH = HexColor("#b91c1c")


def draw_qr(c: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    """Vector QR code (segno matrix → rectangles), crisp at any print resolution."""
    import segno

    qr = segno.make(text, error="m", micro=False)
    matrix = list(qr.matrix)
    border = 2
    n = len(matrix) + 2 * border
    cell = size / n
    c.setFillColor(white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for col, v in enumerate(row):
            if v:
                c.rect(x + (col + border) * cell, y + size - (r + border + 1) * cell, cell, cell, stroke=0, fill=1)


def _card(c: canvas.Canvas, m: Member, ox: float, oy: float) -> None:
    k = m.koperasi
    c.setStrokeColor(MERAH)
    c.roundRect(ox, oy, CARD_W, CARD_H, 3 * mm, stroke=1, fill=0)
    c.setFillColor(MERAH)
    c.rect(ox, oy + CARD_H - 11 * mm, CARD_W, 11 * mm, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont("Helvetica-Bold", 8)
    c.drawString(ox + 3 * mm, oy + CARD_H - 5 * mm, "KARTU ANGGOTA")
    c.setFont("Helvetica", 6.5)
    c.drawString(ox + 3 * mm, oy + CARD_H - 9 * mm, k.name[:60])
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica-Bold", 10)
    c.drawString(ox + 3 * mm, oy + CARD_H - 17 * mm, m.name[:32])
    c.setFont("Helvetica", 7.5)
    rows = [
        ("No. anggota", m.number),
        ("NIK", m.nik[:6] + "******" + m.nik[-4:]),
        ("Alamat", (m.address_line or "-")[:34]),
        ("Anggota sejak", m.joined_on.strftime("%d-%m-%Y") if m.joined_on else "calon anggota"),
    ]
    y = oy + CARD_H - 23 * mm
    for label, val in rows:
        c.drawString(ox + 3 * mm, y, label)
        c.drawString(ox + 21 * mm, y, ": " + val)
        y -= 4.2 * mm
    draw_qr(c, card_payload(m), ox + CARD_W - 26 * mm, oy + 3 * mm, 23 * mm)
    c.setFont("Helvetica", 5.5)
    c.drawString(ox + 3 * mm, oy + 3 * mm, f"{k.region.name} · pindai QR di gerai/loket koperasi")


def member_cards_pdf(members: list[Member]) -> bytes:
    """A4 sheet(s) of cards, 2 × 5 per page, ready to cut."""
    from reportlab.lib.pagesizes import A4

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle("Kartu anggota")
    pw, ph = A4
    per_page = 10
    for i, m in enumerate(members):
        if i and i % per_page == 0:
            c.showPage()
        slot = i % per_page
        col, row = slot % 2, slot // 2
        ox = 15 * mm + col * (CARD_W + 8 * mm)
        oy = ph - 15 * mm - (row + 1) * (CARD_H + 3 * mm)
        _card(c, m, ox, oy)
    c.showPage()
    c.save()
    return buf.getvalue()


def member_card_pdf(member: Member) -> bytes:
    """One card on a card-sized page (for card printers)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(CARD_W, CARD_H))
    c.setTitle(f"Kartu anggota {member.number}")
    _card(c, member, 0, 0)
    c.showPage()
    c.save()
    return buf.getvalue()


LIST_PDF_MAX = 2000  # about 70 pages, ~2 s to draw; the Excel export has no limit


def member_list_pdf(koperasi, members, *, filters: str = "", total: int | None = None) -> bytes:
    """The (filtered) member register as an A4 landscape table for the board's file or the RAT (daftar anggota).

    ``members`` is at most :data:`LIST_PDF_MAX` rows; ``total`` is the full count (a note says when cut)."""
    from django.utils import timezone
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from kopdes.core.pdf import esc

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=f"Daftar anggota {koperasi.name}")
    ss = getSampleStyleSheet()
    small = ss["BodyText"].clone("small", fontSize=8, leading=10)
    cell = ss["BodyText"].clone("cell", fontSize=7.5, leading=9)
    story = [Paragraph(f"<b>{esc(koperasi.name)}</b>", ss["Title"].clone("t", fontSize=13)),
             Paragraph("DAFTAR ANGGOTA", ss["Heading3"]),
             Paragraph(f"Dicetak {timezone.localdate().strftime('%d-%m-%Y')}"
                       + (f" · Saring: {esc(filters)}" if filters else "") + f" · {len(members)} anggota", small)]
    if total is not None and total > len(members):
        story.append(Paragraph(f"Hanya {len(members)} dari {total} anggota pertama yang dicetak; persempit "
                               "pencarian atau unduh Excel untuk daftar lengkap.", small))
    story.append(Spacer(1, 3 * mm))
    data = [["No.", "Nomor", "Nama", "NIK", "L/P", "Tgl lahir", "Alamat", "HP", "Pekerjaan", "Status",
             "Anggota sejak"]]
    for i, m in enumerate(members, 1):
        addr = " ".join(x for x in [f"RT {m.rt}" if m.rt else "", f"RW {m.rw}" if m.rw else "", m.dusun or ""] if x)
        data.append([str(i), m.number, Paragraph(esc(m.name), cell), m.nik, m.sex,
                     m.birth_date.strftime("%d-%m-%Y") if m.birth_date else "", Paragraph(esc(addr), cell),
                     m.phone_display, m.get_occupation_display(), m.get_status_display(),
                     m.joined_on.strftime("%d-%m-%Y") if m.joined_on else ""])
    t = Table(data, repeatRows=1, colWidths=[10 * mm, 16 * mm, 52 * mm, 32 * mm, 9 * mm, 19 * mm, 42 * mm,
                                             27 * mm, 22 * mm, 22 * mm, 20 * mm])
    t.setStyle(TableStyle([
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#fde8e8")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
    ]))
    story.append(t)
    doc.build(story)
    return buf.getvalue()
