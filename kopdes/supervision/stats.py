"""Region totals as counters, kept in step with formation rows and snapshots.

Each village contributes a small dict of counters (its formation part + its cooperative's snapshot part); a region's
``RegionStat.data`` is the sum over its villages. A change applies the difference (new − old) to the four
ancestors (national, provinsi, kabupaten, kecamatan): O(1) per change. ``rebuild()`` recomputes every region from
scratch (full refresh; also repairs any drift). Dashboards read only ``RegionStat`` rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kopdes.core.citus import across_cooperatives
from kopdes.core.models import Region

from .models import MILESTONE_KEYS, UNIT_CODES, WARNING_CODES, CoopSnapshot, RegionStat, VillageFormation

MONEY_KEYS = [
    ("members", "members"), ("pokok", "simpanan_pokok"), ("wajib", "simpanan_wajib"),
    ("sukarela", "simpanan_sukarela"), ("loans", "loans_outstanding"), ("npl", "npl_amount"), ("assets", "assets"),
    ("equity", "equity"), ("revenue", "revenue"), ("result", "result"),
]
FORMATION_FIELDS = ["region_id", "stage", "formation_model", "building_status",
                    *[f"{k}_date" for k in MILESTONE_KEYS], *[f"unit_{u}" for u in UNIT_CODES]]
SNAPSHOT_FIELDS = ["region_code", "health_class", *[f for _k, f in MONEY_KEYS], *[f"w_{c}" for c in WARNING_CODES]]


def ancestors(code: str) -> list[str]:
    """National ("") and the provinsi, kabupaten and kecamatan codes above a village."""
    parts = code.split(".")
    return [""] + [".".join(parts[:i]) for i in range(1, min(len(parts), 4))]


def formation_contribution(f: dict | VillageFormation | None) -> Counter:
    c: Counter = Counter()
    if f is None:
        return c
    get = f.get if isinstance(f, dict) else (lambda name: getattr(f, name))
    c["f"] = 1
    c[f"stage:{get('stage')}"] = 1
    c[f"model:{get('formation_model')}"] = 1
    c[f"bld:{get('building_status')}"] = 1
    for key in MILESTONE_KEYS:
        d = get(f"{key}_date")
        if d is not None:
            c[f"m:{key}"] = 1
            c[f"p:{key}:{d:%Y-%m}"] = 1
    for u in UNIT_CODES:
        if get(f"unit_{u}") is not None:
            c[f"unit:{u}"] = 1
    return c


def snapshot_contribution(s: dict | CoopSnapshot | None) -> Counter:
    c: Counter = Counter()
    if s is None:
        return c
    get = s.get if isinstance(s, dict) else (lambda name: getattr(s, name))
    c["k"] = 1
    for key, field in MONEY_KEYS:
        v = get(field)
        if v:
            c[key] = int(v)
    c[f"h:{get('health_class')}"] = 1
    any_w = False
    for code in WARNING_CODES:
        if get(f"w_{code}"):
            c[f"w:{code}"] = 1
            any_w = True
    if any_w:
        c["warned"] = 1
    return c


def formation_values(f: VillageFormation | None) -> dict | None:
    return None if f is None else {k: getattr(f, k) for k in FORMATION_FIELDS}


def snapshot_values(s: CoopSnapshot | None) -> dict | None:
    return None if s is None else {k: getattr(s, k) for k in SNAPSHOT_FIELDS}


def _diff(new: Counter, old: Counter) -> dict[str, int]:
    out = {}
    for key in set(new) | set(old):
        d = new.get(key, 0) - old.get(key, 0)
        if d:
            out[key] = d
    return out


@transaction.atomic
def apply_delta(village_code: str, delta: dict[str, int]) -> None:
    if not delta:
        return
    ensure_region_stats()
    codes = ancestors(village_code)
    rows = list(RegionStat.objects.select_for_update().filter(code__in=codes).order_by("code"))
    now = timezone.now()
    for row in rows:
        data = row.data
        for key, d in delta.items():
            v = data.get(key, 0) + d
            if v:
                data[key] = v
            else:
                data.pop(key, None)
        row.refreshed_at = now
    RegionStat.objects.bulk_update(rows, ["data", "refreshed_at"])


def formation_changed(village_code: str, old: dict | None, new: dict | None) -> None:
    apply_delta(village_code, _diff(formation_contribution(new), formation_contribution(old)))


def snapshot_changed(village_code: str, old: dict | None, new: dict | None) -> None:
    apply_delta(village_code, _diff(snapshot_contribution(new), snapshot_contribution(old)))


_VILLAGE_CACHE: dict = {}


def _village_counts() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Villages and kelurahan per region (the region table is static: cached per process, keyed by its size)."""
    key = Region.objects.count()
    if _VILLAGE_CACHE.get("key") != key:
        _VILLAGE_CACHE.update(key=key, value=_count_villages())
    return _VILLAGE_CACHE["value"]


