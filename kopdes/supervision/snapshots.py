"""Per-cooperative snapshots: computed from the books (through the ledger's queries, by account code), then
health score, warnings and region counters.

- ``refresh_koperasi(k)``: one cooperative (incremental; after activity — see ``mark_dirty`` / ``refresh_dirty``).
- ``refresh_all()``: the scheduled full refresh: every cooperative with books is recomputed from them, every
  simulated one (balances written directly by ``kopdes simulate``) is re-scored, then region totals are rebuilt.

The ledger, members and loans apps are read lazily: while they are still landing, missing pieces count as zero
and the snapshot says so (``source``/``computed_at``), never failing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kopdes.core.citus import across_cooperatives
from kopdes.core.models import Koperasi

from . import health, stats
from .models import (
    WARNING_CODES,
    AnnualMeetingReport,
    CoopSnapshot,
    GovernanceIndicator,
    HealthScore,
    VillageFormation,
)

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")

SAVINGS_CODES = {"simpanan_pokok": "3101", "simpanan_wajib": "3102", "simpanan_sukarela": "2101"}
LOAN_CODES = ("1131", "1132")
CASH_DIFF_CODE = "6115"


def _ledger_queries():
    try:
        from kopdes.ledger import queries
    except Exception:  # noqa: BLE001 - the ledger may not be there yet
        return None
    return queries if hasattr(queries, "account_balance") else None


def _fy_start(today: dt.date, start_month: int) -> dt.date:
    return dt.date(today.year if today.month >= start_month else today.year - 1, start_month, 1)


def quarter_end(d: dt.date) -> dt.date:
    q_last_month = ((d.month - 1) // 3 + 1) * 3
    nxt = dt.date(d.year + (q_last_month == 12), q_last_month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _members(k: Koperasi, today: dt.date) -> tuple[int, int, list]:
    try:
        from kopdes.members.models import Member
    except Exception:  # noqa: BLE001
        return 0, 0, []
    try:
        active = list(Member.objects.filter(koperasi=k, status="aktif").values("id", "joined_on", "registered_on"))
    except Exception:  # noqa: BLE001 - table not migrated yet
        return 0, 0, []
    since = today - dt.timedelta(days=90)
    new = sum(1 for m in active if (m["joined_on"] or m["registered_on"]) and (m["joined_on"] or m["registered_on"])
              >= since)
    return len(active), new, active


def _npl(k: Koperasi, loans: Decimal) -> tuple[Decimal, Decimal | None]:
    """(NPL amount, ratio %) from ``kopdes.loans.queries.portfolio_summary`` (kurang lancar + diragukan + macet);
    unknown (None) while the loans app is not there."""
    try:
        from kopdes.loans import queries as lq
    except Exception:  # noqa: BLE001
        return ZERO, None
    fn = getattr(lq, "portfolio_summary", None)
    if fn is None:
        return ZERO, None
    try:
        summary = fn(k)
    except Exception:  # noqa: BLE001
        log.exception("loans.portfolio_summary failed for %s", k.pk)
        return ZERO, None
    npl = Decimal(summary.get("npl", summary.get("npl_amount")) or 0)
    outstanding = Decimal(summary.get("outstanding") or loans or 0)
    if summary.get("npl_ratio") is not None and outstanding:
        return npl, Decimal(summary["npl_ratio"])
    ratio = (npl * 100 / outstanding).quantize(Decimal("0.01")) if outstanding else None
    return npl, ratio


def compute_figures(k: Koperasi, today: dt.date) -> dict:
    """The snapshot fields from the cooperative's books and registers."""
    out: dict = {"as_of": today, "source": CoopSnapshot.Source.BUKU}
    members, new90, active = _members(k, today)
    out["members"], out["members_new_90d"] = members, new90
    q = _ledger_queries()
    if q is None:
        return out
    bal = q.account_balance
    for field, code in SAVINGS_CODES.items():
        out[field] = bal(k, code)
    loans = sum((bal(k, c) for c in LOAN_CODES), ZERO)
    out["loans_outstanding"] = loans
    out["assets"] = bal(k, "1")
    out["liabilities"] = bal(k, "2")
    out["equity"] = out["assets"] - out["liabilities"]
    out["npl_amount"], out["npl_ratio"] = _npl(k, loans)
    # revenue and result for the fiscal year to date, per unit
    start = _fy_start(today, k.fiscal_year_start_month)
    prev = start - dt.timedelta(days=1)
    rev_by_unit, res_by_unit = _pnl_by_unit(k, q, start, today, prev)
    out["revenue_by_unit"] = {u: str(v) for u, v in rev_by_unit.items() if v}
    out["result_by_unit"] = {u: str(v) for u, v in res_by_unit.items() if v}
    out["revenue"] = sum(rev_by_unit.values(), ZERO)
    out["result"] = sum(res_by_unit.values(), ZERO)
    # cash shortages in the last 90 days
    out["cash_difference"] = bal(k, CASH_DIFF_CODE, as_of=today) - bal(
        k, CASH_DIFF_CODE, as_of=today - dt.timedelta(days=90))
    try:
        from kopdes.ledger.models import JournalEntry

        out["last_activity_date"] = JournalEntry.objects.filter(koperasi=k, status="posted").aggregate(
            d=Max("date"))["d"]
    except Exception:  # noqa: BLE001
        pass
    # simpanan wajib arrears: the savings unit's own figure (members with billed wajib unpaid up to today), the
    # same one the cooperative's home card, savings page and the member portal show
    if active:
        try:
            from kopdes.savings.services import arrears
        except Exception:  # noqa: BLE001 - savings not installed
            arrears = None
        if arrears is not None:
            behind = len(arrears(k, as_of=today))
            out["wajib_arrears_members"] = behind
            out["wajib_arrears_ratio"] = (Decimal(behind) * 100 / len(active)).quantize(Decimal("0.01"))
    return out


