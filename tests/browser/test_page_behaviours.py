"""The page behaviours that moved out of inline scripts and onclick= (issue 15's Content-Security-Policy) still
work in a real browser: the cascading region picker and its search, confirmation dialogs, the language switch,
print buttons. The ``page`` fixture fails the test on any CSP refusal."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kopdes.core.demo import build_demo
from kopdes.core.models import RoleAssignment

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_region_picker_cascades_and_searches(page, live_server):
    build_demo(apps=[])
    login(page, live_server, "dinas_oki")
    page.goto(f"{live_server.url}/koperasi/baru/")
    picker = page.locator(".region-picker")
    # cascade: each choice loads the next level through htmx (parent= added by kopdes.js, no eval)
    picker.locator("select[aria-label=Provinsi]").select_option("16")
    page.wait_for_selector("#region-kab option[value='16.02']", state="attached")
    page.select_option("#region-kab", "16.02")
    page.wait_for_selector("#region-kec option[value='16.02.04']", state="attached")
    page.select_option("#region-kec", "16.02.04")
    page.wait_for_selector("#region-desa option[value='16.02.04.2001']", state="attached")
    page.select_option("#region-desa", "16.02.04.2001")
    assert page.input_value("input[name=region]") == "16.02.04.2001"
    # search: type, pick a result, the code lands in the field
    page.fill("[data-region-search]", "Surya Adi")
    page.click("[data-region-results] button:has-text('16.02.04.2006')")
    assert page.input_value("input[name=region]") == "16.02.04.2006"
    assert "Surya Adi" in page.input_value("[data-region-search]")


def test_confirm_dialog_guards_a_destructive_button(page, live_server):
    build_demo(apps=[])
    ra = RoleAssignment.objects.active().filter(user__username="pengawas2").get()
    term_end = ra.end_date
    login(page, live_server, "ketua")
    page.goto(f"{live_server.url}/k/surya-adi/pengguna/")
    form = page.locator(f"form:has(input[name=assignment][value='{ra.pk}'])")
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    form.locator("button").click()
    page.wait_for_timeout(300)
    assert asked and "Akhiri peran" in asked[0]
    assert RoleAssignment.objects.get(pk=ra.pk).end_date == term_end  # dismissed: nothing sent

    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        form.locator("button").click()
    assert RoleAssignment.objects.get(pk=ra.pk).end_date == timezone.localdate()  # ended today


def test_language_switch_report_switcher_and_autoprint(page, live_server):
    build_demo(apps=[])
    login(page, live_server, "ketua")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")  # data-autosubmit
    assert "Log out" in page.inner_text("body") or "Board" in page.inner_text("body")
    with page.expect_navigation():
        page.select_option("select[name=language]", "id")
    # the report switcher navigates (data-navigate)
    page.goto(f"{live_server.url}/k/surya-adi/akuntansi/laporan/posisi-keuangan/")
    with page.expect_navigation():
        page.select_option("select[data-navigate]", index=1)
    assert "/akuntansi/laporan/" in page.url and not page.url.endswith("/posisi-keuangan/")
    # the print view prints itself once loaded (data-autoprint); window.print is counted, not run
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page.goto(f"{live_server.url}/k/surya-adi/akuntansi/laporan/posisi-keuangan/?print=1")
    page.wait_for_load_state("load")
    assert page.evaluate("() => window.__printed") == 1
