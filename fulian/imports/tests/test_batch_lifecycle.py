"""An upload's life: every state change, every way the work can fail, the stale sweep, the
rights checked again when the work runs, the daily prune, and the page's polling.

The check and the import are run here by calling the task bodies directly (``queued`` below
holds the tasks back); ``test_worker.py`` runs them in a real worker process."""

import contextlib
import datetime
import io
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant
from fulian.audit.models import AuditEvent
from fulian.core.scoping import can
from fulian.households.models import Household
from fulian.imports import engine, services, tasks, work
from fulian.imports.models import ImportBatch, Status
from fulian.imports.tests.files import xlsx
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

ROWS = [
    ["村（社区）", "户主姓名", "联系电话"],
    ["回龙村", "周建国", "13907330101"],
    ["回龙村", "李德福", "13907330102"],
]


@pytest.fixture
def queued(settings: Any) -> None:
    """Tasks are recorded, not run: the test runs each step itself."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _upload(world: World, username: str = "xinshi_staff", org: str = "xinshi") -> ImportBatch:
    return services.batch_upload(
        actor=world.user(username),
        kind="households",
        org=world.org(org),
        upload=SimpleUploadedFile("台账.xlsx", xlsx(ROWS)),
    )


def _previewed(world: World, username: str = "xinshi_staff") -> ImportBatch:
    batch = work.batch_check(_upload(world, username).pk)
    assert batch.status == Status.PREVIEWED, batch.message
    return batch


def _commit(world: World, batch: ImportBatch, username: str = "xinshi_staff") -> ImportBatch:
    return services.batch_commit(actor=world.user(username), batch=batch, sha256=batch.sha256, valid_rows=2)


def _import(batch: ImportBatch) -> ImportBatch:
    return work.batch_import(batch.pk, expected_sha256=batch.sha256, expected_valid=2)


def _stored(batch: ImportBatch) -> Path:
    return Path(batch.file.path)


def _set(batch: ImportBatch, **fields: Any) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


def _assert_ended(batch: ImportBatch, status: Status, stored: Path) -> None:
    batch.refresh_from_db()
    assert batch.status == status, batch.message
    assert batch.finished_at is not None
    assert not batch.file
    assert not stored.exists()


# --- the way through ---------------------------------------------------------------------


def test_upload_check_commit_import_move_the_batch_through_its_states(world: World, queued: None) -> None:
    batch = _upload(world)
    stored = _stored(batch)
    assert batch.status == Status.QUEUED
    batch = work.batch_check(batch.pk)
    assert (batch.status, batch.total, batch.report["valid_rows"]) == (Status.PREVIEWED, 2, 2)
    assert stored.exists()  # kept for the import
    batch = _commit(world, batch, "youxian_admin")
    assert (batch.status, batch.committed_by) == (Status.IMPORTING, world.user("youxian_admin"))
    batch = _import(batch)
    assert (batch.status, batch.imported) == (Status.IMPORTED, 2)
    assert Household.objects.count() == 2
    _assert_ended(batch, Status.IMPORTED, stored)


def test_the_audit_event_names_who_committed_and_records_the_uploader(world: World, queued: None) -> None:
    batch = _commit(world, _previewed(world), "youxian_admin")
    _import(batch)
    event = AuditEvent.objects.get(action="import")
    assert event.actor == world.user("youxian_admin")
    assert event.actor_name == "youxian_admin"
    assert event.changes["uploaded_by"] == "xinshi_staff"
    assert event.changes["rows"] == 2
    assert (event.object_type, event.object_id) == ("imports.importbatch", str(batch.pk))


def test_a_task_for_a_batch_no_longer_in_its_state_does_nothing(world: World, queued: None) -> None:
    batch = _upload(world)
    services.batch_cancel(actor=world.user("xinshi_staff"), batch=batch)
    assert work.batch_check(batch.pk).status == Status.CANCELLED
    assert work.batch_check(_previewed(world).pk).status == Status.PREVIEWED  # run twice: once
    previewed = ImportBatch.objects.filter(status=Status.PREVIEWED).get()
    assert _import(previewed).status == Status.PREVIEWED  # not committed: not imported
    assert not Household.objects.exists()


def test_a_commit_is_refused_unless_the_batch_is_previewed(world: World, queued: None) -> None:
    batch = _upload(world)
    with pytest.raises(ValidationError, match="Waiting to be checked"):
        _commit(world, batch)
    batch = _commit(world, work.batch_check(batch.pk))
    with pytest.raises(ValidationError, match="Importing"):
        _commit(world, batch)


# --- cancel --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.QUEUED, Status.CHECKING, Status.PREVIEWED, Status.IMPORTING])
def test_cancel_works_in_every_state_that_is_not_final(world: World, queued: None, status: Status) -> None:
    batch = _upload(world)
    stored = _stored(batch)
    _set(batch, status=status)
    services.batch_cancel(actor=world.user("xinshi_staff"), batch=batch)
    _assert_ended(batch, Status.CANCELLED, stored)


@pytest.mark.parametrize("status", [Status.IMPORTED, Status.CANCELLED, Status.FAILED])
def test_a_final_batch_cannot_be_cancelled(world: World, queued: None, status: Status) -> None:
    batch = _upload(world)
    _set(batch, status=status)
    with pytest.raises(ValidationError, match="can no longer be cancelled"):
        services.batch_cancel(actor=world.user("xinshi_staff"), batch=batch)
    batch.refresh_from_db()
    assert batch.status == status


def test_cancel_is_refused_to_whoever_may_not_import_there(world: World, queued: None) -> None:
    from django.core.exceptions import PermissionDenied

    batch = _upload(world)
    with pytest.raises(PermissionDenied):
        services.batch_cancel(actor=world.user("yanling_admin"), batch=batch)
    assert ImportBatch.objects.get().status == Status.QUEUED


def test_a_check_cancelled_while_it_runs_stops_without_a_preview(
    world: World, queued: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = _upload(world)
    kind = engine.kind_named("households")
    clean_row = kind.clean_row

    def cancelled_meanwhile(*args: Any) -> Any:
        # The user's cancel, as another request would commit it, while the rows are checked.
        ImportBatch.objects.filter(pk=batch.pk).update(status=Status.CANCELLED)
        return clean_row(*args)

    monkeypatch.setattr(kind, "clean_row", cancelled_meanwhile)
    # As in a worker (autocommit): the cancel is not inside a savepoint of the check's.
    monkeypatch.setattr(work, "_savepoint", contextlib.nullcontext)
    work.batch_check(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.CANCELLED
    assert batch.report == {}


def test_an_import_that_finds_the_batch_no_longer_importing_rolls_its_rows_back(
    world: World, queued: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last step of the import's transaction moves the batch to imported only if it is still
    importing; otherwise every row written is rolled back. (Here the sweep's update is made in the
    same transaction, so it is rolled back with the rows; ``test_worker`` cancels from another
    connection.)"""
    batch = _commit(world, _previewed(world))
    kind = engine.kind_named("households")
    write_records = kind.write_records

    def swept_meanwhile(context: Any, records: list[Any]) -> int:
        written = write_records(context, records)
        assert Household.objects.count() == 2
        ImportBatch.objects.filter(pk=batch.pk).update(status=Status.FAILED)
        return written

    monkeypatch.setattr(kind, "write_records", swept_meanwhile)
    assert _import(batch).status != Status.IMPORTED
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


