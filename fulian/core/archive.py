"""Archived rows: off every list, kept in history, reachable by their own link.

A registry row that is no longer current (she moved away, the household left the village) is
archived rather than deleted: ``archived_at`` is set, and :meth:`ArchivableQuerySet.visible_to`
leaves it out of every list, search, export, picker and count, in this one place. A page that
shows one record asks for archived rows too (``with_archived()``), and the archived list asks
for them alone (``archived()``): a queryset says which rows it wants *before* the scope is
applied, so a view cannot forget the default.

Erasing (a personal-information deletion request under the PIPL) is archiving that cannot be
undone: the personal fields are destroyed and the row stays as an anonymous shell, so that what
points at it (a post in a term's history) keeps its shape.
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.scoping import AnyUser, ScopedQuerySet

REASON_MAX_LENGTH = 200

LIVE, ARCHIVED, ALL = "live", "archived", "all"

_M = TypeVar("_M", bound=models.Model)


class ArchivableQuerySet(ScopedQuerySet[_M]):
    """A scoped queryset whose ``visible_to`` leaves archived rows out unless asked first."""

    _archive_view = LIVE

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._archive_view = self._archive_view
        return clone  # type: ignore[no-any-return]

    def _viewing(self, view: str) -> Self:
        clone = self._chain()  # type: ignore[attr-defined]
        clone._archive_view = view
        return clone  # type: ignore[no-any-return]

    def archived(self) -> Self:
        """Only archived rows (the "archived" list), once the scope is applied."""
        return self._viewing(ARCHIVED)

    def with_archived(self) -> Self:
        """Current and archived rows alike: one record's own page, its history."""
        return self._viewing(ALL)

    def visible_to(self, user: AnyUser, action: str | None = None) -> Self:
        rows = super().visible_to(user, action)
        if self._archive_view == LIVE:
            return rows.filter(archived_at__isnull=True)
        if self._archive_view == ARCHIVED:
            return rows.filter(archived_at__isnull=False)
        return rows


class ArchivableModel(models.Model):
    """Who archived a record, when and why; when it was erased. Null while it is current."""

    archived_at = models.DateTimeField(gettext_lazy("archived at"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        # Nobody looks rows up by who archived them: no index on a table of millions.
        db_index=False,
        related_name="+",
        verbose_name=gettext_lazy("archived by"),
    )
    # A default in the database too: rows written by COPY with a column list (the benchmark's
    # city) need not name it.
    archive_reason = models.CharField(
        gettext_lazy("reason for archiving"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    erased_at = models.DateTimeField(gettext_lazy("erased at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def archived_index(cls, table: str) -> models.Index:
        """The archived list's index: only archived rows (few), in list order. The current
        lists keep their ``(level column, id)`` indexes, with ``archived_at IS NULL`` checked on
        the rows they read anyway (see docs/decisions.md)."""
        return models.Index(fields=["id"], name=f"{table}_archived"[:30], condition=models.Q(archived_at__isnull=False))


def clean_reason(reason: Any) -> str:
    """A reason typed for archiving, restoring or erasing: required, one line, at most 200
    characters; a ValidationError on ``reason`` otherwise."""
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError({"reason": _("Give the reason.")})
    if len(text) > REASON_MAX_LENGTH:
        message = _("A reason has at most %(n)d characters (this one has %(m)d).")
        raise ValidationError({"reason": message % {"n": REASON_MAX_LENGTH, "m": len(text)}})
    return text


def refuse_if_archived(record: Any, name: str) -> None:
    """An archived record is read-only: restore it first (an erased one for good)."""
    if getattr(record, "erased_at", None) is not None:
        raise ValidationError(_("This record was erased; it cannot be changed."))
    if getattr(record, "archived_at", None) is not None:
        raise ValidationError(_("%(name)s is archived: restore the record before changing it.") % {"name": name})
