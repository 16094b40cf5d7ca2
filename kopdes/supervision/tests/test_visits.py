import datetime as dt

import pytest

from kopdes.core.errors import DomainError
from kopdes.supervision import services
from kopdes.supervision.models import (
    AnnualMeetingReport,
    CoopSnapshot,
    GovernanceIndicator,
    SupervisionVisit,
    VisitFinding,
)

from .conftest import TODAY

FINDING = {"area": "simpan_pinjam", "indicator": "SOP pinjaman", "procedure": "wawancara", "evidence": "draf SOP",
           "rating": "tidak_sesuai", "finding": "SOP belum disahkan", "recommendation": "Sahkan SOP",
           "responsible": "Ketua", "deadline": dt.date(2026, 12, 31)}


def test_dinas_records_visit_with_findings(db, koperasi, dinas_oki):
    v = services.record_visit(koperasi, date=dt.date(2026, 11, 1), findings=[FINDING, {"indicator": ""}],
                              by=dinas_oki, purpose="rutin", today=TODAY)
    f = VisitFinding.objects.get(visit=v)
    assert f.koperasi_id == koperasi.pk and f.rating == "tidak_sesuai" and f.follow_up == "belum"
    assert v.officer == dinas_oki


@pytest.mark.parametrize("change,field", [({"rating": "bagus"}, "rating"), ({"recommendation": ""}, "recommendation"),
                                          ({"deadline": dt.date(2026, 10, 1)}, "deadline"), ({"area": ""}, "area")])
def test_bad_findings_are_refused_and_nothing_kept(db, koperasi, dinas_oki, change, field):
    with pytest.raises(DomainError) as e:
        services.record_visit(koperasi, date=dt.date(2026, 11, 1), findings=[FINDING, {**FINDING, **change}],
                              by=dinas_oki, today=TODAY)
    assert e.value.field == field
    assert not SupervisionVisit.objects.exists() and not VisitFinding.objects.exists()


def test_only_the_supervising_dinas_records_visits(db, koperasi, far_koperasi, dinas_oki, dinas_aceh, make_user,
                                                   client_as):
    ketua = make_user("ketua", koperasi=koperasi)
    for user in (ketua, dinas_aceh):
        with pytest.raises(DomainError):
            services.record_visit(koperasi, date=TODAY, findings=[FINDING], by=user, today=TODAY)
    data = {"date": "2026-11-01", "purpose": "rutin", "t-TOTAL_FORMS": "1", "t-INITIAL_FORMS": "0",
            **{f"t-0-{k}": (v.isoformat() if isinstance(v, dt.date) else v) for k, v in FINDING.items()}}
    assert client_as(ketua).post(f"/k/{koperasi.slug}/pembinaan/kunjungan/baru/", data).status_code == 403
    assert client_as(dinas_aceh).post(f"/k/{koperasi.slug}/pembinaan/kunjungan/baru/", data).status_code == 404
    r = client_as(dinas_oki).post(f"/k/{koperasi.slug}/pembinaan/kunjungan/baru/", data)
    assert r.status_code == 302
    v = SupervisionVisit.objects.get(koperasi=koperasi)
    finding = v.findings.get()
    # the cooperative's management reports the follow-up; a pengawas only reads
    pengawas = make_user("pengawas", koperasi=koperasi)
    url = f"/k/{koperasi.slug}/pembinaan/kunjungan/{v.pk}/"
    assert client_as(pengawas).get(url).status_code == 200
    assert client_as(pengawas).post(url, {"finding": finding.pk, "follow_up": "selesai"}).status_code == 403
    assert client_as(ketua).post(url, {"finding": finding.pk, "follow_up": "proses",
                                       "follow_up_note": "draf dibahas"}).status_code == 302
    finding.refresh_from_db()
    assert finding.follow_up == "proses" and finding.follow_up_note == "draf dibahas"
    # a visit of another cooperative is not reachable through this one
    other = services.record_visit(far_koperasi, date=TODAY, findings=[], by=dinas_aceh, today=TODAY)
    assert client_as(dinas_oki).get(f"/k/{koperasi.slug}/pembinaan/kunjungan/{other.pk}/").status_code == 404


