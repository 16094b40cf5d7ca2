"""Long supervision jobs run in the background by the django-tasks worker (``manage.py db_worker``, database
backend — ``settings.TASKS``), with progress stored on a ``Job`` row the page polls.

- ``start_refresh_all(by)``: the full refresh (every snapshot, region totals rebuilt) — national users only.
- ``start_export(code, params, by)``: the cooperative table of a region as Excel, when it is too big to build
  during the request (more than ``EXPORT_SYNC_LIMIT`` rows); the file is kept privately for its starter.
- ``schedule_refresh(koperasi_id)``: after activity flags a snapshot dirty, its refresh runs in the background
  a little later (``AUTO_REFRESH_DELAY``, so a burst of activity is refreshed once).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kopdes.core.errors import DomainError

from .access import covers, scope_of
from .models import Job

log = logging.getLogger(__name__)

EXPORT_SYNC_LIMIT = 5000
AUTO_REFRESH_DELAY = dt.timedelta(minutes=2)
EXPORT_PARAMS = ("q", "kelas", "peringatan", "tahap", "urut", "status")


def _forbidden(message_id: str, message_en: str) -> DomainError:
    err = DomainError(message_id, message_en, code="forbidden")
    err.status = 403
    return err


def _enqueue(job: Job) -> None:
    from .tasks import run_job

    def go():
        try:
            result = run_job.enqueue(job.pk)
        except Exception as exc:  # noqa: BLE001 - no task backend: the job says so instead of waiting forever
            log.exception("could not enqueue supervision job %s", job.pk)
            Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now(),
                                                 message=f"Antrean tugas tidak tersedia: {exc}"[:300])
            return
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(go)


@transaction.atomic
def start_refresh_all(*, by) -> Job:
    if not (getattr(by, "is_superuser", False) or scope_of(by) == []):
        raise _forbidden("Hanya pengguna nasional yang dapat menyegarkan semua ringkasan.",
                         "Only national users may refresh every snapshot.")
    running = Job.objects.filter(kind=Job.Kind.REFRESH_ALL, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
    if running is not None:
        return running  # one full refresh at a time: show the one already under way
    job = Job.objects.create(kind=Job.Kind.REFRESH_ALL, created_by=by)
    _enqueue(job)
    return job


@transaction.atomic
def start_export(code: str, params, *, by) -> Job:
    if not (getattr(by, "is_superuser", False) or covers(scope_of(by), code)):
        raise _forbidden(f"Wilayah {code or 'nasional'} di luar kewenangan Anda.",
                         f"Region {code or 'national'} is outside your jurisdiction.")
    clean = {k: str(params.get(k, "")) for k in EXPORT_PARAMS if params.get(k)}
    job = Job.objects.create(kind=Job.Kind.EXPORT, params={"wilayah": code, **clean}, created_by=by)
    _enqueue(job)
    return job


def visible_to(job: Job, user) -> bool:
    return bool(getattr(user, "is_superuser", False) or (user.is_authenticated and job.created_by_id == user.pk))


def _progress(job_id: int):
    def report(done: int, total: int) -> None:
        Job.objects.filter(pk=job_id).update(done=done, total=total)
    return report


def run(job_id: int) -> Job | None:
    """Run a queued job (called by the worker). Failures are kept on the job with their reason."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return Job.objects.filter(pk=job_id).first()
    job = Job.objects.get(pk=job_id)
    try:
        if job.kind == Job.Kind.REFRESH_ALL:
            from kopdes.core.audit import acting_as

            from . import snapshots

            with acting_as(job.created_by, label="supervision-refresh"):
                r = snapshots.refresh_all(progress=_progress(job.pk))
            job.message = (f"{r['from_books']} dari pembukuan, {r['rescored']} simulasi dinilai ulang, "
                           f"{r['regions']} wilayah diperbarui")
        elif job.kind == Job.Kind.EXPORT:
            from . import exports, queries

            code = job.params.get("wilayah", "")
            qs, _f = queries.coop_table(code, job.params)
            data = exports.coop_workbook(qs, progress=_progress(job.pk))
            job.result_name = f"koperasi-{code or 'nasional'}.xlsx"
            job.result_file.save(job.result_name, ContentFile(data), save=False)
            job.message = f"{qs.count()} koperasi"
        else:
            raise ValueError(f"unknown job kind {job.kind!r}")
    except Exception as exc:  # noqa: BLE001
        log.exception("supervision job %s failed", job.pk)
        job.refresh_from_db(fields=["done", "total"])
        job.status, job.message = Job.Status.FAILED, f"Gagal: {exc}"[:300]
    else:
        job.refresh_from_db(fields=["done", "total"])
        job.status = Job.Status.DONE
        job.done = max(job.done, job.total)
    job.finished_at = timezone.now()
    job.save()
    return job


def schedule_refresh(koperasi_id: int) -> None:
    """Queue the background refresh of one cooperative's snapshot (never fails the caller)."""
    from django.conf import settings

    if not getattr(settings, "KOPDES_SUPERVISION_AUTO_REFRESH", True):
        return
    from .tasks import refresh_koperasi

    try:
        refresh_koperasi.using(run_after=timezone.now() + AUTO_REFRESH_DELAY).enqueue(koperasi_id)
    except Exception:  # noqa: BLE001 - the scheduled `supervision-refresh --dirty` still catches it
        log.warning("could not queue the refresh of cooperative %s", koperasi_id, exc_info=True)
