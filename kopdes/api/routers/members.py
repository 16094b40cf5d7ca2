"""Members (anggota): read for integrators, create for onboarding tools."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Header, Query, Router, Schema

from kopdes.core.units import Unit
from kopdes.members import services as member_services
from kopdes.members.models import Member
from kopdes.members.queries import search_members

from ..auth import koperasi_for
from ..common import Paged, PageQuery, idempotent, paginate, responses
from ..errors import not_found
from ..types import Hectares, IsoDate

router = Router(tags=["anggota"])


class MemberOut(Schema):
    number: str
    name: str
    nik: str
    status: str
    sex: str
    birth_date: dt.date
    phone: str
    dusun: str
    occupation: str
    land_area_ha: Decimal
    crops: list[str]
    farmer_group: str
    registered_on: dt.date
    joined_on: dt.date | None = None
    left_on: dt.date | None = None


def member_out(m: Member) -> dict:
    return {
        "number": m.number, "name": m.name, "nik": m.nik, "status": m.status, "sex": m.sex,
        "birth_date": m.birth_date, "phone": m.phone, "dusun": m.dusun, "occupation": m.occupation,
        "land_area_ha": m.land_area_ha, "crops": m.crop_list, "farmer_group": m.farmer_group,
        "registered_on": m.registered_on, "joined_on": m.joined_on, "left_on": m.left_on,
    }


class MemberFilter(PageQuery):
    q: str | None = Field(None, max_length=80, description="nama, nomor anggota, awalan NIK atau nomor HP")
    status: str | None = Field(None, max_length=14, description="calon, aktif, keluar, diberhentikan, meninggal")
    dusun: str | None = Field(None, max_length=80)


@router.get("/koperasi/{slug}/members", response=responses(Paged(MemberOut)), summary="Daftar anggota")
def list_members(request, slug: str, f: Query[MemberFilter]):
    k, _a = koperasi_for(request, slug, "members")
    qs = search_members(k, f.q or "")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.dusun:
        qs = qs.filter(dusun__iexact=f.dusun)
    return paginate(request, qs.order_by("seq"), f, member_out)


def get_member(k, number: str) -> Member:
    m = Member.objects.filter(koperasi=k, number=number).first()
    if m is None:
        raise not_found("Anggota tidak ditemukan.", "Member not found.")
    return m


@router.get("/koperasi/{slug}/members/{number}", response=responses(MemberOut), summary="Satu anggota")
def member_detail(request, slug: str, number: str):
    k, _a = koperasi_for(request, slug, "members")
    return member_out(get_member(k, number))


class MemberIn(Schema):
    nik: str = Field(..., min_length=16, max_length=16, pattern=r"^\d{16}$")
    name: str = Field(..., min_length=1, max_length=120)
    birth_date: IsoDate | None = Field(None, description="kosong: dari NIK")
    sex: str | None = Field(None, pattern="^[LP]$", description="kosong: dari NIK")
    birth_place: str = Field("", max_length=80)
    address: str = Field("", max_length=200)
    rt: str = Field("", max_length=3, pattern=r"^\d{0,3}$")
    rw: str = Field("", max_length=3, pattern=r"^\d{0,3}$")
    dusun: str = Field("", max_length=80)
    phone: str = Field("", max_length=16)
    occupation: str = Field("petani", max_length=20)
    land_area_ha: Hectares = Decimal("0")
    crops: list[str] = Field(default_factory=list, max_length=15)
    farmer_group: str = Field("", max_length=120)
    registered_on: IsoDate | None = None


@router.post("/koperasi/{slug}/members", response=responses(MemberOut, 400, 409, status=201),
             summary="Daftarkan calon anggota (onboarding)")
def create_member(request, slug: str, data: MemberIn, response: HttpResponse,
                  idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=80)):
    k, _a = koperasi_for(request, slug, "members", write=True, unit=Unit.KANTOR)
    payload = data.model_dump(mode="json")
    fields = {key: v for key, v in data.model_dump().items() if v not in (None, "")}

    def run():
        return member_out(member_services.register_member(k, by=request.user, **fields))

    result = idempotent(request, k, "members.create", idempotency_key, {"slug": slug, **payload}, run)
    if request.idempotent_replayed:
        response["Idempotent-Replayed"] = "true"
    return result
