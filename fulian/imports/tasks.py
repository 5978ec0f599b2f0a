"""Background work of an import: checking the file, and writing its rows (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from fulian.imports import services


@task()
def check_batch(batch_id: int) -> None:
    services.batch_check(batch_id)


@task()
def import_batch(batch_id: int, expected_sha256: str, expected_valid: int) -> None:
    services.batch_import(batch_id, expected_sha256=expected_sha256, expected_valid=expected_valid)
