"""Supervision rollups for region users (Dinas kabupaten/provinsi, national): read-only, from snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from kopdes.supervision import queries
from kopdes.supervision.access import covers, root_code, scope_of

from ..auth import require_scope
from ..common import Money, Paged, PageQuery, paginate, responses
from ..errors import not_found

router = Router(tags=["pembinaan"])


class RegionQuery(Schema):
    region: str | None = Field(None, max_length=13, description="kode wilayah; kosong: wilayah Anda")


class ChildRow(Schema):
    code: str
    name: str
    villages: int
    koperasi: int
    ahu: int
    operating: int
    sehat: int
    members: int
    warned: int


class Rollup(Schema):
    code: str
    name: str
    villages: int
    koperasi: int
    totals: dict[str, Decimal]
    health: dict[str, int]
    warnings: dict[str, int]
    milestones: dict[str, int]
    children: list[ChildRow]


def _scope(request, region: str | None) -> str:
    p = require_scope(request, "supervision:read")
    codes = scope_of(p.user)
    if codes is None:
        raise not_found("Hanya untuk pengguna Dinas/nasional.", "For region supervisors only.")
    code = root_code(codes) if region is None else region
    if not covers(codes, code):
        raise not_found("Wilayah tidak ditemukan.", "Region not found.")
    return code


@router.get("/supervision/rollup", response=responses(Rollup), summary="Rekap wilayah (pembinaan)")
def rollup(request, w: Query[RegionQuery]):
    code = _scope(request, w.region)
    try:
        d = queries.dashboard(code)
    except Exception as exc:  # unknown region code → RegionStat.DoesNotExist
        if exc.__class__.__name__ == "DoesNotExist":
            raise Http404
        raise
    stat = d["stat"]
    name = dict(queries.breadcrumbs(code)).get(code, code) if code else "Nasional"
    return {
        "code": code, "name": name, "villages": stat.villages, "koperasi": stat.get("k"),
        "totals": {k: Decimal(v or 0) for k, v in d["totals"].items()},
        "health": {c: n for c, _label, n in d["health"]}, "warnings": {c: n for c, _label, n in d["warnings"]},
        "milestones": {k: n for k, _label, n, _pct in d["milestones"]},
        "children": [{k: r[k] for k in ("code", "name", "villages", "koperasi", "ahu", "operating", "sehat",
                                        "members", "warned")} for r in d["children"]],
    }


class CoopRow(Schema):
    slug: str
    name: str
    region_code: str
    as_of: dt.date
    members: int
    health_class: str
    health_score: Decimal | None = None
    loans_outstanding: Money
    npl_ratio: Decimal | None = None
    assets: Money
    equity: Money
    result: Money
    warning_count: int
    last_rat_date: dt.date | None = None


class CoopFilter(PageQuery, RegionQuery):
    q: str | None = Field(None, max_length=80)
    kelas: str | None = Field(None, max_length=12, description="kelas kesehatan")


@router.get("/supervision/koperasi", response=responses(Paged(CoopRow)),
            summary="Koperasi di wilayah saya (dari snapshot)")
def coops(request, f: Query[CoopFilter]):
    code = _scope(request, f.region)
    qs, _f = queries.coop_table(code, {"q": f.q or "", "kelas": f.kelas or "", "urut": "wilayah"})
    return paginate(request, qs, f, lambda s: {
        "slug": s.koperasi.slug, "name": s.koperasi.name, "region_code": s.region_code, "as_of": s.as_of,
        "members": s.members, "health_class": s.health_class, "health_score": s.health_score,
        "loans_outstanding": s.loans_outstanding, "npl_ratio": s.npl_ratio, "assets": s.assets, "equity": s.equity,
        "result": s.result, "warning_count": getattr(s, "warning_count", 0) or 0, "last_rat_date": s.last_rat_date})
