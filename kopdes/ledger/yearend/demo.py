"""Demo: the previous fiscal year, closed and taken to the RAT.

Runs after the business units' demos (they post back-dated activity into that year) and before supervision and
the member portal (which read the RAT date and the members' SHU). For the previous fiscal year it:
closes the books (closing entry → 3401 SHU belum dibagi, every month closed), records the RAT (held in March,
statements approved), and when the year made a profit, allocates the SHU by the by-laws (jasa modal, jasa usaha,
funds), posts it and pays the members' part in cash, so each member has an SHU slip. A loss year is carried
forward (3401 debit) and the RAT records that decision instead.

Idempotent: each step checks that its own record (YearClose, AnnualMeeting, ShuAllocation) is missing first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kopdes.core import audit

from .. import rat, shu
from ..models import AnnualMeeting, JournalEntry, JournalLine, ShuAllocation, YearClose
from ..services import close_year, fiscal_year, year_bounds


def _members_total(k) -> int:
    try:
        from kopdes.members.models import Member  # noqa: PLC0415

        n = Member.objects.filter(koperasi=k).count()
    except (ImportError, LookupError):
        n = 0
    if n:
        return n
    return (JournalLine.objects.filter(koperasi=k, account__code__in=["3101", "3102"], member_id__isnull=False)
            .values("member_id").distinct().count())


def build(ctx) -> None:
    k = ctx.koperasi
    year = fiscal_year(k, ctx.today) - 1
    start, end = year_bounds(k, year)
    if not JournalEntry.objects.filter(koperasi=k, date__gte=start, date__lte=end).exists():
        ctx.say(f"ledger: no bookkeeping in {year}, nothing to close")
        return
    ketua = ctx.users.get("ketua")
    bendahara = ctx.users.get("bendahara") or ketua
    rat_date = dt.date(year + 1, 3, 21)
    if rat_date > ctx.today:
        rat_date = end + dt.timedelta(days=1)
    did = []
    with audit.bulk_mode():
        close = YearClose.objects.filter(koperasi=k, year=year).first()
        if close is None:
            close = close_year(k, year, by=bendahara)
            did.append(f"closed {year}")
            ctx.say(f"ledger: fiscal year {year} closed, result {close.result}")
        meeting = AnnualMeeting.objects.filter(koperasi=k, year=year).first()
        total = _members_total(k)
        if meeting is None and total > 0:
            profit = close.result > 0
            attendance = max(1, (total * 68 + 99) // 100)
            decisions = (
                f"1. Laporan pertanggungjawaban pengurus dan laporan keuangan tahun buku {year} disahkan.\n"
                + (f"2. SHU tahun buku {year} sebesar Rp{close.result:,.0f} dibagi sesuai anggaran dasar; "
                   "bagian anggota dibayar tunai.\n".replace(",", ".") if profit else
                   f"2. Rugi tahun buku {year} (tahun pertama, biaya pendirian dan bunga pinjaman Himbara) "
                   "dibawa ke tahun berikutnya dan ditutup dari SHU tahun-tahun mendatang.\n")
                + f"3. Rencana kerja dan anggaran (RK-RAPB) tahun {year + 1} disetujui."
            )
            meeting = rat.record_meeting(
                k, year=year, date=rat_date, members_total=total, attendance=attendance,
                quorum_pct=Decimal("50"), statements_approved=True, shu_approved=profit, decisions=decisions,
                place="Balai Desa", by=ketua)
            did.append(f"RAT {year}")
            ctx.say(f"ledger: RAT {year} recorded ({attendance}/{total} present)")
        if (meeting is not None and meeting.shu_approved and close.result > 0
                and not ShuAllocation.objects.filter(koperasi=k, year=year).exists()):
            alloc = shu.allocate(k, year, meeting=meeting, date=rat_date, by=ketua)
            pay_day = min(rat_date + dt.timedelta(days=14), ctx.today)
            shu.pay_out(alloc, mode="cash", date=pay_day, cash_account="1111", by=bendahara)
            did.append(f"SHU {year}")
            ctx.say(f"ledger: SHU {year} allocated and paid ({alloc.shares.count()} members)")
        if did:
            audit.record("ledger.demo_yearend", koperasi_id=k.pk, summary="demo: " + ", ".join(did))