# --- rights checked when the work runs ---------------------------------------------------------


def _revoke(world: World, username: str) -> None:
    user = world.user(username)
    assert can(user, "households.change", world.org("xinshi"))  # loaded into this process's cache
    RoleGrant.objects.filter(user=user).delete()


def test_the_check_refuses_to_run_for_an_uploader_who_lost_the_right(world: World, queued: None) -> None:
    batch = _upload(world)
    stored = _stored(batch)
    _revoke(world, "xinshi_staff")
    batch = work.batch_check(batch.pk)
    _assert_ended(batch, Status.FAILED, stored)
    assert (
        batch.message
        == "Xinshi Staff, who uploaded this file, may no longer import at 新市镇 Women's Federation. Nothing was imported."
    )
    assert batch.report == {}


def test_the_import_writes_nothing_when_the_uploader_lost_the_right(world: World, queued: None) -> None:
    batch = _commit(world, _previewed(world), "youxian_admin")
    stored = _stored(batch)
    _revoke(world, "xinshi_staff")
    batch = _import(batch)
    _assert_ended(batch, Status.FAILED, stored)
    assert batch.message.startswith(
        "Xinshi Staff, who uploaded this file, may no longer import at 新市镇 Women's Federation."
    )
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_the_import_writes_nothing_when_the_committer_lost_the_right(world: World, queued: None) -> None:
    batch = _commit(world, _previewed(world), "youxian_admin")
    stored = _stored(batch)
    _revoke(world, "youxian_admin")
    batch = _import(batch)
    _assert_ended(batch, Status.FAILED, stored)
    assert batch.message.startswith("Youxian Admin, who chose to import this file, may no longer import at")
    assert not Household.objects.exists()


