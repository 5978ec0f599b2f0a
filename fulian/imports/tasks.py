"""Background work of an import: checking the file, writing its rows, and watching that neither
hangs (django-tasks). Each ends its batch as failed on any error (see ``work``)."""

from __future__ import annotations

import datetime

from django_tasks import task

from fulian.imports import work
from fulian.imports.models import RUNNING, ImportBatch


@task()
def check_batch(batch_id: int) -> None:
    work.batch_check(batch_id)


@task()
def import_batch(batch_id: int, expected_sha256: str, expected_valid: int) -> None:
    work.batch_import(batch_id, expected_sha256=expected_sha256, expected_valid=expected_valid)


@task()
def watch_batch(batch_id: int) -> None:
    """Queued (deferred) for when a running batch would be stale: fails it if it is."""
    batch_watch(batch_id)


# The watchdog runs this long after the stale limit, so that a batch that stopped is past it.
WATCH_MARGIN = datetime.timedelta(seconds=5)


def watch(batch_id: int, *, since: datetime.datetime) -> None:
    """Queue the batch's watchdog for when it would be stale, where the task backend can defer
    work (the database backend; the immediate one runs everything at once anyway)."""
    if watch_batch.get_backend().supports_defer:
        watch_batch.using(run_after=since + work.stale_after() + WATCH_MARGIN).enqueue(batch_id)


def batch_watch(batch_id: int) -> None:
    """The watchdog: fail the batch if it is stale; if it is still running and alive, look again
    when it would next be stale."""
    work.sweep_stale()
    batch = ImportBatch.objects.filter(pk=batch_id, status__in=RUNNING).only("updated_at").first()
    if batch is not None:
        watch(batch_id, since=batch.updated_at)