def _count_villages() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    villages: dict[str, int] = defaultdict(int)
    kel: dict[str, int] = defaultdict(int)
    for code in Region.objects.filter(level=4).values_list("code", flat=True).iterator(chunk_size=20000):
        is_kel = code.rsplit(".", 1)[-1].startswith("1")
        for a in ancestors(code):
            villages[a] += 1
            if is_kel:
                kel[a] += 1
    levels = {r: lv for r, lv in Region.objects.filter(level__lte=3).values_list("code", "level")}
    levels[""] = 0
    return villages, kel, levels


def ensure_region_stats() -> None:
    """Create the region rows (with village counts) once; cheap no-op afterwards."""
    if RegionStat.objects.filter(code="").exists():
        return
    rebuild()


@across_cooperatives()
@transaction.atomic
def rebuild() -> int:
    """Recompute every region's counters from all formation rows and snapshots. Returns the rows that changed."""
    villages, kel, levels = _village_counts()
    acc: dict[str, Counter] = defaultdict(Counter)
    for f in VillageFormation.objects.values(*FORMATION_FIELDS).iterator(chunk_size=10000):
        c = formation_contribution(f)
        for a in ancestors(f["region_id"]):
            acc[a].update(c)
    for s in CoopSnapshot.objects.values(*SNAPSHOT_FIELDS).iterator(chunk_size=10000):
        c = snapshot_contribution(s)
        for a in ancestors(s["region_code"]):
            acc[a].update(c)
    now = timezone.now()
    existing = {r[0]: r[1:] for r in RegionStat.objects.values_list("code", "villages", "kelurahan", "data")}
    rows = []
    for code, level in levels.items():
        parent = "" if level <= 1 else code.rsplit(".", 1)[0]
        data = {k: v for k, v in acc[code].items() if v}
        if existing.get(code) == (villages.get(code, 0), kel.get(code, 0), data):
            continue  # unchanged
        rows.append(RegionStat(code=code, level=level, parent_code=parent, villages=villages.get(code, 0),
                               kelurahan=kel.get(code, 0), data=data, refreshed_at=now))
    # regions are static: upsert the changed rows (no delete → no per-row signals)
    RegionStat.objects.bulk_create(rows, batch_size=2000, update_conflicts=True, unique_fields=["code"],
                                   update_fields=["level", "parent_code", "villages", "kelurahan", "data",
                                                  "refreshed_at"])
    return len(rows)


# --- reading --------------------------------------------------------------------------------------------------


def stage_counts(stat: RegionStat) -> list[int]:
    """Villages per stage 0..9 (stage 0 includes villages without a formation row)."""
    counts = [stat.get(f"stage:{i}") for i in range(10)]
    counts[0] += max(stat.villages - stat.get("f"), 0)
    return counts


def reached(stat: RegionStat, key: str) -> int:
    return stat.get(f"m:{key}")


def progress_series(stat: RegionStat, keys: list[str], *, until: dt.date | None = None
                    ) -> tuple[list[str], dict[str, list[int]]]:
    """Cumulative number of villages past each milestone, per month, from the first month with a milestone to
    ``until``'s month (default today) without gaps: a month with no new milestone repeats the running total, so
    the chart always runs to today."""
    seen = sorted({k.split(":")[2] for k in stat.data if k.startswith("p:")})
    months: list[str] = []
    if seen:
        until = until or timezone.localdate()
        y, m = (int(x) for x in seen[0].split("-"))
        last = max(seen[-1], f"{until.year:04d}-{until.month:02d}")
        while f"{y:04d}-{m:02d}" <= last:
            months.append(f"{y:04d}-{m:02d}")
            y, m = (y + (m == 12), m % 12 + 1)
    series: dict[str, list[int]] = {}
    for key in keys:
        total = 0
        out = []
        for mo in months:
            total += stat.get(f"p:{key}:{mo}")
            out.append(total)
        series[key] = out
    return months, series


def money(stat: RegionStat, key: str) -> Decimal:
    return Decimal(stat.get(key))
