"""An upload's states, one step at a time: queued → checking → previewed → importing → imported,
or failed, or cancelled; and what each state refuses. The tasks are held in django-tasks'
dummy backend so that each step can be looked at before the next one runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fulian.core.testing import html
from fulian.core.testing.world import World
from fulian.households.models import Household
from fulian.imports import engine, services, tasks
from fulian.imports.models import ImportBatch, Status
from fulian.imports.tests.files import xlsx

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
    return [(result.task.name, list(result.args)) for result in queue.results]


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
    checked = services.batch_check(batch.pk)
    assert seen == [Status.CHECKING]
    assert (checked.status, checked.total, checked.progress, checked.message) == (Status.PREVIEWED, 2, 2, "")
    assert (checked.report["rows"], checked.report["valid_rows"]) == (2, 1)
    assert Path(checked.file.path).exists()  # kept until imported or cancelled
    assert not Household.objects.exists()


def test_a_commit_is_importing_until_the_task_has_written_the_rows(
    world: World, queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = services.batch_check(_upload(world).pk)
    stored = Path(batch.file.path)
    queue.clear()
    committed = services.batch_commit(actor=world.user("xinshi_staff"), batch=batch, sha256=batch.sha256, valid_rows=1)
    assert (committed.status, committed.progress) == (Status.IMPORTING, 0)
    assert _enqueued(queue) == [(tasks.import_batch.name, [batch.pk, batch.sha256, 1])]
    assert not Household.objects.exists()

    seen = _seen_while(monkeypatch, "write", batch)
    imported = services.batch_import(batch.pk, expected_sha256=batch.sha256, expected_valid=1)
    assert seen == [Status.IMPORTING]
    assert (imported.status, imported.imported, imported.message) == (Status.IMPORTED, 1, "")
    assert list(Household.objects.values_list("head_name", flat=True)) == ["周建国"]
    assert not imported.file
    assert not stored.exists()


def test_a_file_that_cannot_be_read_fails_with_its_reason_and_is_deleted(world: World, queue: Any) -> None:
    batch = _upload(world, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "photo.xlsx")
    stored = Path(batch.file.path)
    failed = services.batch_check(batch.pk)
    assert failed.status == Status.FAILED
    assert failed.message.startswith("“photo.xlsx” is not a spreadsheet")
    assert not failed.file
    assert not stored.exists()


def test_rows_changed_since_the_preview_send_the_upload_back_to_previewed(world: World, queue: Any) -> None:
    batch = services.batch_check(_upload(world).pk)
    services.batch_commit(actor=world.user("xinshi_staff"), batch=batch, sha256=batch.sha256, valid_rows=1)
    # Meanwhile someone registers 周建国 by hand: the import finds no valid row left.
    from fulian.households.tests.helpers import household

    household(world, "huilong", "周建国", mobile="13907330101")
    again = services.batch_import(batch.pk, expected_sha256=batch.sha256, expected_valid=1)
    assert (again.status, again.imported, again.report["valid_rows"]) == (Status.PREVIEWED, 0, 0)
    assert again.message.startswith("Since the preview, 0 rows are valid instead of 1")
    assert Household.objects.count() == 1
    assert again.file  # the upload can still be looked at, or cancelled


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.QUEUED, "Waiting to be checked"),
        (Status.CHECKING, "Checking"),
        (Status.IMPORTING, "Importing"),
        (Status.IMPORTED, "Imported"),
        (Status.CANCELLED, "Cancelled: nothing imported"),
        (Status.FAILED, "Could not be read"),
    ],
)
def test_only_a_previewed_upload_can_be_imported(world: World, queue: Any, status: str, label: str) -> None:
    batch = services.batch_check(_upload(world).pk)
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    queue.clear()
    with pytest.raises(ValidationError) as refused:
        services.batch_commit(actor=world.user("xinshi_staff"), batch=batch, sha256=batch.sha256, valid_rows=1)
    assert refused.value.messages == [f"This upload is {label}; it cannot be imported now."]
    assert _status(batch) == status
    assert _enqueued(queue) == []


def test_a_commit_naming_another_preview_is_refused_and_changes_nothing(world: World, queue: Any) -> None:
    batch = services.batch_check(_upload(world).pk)
    queue.clear()
    for sha256, valid in (("0" * 64, 1), (batch.sha256, 2)):
        with pytest.raises(ValidationError) as refused:
            services.batch_commit(actor=world.user("xinshi_staff"), batch=batch, sha256=sha256, valid_rows=valid)
        assert refused.value.messages == ["This preview is out of date. Reload the page to see the current one."]
    assert (_status(batch), _enqueued(queue)) == (Status.PREVIEWED, [])


def test_cancelling_a_previewed_upload_imports_nothing_and_deletes_the_file(world: World, queue: Any) -> None:
    batch = services.batch_check(_upload(world).pk)
    stored = Path(batch.file.path)
    cancelled = services.batch_cancel(actor=world.user("xinshi_staff"), batch=batch)
    assert cancelled.status == Status.CANCELLED
    assert not cancelled.file
    assert not stored.exists()
    with pytest.raises(ValidationError):
        services.batch_commit(actor=world.user("xinshi_staff"), batch=cancelled, sha256=batch.sha256, valid_rows=1)
    assert not Household.objects.exists()


@pytest.mark.parametrize("final", [Status.IMPORTED, Status.CANCELLED])
def test_a_finished_upload_cannot_be_cancelled(world: World, queue: Any, final: str) -> None:
    batch = services.batch_check(_upload(world).pk)
    ImportBatch.objects.filter(pk=batch.pk).update(status=final)
    with pytest.raises(ValidationError) as refused:
        services.batch_cancel(actor=world.user("xinshi_staff"), batch=batch)
    assert refused.value.messages == ["This upload can no longer be cancelled."]
    assert _status(batch) == final


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
    services.batch_check(batch.pk)
    done = client.post(reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 1})
    assert done["Location"] == reverse("imports:detail", args=[batch.pk])
    assert _status(batch) == Status.IMPORTING
    twice = client.post(
        reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 1}, follow=True
    )
    assert html.alerts(twice, "danger") == ["This upload is Importing; it cannot be imported now."]
    assert _status(batch) == Status.IMPORTING
    assert [name for name, _args in _enqueued(queue)] == [tasks.check_batch.name, tasks.import_batch.name]


def test_the_api_steps_through_the_same_states(world: World, queue: Any) -> None:
    api = world.api_for("xinshi_staff")
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    created = api.post(
        reverse("api:import-list"),
        {"kind": "households", "org": world.org("xinshi").code, "file": SimpleUploadedFile("t.xlsx", xlsx(ROWS))},
        format="multipart",
    )
    assert (created.status_code, created.json()["status"]) == (201, "queued")
    pk = created.json()["id"]
    early = api.post(reverse("api:import-commit", args=[pk]), {"sha256": created.json()["sha256"], "valid_rows": 1})
    assert (early.status_code, early.json()) == (
        400,
        {"detail": "This upload is Waiting to be checked; it cannot be imported now."},
    )
    services.batch_check(pk)
    assert api.get(reverse("api:import-detail", args=[pk])).json()["status"] == "previewed"
    cancelled = api.post(reverse("api:import-cancel", args=[pk]))
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = api.post(reverse("api:import-cancel", args=[pk]))
    assert (again.status_code, again.json()) == (400, {"detail": "This upload can no longer be cancelled."})
