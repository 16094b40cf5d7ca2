"""Issue 14 item 8: a big member import runs as a background task (the django-tasks worker) with progress on a
page, all-or-nothing like an import during the request; the uploaded file is dropped when the job ends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from kopdes.core.identity import make_nik
from kopdes.members import importing
from kopdes.members.models import ImportJob, Member

pytestmark = pytest.mark.django_db


def _work() -> list:
    """What ``manage.py db_worker`` would do: run every queued task (its own transactions cannot nest in SQLite's
    test transaction, so the task is called directly)."""
    from django.utils.module_loading import import_string

    out = []
    for r in DBTaskResult.objects.ready().order_by("enqueued_at"):
        out.append(import_string(r.task_path).call(*r.args_kwargs["args"], **r.args_kwargs["kwargs"]))
        r.status = "SUCCESSFUL"
        r.save(update_fields=["status"])
    return out


def _csv(koperasi, n, bad_row: int | None = None) -> bytes:
    region = koperasi.region_id.rsplit(".", 1)[0]
    lines = ["nik,nama,tanggal_lahir,jenis_kelamin"]
    for i in range(n):
        nik = make_nik(region, dt.date(1980, 1, 1), "L", 700 + i)
        lines.append(f"{nik},Anggota Impor {i},{'31-02-1980' if i == bad_row else '01-01-1980'},L")
    return ("\n".join(lines) + "\n").encode()


def _post(c, koperasi, data, **extra):
    return c.post(f"/k/{koperasi.slug}/anggota/impor/",
                  {"kind": "anggota", "file": SimpleUploadedFile("anggota.csv", data), **extra})


def test_a_big_file_is_imported_in_the_background_with_progress(koperasi, make_user, client_as, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    monkeypatch.setattr(importing, "BACKGROUND_BYTES", 200)
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    ketua = make_user("ketua", koperasi=koperasi)
    c = client_as(ketua)
    data = _csv(koperasi, 6)
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(c, koperasi, data)
    job = ImportJob.objects.get(koperasi=koperasi)
    assert r.status_code == 302 and r["Location"] == f"/k/{koperasi.slug}/anggota/impor/tugas/{job.pk}/"
    assert job.status == "queued" and bytes(job.data) == data and job.created_by == ketua
    task = DBTaskResult.objects.get(task_path="kopdes.members.tasks.run_import")
    assert task.args_kwargs["args"] == [koperasi.pk, job.pk] and ImportJob.objects.get(pk=job.pk).task_id
    assert not Member.objects.filter(koperasi=koperasi).exists()  # nothing during the request
    page = c.get(r["Location"]).content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 2s"' in page

    assert _work() == ["done"]
    job.refresh_from_db()
    assert job.status == "done" and job.created == 6 and job.total == job.done == 6 and job.percent == 100
    assert bytes(job.data) == b""
    assert Member.objects.filter(koperasi=koperasi, status="calon").count() == 6
    part = c.get(r["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in part and "every 2s" not in part and "6 disimpan" in part


def test_a_background_import_with_an_error_saves_nothing_and_lists_it(koperasi, make_user, client_as, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    monkeypatch.setattr(importing, "BACKGROUND_BYTES", 200)
    c = client_as(make_user("ketua", koperasi=koperasi))
    with django_capture_on_commit_callbacks(execute=True):
        _post(c, koperasi, _csv(koperasi, 6, bad_row=4))
    assert _work() == ["failed"]
    job = ImportJob.objects.get(koperasi=koperasi)
    assert job.status == "failed" and job.message.startswith("Berkas ditolak")
    assert [(e["row"], e["column"]) for e in job.errors] == [(6, "tanggal_lahir")]
    assert not Member.objects.filter(koperasi=koperasi).exists()
    assert bytes(job.data) == b""


def test_a_small_file_is_still_imported_during_the_request(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    r = _post(c, koperasi, _csv(koperasi, 2))
    assert r.status_code == 200 and not ImportJob.objects.exists()
    assert Member.objects.filter(koperasi=koperasi).count() == 2


def test_the_job_page_is_for_its_starter_and_the_management(koperasi, other_koperasi, make_user, client_as,
                                                            monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(importing, "BACKGROUND_BYTES", 200)
    op = make_user("operator", koperasi=koperasi, unit="kantor")
    c = client_as(op)
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(c, koperasi, _csv(koperasi, 6))
    url = r["Location"]
    assert c.get(url).status_code == 200
    c.force_login(make_user("operator", koperasi=koperasi, unit="simpan_pinjam"))
    assert c.get(url).status_code == 404
    c.force_login(make_user("manajer", koperasi=koperasi))
    assert c.get(url).status_code == 200
    c.force_login(make_user("ketua", koperasi=other_koperasi))
    assert c.get(url.replace(koperasi.slug, other_koperasi.slug)).status_code == 404
