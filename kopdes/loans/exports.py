"""Printable documents (ReportLab) and Excel reports (openpyxl), in Indonesian."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kopdes.core.money import format_rupiah as rp
from kopdes.core.pdf import markup, para
from kopdes.core.sheets import xlsx_bytes

from .models import LOAN_CLASSES
from .schedule import DAY_COUNTS, FREQUENCIES, METHODS, RATE_PERIODS

MONTHS = ["", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]


def tanggal(d) -> str:
    return f"{d.day} {MONTHS[d.month]} {d.year}" if d else "-"


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _doc(story) -> bytes:
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                      bottomMargin=15 * mm).build(story)
    return buf.getvalue()


def _table(data, widths=None, header=True):
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    style = [("FONTSIZE", (0, 0), (-1, -1), 8), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
             ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2dede")), ("FONTNAME", (0, 0), (-1, 0),
                                                                                 "Helvetica-Bold")]
    t.setStyle(TableStyle(style))
    return t


def _schedule_rows(loan):
    rows = list(loan.installments.filter(superseded=False).order_by("no"))
    if rows:
        return [(r.no, r.due_date, r.principal_due, r.interest_due) for r in rows]
    from .schedule import generate

    s = generate(loan.terms(start=loan.disbursed_on or timezone.localdate()))
    return [(r.no, r.due_date, r.principal, r.interest) for r in s.rows]


def _schedule_table(loan):
    data = [["Ke", "Jatuh tempo", "Pokok", "Jasa", "Angsuran", "Sisa pokok"]]
    bal = loan.outstanding if loan.restructured else loan.amount
    if loan.restructured:
        bal = sum((r[2] for r in _schedule_rows(loan)), 0)
    tp = ti = 0
    for no, due, p, i in _schedule_rows(loan):
        bal -= p
        tp += p
        ti += i
        data.append([str(no), tanggal(due), rp(p), rp(i), rp(p + i), rp(bal)])
    data.append(["", "Jumlah", rp(tp), rp(ti), rp(tp + ti), ""])
    return _table(data, [12 * mm, 32 * mm, 30 * mm, 28 * mm, 30 * mm, 30 * mm])


def agreement_pdf(loan) -> bytes:
    ss = getSampleStyleSheet()
    k = loan.koperasi
    m = loan.member
    p = loan.product
    admin, provision = loan.admin_fee or 0, loan.provision_fee or 0
    if not loan.disbursed_on:
        from .services import fees_for

        admin, provision = fees_for(loan)
    rate = f"{loan.rate.normalize()}% {RATE_PERIODS.get(loan.rate_period, loan.rate_period)}"
    story = [
        Paragraph(markup("<b>{}</b>", k.name), ss["Title"]),
        Paragraph("PERJANJIAN PINJAMAN ANGGOTA", ss["Heading2"]),
        para(f"Nomor: {loan.number}", ss["Normal"]), Spacer(1, 6),
        Paragraph(f"Pada hari ini, {tanggal(loan.disbursed_on or loan.applied_on)}, yang bertanda tangan di bawah ini:",
                  ss["Normal"]),
        Paragraph(markup("1. Pengurus {}, selanjutnya disebut <b>KOPERASI</b>;", k.name), ss["Normal"]),
        Paragraph(markup("2. {}, NIK {}, anggota nomor {}, selanjutnya disebut <b>PEMINJAM</b>.", m.name, m.nik,
                         m.number), ss["Normal"]), Spacer(1, 6),
        Paragraph("Para pihak sepakat mengadakan perjanjian pinjaman dengan ketentuan sebagai berikut:", ss["Normal"]),
    ]
    terms = [
        ["Produk", p.name], ["Jumlah pinjaman", rp(loan.amount)],
        ["Jasa (bunga)", f"{rate}, metode {METHODS.get(loan.method, loan.method)}"],
        ["Jangka waktu", f"{loan.tenor} angsuran {FREQUENCIES.get(loan.frequency, '').lower()}"],
        ["Basis hari", DAY_COUNTS.get(loan.day_count, loan.day_count)],
        ["Biaya administrasi", rp(admin)], ["Provisi", rp(provision)],
        ["Diterima bersih", rp(loan.amount - admin - provision)],
        ["Tujuan", f"{loan.get_purpose_display()} {loan.get_sector_display() if loan.sector else ''} "
                   f"{loan.purpose_note}"],
        ["Agunan", f"{loan.collateral_type or '-'} {rp(loan.collateral_value) if loan.collateral_value else ''} "
                   f"{loan.collateral_docs}"],
        ["Penjamin", f"{loan.guarantor.name} ({loan.guarantor.number})" if loan.guarantor else "-"],
        ["Denda keterlambatan", {"harian": f"{p.penalty_rate.normalize()}% per hari dari angsuran tertunggak setelah "
                                           f"{p.penalty_grace_days} hari",
                                 "angsuran": f"{rp(p.penalty_amount)} per angsuran terlambat",
                                 "none": "tidak ada"}.get(p.penalty_mode, "")],
        ["Pelunasan dipercepat", p.get_early_rule_display()],
    ]
    story += [_table(terms, [50 * mm, 120 * mm], header=False), Spacer(1, 8)]
    clauses = [
        "PEMINJAM wajib membayar angsuran sesuai jadwal terlampir paling lambat pada tanggal jatuh tempo.",
        "Pembayaran dialokasikan berturut-turut untuk " + " → ".join(p.allocation()) + ".",
        "Keterlambatan dikenai denda sesuai ketentuan di atas; tunggakan dapat memengaruhi kolektibilitas pinjaman.",
        "Apabila PEMINJAM berhenti sebagai anggota, sisa pinjaman diperhitungkan dengan simpanan yang dikembalikan.",
        "Perselisihan diselesaikan secara musyawarah; bila tidak tercapai, menurut ketentuan hukum yang berlaku.",
    ]
    for i, c in enumerate(clauses, 1):
        story.append(para(f"Pasal {i}. {c}", ss["Normal"]))
    story += [Spacer(1, 8), Paragraph("<b>Jadwal angsuran</b>", ss["Heading3"]), _schedule_table(loan),
              Spacer(1, 20)]
    sign = Table([["KOPERASI", "PEMINJAM", "PENJAMIN"], ["\n\n\n", "", ""],
                  ["(.......................)", f"({m.name})",
                   f"({loan.guarantor.name})" if loan.guarantor else "(.......................)"]],
                 colWidths=[57 * mm] * 3)
    sign.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("FONTSIZE", (0, 0), (-1, -1), 9)]))
    story.append(sign)
    return _doc(story)


def schedule_pdf(loan) -> bytes:
    ss = getSampleStyleSheet()
    story = [Paragraph(markup("<b>{}</b>", loan.koperasi.name), ss["Title"]),
             para(f"Jadwal angsuran pinjaman {loan.number}", ss["Heading2"]),
             para(f"{loan.member.name} ({loan.member.number}) — {rp(loan.amount)}, "
                  f"{loan.rate.normalize()}% {RATE_PERIODS.get(loan.rate_period)}, "
                  f"{METHODS.get(loan.method)}", ss["Normal"]), Spacer(1, 6), _schedule_table(loan)]
    return _doc(story)


def receipt_pdf(rep) -> bytes:
    ss = getSampleStyleSheet()
    loan = rep.loan
    story = [Paragraph(markup("<b>{}</b>", loan.koperasi.name), ss["Title"]),
             para(f"KUITANSI PEMBAYARAN PINJAMAN {rep.number}", ss["Heading2"]),
             _table([["Tanggal", tanggal(rep.date)], ["Anggota", f"{loan.member.name} ({loan.member.number})"],
                     ["Pinjaman", loan.number], ["Jenis", rep.get_kind_display()],
                     ["Cara bayar", rep.get_channel_display()], ["Denda", rp(rep.penalty)],
                     ["Jasa", rp(rep.interest)], ["Pokok", rp(rep.principal)], ["Jumlah", rp(rep.amount)],
                     ["Sisa pokok", rp(loan.outstanding)]] +
                    ([["DIBATALKAN", rep.reversal_reason]] if rep.reversed else []),
                    [45 * mm, 100 * mm], header=False),
             Spacer(1, 24), Paragraph("Petugas: ..............................", ss["Normal"])]
    return _doc(story)


def portfolio_pdf(koperasi, summary, arrears, flows) -> bytes:
    ss = getSampleStyleSheet()
    story = [Paragraph(markup("<b>{}</b>", koperasi.name), ss["Title"]),
             Paragraph(f"Portofolio pinjaman per {tanggal(summary['as_of'])}", ss["Heading2"]),
             _table([["Outstanding", rp(summary["outstanding"])], ["Jumlah pinjaman aktif", str(summary["count"])],
                     ["NPL", f"{rp(summary['npl'])} ({summary['npl_ratio']}%)"],
                     ["PAR 30", f"{rp(summary['par30'])} ({summary['par30_ratio']}%)"],
                     ["PAR 90", f"{rp(summary['par90'])} ({summary['par90_ratio']}%)"],
                     ["PPAP wajib", rp(summary["provision_required"])]], [60 * mm, 80 * mm], header=False),
             Spacer(1, 6), Paragraph("Menurut kolektibilitas", ss["Heading3"]),
             _table([["Golongan", "Jumlah", "Outstanding", "PPAP"]] +
                    [[b["label"], str(b["count"]), rp(b["outstanding"]), rp(b["provision"])]
                     for b in summary["by_class"].values()]),
             Spacer(1, 6), Paragraph("Menurut tujuan/sektor", ss["Heading3"]),
             _table([["Tujuan", "Jumlah", "Outstanding"]] +
                    [[k, str(v["count"]), rp(v["outstanding"])] for k, v in summary["by_purpose"].items()]),
             Spacer(1, 6), Paragraph("Daftar tunggakan (untuk penagih)", ss["Heading3"]),
             _table([["Anggota", "HP", "Pinjaman", "Hari", "Tunggakan"]] +
                    [[r["member"].name, r["phone"], r["loan"].number, str(r["dpd"]), rp(r["total"])]
                     for r in arrears]),
             Spacer(1, 6),
             Paragraph(f"Periode {tanggal(flows['start'])} – {tanggal(flows['end'])}: pencairan "
                       f"{flows['disbursed_count']} ({rp(flows['disbursed'])}), pembayaran {flows['repaid_count']} "
                       f"({rp(flows['repaid'])})", ss["Normal"])]
    return _doc(story)


def portfolio_xlsx(koperasi, summary, arrears, flows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ringkasan"
    bold = Font(bold=True)
    ws.append([koperasi.name])
    ws.append(["Portofolio per", summary["as_of"]])
    for label, key in (("Outstanding", "outstanding"), ("NPL", "npl"), ("NPL %", "npl_ratio"), ("PAR30", "par30"),
                       ("PAR30 %", "par30_ratio"), ("PAR90", "par90"), ("PAR90 %", "par90_ratio"),
                       ("PPAP wajib", "provision_required")):
        ws.append([label, summary[key]])
    ws.append([])
    ws.append(["Kolektibilitas", "Jumlah", "Outstanding", "PPAP"])
    ws[ws.max_row][0].font = bold
    for code, b in summary["by_class"].items():
        ws.append([LOAN_CLASSES.get(code, code), b["count"], b["outstanding"], b["provision"]])
    ws.append([])
    ws.append(["Tujuan/sektor", "Jumlah", "Outstanding"])
    for k, v in summary["by_purpose"].items():
        ws.append([k, v["count"], v["outstanding"]])
    ws2 = wb.create_sheet("Tunggakan")
    ws2.append(["Anggota", "No. anggota", "HP", "Pinjaman", "Hari tunggak", "Pokok", "Jasa", "Denda", "Total",
                "Sisa pokok"])
    for r in arrears:
        ws2.append([r["member"].name, r["member"].number, r["phone"], r["loan"].number, r["dpd"], r["principal"],
                    r["interest"], r["penalty"], r["total"], r["outstanding"]])
    ws3 = wb.create_sheet("Pencairan")
    ws3.append(["Tanggal", "Pinjaman", "Anggota", "Produk", "Jumlah", "Biaya"])
    for loan in flows["loans"]:
        ws3.append([loan.disbursed_on, loan.number, loan.member.name, loan.product.name, loan.amount,
                    loan.admin_fee + loan.provision_fee])
    ws4 = wb.create_sheet("Pembayaran")
    ws4.append(["Tanggal", "Nomor", "Pinjaman", "Anggota", "Jumlah", "Denda", "Jasa", "Pokok"])
    for r in flows["repayments"]:
        ws4.append([r.date, r.number, r.loan.number, r.loan.member.name, r.amount, r.penalty, r.interest,
                    r.principal])
    return xlsx_bytes(wb)


def loan_card_pdf(loan, as_of=None) -> bytes:
    """Kartu pinjaman anggota: the loan's terms, every payment (and reversal) with the principal left after it, what is
    owed today and the member's other loans — the card the member keeps and the officer initials."""
    from .models import Loan, Repayment
    from .services import dues

    as_of = as_of or timezone.localdate()
    ss = getSampleStyleSheet()
    k, m = loan.koperasi, loan.member
    story = [Paragraph(markup("<b>{}</b>", k.name), ss["Title"]),
             Paragraph("KARTU PINJAMAN ANGGOTA", ss["Heading2"]),
             _table([["Anggota", f"{m.name} ({m.number})", "Pinjaman", loan.number],
                     ["Alamat", (m.address_line or "-")[:60], "Produk", loan.product.name],
                     ["HP", m.phone or "-", "Jumlah", rp(loan.amount)],
                     ["Dicairkan", tanggal(loan.disbursed_on), "Jasa",
                      f"{loan.rate.normalize()}% {RATE_PERIODS.get(loan.rate_period, loan.rate_period)} "
                      f"({METHODS.get(loan.method, loan.method)})"],
                     ["Status", loan.get_status_display(), "Jangka", f"{loan.tenor} angsuran "
                      f"{FREQUENCIES.get(loan.frequency, '').lower()}"]],
                    [22 * mm, 63 * mm, 22 * mm, 67 * mm], header=False),
             Spacer(1, 6), Paragraph("Pembayaran", ss["Heading3"])]
    data = [["Tanggal", "Nomor", "Uraian", "Denda", "Jasa", "Pokok", "Jumlah", "Sisa pokok", "Paraf"]]
    bal = loan.amount if loan.disbursed_on else 0
    tot = {"penalty": 0, "interest": 0, "principal": 0, "amount": 0}
    for r in loan.repayments.order_by("date", "id"):
        if r.kind == Repayment.Kind.PEMULIHAN:
            data.append([r.date.strftime("%d-%m-%Y"), r.number, "Pemulihan", "", "", "", rp(r.amount), "-", ""])
            continue
        bal -= r.principal
        for key in tot:
            tot[key] += getattr(r, key)
        data.append([r.date.strftime("%d-%m-%Y"), r.number, r.get_kind_display(), rp(r.penalty), rp(r.interest),
                     rp(r.principal), rp(r.amount), rp(bal), ""])
        if r.reversed:
            bal += r.principal
            for key in tot:
                tot[key] -= getattr(r, key)
            data.append(["", r.number, f"Batal: {r.reversal_reason}"[:28], rp(-r.penalty), rp(-r.interest),
                         rp(-r.principal), rp(-r.amount), rp(bal), ""])
    if loan.written_off_amount:
        data.append([loan.closed_on.strftime("%d-%m-%Y"), loan.number, "Hapus buku", "", "", "", "", rp(0), ""])
    data.append(["", "", "Jumlah", rp(tot["penalty"]), rp(tot["interest"]), rp(tot["principal"]),
                 rp(tot["amount"]), "", ""])
    story.append(_table(data, [18 * mm, 24 * mm, 26 * mm, 16 * mm, 18 * mm, 20 * mm, 20 * mm, 20 * mm, 12 * mm]))
    if loan.status == Loan.Status.AKTIF:
        d = dues(loan, as_of)
        nxt = loan.installments.filter(superseded=False, settled=False, due_date__gt=as_of).order_by("no").first()
        story += [Spacer(1, 6), Paragraph(f"Kewajiban per {tanggal(as_of)}", ss["Heading3"]),
                  _table([["Sisa pokok", rp(loan.outstanding)],
                          ["Tunggakan (pokok + jasa + denda)", f"{rp(d['total'])} — {d['dpd']} hari"],
                          ["Angsuran berikutnya",
                           f"{rp(nxt.unpaid)} pada {tanggal(nxt.due_date)}" if nxt else "-"]],
                         [60 * mm, 100 * mm], header=False)]
    others = Loan.objects.filter(koperasi=loan.koperasi, member=m).exclude(pk=loan.pk).order_by("-applied_on")
    if others:
        story += [Spacer(1, 6), Paragraph("Pinjaman lain anggota ini", ss["Heading3"]),
                  _table([["Nomor", "Produk", "Diajukan", "Jumlah", "Status", "Sisa pokok"]] +
                         [[o.number, o.product.name, tanggal(o.applied_on), rp(o.amount), o.get_status_display(),
                           rp(o.outstanding)] for o in others.select_related("product")])]
    story += [Spacer(1, 8), Paragraph(f"Dicetak {tanggal(timezone.localdate())}.", ss["Normal"])]
    return _doc(story)
