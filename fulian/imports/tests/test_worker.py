"""Uploads checked and imported by a real worker process — ``manage.py db_worker`` on the database
task backend, against the test database, with real commits — not by the immediate backend of the
other tests: the way through, a worker killed in the middle of an import, and a cancel while the
import runs. On SQLite the test database is a file (config/settings.py), so the worker sees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import translation

from fulian.audit.models import AuditEvent
from fulian.households.models import Household
from fulian.imports import services
from fulian.imports.models import FINAL, ImportBatch, Status
from fulian.imports.tests.files import xlsx
from fulian.testing.world import World

ROWS = [
    ["村（社区）", "户主姓名", "联系电话"],
    ["回龙村", "周建国", "13907330101"],
    ["回龙村", "李德福", "13907330102"],
]
TIMEOUT = 90  # seconds; the machine is shared, a worker may take a while to start


def _database_url() -> str:
    """The test database, for the worker process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """``db_worker`` processes on the test database, each logging to a file; all killed at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, *, stale_minutes: float = 30, pause: Path | None = None) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if k != "FULIAN_TESTING"}  # the database backend
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            FULIAN_DEV_KEYS="1",
            DATABASE_URL=_database_url(),
            FULIAN_MEDIA_ROOT=str(django_settings.MEDIA_ROOT),
            FULIAN_IMPORT_STALE_MINUTES=str(stale_minutes),
        )
        if pause is not None:
            env["FULIAN_TEST_PAUSE_DIR"] = str(pause)
        log = self.folder / f"worker-{len(self.started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "fulian.imports.tests.worker", "--no-startup-delay", "--interval", "0.1"],
                cwd=django_settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append((process, log))
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for _p, log in self.started)

    def stop(self) -> None:
        for process, _log in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


@pytest.fixture
def workers(live_world: World, settings: Any, tmp_path: Path) -> Iterator[Workers]:
    """Tasks go to the database (as in production) and worker processes run them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop()  # before live_world empties the tables


def _wait(workers: Workers, what: str, done: Any) -> Any:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if result := done():
            return result
        time.sleep(0.1)
    raise AssertionError(f"waited {TIMEOUT} s for {what}\n{workers.logs()}")


def _until(workers: Workers, batch: ImportBatch, statuses: Any) -> ImportBatch:
    def reached() -> ImportBatch | None:
        current = ImportBatch.objects.get(pk=batch.pk)
        # An ending is complete once the file is deleted too (a second update, just after the
        # status: the name stays until the file is gone, so that prune finds what a crash left).
        ended = current.status not in FINAL or not current.file
        return current if current.status in statuses and ended else None

    return _wait(workers, f"batch {batch.pk} to be {'/'.join(statuses)}", reached)


def _task_finished(workers: Workers, name: str) -> None:
    from django_tasks_db.models import DBTaskResult

    def finished() -> bool:
        return DBTaskResult.objects.filter(
            task_path=f"fulian.imports.tasks.{name}", status__in=["SUCCESSFUL", "FAILED"]
        ).exists()

    _wait(workers, f"the worker to finish {name}", finished)


def _upload_and_preview(world: World, workers: Workers) -> ImportBatch:
    batch = services.batch_upload(
        actor=world.user("xinshi_staff"),
        kind="households",
        org=world.org("xinshi"),
        upload=SimpleUploadedFile("台账.xlsx", xlsx(ROWS)),
    )
    assert batch.status == Status.QUEUED
    batch = _until(workers, batch, [Status.PREVIEWED, *FINAL])
    assert batch.status == Status.PREVIEWED, batch.message
    return batch


def _commit(world: World, batch: ImportBatch) -> ImportBatch:
    return services.batch_commit(
        actor=world.user("youxian_admin"), batch=batch, sha256=batch.sha256, valid_rows=batch.report["valid_rows"]
    )


