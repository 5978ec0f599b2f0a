"""An upload's states seen while each step runs (checking, importing), the task each step
queues, and what a commit refuses; the rest of the life of a batch (cancel, failures, the
sweep) is in ``test_batch_lifecycle.py``. The tasks are held in django-tasks' dummy backend so
that each step can be looked at before the next one runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fulian.households.models import Household
from fulian.imports import engine, services, tasks, work
from fulian.imports.models import ImportBatch, Status
from fulian.imports.tests.files import xlsx
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

ROWS = [["村（社区）", "户主姓名", "联系电话"], ["回龙村", "周建国", "13907330101"], ["回龙村", "李德福", "139"]]


@pytest.fixture
def queue(settings: Any) -> Any:
    """Tasks are kept, not run: ``queue.results`` lists what was enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    return default_task_backend


def _upload(world: World, data: bytes | None = None, name: str = "台账.xlsx") -> ImportBatch:
    return services.batch_upload(
        actor=world.user("xinshi_staff"),
        kind="households",
        org=world.org("xinshi"),
        upload=SimpleUploadedFile(name, xlsx(ROWS) if data is None else data),
    )


def _status(batch: ImportBatch) -> str:
    return ImportBatch.objects.values_list("status", flat=True).get(pk=batch.pk)


def _enqueued(queue: Any) -> list[tuple[str, list[Any]]]:
    """The work tasks enqueued (each also queues a watchdog, ``watch_batch``, left out here)."""
    return [(result.task.name, list(result.args)) for result in queue.results if result.task.name != "watch_batch"]


def _seen_while(monkeypatch: pytest.MonkeyPatch, name: str, batch: ImportBatch) -> list[str]:
    """The batch's stored status each time ``engine.<name>`` runs."""
    seen: list[str] = []
    original = getattr(engine, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(_status(batch))
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, name, spy)
    return seen


def test_an_upload_is_queued_then_checked_then_previewed(
    world: World, queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = _upload(world)
    assert (_status(batch), batch.report, batch.total) == (Status.QUEUED, {}, 0)
    assert _enqueued(queue) == [(tasks.check_batch.name, [batch.pk])]
    assert Path(batch.file.path).exists()

    seen = _seen_while(monkeypatch, "evaluate", batch)
    checked = work.batch_check(batch.pk)
    assert seen == [Status.CHECKING]
    assert (checked.status, checked.total, checked.progress, checked.message) == (Status.PREVIEWED, 2, 2, "")
    assert (checked.report["rows"], checked.report["valid_rows"]) == (2, 1)
    assert Path(checked.file.path).exists()  # kept until imported or cancelled
    assert not Household.objects.exists()


def test_a_commit_is_importing_until_the_task_has_written_the_rows(
    world: World, queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = work.batch_check(_upload(world).pk)
    stored = Path(batch.file.path)
    queue.clear()
    committed = services.batch_commit(actor=world.user("xinshi_staff"), batch=batch, sha256=batch.sha256, valid_rows=1)
    assert (committed.status, committed.progress) == (Status.IMPORTING, 0)
    assert _enqueued(queue) == [(tasks.import_batch.name, [batch.pk, batch.sha256, 1])]
    assert not Household.objects.exists()

    seen = _seen_while(monkeypatch, "write", batch)
    imported = work.batch_import(batch.pk, expected_sha256=batch.sha256, expected_valid=1)
    assert seen == [Status.IMPORTING]
    assert (imported.status, imported.imported, imported.message) == (Status.IMPORTED, 1, "")
    assert list(Household.objects.values_list("head_name", flat=True)) == ["周建国"]
    assert not imported.file
    assert not stored.exists()


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.QUEUED, "Waiting to be checked"),
        (Status.CHECKING, "Checking"),
        (Status.IMPORTING, "Importing"),
        (Status.IMPORTED, "Imported"),
        (Status.CANCELLED, "Cancelled: nothing imported"),
        (Status.FAILED, "Failed: nothing imported"),
    ],
)
def test_only_a_previewed_upload_can_be_imported(world: World, queue: Any, status: str, label: str) -> None:
    batch = work.batch_check(_upload(world).pk)
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    queue.clear()
    with pytest.raises(ValidationError) as refused:
        services.batch_commit(actor=world.user("xinshi_staff"), batch=batch, sha256=batch.sha256, valid_rows=1)
    assert refused.value.messages == [f"This upload is {label}; it cannot be imported now."]
    assert _status(batch) == status
    assert _enqueued(queue) == []


def test_a_commit_naming_another_preview_is_refused_and_changes_nothing(world: World, queue: Any) -> None:
    batch = work.batch_check(_upload(world).pk)
    queue.clear()
    for sha256, valid in (("0" * 64, 1), (batch.sha256, 2)):
        with pytest.raises(ValidationError) as refused:
            services.batch_commit(actor=world.user("xinshi_staff"), batch=batch, sha256=sha256, valid_rows=valid)
        assert refused.value.messages == ["This preview is out of date. Reload the page to see the current one."]
    assert (_status(batch), _enqueued(queue)) == (Status.PREVIEWED, [])


def test_the_pages_step_through_the_same_states(world: World, queue: Any) -> None:
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        reverse("imports:create", args=["households"]),
        {"org": world.org("xinshi").code, "file": SimpleUploadedFile("台账.xlsx", xlsx(ROWS))},
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:detail", args=[batch.pk])
    assert batch.status == Status.QUEUED
    work.batch_check(batch.pk)
    done = client.post(reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 1})
    assert done["Location"] == reverse("imports:detail", args=[batch.pk])
    assert _status(batch) == Status.IMPORTING
    twice = client.post(
        reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 1}, follow=True
    )
    assert html.alerts(twice, "danger") == ["This upload is Importing; it cannot be imported now."]
    assert _status(batch) == Status.IMPORTING
    assert [name for name, _args in _enqueued(queue)] == [tasks.check_batch.name, tasks.import_batch.name]
