import io

import pytest
from openpyxl import load_workbook

from kopdes.supervision import services
from kopdes.supervision.models import CoopSnapshot, RegionStat

from .conftest import TODAY


def test_national_view_counts_every_village(db, simulated, satgas, client_as):
    nat = RegionStat.objects.get(code="")
    assert nat.villages == 83762
    assert nat.get("k") == simulated
    assert sum(RegionStat.objects.filter(level=1).values_list("villages", flat=True)) == 83762
    r = client_as(satgas).get("/pengawasan/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="stat-villages">83.762<' in html
    assert f'id="stat-koperasi">{simulated}<' in html
    assert "Sumatera Selatan" in html and "Aceh" in html  # every province listed
    # stage counts add up to every village
    from kopdes.supervision.stats import stage_counts
    assert sum(stage_counts(nat)) == 83762


def test_every_dashboard_number_drills_down_to_the_cooperatives(db, simulated, satgas, client_as):
    c = client_as(satgas)
    nat = RegionStat.objects.get(code="")
    r = c.get("/pengawasan/koperasi/?kelas=sehat")
    assert r.context["page"].paginator.count == nat.get("h:sehat")
    r = c.get("/pengawasan/peringatan/?jenis=npl")
    assert r.context["page"].paginator.count == nat.get("w:npl")
    r = c.get("/pengawasan/desa/?tahap=9")
    assert r.context["page"].paginator.count == nat.get("stage:9")
    r = c.get("/pengawasan/desa/?tahap=0")
    assert r.context["page"].paginator.count == 83762 - nat.get("f") + nat.get("stage:0")
    prov = max(RegionStat.objects.filter(level=1), key=lambda s: s.get("k"))
    r = c.get(f"/pengawasan/koperasi/?wilayah={prov.code}")
    assert r.context["page"].paginator.count == prov.get("k")
    # sorting and export
    r = c.get("/pengawasan/koperasi/?urut=-aset")
    assets = [s.assets for s in r.context["page"]]
    assert assets == sorted(assets, reverse=True)
    x = c.get(f"/pengawasan/koperasi/?wilayah={prov.code}&format=xlsx")
    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws.max_row - 1 == prov.get("k")


def test_dinas_oki_sees_only_oki(db, simulated, koperasi, far_koperasi, dinas_oki, client_as):
    from kopdes.supervision.snapshots import refresh_koperasi
    refresh_koperasi(koperasi, today=TODAY)
    refresh_koperasi(far_koperasi, today=TODAY)
    services.record_formation("16.02.04.2001", {"sosialisasi_date": "2025-05-01"}, by=dinas_oki, today=TODAY)
    c = client_as(dinas_oki)
    r = c.get("/pengawasan/")
    assert r.status_code == 200
    assert r.context["code"] == "16.02" and r.context["stat"].villages == RegionStat.objects.get(code="16.02").villages
    assert "Mesuji" in r.content.decode()  # a kecamatan of OKI in the drill-down
    for url in ["/pengawasan/wilayah/", "/pengawasan/wilayah/16/", "/pengawasan/wilayah/11/",
                "/pengawasan/wilayah/16.03/", "/pengawasan/koperasi/?wilayah=16", "/pengawasan/koperasi/?wilayah=1",
                "/pengawasan/desa/?wilayah=11.01", "/pengawasan/peringatan/?wilayah=16.03",
                f"/pengawasan/desa/{far_koperasi.region_id}/", f"/k/{far_koperasi.slug}/pembinaan/"]:
        assert c.get(url).status_code == 404, url
    r = c.get("/pengawasan/koperasi/")
    codes = [s.region_code for s in r.context["page"]]
    assert koperasi.region_id in codes and all(code.startswith("16.02.") for code in codes)
    assert "Surya Adi</a>, Mesuji" in r.content.decode()  # the village and kecamatan by name, the code beside
    r = c.get("/pengawasan/desa/?tahap=1")
    assert [v.code for v in r.context["page"]] == ["16.02.04.2001"]
    x = c.get("/pengawasan/koperasi/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(min_row=2, values_only=True))
    assert rows and all(r[0].startswith("16.02.") for r in rows)
    assert (koperasi.region_id, "Surya Adi", "Mesuji") in {r[:3] for r in rows}
    assert c.get(f"/k/{koperasi.slug}/pembinaan/").status_code == 200


def test_dinas_sumsel_sees_all_of_sumsel_and_nothing_else(db, simulated, koperasi, far_koperasi, dinas_sumsel,
                                                          client_as):
    from kopdes.supervision.snapshots import refresh_koperasi
    refresh_koperasi(koperasi, today=TODAY)
    refresh_koperasi(far_koperasi, today=TODAY)
    c = client_as(dinas_sumsel)
    r = c.get("/pengawasan/")
    assert r.context["code"] == "16"
    assert r.context["stat"].villages == RegionStat.objects.get(code="16").villages > 3000
    assert len(r.context["children"]) == RegionStat.objects.filter(parent_code="16").count() == 17
    assert c.get("/pengawasan/wilayah/16.02/").status_code == 200
    assert c.get("/pengawasan/wilayah/16.02.04/").status_code == 200
    for url in ["/pengawasan/wilayah/", "/pengawasan/wilayah/11/", "/pengawasan/wilayah/15.01/",
                "/pengawasan/koperasi/?wilayah=11", f"/k/{far_koperasi.slug}/pembinaan/"]:
        assert c.get(url).status_code == 404, url
    r = c.get("/pengawasan/koperasi/?urut=nama")
    expected = CoopSnapshot.objects.filter(region_code__startswith="16.").count()
    assert r.context["page"].paginator.count == expected >= 1
    assert all(s.region_code.startswith("16.") for s in r.context["page"])


def test_non_supervisors_have_no_region_pages(db, koperasi, make_user, client_as, client):
    ketua = make_user("ketua", koperasi=koperasi)
    assert client_as(ketua).get("/pengawasan/").status_code == 403
    assert client_as(ketua).get("/pengawasan/koperasi/").status_code == 403
    client.logout()
    r = client.get("/pengawasan/")
    assert r.status_code == 302 and "next=/pengawasan/" in r["Location"]


@pytest.mark.parametrize("url", ["/pengawasan/", "/pengawasan/wilayah/16/", "/pengawasan/koperasi/"])
def test_supervisor_landing(db, url, dinas_sumsel, client_as):
    assert client_as(dinas_sumsel).get(url).status_code == 200


def test_region_dashboard_in_english(db, simulated, dinas_sumsel, client_as):
    c = client_as(dinas_sumsel)
    c.cookies["django_language"] = "en"
    html = c.get("/pengawasan/").content.decode()
    assert "Formation progress" in html and "Health classes" in html and "Top problems" in html
    assert "Cooperative table" in html and "By Regency/City" in html
    assert "Perkembangan pembentukan" not in html
    # formation stages and legal milestones are labels from code, translated too
    assert "Founding meeting" in html and "Legal entity decree (AHU)" in html and "Rapat pendirian" not in html
    pdf = c.get("/pengawasan/?format=pdf")  # the official report stays in Bahasa Indonesia
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    c.cookies["django_language"] = "id"
    assert "Perkembangan pembentukan" in c.get("/pengawasan/").content.decode()


def test_region_page_looks_up_the_supervisors_scope_once(db, dinas_sumsel, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_as(dinas_sumsel)
    with CaptureQueriesContext(connection) as q:
        assert c.get("/pengawasan/wilayah/16.02/").status_code == 200
    assert sum("core_roleassignment" in x["sql"] for x in q.captured_queries) == 1  # was once per breadcrumb too


def test_formation_chart_runs_to_today_without_gaps(db):
    import datetime as dt

    from kopdes.supervision.models import RegionStat
    from kopdes.supervision.stats import progress_series

    stat = RegionStat(code="16.02", data={"p:ahu:2025-04": 3, "p:ahu:2025-06": 2, "p:akta:2025-05": 1})
    months, series = progress_series(stat, ["ahu", "akta"], until=dt.date(2025, 9, 14))
    assert months == ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09"]
    assert series == {"ahu": [3, 3, 5, 5, 5, 5], "akta": [0, 1, 1, 1, 1, 1]}
    assert progress_series(RegionStat(code="16.02", data={}), ["ahu"]) == ([], {"ahu": []})