def test_a_role_narrowed_to_viewing_or_an_account_deactivated_counts(world: World, queued: None) -> None:
    batch = _commit(world, _previewed(world), "youxian_admin")
    RoleGrant.objects.filter(user=world.user("youxian_admin")).update(role=Role.VIEWER)
    assert _import(batch).status == Status.FAILED
    batch = _commit(world, _previewed(world))
    type(world.user("xinshi_staff")).objects.filter(username="xinshi_staff").update(is_active=False)
    assert _import(batch).status == Status.FAILED
    assert not Household.objects.exists()


def test_the_failure_is_written_in_the_uploaders_language(world: World, queued: None) -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        batch = _upload(world)
    _revoke(world, "xinshi_staff")
    assert work.batch_check(batch.pk).message == "导入人Xinshi Staff已无权在新市镇妇联导入，未导入任何数据。"


# --- failures while the work runs ------------------------------------------------------------


def _bad_sql(*args: Any) -> Any:
    with connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM no_such_table")


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (RuntimeError("boom"), "an unexpected error occurred"),
        (MemoryError(), "the server ran out of memory"),
        (None, "the database reported an error"),
    ],
)
def test_an_error_while_checking_fails_the_batch_and_says_what_happened(
    world: World, queued: None, monkeypatch: pytest.MonkeyPatch, caplog: Any, error: Any, cause: str
) -> None:
    batch = _upload(world)
    stored = _stored(batch)
    kind = engine.kind_named("households")

    def broken(*args: Any) -> Any:
        if error is None:
            _bad_sql()
        raise error

    monkeypatch.setattr(kind, "check_stored", broken)
    raised = DatabaseError if error is None else type(error)
    with caplog.at_level(logging.ERROR, logger="fulian.imports.services"), pytest.raises(raised):
        work.batch_check(batch.pk)  # raised again for the task backend to record
    _assert_ended(batch, Status.FAILED, stored)
    assert batch.message == (
        f"The check stopped: {cause}. Nothing was imported. Upload the file again; if this happens again, "
        f"tell your administrator (upload no. {batch.pk})."
    )
    assert "Traceback" in caplog.text  # for the administrator, not the user
    assert f"import {batch.pk} failed" in caplog.text


