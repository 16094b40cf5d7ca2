"""A Dinas kabupaten official (OKI) logs in, sees the regional dashboard (formation progress, health classes,
early warnings), drills down to the demo cooperative's health breakdown computed from its books, and reads the
cooperative's own pages without any write button (a POST is 403). An official of another kabupaten gets 404."""

from __future__ import annotations

import re

import pytest

from kopdes.core.demo import build_demo

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _post_status(page, url: str) -> int:
    """POST from the logged-in page (with its CSRF cookie), as a hand-made form would."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    r = page.request.post(url, form={"full_name": "Tamu", "csrfmiddlewaretoken": token},
                          headers={"X-CSRFToken": token, "Referer": page.url}, max_redirects=0)
    return r.status


def test_dinas_kabupaten_dashboard_drilldown_read_only(page, live_server):
    from kopdes.core.models import Region
    from kopdes.supervision.models import CoopSnapshot, RegionStat

    ctx = build_demo(apps=["ledger", "members", "savings", "supervision"])
    k = ctx.koperasi
    snap = CoopSnapshot.objects.get(koperasi=k)
    assert snap.health_score is not None and snap.source == "buku"
    oki = RegionStat.objects.get(code="16.02")

    login(page, live_server, "dinas_oki")
    assert page.url.endswith("/pengawasan/")
    body = page.inner_text("body")
    assert "Ogan Komering Ilir" in body
    assert page.inner_text("#stat-villages") == f"{oki.villages:,}".replace(",", ".")
    assert page.inner_text("#stat-koperasi") == str(oki.get("k"))
    assert "Tahap pembentukan" in body and "Kelas kesehatan" in body and "Masalah teratas" in body
    assert page.locator("#chart-progress").count() == 1 and page.locator("#chart-health").count() == 1
    assert "Segarkan semua" not in body  # national users only
    screenshot(page, "supervision-dinas-oki-dashboard")

    # drill down: kecamatan of the demo village → its villages at each stage
    kec = k.region_id.rsplit(".", 1)[0]
    kec_name = Region.objects.get(code=kec).name
    page.click(f"#children a:has-text('{kec_name}')")
    page.wait_for_load_state("networkidle")
    assert f"/pengawasan/wilayah/{kec}/" in page.url
    page.click("#stat-villages")  # the village count → every village of the kecamatan with its stage
    page.wait_for_load_state("networkidle")
    assert "/pengawasan/desa/" in page.url
    assert page.locator("#villages tbody tr").count() == Region.objects.filter(code__startswith=f"{kec}.").count()
    assert "9. Beroperasi" in page.inner_text(f"#villages tr:has-text('{k.region_id}')")
    screenshot(page, "supervision-villages")

    # the cooperative table → the demo cooperative's health breakdown (from its books)
    page.goto(f"{live_server.url}/pengawasan/koperasi/?wilayah=16.02&q={k.region_id}")
    page.click(f"#coops a:has-text('{k.name}')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/k/{k.slug}/pembinaan/")
    assert page.inner_text("#health-score").strip() == str(snap.health_score).replace(".", ",")
    breakdown = page.inner_text("#breakdown")
    assert "Tata kelola" in breakdown and "Permodalan" in breakdown and "Ekuitas / aset" in breakdown
    screenshot(page, "supervision-koperasi-health")

    # the cooperative's own pages are read-only for the Dinas: no write buttons, POST refused
    # (the side menu still lists "Daftarkan anggota" to readers: MenuItem has no write filter — core/members)
    page.goto(f"{live_server.url}/k/{k.slug}/anggota/")
    assert "Dinas" in page.inner_text("#sidebar")  # the role shown: a supervisor, reading
    assert page.locator(f"main a[href='/k/{k.slug}/anggota/baru/']").count() == 0
    assert page.locator("main form[method=post], main form[method=POST]").count() == 0
    assert not re.search(r"Daftarkan|Ubah|Hapus", page.inner_text("main"))
    screenshot(page, "supervision-dinas-reads-members")
    assert _post_status(page, f"{live_server.url}/k/{k.slug}/anggota/baru/") == 403

    # Excel export of the region and the PDF report download
    with page.expect_download() as dl:
        page.goto(f"{live_server.url}/pengawasan/wilayah/16.02/")
        page.click("#region-pdf")
    assert dl.value.suggested_filename == "pengawasan-16.02.pdf"


def test_other_region_official_gets_404(page, live_server):
    from kopdes.core.models import Role
    from kopdes.core.services import create_user_with_role

    ctx = build_demo(apps=["supervision"])
    create_user_with_role(role=Role.DINAS_KABUPATEN, region="11.01", username="dinas_aceh_b", password="kopdes-demo",
                          full_name="Dinas Aceh Selatan")
    login(page, live_server, "dinas_aceh_b")
    assert "/pengawasan/wilayah/11.01/" in page.url or page.url.endswith("/pengawasan/")
    assert "Ogan Komering Ilir" not in page.inner_text("body")
    for url in ("/pengawasan/wilayah/16.02/", f"/k/{ctx.koperasi.slug}/pembinaan/",
                f"/pengawasan/desa/{ctx.koperasi.region_id}/", "/pengawasan/koperasi/?wilayah=16.02"):
        r = page.goto(f"{live_server.url}{url}")
        assert r.status == 404, url
    screenshot(page, "supervision-other-region-404")
