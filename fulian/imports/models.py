"""An upload: the file, its preview report, and whether (and what) it imported.

The states, and who moves a batch between them (docs/decisions.md, "Spreadsheet imports"):

    queued ──check task──▶ checking ──▶ previewed ──commit──▶ importing ──▶ imported
       │                      │             │                     │
       └──────────────────────┴─────────────┴─────────────────────┴──▶ cancelled (the user; an
                                                                        abandoned preview, by the prune)
    queued, checking, importing ──▶ failed (an error, a right lost, the stale sweep)
    importing ──▶ previewed (the stored data changed since the preview: a new preview)
    imported ──undo, within 7 days, if no row changed since──▶ undone (its rows deleted)

Imported, cancelled, failed and undone are final: the file is gone and nothing moves the batch
again, but for the undo of an import.
Every move is a conditional update on the status it leaves, so two moves never both happen.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulian.core.scoping import PathScopedModel, ScopedQuerySet


class Status(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Checking")
    PREVIEWED = "previewed", _("Checked: waiting for your decision")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    CANCELLED = "cancelled", _("Cancelled: nothing imported")
    FAILED = "failed", _("Failed: nothing imported")
    UNDONE = "undone", _("Undone: the imported rows were removed")


# Work is under way (or waiting for the worker): the page polls, the stale sweep watches.
RUNNING = (Status.QUEUED, Status.CHECKING, Status.IMPORTING)
# Nothing moves a batch out of these (but an undo, out of imported); its file has been deleted.
FINAL = (Status.IMPORTED, Status.CANCELLED, Status.FAILED, Status.UNDONE)
# An import can be undone for this long after it ran, if none of its rows changed since.
UNDO_DAYS = 7
# The user may still stop it: every state that is not final.
CANCELLABLE = (*RUNNING, Status.PREVIEWED)


class ImportBatchQuerySet(ScopedQuerySet["ImportBatch"]):
    pass


class ImportBatch(PathScopedModel):
    """One uploaded spreadsheet of people or households for an organisation's subtree."""

    scope_view_action = "imports.view"

    kind = models.CharField(_("kind"), max_length=20)
    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    language = models.CharField(max_length=10)
    # The address the import was committed from: its audit event, written in the background, names it.
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    imported = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Moves on every status change and every progress report of the check: the heartbeat the
    # stale sweep reads.
    updated_at = models.DateTimeField(auto_now=True)
    # When it ended; for an imported batch, in the transaction that wrote its rows (a row updated
    # later was changed since: that blocks an undo). An undo leaves it.
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-id"]
        # The stale sweep: running batches whose heartbeat stopped.
        indexes = [models.Index(fields=["status", "updated_at"], name="imports_status_updated")]

    def __str__(self) -> str:
        return self.filename

    @property
    def audit_org(self) -> Any:
        return self.org

    @property
    def is_busy(self) -> bool:
        return self.status in RUNNING

    @property
    def undo_until(self) -> datetime.datetime | None:
        """Until when this import can be undone (if none of its rows changed); None if never."""
        if self.status != Status.IMPORTED or self.finished_at is None:
            return None
        return self.finished_at + datetime.timedelta(days=UNDO_DAYS)

    @property
    def undoable(self) -> bool:
        until = self.undo_until
        return until is not None and timezone.now() <= until

    @property
    def added(self) -> int:
        """Rows that added a record (an import from before updates existed only added)."""
        return int(self.report.get("new_rows", self.imported))

    @property
    def updated(self) -> int:
        """Rows that updated a stored record (the preview's count, then the import's)."""
        return int(self.report.get("updated_rows", 0))

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.progress / self.total)) if self.total else 0