def test_an_upload_is_checked_and_imported_by_a_worker_process(live_world: World, workers: Workers) -> None:
    workers.start()
    batch = _upload_and_preview(live_world, workers)
    stored = Path(batch.file.path)
    assert stored.exists()
    assert batch.report["valid_rows"] == 2
    assert _commit(live_world, batch).status == Status.IMPORTING
    batch = _until(workers, batch, FINAL)
    assert (batch.status, batch.imported) == (Status.IMPORTED, 2), batch.message
    assert sorted(Household.objects.values_list("head_name", flat=True)) == ["周建国", "李德福"]
    assert not batch.file
    assert not stored.exists()
    event = AuditEvent.objects.get(action="import")
    assert (event.actor_name, event.changes["uploaded_by"]) == ("youxian_admin", "xinshi_staff")


def test_a_worker_killed_in_the_middle_of_an_import_leaves_nothing_half_written(
    live_world: World, workers: Workers, settings: Any, tmp_path: Path
) -> None:
    # The watchdog queued at the commit runs 6 s + 5 s later; the first worker keeps the default
    # limit so that it cannot sweep its own import.
    settings.FULIAN_IMPORT_STALE_MINUTES = 0.1
    pause = tmp_path / "pause"
    pause.mkdir()
    first = workers.start(pause=pause)
    batch = _upload_and_preview(live_world, workers)
    stored = Path(batch.file.path)
    _commit(live_world, batch)
    _wait(workers, "the import to have written its rows", (pause / "paused").exists)
    assert not Household.objects.exists()  # written inside the import's transaction, not committed
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert ImportBatch.objects.get(pk=batch.pk).status == Status.IMPORTING

    workers.start(stale_minutes=0.1)  # the worker restarted
    batch = _until(workers, batch, FINAL)
    assert batch.status == Status.FAILED
    assert batch.message == (
        "The import stopped: it made no progress for 0.1 minutes (the background worker was stopped or "
        "restarted). Nothing was imported. Upload the file again."
    )
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()
    assert not batch.file
    assert not stored.exists()
    page = live_world.client_for("xinshi_staff").get(
        reverse("imports:detail", args=[batch.pk]), headers={"accept-language": "en"}
    )
    assert batch.message in page.content.decode()
    assert "hx-trigger" not in page.content.decode()


def test_a_cancel_while_the_worker_imports_wins_or_is_refused_never_both(
    live_world: World, workers: Workers, tmp_path: Path
) -> None:
    """On PostgreSQL the cancel goes through at once and the import, finding its batch cancelled
    as it commits, rolls its rows back. SQLite has one writer: the cancel waits for the import's
    transaction, then finds the batch imported and is refused."""
    pause = tmp_path / "pause"
    pause.mkdir()
    workers.start(pause=pause)
    batch = _upload_and_preview(live_world, workers)
    stored = Path(batch.file.path)
    _commit(live_world, batch)
    _wait(workers, "the import to have written its rows", (pause / "paused").exists)
    outcome: dict[str, Any] = {}

    def cancel() -> None:  # another request, on its own connection
        try:
            with translation.override("en"):
                services.batch_cancel(actor=live_world.user("xinshi_staff"), batch=batch)
            outcome["cancelled"] = True
        except ValidationError as refused:
            outcome["refused"] = refused.messages
        finally:
            connection.close()

    user = threading.Thread(target=cancel)
    user.start()
    postgres = connection.vendor == "postgresql"
    if postgres:
        user.join(timeout=30)
        assert outcome == {"cancelled": True}  # not held up by the import's transaction
    (pause / "resume").touch()
    user.join(timeout=60)
    _task_finished(workers, "import_batch")  # the batch may be final before the import noticed
    batch = ImportBatch.objects.get(pk=batch.pk)
    if postgres:
        assert batch.status == Status.CANCELLED
        assert not Household.objects.exists()
        assert not AuditEvent.objects.filter(action="import").exists()
    else:
        assert outcome == {"refused": ["This upload can no longer be cancelled (its status: Imported)."]}
        assert batch.status == Status.IMPORTED
        assert Household.objects.count() == 2
    assert not stored.exists()
