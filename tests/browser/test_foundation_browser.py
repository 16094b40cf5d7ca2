"""A new user logs in to the demo and reaches an Indonesian dashboard; a Dinas official lands on their region."""

from __future__ import annotations

import pytest

from kopdes.core.demo import build_demo

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ketua_logs_in_and_sees_dashboard(page, live_server):
    build_demo(apps=[])
    login(page, live_server, "ketua")
    assert "/k/surya-adi/" in page.url
    body = page.inner_text("body")
    assert "Koperasi Desa Merah Putih Surya Adi" in body
    assert "Pengurus & pengawas" in body and "Simpanan pokok" in body
    assert "Ogan Komering Ilir" in body
    screenshot(page, "foundation-dashboard")
    page.click("text=Profil & legalitas")
    assert "1207250012345" in page.inner_text("body")


def test_login_by_phone_on_a_phone(phone_page, live_server):
    build_demo(apps=[])
    login(phone_page, live_server, "0812-7300-0003")  # bendahara
    assert "/k/surya-adi/" in phone_page.url
    screenshot(phone_page, "foundation-phone")


def test_wrong_password_is_explained(page, live_server):
    build_demo(apps=[])
    login(page, live_server, "ketua", "salah-sekali")
    assert "kata sandi salah" in page.inner_text("body")