def test_governance_indicators_feed_the_health_score(db, koperasi, dinas_oki, make_user, client_as):
    ketua = make_user("ketua", koperasi=koperasi)
    url = f"/k/{koperasi.slug}/pembinaan/tata-kelola/"
    post = {"year": "2026", "score_rat": "4", "score_pengurus": "2", "note_pengurus": "belum lengkap"}
    assert client_as(ketua).post(url, post).status_code == 403
    assert client_as(dinas_oki).post(url, post).status_code == 302
    assert dict(GovernanceIndicator.objects.filter(koperasi=koperasi).values_list("key", "score")) == {
        "rat": 4, "pengurus": 2}
    with pytest.raises(DomainError) as e:
        services.set_governance(koperasi, year=2026, scores={"rat": 5}, by=dinas_oki)
    assert e.value.code == "invalid_score"


def test_rat_recorded_by_cooperative_clears_the_warning(db, koperasi, make_user):
    ketua = make_user("ketua", koperasi=koperasi)
    koperasi.founded_on = dt.date(2025, 6, 1)
    koperasi.status = "aktif"
    koperasi.save()
    from kopdes.supervision.snapshots import refresh_koperasi
    snap = refresh_koperasi(koperasi, today=TODAY)
    assert snap.w_no_rat and "2025" in snap.warning_detail["no_rat"]
    with pytest.raises(DomainError) as e:
        services.record_rat(koperasi, fiscal_year=2025, held_on=dt.date(2025, 12, 20), by=ketua, today=TODAY)
    assert e.value.code == "rat_before_year_end"
    services.record_rat(koperasi, fiscal_year=2025, held_on=dt.date(2026, 4, 12), by=ketua, today=TODAY)
    assert AnnualMeetingReport.objects.get(koperasi=koperasi).held_on == dt.date(2026, 4, 12)
    snap = CoopSnapshot.objects.get(koperasi=koperasi)
    assert not snap.w_no_rat and snap.last_rat_date == dt.date(2026, 4, 12)


def test_cooperative_page_shows_health_breakdown(db, koperasi, dinas_oki, client_as):
    pytest.importorskip("kopdes.ledger.services")
    from decimal import Decimal

    from kopdes.ledger.services import Line, post

    r = client_as(dinas_oki).get(f"/k/{koperasi.slug}/pembinaan/")
    assert r.status_code == 200 and "Belum dinilai" in r.content.decode()  # no books yet: not scored
    post(koperasi, date=dt.date(2026, 10, 1), memo="modal", lines=[
        Line("1101", debit=Decimal("4000000")), Line("3101", credit=Decimal("1000000")),
        Line("2101", credit=Decimal("3000000"))])
    services.set_governance(koperasi, year=2026, scores={"rat": 4, "laporan": 2}, by=dinas_oki)  # re-scores
    r = client_as(dinas_oki).get(f"/k/{koperasi.slug}/pembinaan/")
    html = r.content.decode()
    assert "Tata kelola (bobot 30%)" in html and "Indikator tata kelola (Dinas)" in html
    snap = r.context["snap"]
    assert snap.assets == Decimal("4000000") and snap.equity == Decimal("1000000")
    eq = next(row for row in r.context["latest"].breakdown if row["key"] == "equity_ratio")
    assert eq["value"] == "25.00" and eq["score"] == 3  # 25% equity/assets → band 20–30


def test_dashboard_card_on_the_cooperative_home(db, koperasi, make_user, client_as):
    from kopdes.supervision.snapshots import refresh_koperasi

    refresh_koperasi(koperasi, today=TODAY)
    r = client_as(make_user("ketua", koperasi=koperasi)).get(f"/k/{koperasi.slug}/")
    assert r.status_code == 200 and "Kesehatan koperasi" in r.content.decode()
    assert f"/k/{koperasi.slug}/pembinaan/" in r.content.decode()
