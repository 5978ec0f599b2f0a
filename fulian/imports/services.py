"""Uploading a spreadsheet, checking it in the background, importing its valid rows: what a
user does (upload, import, cancel, undo) and the daily clean-up.

A batch moves between the states drawn in ``imports.models``; every move is a conditional
update on the state it leaves (never read, check, then save), so a cancel, a failure, the stale
sweep and the worker finishing cannot both win. The moves and the background work itself are in
``imports.work``, the tasks that run it in ``imports.tasks``: services → tasks → work, one way.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fulian.audit.choices import Action
from fulian.audit.recorder import current_ip, record
from fulian.core.personal import encrypt_bytes
from fulian.core.scoping import AnyUser, require
from fulian.imports import engine, tasks, work
from fulian.imports.models import CANCELLABLE, FINAL, UNDO_DAYS, ImportBatch, Status
from fulian.orgs import counts
from fulian.orgs.models import Organisation

# A preview nobody imported or cancelled within this time is cancelled by ``prune`` and its
# file deleted.
PREVIEW_KEPT = datetime.timedelta(hours=24)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def batch_upload(
    *, actor: AnyUser, kind: str, org: Organisation, upload: UploadedFile, params: dict[str, Any] | None = None
) -> ImportBatch:
    """Keep the uploaded file and queue its check; nothing is imported yet. ``params``: what the
    upload is for besides its organisation (a campaign), kept in the report for the check and
    the import (``engine.Context.params``)."""
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
        report={"params": params} if params else {},
    )
    # The file holds ID and phone numbers: it is stored encrypted, and deleted when the batch ends
    # (the report keeps what the user needs: counts and problems).
    batch.file.save(f"{uuid.uuid4().hex}.bin", ContentFile(encrypt_bytes(data)), save=False)
    batch.save()
    tasks.watch(batch.pk, since=batch.updated_at)
    tasks.check_batch.enqueue(batch.pk)
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
        locked.ip = current_ip()
        locked.message = ""
        locked.save(update_fields=["status", "progress", "committed_by", "ip", "message", "updated_at"])
    tasks.watch(batch.pk, since=locked.updated_at)
    tasks.import_batch.enqueue(batch.pk, sha256, valid_rows)
    batch.refresh_from_db()
    return batch


def batch_cancel(*, actor: AnyUser, batch: ImportBatch) -> ImportBatch:
    """Import nothing from this upload: in any state that is not final. A check or an import
    under way notices and stops without writing; an import already committing is not stopped
    (the cancel waits for it and is then refused)."""
    require(actor, engine.kind_named(batch.kind).change_action, batch.org)
    if not work.end(batch, Status.CANCELLED, leaving=CANCELLABLE, message=""):
        batch.refresh_from_db()
        message = _("This upload can no longer be cancelled (its status: %(status)s).")
        raise ValidationError(message % {"status": batch.get_status_display()})
    batch.refresh_from_db()
    return batch


def prune() -> dict[str, int]:
    """The daily clean-up (``manage.py prune_imports``): fail stale running batches, cancel
    previews abandoned for ``PREVIEW_KEPT``, and delete any file an ended batch still holds."""
    swept = work.sweep_stale()
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
            work.discard_file(batch)
            expired += 1
    leftovers = 0
    for batch in ImportBatch.objects.filter(status__in=FINAL).exclude(file="").only("pk", "file"):
        work.discard_file(batch)
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
    if not batch.added:
        return _(
            "This import added no rows: it only updated stored records, which an undo does not change back. "
            "Change them on their pages; the audit log shows their earlier values."
        )
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
    posts and the terms it opened, or households; and the posts it gave people already on the
    roster) in one transaction, and mark the upload undone; one audit event names the upload
    and the count. The records it updated keep their new values (their audit events hold the
    old ones): an undo removes what was added, it does not change anything back. Refused, deleting nothing, when a
    row changed since (``UndoBlocked`` lists them) or the import is older or not an import."""
    spec = engine.kind_named(batch.kind)
    require(actor, spec.change_action, batch.org)
    with transaction.atomic():
        # Under the city's import lock: no import of the same city writes meanwhile.
        work.lock_city(batch.org)
        locked = ImportBatch.objects.select_for_update().select_related("org").get(pk=batch.pk)
        refusal = undo_refusal(locked)
        if refusal:
            raise ValidationError(refusal)
        blockers = undo_blockers(locked)
        if blockers:
            raise UndoBlocked(blockers)
        assert spec.undo_delete is not None
        removed = spec.undo_delete(locked)
        if locked.added and not removed:  # its rows were written before they were marked
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
    counts.refresh([locked.kind])  # city and county lists' "about N"
    return locked