@pytest.mark.parametrize("database", [False, True])
def test_an_error_inside_the_import_transaction_writes_nothing_and_fails_the_batch(
    world: World, queued: None, monkeypatch: pytest.MonkeyPatch, database: bool
) -> None:
    batch = _commit(world, _previewed(world))
    stored = _stored(batch)
    kind = engine.kind_named("households")
    write_records = kind.write_records

    def broken(context: Any, records: list[Any]) -> int:
        write_records(context, records)
        assert Household.objects.count() == 2
        if database:
            _bad_sql()
        raise RuntimeError("boom")

    monkeypatch.setattr(kind, "write_records", broken)
    with pytest.raises(DatabaseError if database else RuntimeError):
        _import(batch)
    _assert_ended(batch, Status.FAILED, stored)
    cause = "the database reported an error" if database else "an unexpected error occurred"
    assert batch.message.startswith(f"The import stopped: {cause}. Nothing was imported.")
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_a_worker_stopped_during_the_check_fails_the_batch_and_stops(
    world: World, queued: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = _upload(world)

    def stop(*args: Any) -> Any:
        raise SystemExit(1)  # db_worker's second Ctrl-C/TERM: "terminating current task"

    monkeypatch.setattr(engine.kind_named("households"), "prepare", stop)
    with pytest.raises(SystemExit):
        work.batch_check(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert batch.message.startswith("The check stopped: the background worker was stopped.")


def test_an_unreadable_file_fails_with_its_own_message(world: World, queued: None) -> None:
    batch = services.batch_upload(
        actor=world.user("xinshi_staff"),
        kind="households",
        org=world.org("xinshi"),
        upload=SimpleUploadedFile("x.pdf", b"%PDF-1.4 not a sheet"),
    )
    stored = _stored(batch)
    batch = work.batch_check(batch.pk)
    _assert_ended(batch, Status.FAILED, stored)
    assert batch.message.startswith("No header row was found in the first 15 rows.")


def test_the_immediate_backend_swallows_nothing_the_page_needs(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the page (tasks run at once, as in the tests' settings): an error in the check
    leaves a failed batch with its message, not an upload stuck in "checking"."""

    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine.kind_named("households"), "check_stored", broken)
    client = world.client_for("xinshi_staff")
    client.post(
        reverse("imports:create", args=["households"]),
        {"org": world.org("xinshi").code, "file": SimpleUploadedFile("t.xlsx", xlsx(ROWS))},
        headers={"accept-language": "en"},
    )
    batch = ImportBatch.objects.get()
    assert batch.status == Status.FAILED
    page = client.get(reverse("imports:detail", args=[batch.pk]), headers={"accept-language": "en"}).content.decode()
    assert "The check stopped: an unexpected error occurred." in page
    assert "boom" not in page
    assert "hx-trigger" not in page


# --- stale batches ---------------------------------------------------------------------------------


def _age(batch: ImportBatch, minutes: float) -> None:
    _set(batch, updated_at=timezone.now() - datetime.timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.QUEUED, "No background worker took up this upload within 30 minutes."),
        (Status.CHECKING, "The check stopped: it made no progress for 30 minutes"),
        (Status.IMPORTING, "The import stopped: it made no progress for 30 minutes"),
    ],
)
def test_a_running_batch_without_progress_past_the_limit_is_failed_by_the_sweep(
    world: World, queued: None, status: Status, message: str
) -> None:
    batch, alive = _upload(world), _upload(world)
    stored = _stored(batch)
    _set(batch, status=status)
    _set(alive, status=status)
    _age(batch, 31)
    _age(alive, 29)
    assert work.sweep_stale() == 1
    _assert_ended(batch, Status.FAILED, stored)
    assert batch.message.startswith(message)
    alive.refresh_from_db()
    assert alive.status == status
    assert alive.file


def test_the_limit_is_a_setting(world: World, queued: None, settings: Any) -> None:
    settings.FULIAN_IMPORT_STALE_MINUTES = 5
    batch = _upload(world)
    _age(batch, 6)
    assert work.sweep_stale() == 1
    batch.refresh_from_db()
    assert "within 5 minutes" in batch.message


def test_a_previewed_batch_is_not_stale_it_waits_for_the_user(world: World, queued: None) -> None:
    batch = _previewed(world)
    _age(batch, 120)
    assert work.sweep_stale() == 0


def test_every_task_sweeps_before_it_starts(world: World, queued: None) -> None:
    stuck = _upload(world)
    _set(stuck, status=Status.IMPORTING)
    _age(stuck, 31)
    work.batch_check(_upload(world).pk)
    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED


def test_progress_is_the_heartbeat(world: World, queued: None, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _upload(world)
    kind = engine.kind_named("households")
    clean_row, check_stored = kind.clean_row, kind.check_stored
    seen: list[Any] = []

    def slow_row(*args: Any) -> Any:
        if not seen:
            seen.append("first row")
            _age(batch, 20)  # as if the first row had taken 20 minutes
        return clean_row(*args)

    def look(*args: Any) -> Any:  # after the first progress report
        seen.append(ImportBatch.objects.get(pk=batch.pk).updated_at)
        return check_stored(*args)

    monkeypatch.setattr(kind, "clean_row", slow_row)
    monkeypatch.setattr(kind, "check_stored", look)
    work.batch_check(batch.pk)
    assert seen[1] > timezone.now() - datetime.timedelta(minutes=1)


def test_the_page_of_a_stale_batch_says_it_failed_and_stops_polling(world: World, queued: None) -> None:
    batch = _commit(world, _previewed(world))
    _age(batch, 31)
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("imports:detail", args=[batch.pk]), headers={"accept-language": "en"})
    text = page.content.decode()
    assert "The import stopped: it made no progress for 30 minutes" in text
    assert "hx-trigger" not in text
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert not batch.file


def test_the_api_fails_a_stale_batch_when_it_is_polled(world: World, queued: None) -> None:
    batch = _upload(world)
    _age(batch, 31)
    body = world.api_for("xinshi_staff").get(reverse("api:import-detail", args=[batch.pk])).json()
    assert body["status"] == "failed"
    assert body["message"].startswith("No background worker took up this upload")


def test_each_running_batch_has_a_watchdog_queued_for_when_it_would_be_stale(world: World, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    batch = _upload(world)
    watch = DBTaskResult.objects.get(task_path="fulian.imports.tasks.watch_batch")
    assert watch.args_kwargs["args"] == [batch.pk]
    assert watch.run_after == batch.updated_at + work.stale_after() + tasks.WATCH_MARGIN
    assert DBTaskResult.objects.filter(task_path="fulian.imports.tasks.check_batch").count() == 1
    # Run when the batch is still alive (it moved since), it looks again later; when it is
    # stale, it fails it.
    tasks.batch_watch(batch.pk)
    assert DBTaskResult.objects.filter(task_path="fulian.imports.tasks.watch_batch").count() == 2
    _age(batch, 31)
    tasks.watch_batch.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert DBTaskResult.objects.filter(task_path="fulian.imports.tasks.watch_batch").count() == 2


# --- the daily prune -------------------------------------------------------------------------------


def test_prune_imports_cancels_abandoned_previews_sweeps_stale_work_and_deletes_leftover_files(
    world: World, queued: None
) -> None:
    abandoned, recent, stuck, leftover = (_previewed(world), _previewed(world), _upload(world), _upload(world))
    stored = {b.pk: _stored(b) for b in (abandoned, recent, stuck, leftover)}
    _set(abandoned, updated_at=timezone.now() - datetime.timedelta(hours=25))
    _set(recent, updated_at=timezone.now() - datetime.timedelta(hours=23))
    _age(stuck, 31)
    _set(leftover, status=Status.IMPORTED)  # a worker stopped between its commit and the deletion
    out = io.StringIO()
    call_command("prune_imports", stdout=out)
    assert out.getvalue().strip() == (
        "Failed 1 stalled imports, cancelled 1 previews not imported within 24 hours, "
        "deleted the files of 1 ended imports."
    )
    _assert_ended(abandoned, Status.CANCELLED, stored[abandoned.pk])
    assert abandoned.message == "Not imported within 24 hours: the preview was cancelled and the file deleted."
    _assert_ended(stuck, Status.FAILED, stored[stuck.pk])
    leftover.refresh_from_db()
    assert not leftover.file
    assert not stored[leftover.pk].exists()
    recent.refresh_from_db()
    assert recent.status == Status.PREVIEWED
    assert stored[recent.pk].exists()


# --- the page stops polling when the batch ends ---------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
def test_the_page_polls_only_while_the_work_runs(world: World, queued: None, status: Status) -> None:
    batch = _previewed(world)
    _set(batch, status=status)
    client = world.client_for("xinshi_staff")
    url = reverse("imports:detail", args=[batch.pk])
    page = client.get(url).content.decode()
    poll = client.get(url, headers={"HX-Request": "true"})
    running = status in (Status.QUEUED, Status.CHECKING, Status.IMPORTING)
    assert ('hx-trigger="every 1s"' in page) is running
    if running:
        assert 'hx-trigger="every 1s"' in poll.content.decode()
        assert reverse("imports:cancel", args=[batch.pk]) in poll.content.decode()
    else:
        # Ended while the page polled: no fragment that would poll on, the page reloads once.
        assert (poll.status_code, poll["HX-Refresh"], poll.content) == (204, "true", b"")


def test_the_api_names_who_committed_and_cancels_until_the_batch_is_final(world: World, queued: None) -> None:
    api = world.api_for("xinshi_staff")
    batch = _commit(world, _previewed(world), "youxian_admin")
    body = api.get(reverse("api:import-detail", args=[batch.pk])).json()
    assert (body["status"], body["uploaded_by"], body["committed_by"]) == ("importing", "xinshi_staff", "youxian_admin")
    cancelled = api.post(reverse("api:import-cancel", args=[batch.pk]))
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = api.post(reverse("api:import-cancel", args=[batch.pk]), headers={"accept-language": "en"})
    assert (again.status_code, again.json()) == (
        400,
        {"detail": "This upload can no longer be cancelled (its status: Cancelled: nothing imported)."},
    )
