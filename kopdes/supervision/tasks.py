"""Background tasks (django-tasks, database backend: run ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> str:
    """A supervision ``Job`` (full refresh, big export); progress is written on the job row."""
    from .jobs import run

    job = run(job_id)
    return job.status if job else "missing"


@task()
def refresh_koperasi(koperasi_id: int) -> str:
    """Refresh one cooperative's snapshot if activity flagged it (a later refresh may already have done it)."""
    from kopdes.core.audit import acting_as
    from kopdes.core.models import Koperasi

    from .models import CoopSnapshot
    from .snapshots import refresh_koperasi as refresh

    if not CoopSnapshot.objects.filter(koperasi_id=koperasi_id, dirty=True).exists():
        return "fresh"
    k = Koperasi.objects.filter(pk=koperasi_id).first()
    if k is None:
        return "missing"
    with acting_as(label="supervision-refresh"):
        refresh(k)
    return "refreshed"
