import datetime as dt
from decimal import Decimal

import pytest

from kopdes.supervision import health, snapshots, stats
from kopdes.supervision.models import CoopSnapshot, HealthConfig, HealthScore, RegionStat

from .conftest import TODAY

D = Decimal


def fig(**kw):
    base = dict(loans=D(0), npl_amount=D(0), npl_ratio=None, assets=D(100_000_000), equity=D(40_000_000),
                result=D(5_000_000), members=50, wajib_arrears_members=0, last_rat_date=dt.date(2026, 3, 1),
                last_activity_date=TODAY, cash_difference=D(0), governance=[], founded_on=dt.date(2025, 6, 1))
    base.update(kw)
    return health.Figures(**base)


@pytest.mark.parametrize("value,band,expected", [
    (4, "npl", 4), (5, "npl", 4), (7, "npl", 3), (12, "npl", 2), (16, "npl", 1),
    (70, "loan_to_assets", 4), (80, "loan_to_assets", 3), (90, "loan_to_assets", 2), (99, "loan_to_assets", 1),
    (35, "equity_ratio", 4), (25, "equity_ratio", 3), (15, "equity_ratio", 2), (5, "equity_ratio", 1),
])
def test_domain_ratio_bands(value, band, expected):
    assert health.band_score(value, health.DEFAULT_CONFIG["bands"][band]) == expected


def test_score_breakdown_and_weights():
    value, cls, rows = health.score(fig(loans=D(60_000_000), npl_amount=D(6_000_000), governance=[4, 4, 2, 2]),
                                    TODAY)
    by_key = {r["key"]: r for r in rows}
    assert by_key["npl"]["value"] == "10.00" and by_key["npl"]["score"] == 3
    assert by_key["loan_to_assets"]["score"] == 4  # 60%
    assert by_key["equity_ratio"]["score"] == 4  # 40%
    assert by_key["roa"]["score"] == 4  # 5% > 3
    # tata kelola (4 + 3)/2/4*30 = 26.25; risiko 3/4*15 = 11.25; kinerja (4+4+4)/3/4*40 = 40; modal 15 → 92.5
    assert value == D("92.50") and cls == "sehat"


def test_configurable_weights_and_classes(db):
    HealthConfig.objects.create(weights={"tata_kelola": 0, "profil_risiko": 0, "kinerja_keuangan": 0,
                                         "permodalan": 100}, classes={"sehat": 95, "cukup": 70, "pengawasan": 60})
    cfg = health.current_config()
    value, cls, _rows = health.score(fig(equity=D(25_000_000)), TODAY, cfg)  # equity ratio 25% → 3 → 75
    assert value == D("75.00") and cls == "cukup"


def test_warnings_with_reasons():
    w = health.warnings(fig(last_rat_date=dt.date(2025, 3, 1), equity=D(-1), loans=D(100), npl_amount=D(20),
                            last_activity_date=TODAY - dt.timedelta(days=45), cash_difference=D(250_000),
                            wajib_arrears_members=20), TODAY)
    assert set(w) == {"no_rat", "neg_equity", "npl", "inactive", "cash_diff", "wajib_arrears"}
    assert "2025" in w["no_rat"] and "30-06-2026" in w["no_rat"]
    assert "45 hari" in w["inactive"] and "20 dari 50" in w["wajib_arrears"]
    assert health.warnings(fig(), TODAY) == {}
    # founded after the last year end: no RAT due yet
    assert "no_rat" not in health.warnings(fig(last_rat_date=None, founded_on=dt.date(2026, 2, 1)), TODAY)
    # before the deadline: not yet a warning
    assert "no_rat" not in health.warnings(fig(last_rat_date=None), dt.date(2026, 5, 1))


