"""Background work of an import: checking the file, writing its rows, and watching that neither
hangs (django-tasks). Each ends its batch as failed on any error (see ``services``)."""

from __future__ import annotations

from django_tasks import task

from fulian.imports import services


@task()
def check_batch(batch_id: int) -> None:
    services.batch_check(batch_id)


@task()
def import_batch(batch_id: int, expected_sha256: str, expected_valid: int) -> None:
    services.batch_import(batch_id, expected_sha256=expected_sha256, expected_valid=expected_valid)


@task()
def watch_batch(batch_id: int) -> None:
    """Queued (deferred) for when a running batch would be stale: fails it if it is."""
    services.batch_watch(batch_id)
