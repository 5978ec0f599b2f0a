"""Uploading a spreadsheet, checking it in the background, importing its valid rows."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fulian.audit.choices import Action
from fulian.audit.recorder import audit_context, record
from fulian.core.personal import decrypt_bytes, encrypt_bytes
from fulian.core.scoping import AnyUser, require
from fulian.imports import engine
from fulian.imports.models import UNDO_DAYS, ImportBatch, Status
from fulian.orgs.models import Organisation


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
        language=translation.get_language() or "zh-hans",
    )
    # The file holds ID and phone numbers: it is stored encrypted, and deleted once imported or
    # cancelled (the report keeps what the user needs: counts and problems).
    batch.file.save(f"{uuid.uuid4().hex}.bin", ContentFile(encrypt_bytes(data)), save=False)
    batch.save()
    from fulian.imports.tasks import check_batch

    check_batch.enqueue(batch.pk)
    return batch


def _read(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as stored:
        return decrypt_bytes(stored.read())


def _discard_file(batch: ImportBatch) -> None:
    if batch.file:
        batch.file.delete(save=False)


def _progress(batch: ImportBatch) -> Any:
    def update(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=done, total=total)

    return update


def batch_check(batch_id: int) -> ImportBatch:
    """Check every row (the preview); a file that cannot be read fails with its message."""
    batch = ImportBatch.objects.select_related("org", "uploaded_by").get(pk=batch_id)
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.CHECKING)
    with translation.override(batch.language):
        data = _read(batch)
        evaluation = engine.evaluate(
            engine.kind_named(batch.kind),
            data,
            batch.filename,
            org=batch.org,
            actor=batch.uploaded_by,
            progress=_progress(batch),
        )
    batch.report = evaluation.report()
    batch.total = evaluation.total
    batch.progress = evaluation.total
    batch.status = Status.FAILED if evaluation.file_error else Status.PREVIEWED
    batch.message = evaluation.file_error
    if evaluation.file_error:
        _discard_file(batch)
    batch.save()
    return batch


def batch_commit(*, actor: AnyUser, batch: ImportBatch, sha256: str, valid_rows: int) -> ImportBatch:
    """Import the valid rows of a checked file, as previewed: ``sha256`` and ``valid_rows`` are
    what the user saw; the import refuses if either differs by then."""
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
        locked.save(update_fields=["status", "progress", "updated_at"])
    from fulian.imports.tasks import import_batch

    import_batch.enqueue(batch.pk, sha256, valid_rows)
    batch.refresh_from_db()
    return batch


def lock_city(org: Organisation) -> None:
    """Imports anywhere in one city queue behind each other, so that two uploads of the same
    people (or of one county and one of its townships) cannot both pass the duplicate check."""
    root = org.path.strip("/").split("/")[0]
    list(Organisation.objects.select_for_update().filter(code=root))


def batch_import(batch_id: int, *, expected_sha256: str, expected_valid: int) -> ImportBatch:
    """Write the valid rows in one transaction, or nothing (see ``engine.write``)."""
    batch = ImportBatch.objects.select_related("org", "uploaded_by").get(pk=batch_id)
    spec = engine.kind_named(batch.kind)
    with translation.override(batch.language), audit_context(actor=batch.uploaded_by):
        data = _read(batch)
        try:
            evaluation, written = engine.write(
                spec,
                data,
                batch.filename,
                org=batch.org,
                actor=batch.uploaded_by,
                expected_sha256=expected_sha256,
                expected_valid=expected_valid,
                lock=lambda: lock_city(batch.org),
                progress=_progress(batch),
                source=batch.filename,
                batch_id=batch.pk,
            )
        except engine.StalePreview as stale:
            if stale.evaluation is not None:
                batch.report = stale.evaluation.report()
            batch.status = Status.PREVIEWED if not batch.report.get("file_error") else Status.FAILED
            batch.message = stale.message
            batch.save()
            return batch
    batch.refresh_from_db(fields=["imported_at"])  # set by the write, in its transaction (undo)
    batch.status, batch.imported, batch.message = Status.IMPORTED, written, ""
    batch.report = evaluation.report()
    _discard_file(batch)
    batch.save()
    return batch


def batch_cancel(*, actor: AnyUser, batch: ImportBatch) -> ImportBatch:
    """Import nothing from this upload."""
    require(actor, engine.kind_named(batch.kind).change_action, batch.org)
    updated = ImportBatch.objects.filter(pk=batch.pk, status__in=[Status.PREVIEWED, Status.FAILED]).update(
        status=Status.CANCELLED
    )
    if not updated:
        raise ValidationError(_("This upload can no longer be cancelled."))
    batch.refresh_from_db()
    _discard_file(batch)
    batch.save(update_fields=["file"])
    return batch


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


def undo_refusal(batch: ImportBatch) -> str:
    """Why this upload cannot be undone, whatever its rows ('' when only its rows decide)."""
    if batch.status == Status.UNDONE:
        return _("This import has already been undone.")
    if batch.status != Status.IMPORTED:
        return _("Only an import that has run can be undone; this upload is %(status)s.") % {
            "status": batch.get_status_display()
        }
    spec = engine.kind_named(batch.kind)
    if batch.imported_at is None or spec.undo_delete is None:
        return _("This import ran before imports could be undone; change or archive its rows instead.")
    if not batch.undoable:
        return _("An import can be undone for %(days)d days; this one ran on %(date)s.") % {
            "days": UNDO_DAYS,
            "date": formats.date_format(timezone.localtime(batch.imported_at), "Y-m-d H:i"),
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
        locked.status, locked.undone_at = Status.UNDONE, timezone.now()
        locked.undone_by = actor  # type: ignore[assignment]
        locked.save(update_fields=["status", "undone_at", "undone_by", "updated_at"])
        record(
            Action.UNDO_IMPORT,
            locked,
            actor=actor,
            object_repr=f"{spec.label()} · {locked.filename}",
            changes={"batch": locked.pk, "rows": removed, "source": locked.filename},
        )
    return locked