def test_snapshot_from_books_incremental_and_region_totals(db, koperasi, django_capture_on_commit_callbacks):
    pytest.importorskip("kopdes.ledger.services")
    from kopdes.ledger.services import Line, post

    snap = snapshots.refresh_koperasi(koperasi, today=TODAY)
    assert snap.assets == 0 and snap.health_class == "belum"
    kab_before = RegionStat.objects.get(code="16.02").get("assets")
    # the test runs in one transaction: let the flags queued while setting up fire now, as a commit would
    from django.db import connection

    for _sids, cb, *_rest in connection.run_on_commit:
        cb()
    connection.run_on_commit.clear()
    snapshots.refresh_koperasi(koperasi, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(koperasi, date=dt.date(2026, 10, 1), memo="setoran modal", lines=[
            Line("1101", debit=D("5000000")), Line("3101", credit=D("1000000")), Line("3102", credit=D("500000")),
            Line("3301", credit=D("3500000"))])
        post(koperasi, date=dt.date(2026, 10, 5), memo="penjualan", lines=[
            Line("1103", debit=D("800000"), unit="sembako"), Line("4111", credit=D("800000"), unit="sembako")])
    assert len(callbacks) == 1  # one flag per cooperative and transaction, however many rows were saved
    assert CoopSnapshot.objects.get(pk=snap.pk).dirty  # flagged by the activity, not recomputed on the spot
    assert snapshots.refresh_dirty(today=TODAY) == 1
    snap.refresh_from_db()
    assert not snap.dirty
    assert snap.simpanan_pokok == D("1000000") and snap.simpanan_wajib == D("500000")
    assert snap.assets == D("5800000") and snap.equity == D("5800000")
    assert snap.revenue == D("800000") and snap.result == D("800000")
    assert snap.revenue_by_unit == {"sembako": "800000.00"}
    assert snap.last_activity_date == dt.date(2026, 10, 5)
    assert snap.health_score is not None and snap.health_class != "belum"
    assert HealthScore.objects.get(koperasi=koperasi, period=dt.date(2026, 12, 31)).score == snap.health_score
    for code in ("", "16", "16.02", "16.02.04"):
        assert RegionStat.objects.get(code=code).get("assets") >= 5800000
    assert RegionStat.objects.get(code="16.02").get("assets") == kab_before + 5800000
    # full refresh agrees
    before = dict(RegionStat.objects.get(code="16.02.04").data)
    snapshots.refresh_all(today=TODAY)
    assert RegionStat.objects.get(code="16.02.04").data == before


def test_full_refresh_rescores_simulated(db, simulated):
    HealthConfig.objects.create(classes={"sehat": 300, "cukup": 200, "pengawasan": 101})  # nobody can be healthy
    r = snapshots.refresh_all(today=TODAY)
    assert r["rescored"] == simulated
    scored = CoopSnapshot.objects.exclude(health_class="belum")
    assert scored.exists() and not scored.exclude(health_class="khusus").exists()
    assert RegionStat.objects.get(code="").get("h:khusus") == scored.count()
    assert stats.stage_counts(RegionStat.objects.get(code=""))[0] >= 83762 - simulated


def test_parameters_page_national_only_and_checked(db, satgas, dinas_oki, client_as):
    import json
    assert client_as(dinas_oki).get("/pengawasan/parameter/").status_code == 200
    good = {"weights": {"tata_kelola": 25, "profil_risiko": 25, "kinerja_keuangan": 25, "permodalan": 25},
            "classes": {"sehat": 85, "cukup": 70, "pengawasan": 55}, "thresholds": {"npl_pct": 8}}
    assert client_as(dinas_oki).post("/pengawasan/parameter/", {"config": json.dumps(good)}).status_code == 403
    bad = {**good, "classes": {"sehat": 50, "cukup": 70, "pengawasan": 55}}
    r = client_as(satgas).post("/pengawasan/parameter/", {"config": json.dumps(bad)})
    assert r.status_code == 200 and "sehat &gt; cukup" in r.content.decode()
    assert not HealthConfig.objects.exists()
    r = client_as(satgas).post("/pengawasan/parameter/", {"config": json.dumps(good)})
    assert r.status_code == 302
    cfg = health.current_config()
    assert cfg["weights"]["permodalan"] == 25 and cfg["thresholds"]["npl_pct"] == 8
    assert cfg["thresholds"]["inactive_days"] == 30  # defaults kept for what was not given
