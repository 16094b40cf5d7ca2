"""Background tasks of the member registry (django-tasks, database backend: run ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(koperasi_id: int, job_id: int) -> str:
    """A big member or opening-savings import (``members.ImportJob``); progress is written on the job row."""
    from .importing import run_job

    job = run_job(koperasi_id, job_id)
    return job.status if job else "missing"
