"""Reads for supervision pages and exports. Region pages read ``RegionStat`` rows only; lists read snapshots and
formation rows with index-friendly prefix filters — never journal lines."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kopdes.core.models import Region

from . import stats
from .models import (
    HEALTH_CLASS_ORDER,
    MILESTONE_KEYS,
    MILESTONE_LABELS,
    NEXT_STEP,
    STAGE_LABELS,
    UNIT_CODES,
    WARNING_CODES,
    BuildingStatus,
    CoopSnapshot,
    HealthClass,
    RegionStat,
    VillageFormation,
    Warning,
)

SORTS = {
    "nama": "koperasi__name", "wilayah": "region_code", "skor": "health_score", "anggota": "members",
    "aset": "assets", "ekuitas": "equity", "simpanan": "simpanan_wajib", "pinjaman": "loans_outstanding",
    "npl": "npl_ratio", "peringatan": "warning_count", "shu": "result", "diperbarui": "computed_at",
}


def region_prefix_q(field: str, code: str) -> Q:
    return Q() if not code else Q(**{f"{field}__startswith": f"{code}."})


def region_name_map(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))


def place_names(codes) -> dict[str, tuple[str, str]]:
    """``{desa code: (desa name, kecamatan name)}`` for village codes, in one query (tables and exports show the
    names, with the code beside them)."""
    codes = {c for c in codes if c}
    kec = {c: c.rsplit(".", 1)[0] for c in codes}
    names = region_name_map(sorted(codes | set(kec.values())))
    return {c: (names.get(c, c), names.get(kec[c], kec[c])) for c in codes}


def with_place_names(rows, attr: str = "region_code"):
    """Set ``desa_name`` and ``kecamatan_name`` on each row (a page of snapshots) from its village code."""
    rows = list(rows)
    names = place_names(getattr(r, attr) for r in rows)
    for r in rows:
        r.desa_name, r.kecamatan_name = names.get(getattr(r, attr), ("", ""))
    return rows


def breadcrumbs(code: str) -> list[tuple[str, str]]:
    out = [("", _("Nasional"))]
    if not code:
        return out
    parts = code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    names = region_name_map(codes)
    out += [(c, names.get(c, c)) for c in codes]
    return out


def stat_for(code: str) -> RegionStat:
    stats.ensure_region_stats()
    row = RegionStat.objects.filter(code=code).first()
    if row is None:
        raise RegionStat.DoesNotExist(code)
    return row


def dashboard(code: str) -> dict:
    """Everything a region page shows, from the region's and its children's ``RegionStat`` rows."""
    stat = stat_for(code)
    children = list(RegionStat.objects.filter(parent_code=code).exclude(code="").order_by("code"))
    names = region_name_map([c.code for c in children])
    stages = stats.stage_counts(stat)
    villages = stat.villages or 1
    health = [(c, HealthClass(c).label, stat.get(f"h:{c}")) for c in HEALTH_CLASS_ORDER]
    warnings = sorted(((w.value, w.label, stat.get(f"w:{w.value}")) for w in Warning), key=lambda t: -t[2])
    months, series = stats.progress_series(stat, ["sosialisasi", "musdesus", "akta", "ahu", "rekening"])
    child_rows = []
    for c in children:
        cv = c.villages or 1
        child_rows.append({
            "code": c.code, "name": names.get(c.code, c.code), "villages": c.villages, "koperasi": c.get("k"),
            "ahu": c.get("m:ahu"), "ahu_pct": Decimal(c.get("m:ahu") * 100) / cv,
            "operating": c.get("stage:9"), "operating_pct": Decimal(c.get("stage:9") * 100) / cv,
            "sehat": c.get("h:sehat"), "khusus": c.get("h:khusus") + c.get("h:pengawasan"),
            "warned": c.get("warned"), "members": c.get("members"),
        })
    return {
        "stat": stat,
        "children": child_rows,
        "child_level": {0: _("Provinsi"), 1: _("Kabupaten/Kota"), 2: _("Kecamatan"), 3: _("Desa/Kelurahan")}.get(stat.level),
        "stages": [(i, STAGE_LABELS[i], n, Decimal(n * 100) / villages) for i, n in enumerate(stages)],
        "milestones": [(k, MILESTONE_LABELS[k], stat.get(f"m:{k}"), Decimal(stat.get(f"m:{k}") * 100) / villages)
                       for k in MILESTONE_KEYS],
        "units": [(u, stat.get(f"unit:{u}")) for u in UNIT_CODES],
        "buildings": [(b.value, b.label, stat.get(f"bld:{b.value}")) for b in BuildingStatus],
        "health": health,
        "warnings": warnings,
        "koperasi_pct": Decimal(stat.get("k") * 100) / villages,
        "months": months,
        "series": series,
        "totals": {k: stat.get(k) for k in ("members", "pokok", "wajib", "sukarela", "loans", "npl", "assets",
                                            "equity", "revenue", "result")},
    }


def coop_table(code: str, params) -> tuple[QuerySet, dict]:
    """Snapshots of the cooperatives in a region, filtered and sorted from request parameters."""
    qs = CoopSnapshot.objects.filter(region_prefix_q("region_code", code)).select_related("koperasi")
    f = {"q": params.get("q", "").strip(), "kelas": params.get("kelas", ""), "peringatan": params.get("peringatan", ""),
         "tahap": params.get("tahap", ""), "urut": params.get("urut", "wilayah"), "status": params.get("status", "")}
    if f["q"]:
        qs = qs.filter(Q(koperasi__name__icontains=f["q"]) | Q(region_code__startswith=f["q"]))
    if f["kelas"] in HEALTH_CLASS_ORDER:
        qs = qs.filter(health_class=f["kelas"])
    if f["peringatan"] == "ada":
        qs = qs.filter(warning_count__gt=0)
    elif f["peringatan"] in WARNING_CODES:
        qs = qs.filter(**{f"w_{f['peringatan']}": True})
    if f["tahap"].isdigit():
        qs = qs.filter(koperasi__formation__stage=int(f["tahap"]))
    if f["status"]:
        qs = qs.filter(koperasi__status=f["status"])
    key = f["urut"].lstrip("-")
    order = SORTS.get(key, "region_code")
    desc = f["urut"].startswith("-")
    qs = qs.order_by(f"-{order}" if desc else order, "region_code")
    return qs, f


def villages_at_stage(code: str, stage: int | None) -> QuerySet:
    """Villages (with or without a formation row) of a region, optionally only those at ``stage``.

    Stage 0 includes villages nobody has recorded yet: they come from the region table."""
    regions = Region.objects.filter(level=4).filter(region_prefix_q("code", code))
    if stage is None:
        return regions.select_related("formation", "koperasi").order_by("code")
    if stage == 0:
        return regions.filter(Q(formation__isnull=True) | Q(formation__stage=0)).select_related(
            "formation", "koperasi").order_by("code")
    return regions.filter(formation__stage=stage).select_related("formation", "koperasi").order_by("code")


def stage_next_step(stage: int) -> str:
    return NEXT_STEP.get(stage, "—")


def formation_of(code: str) -> VillageFormation | None:
    return VillageFormation.objects.filter(region_id=code).select_related("koperasi", "updated_by").first()
