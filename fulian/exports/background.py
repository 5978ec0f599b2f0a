"""Queuing an export to be prepared in the background. Above the services and the task that
runs them (``job_start`` → ``tasks.run_export`` → ``services.job_run``), so the imports go one
way."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from fulian.audit.recorder import current_ip
from fulian.core.scoping import AnyUser
from fulian.exports import services, tasks
from fulian.exports.kinds import ExportKind
from fulian.exports.models import ExportJob


def job_start(*, actor: AnyUser, kind: ExportKind, query: QueryDict) -> ExportJob:
    """Queue the export of the list as filtered by ``query``, unless it is over ``MAX_ROWS``."""
    full = query.get("full") == "1"
    filters = services.checked_filters(kind, actor, query, full=full)
    limit = services.max_rows()
    if filters.qs[limit : limit + 1].exists():
        raise ValidationError(
            _("More than %(n)s rows: choose an organisation to narrow the export.") % {"n": f"{limit:,}"}
        )
    job = ExportJob.objects.create(
        kind=kind.name,
        requested_by=actor,  # type: ignore[misc]
        query=services.filters_query(query),
        fmt="csv" if query.get("format") == "csv" else "xlsx",
        full=full,
        members=services.wants_members(kind, query),
        ip=current_ip(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: tasks.run_export.enqueue(job.pk))
    return job
