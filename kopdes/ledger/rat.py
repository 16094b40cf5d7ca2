"""The RAT (Rapat Anggota Tahunan): its record and the RAT pack (one PDF with the statements, the SHU
allocation, and the membership and activity summary). Supervision calls :func:`last_rat_date`."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from kopdes.core.errors import DomainError
from kopdes.core.models import Koperasi
from kopdes.core.pdf import para

from . import reports, rules
from .models import AnnualMeeting, JournalEntry, JournalLine, ShuAllocation
from .services import year_bounds
from .shu import member_names


@transaction.atomic
def record_meeting(koperasi: Koperasi, *, year: int, date: dt.date, members_total: int, attendance: int,
                   quorum_pct: Decimal = Decimal("50"), statements_approved: bool = False,
                   shu_approved: bool = False, decisions: str = "", place: str = "", by=None) -> AnnualMeeting:
    rules.require_year_end(koperasi, by)
    if attendance < 0 or members_total <= 0 or attendance > members_total:
        raise DomainError("Jumlah hadir harus antara 0 dan jumlah anggota.",
                          "Attendance must be between 0 and the number of members.", field="attendance",
                          code="invalid_attendance")
    _start, end = year_bounds(koperasi, year)
    if date <= end:
        raise DomainError(f"RAT tahun buku {year} diadakan setelah tahun buku berakhir ({end:%d-%m-%Y}).",
                          f"The RAT for {year} is held after the fiscal year ends.", field="date",
                          code="rat_too_early")
    m = AnnualMeeting(koperasi=koperasi, year=year, date=date, members_total=members_total, attendance=attendance,
                      quorum_pct=quorum_pct, statements_approved=statements_approved, shu_approved=shu_approved,
                      decisions=decisions, place=place[:200], recorded_by=by if getattr(by, "pk", None) else None)
    if (statements_approved or shu_approved) and not m.quorum_met:
        raise DomainError("Kuorum tidak tercapai: RAT tidak dapat mengesahkan laporan atau SHU.",
                          "No quorum: the RAT cannot approve statements or SHU.", field="attendance",
                          code="no_quorum")
    m.save()
    return m


def last_rat_date(koperasi: Koperasi | int) -> dt.date | None:
    """Date of the cooperative's last recorded RAT (None if never)."""
    kid = koperasi if isinstance(koperasi, int) else koperasi.pk
    return AnnualMeeting.objects.filter(koperasi_id=kid).order_by("-date").values_list("date", flat=True).first()


def activity_summary(koperasi: Koperasi, year: int) -> dict:
    start, end = year_bounds(koperasi, year)
    entries = JournalEntry.objects.filter(koperasi=koperasi, status="posted", date__gte=start, date__lte=end)
    members_active = (JournalLine.objects.filter(koperasi=koperasi, member_id__isnull=False, date__gte=start,
                                                 date__lte=end).values("member_id").distinct().count())
    members_total = None
    try:
        from kopdes.members.models import Member  # noqa: PLC0415

        members_total = Member.objects.filter(koperasi=koperasi).count()
    except Exception:  # noqa: BLE001 - members app not there yet
        pass
    by_source = {r["source"] or "manual": r["n"] for r in
                 entries.values("source").annotate(n=Count("id")).order_by("-n")[:12]}
    return {"entries": entries.count(), "members_active": members_active, "members_total": members_total,
            "by_source": by_source}


def rat_pack_pdf(koperasi: Koperasi, year: int) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

    from kopdes.core.money import format_rupiah

    from .export import pdf_story

    start, end = year_bounds(koperasi, year)
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=f"Bahan RAT {year}")
    story = [para(koperasi.name, styles["Title"]),
             Paragraph(f"Bahan Rapat Anggota Tahunan — tahun buku {year}", styles["Heading1"]),
             Paragraph(f"{reports.fmt_date(start)} s.d. {reports.fmt_date(end)}", styles["Normal"]), PageBreak()]
    for rep in (reports.balance_sheet(koperasi, end), reports.income_statement(koperasi, start, end),
                reports.income_by_unit(koperasi, start, end), reports.equity_changes(koperasi, start, end),
                reports.cash_flow(koperasi, start, end), reports.notes(koperasi, start, end)):
        story += pdf_story(rep, styles)
        story.append(PageBreak())
    story.append(Paragraph("Pembagian SHU", styles["Heading2"]))
    alloc = ShuAllocation.objects.filter(koperasi=koperasi, year=year).first()
    if alloc is None:
        from . import shu as shu_mod

        try:
            calc = shu_mod.compute(koperasi, year)
            story.append(Paragraph("Usulan pembagian (belum disetujui RAT):", styles["Normal"]))
            parts, shares = calc["parts"], calc["shares"]
        except DomainError as exc:
            story.append(para(exc.message_id, styles["Normal"]))
            parts, shares = [], []
    else:
        parts = alloc.parts
        shares = list(alloc.shares.values("member_id", "capital_avg", "transactions", "jasa_modal", "jasa_usaha",
                                          "total"))
    if parts:
        story.append(Table([["Bagian", "%", "Jumlah"]] + [[p["label"], p["pct"], format_rupiah(Decimal(p["amount"]))]
                                                          for p in parts]))
        story.append(Spacer(1, 4 * mm))
    if shares:
        names = member_names(koperasi, [s["member_id"] for s in shares[:500]])
        story.append(Table([["Anggota", "Rata-rata simpanan", "Transaksi", "Jasa modal", "Jasa usaha", "Jumlah"]] + [
            [names[s["member_id"]], format_rupiah(s["capital_avg"]), format_rupiah(s["transactions"]),
             format_rupiah(s["jasa_modal"]), format_rupiah(s["jasa_usaha"]), format_rupiah(s["total"])]
            for s in shares[:500]], repeatRows=1))
    story.append(PageBreak())
    act = activity_summary(koperasi, year)
    story.append(Paragraph("Keanggotaan dan kegiatan", styles["Heading2"]))
    rows = [["Jumlah anggota", str(act["members_total"] if act["members_total"] is not None else "-")],
            ["Anggota yang bertransaksi", str(act["members_active"])],
            ["Jumlah jurnal tahun buku", str(act["entries"])]]
    rows += [[f"Jurnal dari {src}", str(n)] for src, n in act["by_source"].items()]
    story.append(Table(rows))
    meeting = AnnualMeeting.objects.filter(koperasi=koperasi, year=year).order_by("-date").first()
    if meeting:
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph("Catatan RAT", styles["Heading2"]))
        story.append(Table([["Tanggal", meeting.date.strftime("%d-%m-%Y")],
                            ["Hadir / anggota", f"{meeting.attendance} / {meeting.members_total}"],
                            ["Kuorum", "tercapai" if meeting.quorum_met else "tidak tercapai"],
                            ["Laporan keuangan disahkan", "ya" if meeting.statements_approved else "tidak"],
                            ["SHU disetujui", "ya" if meeting.shu_approved else "tidak"]]))
        if meeting.decisions:
            story.append(para(meeting.decisions, styles["Normal"]))
    doc.build(story)
    return out.getvalue()