def _pnl_by_unit(k, q, start, today, prev) -> tuple[dict, dict]:
    rev: dict[str, Decimal] = defaultdict(lambda: ZERO)
    res: dict[str, Decimal] = defaultdict(lambda: ZERO)
    sums_fn = getattr(q, "sums_by_account", None)
    try:
        from kopdes.ledger.models import Account
    except Exception:  # noqa: BLE001
        Account = None  # noqa: N806
    if sums_fn is not None and Account is not None:
        accounts = {a.pk: a for a in Account.objects.filter(koperasi=k)}
        for (acc_id, unit), (d, c) in sums_fn(k, start, today, by_unit=True).items():
            a = accounts.get(acc_id)
            if a is None:
                continue
            t = getattr(a, "type", "")
            if t == "income":
                rev[unit] += c - d
                res[unit] += c - d
            elif t in ("cogs", "expense"):
                res[unit] -= d - c
        return dict(rev), dict(res)
    from kopdes.core.units import Unit

    for u in Unit:
        r = q.account_balance(k, "4", as_of=today, unit=u) - q.account_balance(k, "4", as_of=prev, unit=u)
        cost = sum((q.account_balance(k, c, as_of=today, unit=u) - q.account_balance(k, c, as_of=prev, unit=u)
                    for c in ("5", "6")), ZERO)
        rev[u.value], res[u.value] = r, r - cost
    return dict(rev), dict(res)


def _governance_scores(koperasi_ids: list[int] | None = None) -> dict[int, list[int]]:
    """The latest year's manual governance scores per cooperative."""
    qs = GovernanceIndicator.objects.all()
    if koperasi_ids is not None:
        qs = qs.filter(koperasi_id__in=koperasi_ids)
    latest: dict[int, int] = {}
    rows = list(qs.values_list("koperasi_id", "year", "score"))
    for kid, year, _s in rows:
        latest[kid] = max(latest.get(kid, 0), year)
    out: dict[int, list[int]] = defaultdict(list)
    for kid, year, s in rows:
        if year == latest[kid]:
            out[kid].append(s)
    return out


