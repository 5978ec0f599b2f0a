"""Exports of a list exactly as filtered on its page, masked unless full personal data is
asked for (a permission at every organisation of the export, audited).

A list of up to ``FULIAN_EXPORT_SYNC_ROWS`` rows (10,000) downloads at once. A longer one (a
county's households for the city) is prepared in the background (``ExportJob``, queued by
``exports.background.job_start``, run by ``job_run`` here), up to
``FULIAN_EXPORT_MAX_ROWS`` (500,000); its file is kept encrypted for its requester alone,
and deleted after a day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fulian.audit.choices import Action
from fulian.audit.display import filters_text, join_filters, masked_query
from fulian.audit.recorder import audit_context, record
from fulian.core.exports import may_export_full, spreadsheet_file
from fulian.core.filters import OrgFilter, ScopedFilterSet
from fulian.core.personal import decrypt_bytes, encrypt_bytes
from fulian.core.scoping import AnyUser, can_anywhere, grants_for
from fulian.exports.kinds import ExportKind, kind_named
from fulian.exports.models import KEEP_FILES, ExportJob, Status
from fulian.orgs.models import Organisation

logger = logging.getLogger(__name__)

# Query parameters that say how to export, not which rows.
NOT_FILTERS = ("format", "full", "page", "members")


def sync_rows() -> int:
    return int(getattr(settings, "FULIAN_EXPORT_SYNC_ROWS", 10_000))


def max_rows() -> int:
    return int(getattr(settings, "FULIAN_EXPORT_MAX_ROWS", 500_000))


def filters_query(query: QueryDict) -> str:
    """The list's filters as a query string, without the export's own parameters."""
    kept = query.copy()
    for name in NOT_FILTERS:
        kept.pop(name, None)
    return kept.urlencode()


def checked_filters(kind: ExportKind, user: AnyUser, query: QueryDict, *, full: bool) -> ScopedFilterSet:
    """The list's filters (its FilterSet, the page's own) bound to ``query`` for ``user``, who
    must see the list somewhere; every filter must be valid (an export of other rows than the
    page shows would be wrong); a full export needs the reveal permission wherever the rows
    may come from."""
    if not can_anywhere(user, kind.view):
        raise PermissionDenied(_("You do not have permission to do this here."))
    filters = kind.filterset.of(query, user=user)
    if not filters.is_valid():
        raise ValidationError([str(e) for errors in filters.errors.values() for e in errors])
    org = filters.form.cleaned_data.get("org")
    if full and not may_export_full(user, view=kind.view, reveal=kind.reveal, org=org):
        raise PermissionDenied(_("You may not export full ID and phone numbers here."))
    return filters


def wants_members(kind: ExportKind, query: QueryDict) -> bool:
    return kind.members_of is not None and query.get("members") == "1"


def export_org(kind: ExportKind, user: AnyUser, filters: ScopedFilterSet) -> Organisation | None:
    """The organisation an export is of: the one filtered on, else the top of the requester's
    reach for the list (株洲市 for the city's staff; the nearest organisation above all her
    grants when she holds several)."""
    org = filters.form.cleaned_data.get("org")
    if org is not None:
        return org  # type: ignore[no-any-return]
    paths = [grant.path.strip("/").split("/") for grant in grants_for(user, kind.view)]
    if not paths:
        return None
    common: list[str] = []
    for codes in zip(*paths, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    if not common:
        return None
    return Organisation.objects.select_related("parent").filter(path="/" + "/".join(common) + "/").first()


def org_name(org: Organisation) -> str:
    """``新市镇``; a village group with its village: ``回龙村第三村民小组``."""
    if org.parent_id and org.level == "group":
        return f"{org.parent.display_name}{org.display_name}"  # type: ignore[union-attr]
    return str(org.display_name)


def _other_filters(kind: ExportKind, query: str) -> list[tuple[str, str]]:
    """The filters other than the organisation, by label: ``[("类别", "留守儿童")]``."""
    orgs = {name for name, flt in kind.filterset.base_filters.items() if isinstance(flt, OrgFilter)}
    kept = QueryDict(query, mutable=True)
    for name in orgs:
        kept.pop(name, None)
    return filters_text(kind.filterset, kept.urlencode(), lambda code: code)


def record_full_export(
    kind: ExportKind, filters: ScopedFilterSet, query: str, rows: int, *, user: AnyUser, members: bool = False
) -> None:
    changes: dict[str, Any] = {"kind": kind.name, "rows": rows, "filters": masked_query(query)}
    if members:
        changes["members_included"] = True
    record(
        Action.EXPORT,
        None,
        org=export_org(kind, user, filters),
        object_repr=str(kind.title),
        changes=changes,
    )


def spreadsheet_of(
    kind: ExportKind,
    records: Iterable[Any],
    *,
    fmt: str,
    full: bool,
    user: AnyUser,
    filters: ScopedFilterSet,
    query: str,
    members: bool = False,
) -> tuple[bytes, str, str]:
    """The file: its title row and name say the organisation and the filters
    (``户情台账-新市镇-留守儿童-2026-11-29.xlsx``); ``members``: each household's members below it."""
    org = export_org(kind, user, filters)
    others = _other_filters(kind, query)
    title = str(kind.title)
    if org is not None:
        title = _("%(title)s · %(org)s") % {"title": title, "org": org_name(org)}
    if others:
        title = _("%(title)s · %(filters)s") % {"title": title, "filters": join_filters(others)}
    if members:
        title = _("%(title)s (with the members)") % {"title": title}
    name_parts = ([org_name(org)] if org is not None else []) + [value for _label, value in others]
    if members:
        name_parts.append(_("with members"))
    extra: dict[str, Any] = {}
    text_columns = kind.text_columns
    if members:
        assert kind.members_of is not None
        extra["members"] = kind.members_of(user)
        text_columns = kind.text_columns + kind.members_text_columns
    return spreadsheet_file(
        fmt=fmt,
        basename=str(kind.basename),
        title=title,
        headers=kind.headers(members=True) if members else kind.headers(),
        rows=kind.rows_of(records, full=full, **extra),
        text_columns=text_columns,
        name_parts=name_parts,
    )


