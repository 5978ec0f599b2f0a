"""Queueing the generation of an organisation's annual reports and assessments: staff ask for
it on the reports page; the background task (``fulian.duties.tasks.generate_reports``) runs
it. Apart from ``reports`` so that the task and the service that queues it do not import each
other."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser, require
from fulian.duties import tasks
from fulian.duties.choices import RunStatus
from fulian.duties.models import ReportRun
from fulian.orgs.models import Organisation

FIRST_YEAR = 2000


@transaction.atomic
def reports_start(*, actor: AnyUser, org: Organisation, year: int) -> ReportRun:
    """Queue the reports and assessments of ``org``'s 执委 for ``year`` (one run at a time per
    organisation and year; a failed one is retried by asking again)."""
    require(actor, "duties.assess", org)
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError({"year": _("Choose a year from %(a)s to this year.") % {"a": FIRST_YEAR}})
    busy = ReportRun.objects.filter(org=org, year=year, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
    if busy.exists():
        raise ValidationError(_("These reports are already being generated; wait until it is done."))
    run = ReportRun.objects.create(org=org, year=year, requested_by=actor)  # type: ignore[misc]
    transaction.on_commit(lambda: tasks.generate_reports.enqueue(run.pk))
    return run
