"""Background jobs (django-tasks, database backend): big exports and the full refresh run in the worker with
visible progress; activity queues the incremental refresh of one cooperative; region report as PDF."""

import io

import pytest
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from kopdes.supervision import jobs, snapshots
from kopdes.supervision.models import CoopSnapshot, Job, RegionStat

from .conftest import TODAY


def _work(django_capture_on_commit_callbacks=None) -> list:
    """Run what ``manage.py db_worker`` would: every queued task whose time has come, in order. (The worker itself
    opens its own transactions, which SQLite cannot do inside the test's.)"""
    from django.utils.module_loading import import_string

    out = []
    for r in DBTaskResult.objects.ready().order_by("enqueued_at"):
        out.append(import_string(r.task_path).call(*r.args_kwargs["args"], **r.args_kwargs["kwargs"]))
        r.status = "SUCCESSFUL"
        r.save(update_fields=["status"])
    return out


def test_big_export_runs_in_background_with_progress_and_private_download(
        db, simulated, satgas, dinas_oki, client_as, monkeypatch, private_dir, django_capture_on_commit_callbacks):
    monkeypatch.setattr(jobs, "EXPORT_SYNC_LIMIT", 100)
    c = client_as(satgas)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.get("/pengawasan/koperasi/?format=xlsx&kelas=&urut=-aset")
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/pengawasan/tugas/{job.pk}/"
    assert job.kind == "export" and job.params == {"wilayah": "", "urut": "-aset"}
    task = DBTaskResult.objects.get(task_path="kopdes.supervision.tasks.run_job")
    assert task.args_kwargs["args"] == [job.pk] and job.__class__.objects.get().task_id == str(task.id)
    page = c.get(f"/pengawasan/tugas/{job.pk}/")
    assert page.status_code == 200 and 'data-status="queued"' in page.content.decode()
    assert 'hx-trigger="every 2s"' in page.content.decode()  # the page polls while the job runs

    _work(django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "done" and job.total == simulated and job.done == simulated and job.percent == 100
    part = c.get(f"/pengawasan/tugas/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in part and "every 2s" not in part and "job-download" in part
    x = c.get(f"/pengawasan/tugas/{job.pk}/unduh/")
    ws = load_workbook(io.BytesIO(b"".join(x.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) - 1 == simulated
    col = rows[0].index("Aset")
    assets = [row[col] for row in rows[1:]]
    assert assets == sorted(assets, reverse=True)
    # the file is its starter's: another supervisor gets 404 on the job and its download
    other = client_as(dinas_oki)
    assert other.get(f"/pengawasan/tugas/{job.pk}/").status_code == 404
    assert other.get(f"/pengawasan/tugas/{job.pk}/unduh/").status_code == 404
    assert job.pk not in [j.pk for j in other.get("/pengawasan/tugas/").context["jobs"]]


def test_small_export_stays_immediate(db, simulated, dinas_oki, client_as):
    r = client_as(dinas_oki).get("/pengawasan/koperasi/?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert not Job.objects.exists()


def test_export_outside_region_refused(db, dinas_oki):
    with pytest.raises(Exception) as exc:
        jobs.start_export("11", {}, by=dinas_oki)
    assert getattr(exc.value, "status", None) == 403 and not Job.objects.exists()


def test_full_refresh_as_background_job_national_only(db, simulated, satgas, dinas_sumsel, client_as,
                                                      django_capture_on_commit_callbacks):
    assert client_as(dinas_sumsel).post("/pengawasan/tugas/", {"jenis": "refresh_all"}).status_code == 403
    assert not Job.objects.exists()
    # drift in the region totals that the full refresh repairs
    nat = RegionStat.objects.get(code="")
    nat.data["k"] = 1
    nat.save()
    c = client_as(satgas)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/pengawasan/tugas/", {"jenis": "refresh_all"})
    job = Job.objects.get()
    assert r["Location"] == f"/pengawasan/tugas/{job.pk}/"
    # a second click while it is queued shows the same job instead of starting another
    assert c.post("/pengawasan/tugas/", {"jenis": "refresh_all"})["Location"] == r["Location"]
    _work(django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "done" and job.total == simulated + 1 and job.done == job.total
    assert f"{simulated} simulasi dinilai ulang" in job.message
    assert RegionStat.objects.get(code="").get("k") == simulated
    assert "Segarkan semua" in c.get("/pengawasan/").content.decode()
    assert "Segarkan semua" not in client_as(dinas_sumsel).get("/pengawasan/").content.decode()


def test_failed_job_keeps_its_reason(db, satgas, monkeypatch):
    job = Job.objects.create(kind="refresh_all", created_by=satgas)

    def boom(**kw):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(snapshots, "refresh_all", boom)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "disk penuh" in job.message and job.finished_at
    assert jobs.run(job.pk).status == "failed"  # not run twice


def test_activity_queues_one_background_refresh(db, koperasi, django_capture_on_commit_callbacks):
    snap = snapshots.refresh_koperasi(koperasi, today=TODAY)
    assert not snap.dirty and not DBTaskResult.objects.exists()
    snapshots.mark_dirty(koperasi.pk)
    snapshots.mark_dirty(koperasi.pk)  # already flagged: nothing more queued
    task = DBTaskResult.objects.get()
    assert task.task_path == "kopdes.supervision.tasks.refresh_koperasi" and task.args_kwargs["args"] == [koperasi.pk]
    assert task.run_after > task.enqueued_at  # delayed, so a burst of activity is refreshed once
    assert _work() == []  # not before its time
    DBTaskResult.objects.update(run_after=task.enqueued_at)
    assert _work() == ["refreshed"]
    assert not CoopSnapshot.objects.get(koperasi=koperasi).dirty


def test_region_report_pdf(db, simulated, dinas_sumsel, client_as):
    c = client_as(dinas_sumsel)
    r = c.get("/pengawasan/wilayah/16/?format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    assert c.get("/pengawasan/wilayah/11/?format=pdf").status_code == 404