def _counted(records: Iterator[Any], job: ExportJob, every: int = 5_000) -> Iterator[Any]:
    for done, item in enumerate(records, start=1):
        if done % every == 0:
            ExportJob.objects.filter(pk=job.pk).update(progress=done)
        yield item


def job_run(job_id: int) -> ExportJob:
    """Make the export's file, as its requester may see the rows now (scope and permission are
    checked again: a role taken away meanwhile counts)."""
    prune()
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if ExportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(status=Status.RUNNING) != 1:
        return job  # already run (a retried task)
    user = job.requested_by
    kind = kind_named(job.kind)
    with translation.override(job.language), audit_context(actor=user, ip=job.ip):
        try:
            filters = checked_filters(kind, user, QueryDict(job.query), full=job.full)
            records = filters.qs
            total = records.count()
            ExportJob.objects.filter(pk=job.pk).update(total=total)
            job.total = total
            body, _type, filename = spreadsheet_of(
                kind,
                _counted(records.iterator(chunk_size=2_000), job),
                fmt=job.fmt,
                full=job.full,
                user=user,
                filters=filters,
                query=job.query,
                members=job.members,
            )
            with transaction.atomic():
                job.file.save(
                    f"{job.pk}-{timezone.now():%Y%m%d%H%M%S}.bin", ContentFile(encrypt_bytes(body)), save=False
                )
                job.filename, job.progress, job.status = filename, total, Status.DONE
                job.finished_at = timezone.now()
                job.save()
                if job.full:
                    record_full_export(kind, filters, job.query, total, user=user, members=job.members)
        except (ValidationError, PermissionDenied) as e:
            _fail(job, " ".join(e.messages) if isinstance(e, ValidationError) else str(e))
        except Exception:
            logger.exception("export %s failed", job.pk)
            _fail(job, _("The export failed. Try again, or narrow it."))
            raise
    return job


def _fail(job: ExportJob, message: str) -> None:
    if job.file:
        job.file.delete(save=False)
    job.status, job.message, job.finished_at = Status.FAILED, message, timezone.now()
    job.save()


def job_file(*, actor: AnyUser, job: ExportJob) -> bytes:
    """The file of a finished export, while its requester may still have it: the list's filters,
    its scope and (for full personal data) the reveal right are checked again, as when the file
    was made. A right lost since (a role taken away) refuses the download, fails the job with a
    message saying so, and deletes the file."""
    kind = kind_named(job.kind)
    try:
        checked_filters(kind, actor, QueryDict(job.query), full=job.full)
    except (PermissionDenied, ValidationError):
        with translation.override(job.language):
            if job.full:
                message = _(
                    "You no longer hold the right to see full ID and phone numbers in this list, so the file "
                    "was deleted."
                )
            else:
                message = _(
                    "You no longer see the rows of this export (a role was taken away), so the file was deleted."
                )
        failed = ExportJob.objects.filter(pk=job.pk, status=Status.DONE).update(status=Status.FAILED, message=message)
        if failed and job.file:
            job.file.delete(save=False)
            ExportJob.objects.filter(pk=job.pk).update(file="")
        raise PermissionDenied(message) from None
    with job.file.open("rb") as stored:
        return decrypt_bytes(stored.read())


def prune() -> int:
    """Delete the files of exports finished more than a day ago."""
    pruned = 0
    for job in ExportJob.objects.filter(status=Status.DONE, finished_at__lt=timezone.now() - KEEP_FILES):
        if job.file:
            job.file.delete(save=False)
        job.status = Status.EXPIRED
        job.save(update_fields=["file", "status"])
        pruned += 1
    return pruned
