"""Background work of an export (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from fulian.exports import services


@task()
def run_export(job_id: int) -> None:
    services.job_run(job_id)
