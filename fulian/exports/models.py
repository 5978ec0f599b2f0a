"""An export prepared in the background: a list too long to download at once."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulian.core.scoping import AnyUser, ScopedQuerySet
from fulian.exports.kinds import kind_named

# How long a finished export's file is kept before it is deleted.
KEEP_FILES = datetime.timedelta(hours=24)


class Status(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Deleted after 24 hours")


class ExportJobQuerySet(ScopedQuerySet["ExportJob"]):
    def visible_to(self, user: AnyUser, action: str | None = None) -> ExportJobQuerySet:
        """An export is its requester's alone: its rows were scoped to her when it was made,
        and its file may hold her full personal-data rights."""
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        return self.filter(requested_by_id=user.pk)


class ExportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=20)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    query = models.TextField(_("filters"), blank=True)  # the list's query string, as on the page
    fmt = models.CharField(_("format"), max_length=4, default="xlsx")
    full = models.BooleanField(_("full personal data"), default=False)
    members = models.BooleanField(_("with the members"), default=False)
    # The requester's address: the audit event of the export, written in the background, names it.
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    language = models.CharField(max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)  # encrypted
    filename = models.CharField(_("file"), max_length=200, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-id"]
        indexes = [models.Index(fields=["requested_by", "-id"], name="exports_by_user")]

    def __str__(self) -> str:
        return self.filename or self.kind

    @property
    def kind_title(self) -> str:
        try:
            return str(kind_named(self.kind).title)
        except KeyError:
            return self.kind

    @property
    def is_busy(self) -> bool:
        return self.status in (Status.QUEUED, Status.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.progress / self.total)) if self.total else 0

    @property
    def expires_at(self) -> datetime.datetime | None:
        return self.finished_at + KEEP_FILES if self.finished_at and self.status == Status.DONE else None

    @property
    def is_expired(self) -> bool:
        return self.status == Status.EXPIRED or bool(self.expires_at and self.expires_at <= timezone.now())

    @property
    def status_label(self) -> str:
        """The status as shown: a file past its day is gone even before the prune runs."""
        return str(Status.EXPIRED.label) if self.is_expired else self.get_status_display()
