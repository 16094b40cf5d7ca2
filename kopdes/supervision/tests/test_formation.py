import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kopdes.core.errors import DomainError
from kopdes.supervision import services
from kopdes.supervision.models import FormationEvidence, RegionStat, VillageFormation

from .conftest import TODAY

VILLAGE = "16.02.04.2001"  # in OKI, no cooperative
ACEH = "11.01.01.2001"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stat(code):
    return RegionStat.objects.get(code=code)


def test_record_formation_computes_stage_and_moves_region_counters(db, dinas_oki):
    before_nat, before_oki = stat("").get("f"), stat("16.02").get("stage:3")
    f = services.record_formation(VILLAGE, {
        "sosialisasi_date": "2025-04-20", "musdesus_date": dt.date(2025, 5, 2), "musdesus_attendance": "88",
        "musdesus_berita_acara": "BA-7", "rapat_pendirian_date": "14-06-2025"}, by=dinas_oki, today=TODAY)
    assert f.stage == 3 and f.musdesus_attendance == 88 and f.recorded_via == "dinas"
    assert stat("").get("f") == before_nat + 1
    assert stat("16.02").get("stage:3") == before_oki + 1
    assert stat("16.02.04").get("m:musdesus") == 1
    # next milestone moves the village from stage 3 to 4 in every ancestor
    services.record_formation(VILLAGE, {"akta_date": "2025-06-20", "akta_number": "17", "notary_name": "Ratna"},
                              by=dinas_oki, today=TODAY)
    assert stat("16.02").get("stage:3") == before_oki
    assert stat("16").get("stage:4") >= 1
    # a full rebuild gives the same counters as the deltas
    snapshot = dict(stat("16.02").data)
    from kopdes.supervision import stats
    stats.rebuild()
    assert stat("16.02").data == snapshot


def test_milestone_dated_before_previous_is_refused_and_nothing_written(db, dinas_oki):
    with pytest.raises(DomainError) as e:
        services.record_formation(VILLAGE, {"sosialisasi_date": "2025-05-20", "musdesus_date": "2025-05-01"},
                                  by=dinas_oki, today=TODAY)
    assert e.value.code == "milestone_order" and e.value.field == "musdesus_date"
    assert "sebelum tanggal Sosialisasi" in e.value.message_id
    assert not VillageFormation.objects.filter(region_id=VILLAGE).exists()
    services.record_formation(VILLAGE, {"sosialisasi_date": "2025-05-20"}, by=dinas_oki, today=TODAY)
    with pytest.raises(DomainError):  # also against an existing record
        services.record_formation(VILLAGE, {"musdesus_date": "2025-05-19"}, by=dinas_oki, today=TODAY)
    assert VillageFormation.objects.get(region_id=VILLAGE).musdesus_date is None


def test_future_date_and_bad_npwp_refused(db, dinas_oki):
    with pytest.raises(DomainError) as e:
        services.record_formation(VILLAGE, {"sosialisasi_date": TODAY + dt.timedelta(days=1)}, by=dinas_oki,
                                  today=TODAY)
    assert e.value.code == "future_date"
    with pytest.raises(DomainError) as e:
        services.record_formation(VILLAGE, {"npwp": "12"}, by=dinas_oki, today=TODAY)
    assert e.value.field == "npwp"


def test_dinas_cannot_edit_outside_region(db, dinas_oki, client_as):
    with pytest.raises(DomainError) as e:
        services.record_formation(ACEH, {"sosialisasi_date": "2025-05-01"}, by=dinas_oki, today=TODAY)
    assert e.value.code == "outside_region"
    c = client_as(dinas_oki)
    r = c.post(f"/pengawasan/desa/{ACEH}/", {"sosialisasi_date": "2025-05-01"})
    assert r.status_code == 404
    assert not VillageFormation.objects.filter(region_id=ACEH).exists()
    # and in their own region the same form works
    r = c.post(f"/pengawasan/desa/{VILLAGE}/", {"formation_model": "baru", "building_status": "lahan",
                                                "sosialisasi_date": "2025-05-01"})
    assert r.status_code == 302
    assert VillageFormation.objects.get(region_id=VILLAGE).stage == 1


