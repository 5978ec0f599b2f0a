"""The work of a batch that runs in the background, and the moves between states it shares with
the services. The background work (``batch_check``, ``batch_import``) checks again that the
people behind it still hold the right, ends the batch as failed — with a message in its own
language — whatever goes wrong, and deletes the file (full of ID numbers) whenever the batch
ends. Nothing here queues a task (``imports.tasks`` does), so the imports go one way.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fulian.audit.recorder import audit_context
from fulian.core.personal import decrypt_bytes
from fulian.core.scoping import AnyUser, require
from fulian.imports import engine
from fulian.imports.models import FINAL, RUNNING, ImportBatch, Status
from fulian.orgs import counts
from fulian.orgs.models import Organisation

logger = logging.getLogger(__name__)


def stale_after() -> datetime.timedelta:
    """How long a running batch may go without a sign of life (``FULIAN_IMPORT_STALE_MINUTES``)."""
    return datetime.timedelta(minutes=settings.FULIAN_IMPORT_STALE_MINUTES)


class Stopped(Exception):
    """The batch left the state this work runs in (cancelled, or failed by the sweep): stop,
    writing nothing."""


class RightLost(Exception):
    """Someone behind the upload no longer holds the right to import there."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_file(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as stored:
        return decrypt_bytes(stored.read())


def move(batch_id: int, leaving: Iterable[str], to: Status, **fields: Any) -> bool:
    """Move the batch to ``to`` if it is still in one of the ``leaving`` states."""
    now = timezone.now()
    if to in FINAL:
        fields["finished_at"] = now
    still = ImportBatch.objects.filter(pk=batch_id, status__in=list(leaving))
    return still.update(status=to, updated_at=now, **fields) == 1


def discard_file(batch: ImportBatch) -> None:
    """Delete the stored file of a batch that ended. The name stays on the row until the file is
    gone, so a process stopped in between leaves it for ``prune`` to find."""
    name = batch.file.name
    if name:
        batch.file.storage.delete(name)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")
        batch.file.name = ""


def end(batch: ImportBatch, to: Status, *, leaving: Iterable[str] = RUNNING, **fields: Any) -> bool:
    """End the batch (imported, cancelled or failed) if it was still in one of ``leaving``, and
    delete its file."""
    moved = move(batch.pk, leaving, to, **fields)
    if moved:
        discard_file(batch)
    return moved


def _require_right(batch: ImportBatch, user: AnyUser, message: str) -> None:
    """``user`` (read from the database by the task, so a role taken away or an account
    deactivated since counts) may still import this kind at the batch's organisation."""
    try:
        require(user, engine.kind_named(batch.kind).change_action, batch.org)
    except PermissionDenied:
        name = getattr(user, "full_name", "") or user.get_username()
        raise RightLost(message % {"name": name, "org": batch.org.federation_name}) from None


def _require_uploader(batch: ImportBatch) -> None:
    _require_right(
        batch,
        batch.uploaded_by,
        _("%(name)s, who uploaded this file, may no longer import at %(org)s. Nothing was imported."),
    )


def _failure_message(stage: str, error: BaseException, batch_id: int) -> str:
    """What the user reads when the work stopped on an error (the traceback goes to the log)."""
    if isinstance(error, KeyboardInterrupt | SystemExit):
        cause = _("the background worker was stopped")
    elif isinstance(error, DatabaseError):
        cause = _("the database reported an error")
    elif isinstance(error, MemoryError):
        cause = _("the server ran out of memory")
    else:
        cause = _("an unexpected error occurred")
    return _(
        "The %(stage)s stopped: %(cause)s. Nothing was imported. Upload the file again; if this happens "
        "again, tell your administrator (upload no. %(id)d)."
    ) % {"stage": stage, "cause": cause, "id": batch_id}