def _apply_health(snap: CoopSnapshot, k: Koperasi, today: dt.date, cfg: dict, gov: list[int]) -> list[dict]:
    fig = health.Figures.from_snapshot(snap, governance=gov, koperasi=k)
    value, cls, breakdown = health.score(fig, today, cfg)
    warns = health.warnings(fig, today, cfg)
    has_figures = bool(snap.assets or snap.members)
    if not has_figures:
        snap.health_score, snap.health_class = None, "belum"
    else:
        snap.health_score, snap.health_class = value, cls
    for code in WARNING_CODES:
        setattr(snap, f"w_{code}", code in warns)
    snap.warning_count = len(warns)
    snap.warning_detail = warns
    return breakdown


@transaction.atomic
def refresh_koperasi(k: Koperasi, *, today: dt.date | None = None, cfg: dict | None = None,
                     update_stats: bool = True) -> CoopSnapshot:
    """Recompute one cooperative's snapshot from its books, score it, and move the region counters."""
    today = today or timezone.localdate()
    cfg = cfg or health.current_config()
    snap = CoopSnapshot.objects.locked(k).filter(koperasi=k).first()
    old = stats.snapshot_values(snap)
    if snap is None:
        snap = CoopSnapshot(koperasi=k, region_code=k.region_id)
    if snap.source == CoopSnapshot.Source.SIMULASI and not _has_books(k):
        figures = {"as_of": today}  # simulated balances stay; only re-scored
    else:
        figures = compute_figures(k, today)
        for f in ("simpanan_pokok", "simpanan_wajib", "simpanan_sukarela", "loans_outstanding", "npl_amount",
                  "assets", "liabilities", "equity", "revenue", "result", "cash_difference"):
            setattr(snap, f, ZERO)
        snap.wajib_arrears_members, snap.wajib_arrears_ratio, snap.npl_ratio = 0, None, None
        snap.last_activity_date, snap.revenue_by_unit, snap.result_by_unit = None, {}, {}
    for f, v in figures.items():
        setattr(snap, f, v)
    rat = last_rat_date(k)
    if rat is not None:
        snap.last_rat_date = rat
    snap.region_code = k.region_id
    gov = _governance_scores([k.pk]).get(k.pk, [])
    breakdown = _apply_health(snap, k, today, cfg, gov)
    snap.computed_at = timezone.now()
    snap.dirty = False
    snap.save()
    if snap.health_score is not None:
        HealthScore.objects.update_or_create(
            koperasi=k, period=quarter_end(today),
            defaults={"score": snap.health_score, "health_class": snap.health_class, "breakdown": breakdown,
                      "computed_at": snap.computed_at},
        )
    _link_formation(k)
    if update_stats:
        stats.snapshot_changed(k.region_id, old, stats.snapshot_values(snap))
    return snap


def last_rat_date(k: Koperasi):
    """The latest RAT that approved the accounts: from the ledger's RAT register when present, or reported here."""
    dates = [AnnualMeetingReport.objects.filter(koperasi=k, accounts_approved=True).aggregate(d=Max("held_on"))["d"]]
    try:
        from kopdes.ledger.models import AnnualMeeting

        dates.append(AnnualMeeting.objects.filter(koperasi=k, statements_approved=True).aggregate(d=Max("date"))["d"])
    except Exception:  # noqa: BLE001 - ledger RAT register not there (yet)
        pass
    dates = [d for d in dates if d]
    return max(dates) if dates else None


def _has_books(k: Koperasi) -> bool:
    try:
        from kopdes.ledger.models import JournalEntry
    except Exception:  # noqa: BLE001
        return False
    return JournalEntry.objects.filter(koperasi=k).exists()


def _link_formation(k: Koperasi) -> None:
    VillageFormation.objects.filter(region_id=k.region_id, koperasi__isnull=True).update(koperasi=k)