def test_cooperative_management_records_its_own_village_only(db, koperasi, other_koperasi, make_user, client_as):
    ketua = make_user("ketua", koperasi=koperasi)
    pengawas = make_user("pengawas", koperasi=koperasi)
    f = services.record_formation(koperasi.region_id, {"sosialisasi_date": "2025-04-01"}, by=ketua, via="koperasi")
    assert f.koperasi_id == koperasi.pk
    with pytest.raises(DomainError):
        services.record_formation(other_koperasi.region_id, {"sosialisasi_date": "2025-04-01"}, by=ketua)
    r = client_as(pengawas).post(f"/pengawasan/desa/{koperasi.region_id}/", {"sosialisasi_date": "2025-04-02"})
    assert r.status_code == 403
    assert client_as(pengawas).get(f"/pengawasan/desa/{koperasi.region_id}/").status_code == 200


def test_evidence_type_size_and_access(db, dinas_oki, dinas_aceh, client_as, private_dir):
    tmp_path = private_dir
    with pytest.raises(DomainError) as e:
        services.add_evidence(VILLAGE, "musdesus", SimpleUploadedFile("ba.pdf", b"MZ\x90\x00 not a pdf"), by=dinas_oki)
    assert e.value.code == "invalid_file_type"
    with pytest.raises(DomainError) as e:
        services.add_evidence(VILLAGE, "musdesus", SimpleUploadedFile("ba.exe", PDF), by=dinas_oki)
    assert e.value.code == "invalid_file_type"
    big = SimpleUploadedFile("ba.pdf", PDF + b"0" * (services.MAX_EVIDENCE_BYTES + 1))
    with pytest.raises(DomainError) as e:
        services.add_evidence(VILLAGE, "musdesus", big, by=dinas_oki)
    assert e.value.code == "file_too_large"
    assert FormationEvidence.objects.count() == 0
    ev = services.add_evidence(VILLAGE, "musdesus", SimpleUploadedFile("ba.pdf", PDF), by=dinas_oki)
    assert ev.content_type == "application/pdf" and ev.size == len(PDF)
    assert ev.file.path.startswith(str(tmp_path / "private"))
    r = client_as(dinas_oki).get(f"/pengawasan/bukti/{ev.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert client_as(dinas_aceh).get(f"/pengawasan/bukti/{ev.pk}/").status_code == 404
    client_as(dinas_aceh).logout()
    assert client_as(dinas_aceh).get(f"/pengawasan/bukti/{ev.pk}/").status_code == 404


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "impor.xlsx"
    return buf


def test_excel_import_all_or_nothing_with_row_errors(db, dinas_oki, client_as):
    header = ["kode_wilayah", "sosialisasi", "musdesus", "akta_nomor"]
    bad = _xlsx([header, [VILLAGE, "2025-04-01", "2025-04-10", "1"], ["16.02.04.9999", "2025-04-01", None, None],
                 ["16.02.04.2002", "2025-04-10", "2025-04-01", None], [ACEH, "2025-04-01", None, None]])
    res = services.import_formations(bad, by=dinas_oki, today=TODAY)
    assert not res.ok and res.applied == 0 and res.rows == 4
    by_row = {r: msg for r, _c, msg in res.errors}
    assert set(by_row) == {3, 4, 5}
    assert "tidak dikenal" in by_row[3] and "sebelum" in by_row[4] and "di luar wilayah" in by_row[5]
    assert not VillageFormation.objects.filter(region_id=VILLAGE).exists()
    good = _xlsx([header, [VILLAGE, dt.datetime(2025, 4, 1), "10-04-2025", "1"], ["16.02.04.2002", "2025-04-10", None,
                                                                                  None]])
    r = client_as(dinas_oki).post("/pengawasan/impor/", {"file": SimpleUploadedFile(
        "impor.xlsx", good.getvalue())})
    assert r.status_code == 200 and "2 dari 2 baris disimpan" in r.content.decode()
    assert VillageFormation.objects.get(region_id=VILLAGE).stage == 2
    assert VillageFormation.objects.get(region_id="16.02.04.2002").stage == 1
    # a template is offered
    t = client_as(dinas_oki).get("/pengawasan/impor/?template=1")
    assert t.status_code == 200 and t["Content-Type"].startswith("application/vnd.openxml")


def test_excel_import_rejects_non_excel(db, dinas_oki):
    with pytest.raises(DomainError) as e:
        services.import_formations(io.BytesIO(b"kode,tanggal\n"), by=dinas_oki)
    assert e.value.code == "invalid_file_type"
