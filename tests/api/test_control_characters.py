"""Issue 14 item 12: NUL and other control characters are refused in every stored text — through the API, the
HTML forms, the services, bulk writes and the member import — with a bilingual error naming the field; nothing
written."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.core.errors import DomainError
from kopdes.core.identity import make_nik
from kopdes.members.models import Member

pytestmark = pytest.mark.django_db

HOSTILE = ["Budi\x00Santoso", "Budi\x07", "Budi\x1bSantoso", "Budi\x7f", "Budi\x85", "Budi\u202eosotnaS",
           "Budi\u2066x"]


def _nik(koperasi, n):
    return make_nik(koperasi.region_id.rsplit(".", 1)[0], dt.date(1980, 2, 3), "L", n)


@pytest.mark.parametrize("name", HOSTILE)
def test_api_refuses_a_name_with_a_control_character(koperasi, make_user, token_for, api, name):
    client = api(token_for(make_user("ketua", koperasi=koperasi)))
    r = client.post(f"/api/v1/koperasi/{koperasi.slug}/members",
                    {"nik": _nik(koperasi, 9101), "name": name, "birth_date": "1980-02-03", "sex": "L"},
                    key=f"ctl-{HOSTILE.index(name)}")
    assert r.status_code in (400, 422), r.content
    body = r.json()
    assert body["field"] in ("name", "body.name", "data.name") or "name" in str(body)
    assert not Member.objects.filter(koperasi=koperasi).exists()


def test_api_accepts_ordinary_text_and_line_breaks_in_an_address(koperasi, make_user, token_for, api):
    client = api(token_for(make_user("ketua", koperasi=koperasi)))
    r = client.post(f"/api/v1/koperasi/{koperasi.slug}/members",
                    {"nik": _nik(koperasi, 9102), "name": "Siti Nur'aini", "birth_date": "1980-02-03",
                     "sex": "L", "address": "Jl. Kenanga 3\r\nGang Mawar\tNo. 2"}, key="ok-1")
    assert r.status_code == 201, r.content
    assert Member.objects.get(koperasi=koperasi).address == "Jl. Kenanga 3\r\nGang Mawar\tNo. 2"


def test_the_service_refuses_bilingually_with_the_field(koperasi):
    from kopdes.members.services import register_member

    with pytest.raises(DomainError) as exc:
        register_member(koperasi, nik=_nik(koperasi, 9103), name="Ani\x00", birth_date=dt.date(1980, 2, 3), sex="L")
    assert exc.value.field == "name" and exc.value.code == "control_character"
    assert "U+0000" in exc.value.message_id and "karakter kendali" in exc.value.message_id
    assert "control character" in exc.value.message_en
    assert not Member.objects.filter(koperasi=koperasi).exists()


def test_every_save_and_bulk_create_of_a_kopdes_model_is_guarded(koperasi):
    from kopdes.clinic.models import Tariff

    koperasi.name = "Koperasi\x00"
    with pytest.raises(DomainError) as exc:
        koperasi.save()
    assert exc.value.field == "name"
    koperasi.refresh_from_db()
    assert "\x00" not in koperasi.name
    with pytest.raises(DomainError):
        Tariff.objects.bulk_create([Tariff(koperasi=koperasi, code="X1", name="Periksa\x1b[31m",
                                            member_price=1000, public_price=1000)])
    assert not Tariff.objects.filter(koperasi=koperasi, code="X1").exists()


def test_html_form_shows_the_error_at_the_field(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    before = koperasi.address
    r = c.post(f"/k/{koperasi.slug}/profil/?ubah=1", {
        "name": koperasi.name, "status": koperasi.status, "formation_model": koperasi.formation_model,
        "address": "Jl. Desa\x1b No. 1", "fiscal_year_start_month": 1})
    assert r.status_code == 200
    assert "karakter kendali U+001B" in r.content.decode()
    koperasi.refresh_from_db()
    assert koperasi.address == before


def test_member_import_lists_the_row_and_column(koperasi):
    from kopdes.members.importing import import_members

    csv = ("nik,nama,tanggal_lahir,jenis_kelamin\n"
           f"{_nik(koperasi, 9104)},Ahmad\x07 Yani,03-02-1980,L\n").encode()
    from kopdes.members.importing import ImportRejected

    with pytest.raises(ImportRejected) as exc:
        import_members(koperasi, csv, "anggota.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "nama")]
    assert "U+0007" in str(exc.value.errors[0]) and "U+0007" in exc.value.errors[0].message_en
    assert not Member.objects.filter(koperasi=koperasi).exists()