def mark_dirty(koperasi_id: int) -> None:
    """Cheap: flag the snapshot. When the flag goes up (once until the next refresh) the background refresh of
    this cooperative is queued (``jobs.schedule_refresh``); ``refresh_dirty`` (scheduled) catches any left over."""
    if CoopSnapshot.objects.filter(koperasi_id=koperasi_id, dirty=False).update(dirty=True):
        from .jobs import schedule_refresh

        schedule_refresh(koperasi_id)


@across_cooperatives()
def refresh_dirty(*, limit: int | None = None, today: dt.date | None = None) -> int:
    """Refresh flagged snapshots and cooperatives that have none yet."""
    cfg = health.current_config()
    ids = list(CoopSnapshot.objects.filter(dirty=True).values_list("koperasi_id", flat=True))
    ids += list(Koperasi.objects.exclude(pk__in=CoopSnapshot.objects.values("koperasi_id"))
                .values_list("pk", flat=True))
    if limit:
        ids = ids[:limit]
    for k in Koperasi.objects.filter(pk__in=ids):
        refresh_koperasi(k, today=today, cfg=cfg)
    return len(ids)


def _update_rows(rows: list[CoopSnapshot], fields: list[str]) -> None:
    """Many single-row UPDATEs in one ``executemany`` (pipelined by psycopg): much faster than ``bulk_update``'s
    CASE expressions for thousands of rows with many columns."""
    from django.db import connection

    if not rows:
        return
    meta = CoopSnapshot._meta
    cols = [meta.get_field(f) for f in fields]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(meta.db_table)} SET " + ", ".join(f"{qn(c.column)} = %s" for c in cols)
           + f" WHERE koperasi_id = %s AND {qn(meta.pk.column)} = %s")  # one shard per row on Citus
    params = [[c.get_db_prep_save(getattr(r, c.attname), connection) for c in cols] + [r.koperasi_id, r.pk]
              for r in rows]
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(sql, params)


@across_cooperatives()
def refresh_all(*, today: dt.date | None = None, batch: int = 5000, progress=None) -> dict:
    """Full refresh: books → snapshots for cooperatives with books; re-score simulated ones; rebuild totals.

    ``progress(done, total)`` (optional) is called as the work advances (the background job shows it)."""
    today = today or timezone.localdate()
    cfg = health.current_config()
    simulated = set(CoopSnapshot.objects.filter(source=CoopSnapshot.Source.SIMULASI)
                    .values_list("koperasi_id", flat=True))
    with_books: set[int] = set()
    try:
        from kopdes.ledger.models import JournalEntry

        with_books = set(JournalEntry.objects.values_list("koperasi_id", flat=True).distinct())
    except Exception:  # noqa: BLE001
        pass
    from_books = [kid for kid in Koperasi.objects.values_list("pk", flat=True)
                  if kid not in simulated or kid in with_books]
    ids = sorted(simulated - with_books)
    total = len(from_books) + len(ids) + 1  # + the region totals
    done = 0
    for k in Koperasi.objects.filter(pk__in=from_books).iterator(chunk_size=500):
        refresh_koperasi(k, today=today, cfg=cfg, update_stats=False)
        done += 1
        if progress and done % 50 == 0:
            progress(done, total)
    # simulated: re-score in bulk
    rescored = 0
    gov = _governance_scores()
    fields = ["health_score", "health_class", "warning_count", "warning_detail", "as_of", "computed_at", "dirty",
              *[f"w_{c}" for c in WARNING_CODES]]
    now = timezone.now()
    for i in range(0, len(ids), batch):
        chunk = ids[i:i + batch]
        snaps = list(CoopSnapshot.objects.filter(koperasi_id__in=chunk).select_related("koperasi"))
        for s in snaps:
            _apply_health(s, s.koperasi, today, cfg, gov.get(s.koperasi_id, []))
            s.as_of, s.computed_at, s.dirty = today, now, False
        _update_rows(snaps, fields)
        rescored += len(snaps)
        done += len(snaps)
        if progress:
            progress(done, total)
    regions = stats.rebuild()
    if progress:
        progress(total, total)
    return {"from_books": len(from_books), "rescored": rescored, "regions": regions}
