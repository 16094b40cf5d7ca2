"""Who am I, regions (reference data), cooperatives and their profile."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from kopdes.core.models import Koperasi, Region

from ..auth import koperasi_for, koperasi_queryset, require_user
from ..common import Money, Paged, PageQuery, paginate, responses

router = Router(tags=["koperasi"])

#: routers of business apps, imported when that app provides what they call
OPTIONAL = ["members", "self", "savings", "loans", "retail", "warehouse", "supervision"]


def optional_routers() -> list:
    from importlib.util import find_spec

    mods = []
    for name in OPTIONAL:
        if find_spec(f"kopdes.api.routers.{name}") is None:
            continue
        try:
            mod = import_module(f"kopdes.api.routers.{name}")
        except ImportError as exc:  # the unit (or the service it needs) has not landed yet
            if not (getattr(exc, "name", "") or "").startswith("kopdes.") or "kopdes.api" in (exc.name or ""):
                raise
            continue
        mods.append(mod)
    return mods


class TokenInfo(Schema):
    name: str
    prefix: str
    kind: str
    scopes: list[str]
    koperasi: str | None = Field(None, description="slug, when the token is limited to one cooperative")
    expires_at: dt.datetime | None = None


class Membership(Schema):
    koperasi: str
    member_number: str


class Me(Schema):
    token: TokenInfo
    username: str | None = None
    full_name: str | None = None
    supervisor_regions: list[str] | None = Field(None, description="null: not a supervisor; []: national")
    memberships: list[Membership] = []


@router.get("/me", response=responses(Me), summary="Siapa saya / who am I", tags=["akun"])
def me(request):
    from kopdes.core.access import supervised_region_codes

    p = require_user(request)
    t = p.token
    out = {
        "token": {"name": t.name, "prefix": t.prefix, "kind": t.kind, "scopes": t.scopes,
                  "koperasi": t.koperasi.slug if t.koperasi_id else None, "expires_at": t.expires_at},
    }
    if p.user is not None:
        out.update(username=p.user.username, full_name=p.user.display_name,
                   supervisor_regions=supervised_region_codes(p.user))
        try:
            from kopdes.members.models import Member
        except ImportError:  # pragma: no cover - members app always present in a full install
            Member = None
        if Member is not None:
            out["memberships"] = [
                {"koperasi": m.koperasi.slug, "member_number": m.number}
                for m in Member.objects.filter(user=p.user).select_related("koperasi")
            ]
    return out


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None = None


class RegionFilter(PageQuery):
    parent: str | None = Field(None, max_length=13, description="kode induk, mis. 16.02")
    level: int | None = Field(None, ge=1, le=4)
    q: str | None = Field(None, max_length=80, description="bagian nama")


@router.get("/regions", response=responses(Paged(RegionOut)), summary="Wilayah Kemendagri (referensi)",
            tags=["referensi"])
def regions(request, f: Query[RegionFilter]):
    require_user(request)
    qs = Region.objects.all().order_by("code")
    if f.parent:
        qs = qs.filter(parent_id=f.parent)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    return paginate(request, qs, f, lambda r: {"code": r.code, "name": r.name, "level": r.level,
                                                "parent": r.parent_id})


class KoperasiOut(Schema):
    slug: str
    name: str
    kind: str
    status: str
    region_code: str
    region_name: str


class Bylaws(Schema):
    effective_date: dt.date
    simpanan_pokok: Money
    simpanan_wajib_monthly: Money
    shu_shares: dict[str, Decimal]


class KoperasiProfile(KoperasiOut):
    formation_model: str
    badan_hukum_number: str
    badan_hukum_date: dt.date | None = None
    nib: str
    npwp: str
    address: str
    postal_code: str
    phone: str
    email: str
    founded_on: dt.date | None = None
    fiscal_year_start_month: int
    bylaws: Bylaws | None = None


def _koperasi(k: Koperasi) -> dict:
    return {"slug": k.slug, "name": k.name, "kind": k.kind, "status": k.status, "region_code": k.region_id,
            "region_name": k.region.name}


class KoperasiFilter(PageQuery):
    region: str | None = Field(None, max_length=13, description="kode wilayah: semua koperasi di bawahnya")
    status: str | None = Field(None, max_length=12)
    q: str | None = Field(None, max_length=80)


@router.get("/koperasi", response=responses(Paged(KoperasiOut)), summary="Koperasi yang dapat saya akses")
def koperasi_list(request, f: Query[KoperasiFilter]):
    qs = koperasi_queryset(request, "profile").select_related("region").order_by("region_id")
    if f.region:
        qs = qs.filter(Q(region_id=f.region) | Q(region__code__startswith=f"{f.region}."))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    return paginate(request, qs, f, _koperasi)


@router.get("/koperasi/{slug}", response=responses(KoperasiProfile), summary="Profil koperasi")
def koperasi_profile(request, slug: str):
    k, _access = koperasi_for(request, slug, "profile")
    out = _koperasi(k)
    out.update({f: getattr(k, f) for f in (
        "formation_model", "badan_hukum_number", "badan_hukum_date", "nib", "npwp", "address", "postal_code",
        "phone", "email", "founded_on", "fiscal_year_start_month")})
    b = k.current_bylaws
    out["bylaws"] = None if b is None else {
        "effective_date": b.effective_date, "simpanan_pokok": b.simpanan_pokok,
        "simpanan_wajib_monthly": b.simpanan_wajib_monthly,
        "shu_shares": {f: pct for f, _label, pct in b.shu_parts()},
    }
    return out
