"""Issue 14 item 11: garbage in a list or report page's filters is the form's error on the page, never a 500.

The walk reverses every page that takes no argument but the cooperative, as the board (every unit) and as the
national supervisor, and asks each one with garbage in every filter the product knows (dates, months, years, days,
pages, line numbers, ids, NUL characters in search boxes)."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

FILTERS = ("dari", "sampai", "from", "to", "start", "end", "tanggal", "bulan", "tahun", "year", "hari", "page",
           "baris", "lokasi", "hasil", "ubah", "anggota", "patient", "member", "q", "code", "status", "jenis",
           "unit", "laporan", "golongan", "tahap", "oleh", "objek", "aksi", "parent", "level", "wilayah",
           "pekerjaan", "dusun", "komoditas", "source", "tampil")

GARBAGE = ("0000-00-00", "abc", "2025-13-45", "-1", "99999999999999999999999999", "1e9", "2025-00", "\x00",
           "1.5")


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _routes(p, route)
        elif isinstance(p, URLPattern):
            yield route


def _pages(slug):
    """Every URL without arguments other than the cooperative's slug (and the global pages)."""
    out = []
    for route in _routes():
        if route.startswith("^") or "(?P" in route:
            continue
        rest = route.replace("<slug:slug>", slug)
        if "<" in rest or rest.startswith(("i18n", "jsi18n", "keluar", "api/")):
            continue
        out.append("/" + rest)
    return sorted(set(out))


def _walk(client, pages):
    failures = []
    for url in pages:
        for value in GARBAGE:
            query = {name: value for name in FILTERS}
            r = client.get(url, query)
            if r.status_code >= 500:
                failures.append((url, value, r.status_code))
    return failures


def test_the_cooperative_pages_answer_garbage_filters_without_a_server_error(koperasi, make_user, client):
    client.raise_request_exception = False
    client.force_login(make_user("ketua", koperasi=koperasi))
    pages = [p for p in _pages(koperasi.slug) if p.startswith(f"/k/{koperasi.slug}/")]
    assert len(pages) > 60
    assert _walk(client, pages) == []


def test_the_supervision_pages_answer_garbage_filters_without_a_server_error(koperasi, make_user, client):
    client.raise_request_exception = False
    client.force_login(make_user("nasional"))
    pages = [p for p in _pages(koperasi.slug) if not p.startswith("/k/")]
    assert any(p.startswith("/pengawasan/") for p in pages)
    assert _walk(client, pages) == []


def test_a_garbage_date_is_the_form_error_on_the_page(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    r = c.get(f"/k/{koperasi.slug}/simpanan/mutasi/", {"dari": "0000-00-00", "sampai": "2026-01-31"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Masukkan tanggal yang valid" in html or "Enter a valid date" in html
    assert "id=\"filter-errors\"" in html
    assert r.context["filters"].errors["dari"]
    # the rest of the filter still applies: the valid end date is kept
    assert r.context["filters"].cleaned_data["sampai"].isoformat() == "2026-01-31"


def test_a_nul_in_a_search_box_is_dropped_and_shown_not_sent_to_the_database(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    r = c.get(f"/k/{koperasi.slug}/anggota/", {"q": "budi\x00", "status": "aktif"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="filter-errors"' in html and "U+0000" in html
    assert r.wsgi_request.GET.get("status") == "aktif" and "q" not in r.wsgi_request.GET


def test_the_api_answers_a_control_character_in_a_parameter_with_a_problem(koperasi, make_user):
    from django.test import Client

    from kopdes.api.services import create_personal_token

    _t, raw = create_personal_token(make_user("ketua", koperasi=koperasi), name="t", scopes=["members:read"])
    r = Client().get(f"/api/v1/koperasi/{koperasi.slug}/members", {"q": "a\x00"},
                     HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 400
    assert r.json()["code"] == "control_character" and r.json()["field"] == "q"


def test_a_members_statement_and_passbook_answer_garbage_filters(koperasi, make_user, client):
    import datetime as dt

    from kopdes.members.tests.factories import new_active_member

    m = new_active_member(koperasi, date=dt.date(2026, 1, 2))
    client.raise_request_exception = False
    client.force_login(make_user("ketua", koperasi=koperasi))
    base = f"/k/{koperasi.slug}/simpanan/anggota/{m.pk}/"
    assert _walk(client, [base, base + "buku/", base + "?format=pdf"]) == []
    r = client.get(base + "buku/", {"baris": "-5"})
    assert r.status_code == 200 and r.context["start_line"] == 1 and 'id="filter-errors"' in r.content.decode()