def _savepoint() -> Any:
    """Inside a caller's transaction (the immediate task backend runs the task in the request's),
    a savepoint, so that a database error is rolled back and the failure can still be written.
    A worker runs in autocommit: each update is seen at once (the progress, the heartbeat)."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def _end_failed(batch: ImportBatch, message: str) -> bool:
    try:
        return end(batch, Status.FAILED, message=message)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        # The connection itself broke (the server restarted): the next query opens a new one.
        connection.close()
        return end(batch, Status.FAILED, message=message)


@contextlib.contextmanager
def _failing(batch: ImportBatch, stage: str) -> Iterator[None]:
    """Whatever stops the work ends the batch as failed, with a message that says what happened;
    unexpected errors are logged with their traceback and raised again for the task backend."""
    try:
        with _savepoint():
            yield
    except Stopped:
        logger.info("import %s: no longer running, stopped without writing", batch.pk)
    except RightLost as lost:
        _end_failed(batch, lost.message)
    except BaseException as error:
        if not _end_failed(batch, _failure_message(stage, error, batch.pk)):
            # Cancelled or swept meanwhile (its file already deleted): that was the cause.
            logger.info("import %s: stopped after it was ended elsewhere (%r)", batch.pk, error)
            if isinstance(error, Exception):
                return
        else:
            logger.exception("import %s failed while %s", batch.pk, stage)
        raise


def _load(batch_id: int) -> ImportBatch:
    """The batch with its accounts as they are now (so their grants are current, not cached)."""
    return ImportBatch.objects.select_related("org", "uploaded_by", "committed_by").get(pk=batch_id)


def batch_check(batch_id: int) -> ImportBatch:
    """Check every row (the preview); a file that cannot be read fails with its message. Runs
    only while the batch is queued and its uploader still may import there."""
    sweep_stale()
    batch = _load(batch_id)
    if not move(batch.pk, [Status.QUEUED], Status.CHECKING):
        return batch  # cancelled or swept before the worker came to it, or already run
    with translation.override(batch.language), _failing(batch, _("check")):
        _require_uploader(batch)
        data = read_file(batch)

        def progress(done: int, total: int) -> None:
            # The progress is the heartbeat; a batch no longer checking (cancelled) stops here.
            if not ImportBatch.objects.filter(pk=batch.pk, status=Status.CHECKING).update(
                progress=done, total=total, updated_at=timezone.now()
            ):
                raise Stopped

        evaluation = engine.evaluate(
            engine.kind_named(batch.kind),
            data,
            batch.filename,
            org=batch.org,
            actor=batch.uploaded_by,
            progress=progress,
            params=batch.report.get("params"),
        )
        outcome = {"report": evaluation.report(), "total": evaluation.total, "progress": evaluation.total}
        if evaluation.file_error:
            end(batch, Status.FAILED, leaving=[Status.CHECKING], message=evaluation.file_error, **outcome)
        elif not move(batch.pk, [Status.CHECKING], Status.PREVIEWED, message="", **outcome):
            raise Stopped
    batch.refresh_from_db()
    return batch


def lock_city(org: Organisation) -> None:
    """Imports anywhere in one city queue behind each other, so that two uploads of the same
    people (or of one county and one of its townships) cannot both pass the duplicate check."""
    root = org.path.strip("/").split("/")[0]
    list(Organisation.objects.select_for_update().filter(code=root))


def batch_import(batch_id: int, *, expected_sha256: str, expected_valid: int) -> ImportBatch:
    """Write the valid rows in one transaction, or nothing (see ``engine.write``), if the uploader
    and the one who chose to import still may import there. The batch becomes imported in the
    same transaction as its rows; a cancel before that rolls the rows back."""
    sweep_stale()
    batch = _load(batch_id)
    if batch.status != Status.IMPORTING:
        return batch  # cancelled or swept before the worker came to it, or already run
    committer = batch.committed_by or batch.uploaded_by
    spec = engine.kind_named(batch.kind)
    with translation.override(batch.language), _failing(batch, _("import")):
        _require_uploader(batch)
        _require_right(
            batch,
            committer,
            _("%(name)s, who chose to import this file, may no longer import at %(org)s. Nothing was imported."),
        )
        data = read_file(batch)

        def still_importing(done: int, total: int) -> None:
            # Inside the import's transaction: nothing written here is seen before the commit,
            # so this only looks whether the batch was cancelled meanwhile.
            if not ImportBatch.objects.filter(pk=batch.pk, status=Status.IMPORTING).exists():
                raise Stopped

        def finish(evaluation: engine.Evaluation, written: int) -> None:
            # Last in the transaction, and conditional: a cancel or the sweep that came first
            # rolls the rows back; one that comes after waits for this row's lock, then finds
            # the batch imported.
            if not move(
                batch.pk,
                [Status.IMPORTING],
                Status.IMPORTED,
                imported=written,
                progress=written,
                report=evaluation.report(),
                message="",
            ):
                raise Stopped

        try:
            with audit_context(actor=committer, ip=batch.ip):
                engine.write(
                    spec,
                    data,
                    batch.filename,
                    org=batch.org,
                    actor=committer,
                    expected_sha256=expected_sha256,
                    expected_valid=expected_valid,
                    lock=lambda: lock_city(batch.org),
                    progress=still_importing,
                    source=batch.filename,
                    audit_object=batch,
                    audit_details={"uploaded_by": batch.uploaded_by.get_username()},
                    before_commit=finish,
                    batch_id=batch.pk,
                    expected_groups=engine.planned_keys(batch.report.get("new_groups", [])),
                    # A preview made before updates existed has no plan: its adds are checked as before.
                    expected_plan=batch.report.get("plan"),
                    params=batch.report.get("params"),
                )
        except engine.StalePreview as stale:
            report = stale.evaluation.report() if stale.evaluation is not None else batch.report
            if report.get("file_error"):
                end(batch, Status.FAILED, leaving=[Status.IMPORTING], message=stale.message, report=report)
            elif not move(batch.pk, [Status.IMPORTING], Status.PREVIEWED, message=stale.message, report=report):
                raise Stopped from None
        else:
            discard_file(batch)
            counts.refresh([batch.kind])  # city and county lists' "about N"
    batch.refresh_from_db()
    return batch


def _stale_message(status: str, minutes: str) -> str:
    if status == Status.QUEUED:
        return _(
            "No background worker took up this upload within %(minutes)s minutes. Nothing was imported. "
            "Upload the file again; if this happens again, tell your administrator that the background "
            "worker is not running."
        ) % {"minutes": minutes}
    stage = _("check") if status == Status.CHECKING else _("import")
    return _(
        "The %(stage)s stopped: it made no progress for %(minutes)s minutes (the background worker was "
        "stopped or restarted). Nothing was imported. Upload the file again."
    ) % {"stage": stage, "minutes": minutes}


def sweep_stale(*, batch_id: int | None = None) -> int:
    """Fail the running batches that gave no sign of life for ``stale_after()`` (a worker killed
    or stopped, or none running), and delete their files. Conditional on the heartbeat read, so a
    batch that moved meanwhile is left alone. Run by every import task before its work, by the
    watchdog task of each batch, by the batch's page and by ``prune_imports``."""
    limit = stale_after()
    now = timezone.now()
    minutes = f"{limit.total_seconds() / 60:g}"
    stale = ImportBatch.objects.filter(status__in=RUNNING, updated_at__lt=now - limit)
    if batch_id is not None:
        stale = stale.filter(pk=batch_id)
    swept = 0
    for batch in stale.only("pk", "status", "language", "file", "updated_at"):
        with translation.override(batch.language):
            message = _stale_message(batch.status, minutes)
        if ImportBatch.objects.filter(pk=batch.pk, status=batch.status, updated_at=batch.updated_at).update(
            status=Status.FAILED, message=message, finished_at=now, updated_at=now
        ):
            logger.warning(
                "import %s: no progress while %s for %s minutes, marked failed", batch.pk, batch.status, minutes
            )
            discard_file(batch)
            swept += 1
    return swept
