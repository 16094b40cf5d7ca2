"""The side menu offers data-entry pages only to people who may enter data there."""

from __future__ import annotations

import pytest

from kopdes.core.access import get_access
from kopdes.core.navigation import menu_for

ENTRY_PAGES = {"Daftarkan anggota", "Impor anggota & saldo", "Loket setor/tarik", "Kasir gerai (POS)"}


def _labels(koperasi, user) -> set[str]:
    return {str(i["label"]) for _, items in menu_for(koperasi, get_access(user, koperasi)) for i in items}


@pytest.mark.parametrize("who", [("pengawas", {}), ("dinas_kabupaten", {"region": "16.02"}), ("nasional", {})])
def test_readers_are_not_offered_entry_pages(db, koperasi, make_user, who):
    role, extra = who
    if role == "pengawas":
        extra = {"koperasi": koperasi}
    user = make_user(role, **extra)
    labels = _labels(koperasi, user)
    assert "Daftar anggota" in labels and "Posisi keuangan" in labels  # they still read everything
    assert not labels & ENTRY_PAGES


def test_operators_see_entry_pages_of_their_own_unit_only(db, koperasi, make_user):
    kasir = _labels(koperasi, make_user("operator", koperasi=koperasi, unit="sembako"))
    assert "Kasir gerai (POS)" in kasir and "Loket setor/tarik" not in kasir and "Daftarkan anggota" not in kasir
    teller = _labels(koperasi, make_user("operator", koperasi=koperasi, unit="simpan_pinjam"))
    assert {"Loket setor/tarik", "Daftarkan anggota"} <= teller and "Kasir gerai (POS)" not in teller


def test_ketua_sees_every_entry_page(db, koperasi, make_user):
    assert _labels(koperasi, make_user("ketua", koperasi=koperasi)) >= ENTRY_PAGES


def test_dinas_dashboard_html_has_no_register_link(db, koperasi, make_user, client_as):
    dinas = make_user("dinas_kabupaten", region="16.02")
    html = client_as(dinas).get(f"/k/{koperasi.slug}/").content.decode()
    assert "Daftar anggota" in html and "Daftarkan anggota" not in html
