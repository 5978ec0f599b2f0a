"""Uploading a spreadsheet, checking it in the background, importing its valid rows.

A batch moves between the states drawn in ``imports.models``; every move is a conditional
update on the state it leaves (never read, check, then save), so a cancel, a failure, the stale
sweep and the worker finishing cannot both win. The background work (``batch_check``,
``batch_import``) checks again that the people behind it still hold the right, ends the batch
as failed — with a message in its own language — whatever goes wrong, and deletes the file
(full of ID numbers) whenever the batch ends.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fulian.audit.choices import Action
from fulian.audit.recorder import audit_context, record
from fulian.core.personal import decrypt_bytes, encrypt_bytes
from fulian.core.scoping import AnyUser, require
from fulian.imports import engine
from fulian.imports.models import CANCELLABLE, FINAL, RUNNING, UNDO_DAYS, ImportBatch, Status
from fulian.orgs.models import Organisation

logger = logging.getLogger(__name__)

# A preview nobody imported or cancelled within this time is cancelled by ``prune`` and its
# file deleted.
PREVIEW_KEPT = datetime.timedelta(hours=24)
# The watchdog runs this long after the stale limit, so that a batch that stopped is past it.
WATCH_MARGIN = datetime.timedelta(seconds=5)


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


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def batch_upload(*, actor: AnyUser, kind: str, org: Organisation, upload: UploadedFile) -> ImportBatch:
    """Keep the uploaded file and queue its check; nothing is imported yet."""
    spec = engine.kind_named(kind)
    require(actor, spec.change_action, org)
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > engine.MAX_BYTES:
        raise ValidationError(
            {
                "file": _(
                    "The file is %(size)s MB; files of up to %(limit)s MB can be uploaded. Split it into smaller files."
                )
                % {"size": _megabytes(upload.size), "limit": _megabytes(engine.MAX_BYTES)}
            }
        )
    data = upload.read()
    batch = ImportBatch(
        kind=kind,
        org=org,
        uploaded_by=actor,  # type: ignore[misc]
        filename=(upload.name or "upload")[:200],
        sha256=engine.file_hash(data),
        size=len(data),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    # The file holds ID and phone numbers: it is stored encrypted, and deleted when the batch ends
    # (the report keeps what the user needs: counts and problems).
    batch.file.save(f"{uuid.uuid4().hex}.bin", ContentFile(encrypt_bytes(data)), save=False)
    batch.save()
    from fulian.imports.tasks import check_batch

    _watch(batch.pk, since=batch.updated_at)
    check_batch.enqueue(batch.pk)
    return batch


def _read(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as stored:
        return decrypt_bytes(stored.read())


def _move(batch_id: int, leaving: Iterable[str], to: Status, **fields: Any) -> bool:
    """Move the batch to ``to`` if it is still in one of the ``leaving`` states."""
    now = timezone.now()
    if to in FINAL:
        fields["finished_at"] = now
    still = ImportBatch.objects.filter(pk=batch_id, status__in=list(leaving))
    return still.update(status=to, updated_at=now, **fields) == 1


def _discard_file(batch: ImportBatch) -> None:
    """Delete the stored file of a batch that ended. The name stays on the row until the file is
    gone, so a process stopped in between leaves it for ``prune`` to find."""
    name = batch.file.name
    if name:
        batch.file.storage.delete(name)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")
        batch.file.name = ""


def _end(batch: ImportBatch, to: Status, *, leaving: Iterable[str] = RUNNING, **fields: Any) -> bool:
    """End the batch (imported, cancelled or failed) if it was still in one of ``leaving``, and
    delete its file."""
    moved = _move(batch.pk, leaving, to, **fields)
    if moved:
        _discard_file(batch)
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
        return _end(batch, Status.FAILED, message=message)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        # The connection itself broke (the server restarted): the next query opens a new one.
        connection.close()
        return _end(batch, Status.FAILED, message=message)


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
    if not _move(batch.pk, [Status.QUEUED], Status.CHECKING):
        return batch  # cancelled or swept before the worker came to it, or already run
    with translation.override(batch.language), _failing(batch, _("check")):
        _require_uploader(batch)
        data = _read(batch)

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
        )
        outcome = {"report": evaluation.report(), "total": evaluation.total, "progress": evaluation.total}
        if evaluation.file_error:
            _end(batch, Status.FAILED, leaving=[Status.CHECKING], message=evaluation.file_error, **outcome)
        elif not _move(batch.pk, [Status.CHECKING], Status.PREVIEWED, message="", **outcome):
            raise Stopped
    batch.refresh_from_db()
    return batch


def batch_commit(*, actor: AnyUser, batch: ImportBatch, sha256: str, valid_rows: int) -> ImportBatch:
    """Import the valid rows of a checked file, as previewed: ``sha256`` and ``valid_rows`` are
    what the user saw; the import refuses if either differs by then. ``actor`` is recorded as the
    one who imported: the background import checks her right (and the uploader's) again."""
    require(actor, engine.kind_named(batch.kind).change_action, batch.org)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != Status.PREVIEWED:
            raise ValidationError(
                _("This upload is %(status)s; it cannot be imported now.") % {"status": locked.get_status_display()}
            )
        if sha256 != locked.sha256 or valid_rows != locked.report.get("valid_rows"):
            raise ValidationError(_("This preview is out of date. Reload the page to see the current one."))
        locked.status = Status.IMPORTING
        locked.progress = 0
        locked.committed_by = actor  # type: ignore[assignment]
        locked.message = ""
        locked.save(update_fields=["status", "progress", "committed_by", "message", "updated_at"])
    from fulian.imports.tasks import import_batch

    _watch(batch.pk, since=locked.updated_at)
    import_batch.enqueue(batch.pk, sha256, valid_rows)
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
        data = _read(batch)

        def still_importing(done: int, total: int) -> None:
            # Inside the import's transaction: nothing written here is seen before the commit,
            # so this only looks whether the batch was cancelled meanwhile.
            if not ImportBatch.objects.filter(pk=batch.pk, status=Status.IMPORTING).exists():
                raise Stopped

        def finish(evaluation: engine.Evaluation, written: int) -> None:
            # Last in the transaction, and conditional: a cancel or the sweep that came first
            # rolls the rows back; one that comes after waits for this row's lock, then finds
            # the batch imported.
            if not _move(
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
            with audit_context(actor=committer):
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
                )
        except engine.StalePreview as stale:
            report = stale.evaluation.report() if stale.evaluation is not None else batch.report
            if report.get("file_error"):
                _end(batch, Status.FAILED, leaving=[Status.IMPORTING], message=stale.message, report=report)
            elif not _move(batch.pk, [Status.IMPORTING], Status.PREVIEWED, message=stale.message, report=report):
                raise Stopped from None
        else:
            _discard_file(batch)
    batch.refresh_from_db()
    return batch


def batch_cancel(*, actor: AnyUser, batch: ImportBatch) -> ImportBatch:
    """Import nothing from this upload: in any state that is not final. A check or an import
    under way notices and stops without writing; an import already committing is not stopped
    (the cancel waits for it and is then refused)."""
    require(actor, engine.kind_named(batch.kind).change_action, batch.org)
    if not _end(batch, Status.CANCELLED, leaving=CANCELLABLE, message=""):
        batch.refresh_from_db()
        message = _("This upload can no longer be cancelled (its status: %(status)s).")
        raise ValidationError(message % {"status": batch.get_status_display()})
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
            _discard_file(batch)
            swept += 1
    return swept


def _watch(batch_id: int, *, since: datetime.datetime) -> None:
    """Queue the batch's watchdog for when it would be stale, where the task backend can defer
    work (the database backend; the immediate one runs everything at once anyway)."""
    from fulian.imports.tasks import watch_batch

    if watch_batch.get_backend().supports_defer:
        watch_batch.using(run_after=since + stale_after() + WATCH_MARGIN).enqueue(batch_id)


def batch_watch(batch_id: int) -> None:
    """The watchdog: fail the batch if it is stale; if it is still running and alive, look again
    when it would next be stale."""
    sweep_stale()
    batch = ImportBatch.objects.filter(pk=batch_id, status__in=RUNNING).only("updated_at").first()
    if batch is not None:
        _watch(batch_id, since=batch.updated_at)


def prune() -> dict[str, int]:
    """The daily clean-up (``manage.py prune_imports``): fail stale running batches, cancel
    previews abandoned for ``PREVIEW_KEPT``, and delete any file an ended batch still holds."""
    swept = sweep_stale()
    expired = 0
    cutoff = timezone.now() - PREVIEW_KEPT
    for batch in ImportBatch.objects.filter(status=Status.PREVIEWED, updated_at__lt=cutoff).only(
        "pk", "language", "file", "updated_at"
    ):
        with translation.override(batch.language):
            message = _("Not imported within 24 hours: the preview was cancelled and the file deleted.")
        if ImportBatch.objects.filter(pk=batch.pk, status=Status.PREVIEWED, updated_at__lt=cutoff).update(
            status=Status.CANCELLED, message=message, finished_at=timezone.now(), updated_at=timezone.now()
        ):
            _discard_file(batch)
            expired += 1
    leftovers = 0
    for batch in ImportBatch.objects.filter(status__in=FINAL).exclude(file="").only("pk", "file"):
        _discard_file(batch)
        leftovers += 1
    return {"stale": swept, "expired": expired, "files": leftovers}


# Rows that block an undo listed on its page (and in the API's answer); the rest are counted.
BLOCKERS_SHOWN = 200


class UndoBlocked(ValidationError):
    """Rows the upload created changed since it ran: nothing was undone. ``blockers`` lists
    them (at most ``BLOCKERS_SHOWN``; ``more`` says whether there are others)."""

    def __init__(self, blockers: list[engine.Blocker]) -> None:
        self.more = len(blockers) > BLOCKERS_SHOWN
        self.blockers = blockers[:BLOCKERS_SHOWN]
        count = len(self.blockers)
        super().__init__(
            ngettext(
                "%(n)d row from this file changed since the import; undoing it would lose that work. "
                "Nothing was undone.",
                "%(n)d rows from this file changed since the import; undoing it would lose that work. "
                "Nothing was undone.",
                count,
            )
            % {"n": count}
            if not self.more
            else _("More than %(n)d rows from this file changed since the import. Nothing was undone.")
            % {"n": BLOCKERS_SHOWN}
        )


def _ran_before_undo() -> str:
    return _("This import ran before imports could be undone; change or archive its rows instead.")


def undo_refusal(batch: ImportBatch) -> str:
    """Why this upload cannot be undone, whatever its rows ('' when only its rows decide)."""
    if batch.status == Status.UNDONE:
        return _("This import has already been undone.")
    if batch.status != Status.IMPORTED:
        return _("Only an import that has run can be undone; this upload is %(status)s.") % {
            "status": batch.get_status_display()
        }
    spec = engine.kind_named(batch.kind)
    if batch.finished_at is None or spec.undo_delete is None:
        return _ran_before_undo()
    if not batch.undoable:
        return _("An import can be undone for %(days)d days; this one ran on %(date)s.") % {
            "days": UNDO_DAYS,
            "date": formats.date_format(timezone.localtime(batch.finished_at), "Y-m-d H:i"),
        }
    return ""


def undo_blockers(batch: ImportBatch) -> list[engine.Blocker]:
    """The rows of this upload that changed since it ran (one more than are shown, at most)."""
    spec = engine.kind_named(batch.kind)
    return spec.undo_blockers(batch, BLOCKERS_SHOWN + 1) if spec.undo_blockers else []


def batch_undo(*, actor: AnyUser, batch: ImportBatch) -> ImportBatch:
    """Undo a mistaken import within 7 days: delete every row it created (people with their
    posts and the terms it opened, or households) in one transaction, and mark the upload
    undone; one audit event names the upload and the count. Refused, deleting nothing, when a
    row changed since (``UndoBlocked`` lists them) or the import is older or not an import."""
    spec = engine.kind_named(batch.kind)
    require(actor, spec.change_action, batch.org)
    with transaction.atomic():
        # Under the city's import lock: no import of the same city writes meanwhile.
        lock_city(batch.org)
        locked = ImportBatch.objects.select_for_update().select_related("org").get(pk=batch.pk)
        refusal = undo_refusal(locked)
        if refusal:
            raise ValidationError(refusal)
        blockers = undo_blockers(locked)
        if blockers:
            raise UndoBlocked(blockers)
        assert spec.undo_delete is not None
        removed = spec.undo_delete(locked)
        if locked.imported and not removed:  # its rows were written before they were marked
            raise ValidationError(_ran_before_undo())
        now = timezone.now()
        # Conditional on the state it leaves, like every move of a batch; ``finished_at`` stays
        # the time of the import.
        ImportBatch.objects.filter(pk=locked.pk, status=Status.IMPORTED).update(
            status=Status.UNDONE, undone_at=now, undone_by=actor, updated_at=now
        )
        locked.refresh_from_db()
        record(
            Action.UNDO_IMPORT,
            locked,
            actor=actor,
            object_repr=f"{spec.label()} · {locked.filename}",
            changes={"batch": locked.pk, "rows": removed, "source": locked.filename},
        )
    return locked
