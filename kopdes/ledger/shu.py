"""SHU (Sisa Hasil Usaha) at year end: split by the by-law percentages after the RAT approves, per-member jasa
modal (∝ average simpanan pokok + wajib over the year) and jasa usaha (∝ the member's business with the
cooperative: member-tagged income lines 41xx with ``member_id``), largest-remainder rounding to the rupiah,
allocation entry, payout in cash or to simpanan sukarela, per-member slip.

Other units call :func:`member_shu` (member portal).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.db.models import Sum

from kopdes.core.errors import DomainError
from kopdes.core.models import SHU_PARTS, Koperasi
from kopdes.core.pdf import para
from kopdes.core.units import Unit

from . import rules
from .models import Account, AnnualMeeting, JournalLine, ShuAllocation, ShuMemberShare, YearClose
from .queries import cents
from .reports import net_result
from .services import Line, post, year_bounds

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PART_ACCOUNT = {
    "shu_cadangan": "3201",
    "shu_jasa_modal": "2121",
    "shu_jasa_usaha": "2121",
    "shu_pengurus": "2122",
    "shu_karyawan": "2123",
    "shu_pendidikan": "2124",
    "shu_sosial": "2125",
    "shu_pembangunan": "2126",
}
CAPITAL_ACCOUNTS = ("3101", "3102")
# Member income that is not the member's business with the cooperative (issue 14 item 18): late-payment penalties
# (denda) and recoveries of written-off loans. Left out of jasa usaha unless the by-laws say otherwise
# (Bylaws.shu_usaha_denda / shu_usaha_pemulihan), so a late payer does not earn more SHU.
PENALTY_ACCOUNT = "4104"
RECOVERY_ACCOUNT = "4105"


def excluded_from_jasa_usaha(bylaws) -> set[str]:
    out = set()
    if not getattr(bylaws, "shu_usaha_denda", False):
        out.add(PENALTY_ACCOUNT)
    if not getattr(bylaws, "shu_usaha_pemulihan", False):
        out.add(RECOVERY_ACCOUNT)
    return out


def largest_remainder(total: int, weights: dict, ) -> dict:
    """Split ``total`` whole units in proportion to ``weights`` so that the parts add up exactly.
    Ties in the remainder go to the larger weight, then to the smaller key (deterministic)."""
    positive = {k: Decimal(w) for k, w in weights.items() if Decimal(w) > 0}
    wsum = sum(positive.values(), Decimal(0))
    if total <= 0 or wsum <= 0:
        return {k: 0 for k in weights}
    exact = {k: Decimal(total) * w / wsum for k, w in positive.items()}
    out = {k: int(v.to_integral_value(rounding=ROUND_FLOOR)) for k, v in exact.items()}
    left = total - sum(out.values())
    order = sorted(positive, key=lambda k: (-(exact[k] - out[k]), -positive[k], str(k)))
    for k in order[:left]:
        out[k] += 1
    return {k: out.get(k, 0) for k in weights}


def year_result(koperasi: Koperasi, year: int) -> Decimal:
    start, end = year_bounds(koperasi, year)
    return net_result(koperasi, start, end)


def capital_averages(koperasi: Koperasi, year: int) -> dict[int, Decimal]:
    """Day-weighted average balance of simpanan pokok + wajib per member over the fiscal year (SQL sums per
    member and day; no loop over raw lines)."""
    start, end = year_bounds(koperasi, year)
    days = Decimal((end - start).days + 1)
    ids = list(Account.objects.filter(koperasi=koperasi, code__in=CAPITAL_ACCOUNTS).values_list("pk", flat=True))
    base = JournalLine.objects.filter(koperasi=koperasi, account_id__in=ids, member_id__isnull=False,
                                      entry__status="posted")
    avg: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in (base.filter(date__lt=start).values("member_id").annotate(d=Sum("debit"), c=Sum("credit"))
              .order_by()):
        avg[r["member_id"]] += cents(r["c"]) - cents(r["d"])
    for r in (base.filter(date__gte=start, date__lte=end).values("member_id", "date")
              .annotate(d=Sum("debit"), c=Sum("credit")).order_by()):
        weight = Decimal((end - r["date"]).days + 1) / days
        avg[r["member_id"]] += (cents(r["c"]) - cents(r["d"])) * weight
    return {m: v.quantize(CENT) for m, v in avg.items() if v > 0}


def member_transactions(koperasi: Koperasi, year: int, *, exclude: set[str] | None = None) -> dict[int, Decimal]:
    """Each member's business with the cooperative in the year: net credits to member income accounts 41xx
    (closing entries carry no member_id, so they never count), without the accounts in ``exclude`` (by default
    those :func:`excluded_from_jasa_usaha` names for the by-laws in force at the year's end)."""
    start, end = year_bounds(koperasi, year)
    if exclude is None:
        exclude = excluded_from_jasa_usaha(koperasi.bylaws_on(end) or koperasi.current_bylaws)
    rows = (JournalLine.objects.filter(koperasi=koperasi, member_id__isnull=False, account__type="income",
                                       account__segment="member", account__code__startswith="41",
                                       date__gte=start, date__lte=end, entry__status="posted")
            .exclude(account__code__in=sorted(exclude))
            .values("member_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by())
    net = {r["member_id"]: cents(r["c"]) - cents(r["d"]) for r in rows}
    return {m: v for m, v in net.items() if v > 0}


def compute(koperasi: Koperasi, year: int, shu: Decimal | None = None) -> dict:
    """The allocation as numbers (nothing written): parts by the by-laws and each member's share."""
    start, end = year_bounds(koperasi, year)
    shu = year_result(koperasi, year) if shu is None else shu
    bylaws = koperasi.bylaws_on(end) or koperasi.current_bylaws
    if bylaws is None:
        raise DomainError("AD/ART belum ada: persentase pembagian SHU tidak diketahui.",
                          "No by-laws: the SHU percentages are unknown.", code="no_bylaws")
    if bylaws.shu_total() != Decimal(100):
        raise DomainError("Persentase SHU di AD/ART tidak berjumlah 100%.", "By-law SHU shares do not add to 100%.",
                          code="bad_bylaws")
    if shu <= 0:
        raise DomainError(f"Tahun buku {year} tidak menghasilkan SHU positif ({shu}); tidak ada yang dibagi.",
                          f"Fiscal year {year} has no positive SHU ({shu}); nothing to distribute.",
                          code="no_shu")
    whole = int(shu.to_integral_value(rounding=ROUND_FLOOR))
    cents = shu - whole
    pcts = {f: getattr(bylaws, f) for f, _l in SHU_PARTS}
    amounts = largest_remainder(whole, pcts)
    parts = []
    for f, label in SHU_PARTS:
        amt = Decimal(amounts[f]) + (cents if f == "shu_cadangan" else 0)
        parts.append({"field": f, "label": str(label), "pct": str(pcts[f]), "amount": str(amt.quantize(CENT)),
                      "account": PART_ACCOUNT[f]})
    capital = capital_averages(koperasi, year)
    trans = member_transactions(koperasi, year, exclude=excluded_from_jasa_usaha(bylaws))
    modal = largest_remainder(amounts["shu_jasa_modal"], capital) if capital else {}
    usaha = largest_remainder(amounts["shu_jasa_usaha"], trans) if trans else {}
    members = sorted(set(capital) | set(trans))
    shares = []
    for m in members:
        jm, ju = Decimal(modal.get(m, 0)), Decimal(usaha.get(m, 0))
        shares.append({"member_id": m, "capital_avg": capital.get(m, ZERO), "transactions": trans.get(m, ZERO),
                       "jasa_modal": jm, "jasa_usaha": ju, "total": jm + ju})
    return {"year": year, "shu": shu, "parts": parts, "shares": shares, "bylaws_id": bylaws.pk,
            "unallocated": {"shu_jasa_modal": Decimal(amounts["shu_jasa_modal"]) if not capital else ZERO,
                            "shu_jasa_usaha": Decimal(amounts["shu_jasa_usaha"]) if not trans else ZERO}}


@transaction.atomic
def allocate(koperasi: Koperasi, year: int, *, meeting: AnnualMeeting | None = None, date: dt.date | None = None,
             by=None) -> ShuAllocation:
    """After the RAT approved the SHU: post Dr 3401 / Cr cadangan, 2121 per member, funds 2122–2126."""
    rules.require_year_end(koperasi, by)
    if ShuAllocation.objects.filter(koperasi=koperasi, year=year).exists():
        raise DomainError(f"SHU tahun buku {year} sudah dialokasikan.", f"SHU {year} is already allocated.",
                          code="already_allocated")
    close = YearClose.objects.filter(koperasi=koperasi, year=year).first()
    if close is None:
        raise DomainError(f"Tutup buku tahun {year} dulu (SHU dipindah ke SHU belum dibagi).",
                          f"Close fiscal year {year} first.", code="year_not_closed")
    meeting = meeting or AnnualMeeting.objects.filter(koperasi=koperasi, year=year, shu_approved=True).first()
    if meeting is None or meeting.koperasi_id != koperasi.pk or not meeting.shu_approved:
        raise DomainError("Pembagian SHU harus disetujui RAT lebih dulu.", "The RAT must approve the SHU first.",
                          code="rat_required")
    if not meeting.quorum_met:
        raise DomainError("RAT tidak memenuhi kuorum; keputusan SHU tidak sah.",
                          "The RAT had no quorum; its SHU decision is not valid.", code="no_quorum")
    calc = compute(koperasi, year, shu=close.result)
    date = date or meeting.date
    lines = [Line("3401", debit=calc["shu"], memo=f"Pembagian SHU {year}")]
    for p in calc["parts"]:
        if p["field"] in ("shu_jasa_modal", "shu_jasa_usaha"):
            left = calc["unallocated"][p["field"]]
            if left:
                lines.append(Line("2121", credit=left, memo=f"{p['label']} (belum ada anggota berhak)"))
            continue
        if Decimal(p["amount"]):
            lines.append(Line(p["account"], credit=Decimal(p["amount"]), memo=p["label"]))
    for s in calc["shares"]:
        if s["total"]:
            lines.append(Line("2121", credit=s["total"], member_id=s["member_id"], memo=f"SHU {year} anggota"))
    entry = post(koperasi, date=date, memo=f"Alokasi SHU tahun buku {year} (RAT {meeting.date:%d-%m-%Y})",
                 lines=lines, source="ledger.ShuAllocation", source_id=str(year), by=by)
    alloc = ShuAllocation.objects.create(koperasi=koperasi, year=year, shu=calc["shu"], parts=calc["parts"],
                                         status=ShuAllocation.Status.POSTED, meeting=meeting, entry=entry,
                                         created_by=by if getattr(by, "pk", None) else None)
    ShuMemberShare.objects.bulk_create([
        ShuMemberShare(koperasi=koperasi, allocation=alloc, member_id=s["member_id"], capital_avg=s["capital_avg"],
                       transactions=s["transactions"], jasa_modal=s["jasa_modal"], jasa_usaha=s["jasa_usaha"],
                       total=s["total"]) for s in calc["shares"]
    ])
    return alloc


@transaction.atomic
def pay_out(alloc: ShuAllocation, *, mode: str, date: dt.date, cash_account: str = "1101", by=None) -> ShuAllocation:
    """Pay every member's SHU: in cash (Cr kas) or credited to simpanan sukarela (Cr 2101 with member_id)."""
    alloc = ShuAllocation.objects.locked(alloc.koperasi_id).get(pk=alloc.pk)
    rules.require_year_end(alloc.koperasi, by)
    if alloc.status != ShuAllocation.Status.POSTED:
        raise DomainError("SHU ini sudah dibayarkan atau belum diposting.", "Already paid or not posted.",
                          code="not_payable")
    if mode not in ("cash", "sukarela"):
        raise DomainError("Cara pembayaran harus tunai atau simpanan sukarela.", "Mode must be cash or sukarela.",
                          field="mode", code="invalid_mode")
    shares = [s for s in alloc.shares.all() if s.total > 0]
    if not shares:
        raise DomainError("Tidak ada bagian anggota untuk dibayar.", "No member shares to pay.", code="nothing")
    total = sum((s.total for s in shares), ZERO)
    lines = [Line("2121", debit=s.total, member_id=s.member_id, memo=f"SHU {alloc.year}") for s in shares]
    if mode == "cash":
        lines.append(Line(cash_account, credit=total, unit=Unit.KANTOR, memo=f"Pembayaran SHU {alloc.year}"))
    else:
        lines += [Line("2101", credit=s.total, member_id=s.member_id, memo=f"SHU {alloc.year} ke sukarela")
                  for s in shares]
    entry = post(alloc.koperasi, date=date, memo=f"Pembayaran SHU tahun buku {alloc.year} "
                 f"({'tunai' if mode == 'cash' else 'ke simpanan sukarela'})", lines=lines,
                 source="ledger.ShuPayout", source_id=str(alloc.year), by=by)
    if mode == "sukarela":  # the member's passbook shows it too (and the counter can pay it out)
        from kopdes.savings.services import record_shu_credits  # noqa: PLC0415 - savings builds on the ledger

        record_shu_credits(alloc.koperasi, entry, {s.member_id: s.total for s in shares}, date=date, year=alloc.year)
    alloc.payout_entry = entry
    alloc.payout_mode = mode
    alloc.status = ShuAllocation.Status.PAID
    alloc.save()
    return alloc


def member_shu(koperasi: Koperasi, year: int, member_id: int) -> dict | None:
    """A member's SHU for a fiscal year (for the member portal), or None if nothing was allocated."""
    share = (ShuMemberShare.objects.filter(koperasi=koperasi, allocation__year=year, member_id=member_id)
             .select_related("allocation").first())
    if share is None:
        return None
    a = share.allocation
    return {"year": year, "member_id": member_id, "capital_avg": share.capital_avg,
            "transactions": share.transactions, "jasa_modal": share.jasa_modal, "jasa_usaha": share.jasa_usaha,
            "total": share.total, "status": a.status, "paid": a.status == ShuAllocation.Status.PAID,
            "payout_mode": a.payout_mode, "meeting_date": a.meeting.date if a.meeting_id else None}


def member_names(koperasi: Koperasi, member_ids) -> dict[int, str]:
    """``{member_id: "<nomor anggota> <nama>"}`` in one query (never the database id on a page or a PDF)."""
    from kopdes.members.models import Member  # noqa: PLC0415 - ledger is imported before members

    ids = set(member_ids)
    found = {pk: f"{number} {name}" for pk, number, name in
             Member.objects.filter(koperasi=koperasi, pk__in=ids).values_list("pk", "number", "name")}
    return {mid: found.get(mid, f"Anggota #{mid}") for mid in ids}


def slip_pdf(koperasi: Koperasi, year: int, member_id: int) -> bytes:
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    from kopdes.core.money import format_rupiah

    data = member_shu(koperasi, year, member_id)
    if data is None:
        raise DomainError("Anggota ini tidak memiliki SHU untuk tahun tersebut.", "No SHU for this member and year.",
                          code="no_share")
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A5, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=f"Slip SHU {year}")
    rows = [
        ["Anggota", member_names(koperasi, [member_id])[member_id]],
        ["Tahun buku", str(year)],
        ["Rata-rata simpanan pokok + wajib", format_rupiah(data["capital_avg"])],
        ["Transaksi dengan koperasi", format_rupiah(data["transactions"])],
        ["SHU jasa modal", format_rupiah(data["jasa_modal"])],
        ["SHU jasa usaha", format_rupiah(data["jasa_usaha"])],
        ["Jumlah SHU diterima", format_rupiah(data["total"])],
        ["Status", "Sudah dibayar" + (" (ke simpanan sukarela)" if data["payout_mode"] == "sukarela" else " (tunai)")
         if data["paid"] else "Belum dibayar"],
    ]
    doc.build([para(koperasi.name, styles["Heading3"]), Paragraph(f"Slip SHU tahun buku {year}", styles["Title"]),
               Spacer(1, 4 * mm), Table(rows, colWidths=[60 * mm, 60 * mm])])
    return out.getvalue()
