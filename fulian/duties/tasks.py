"""Background work of the duties area (django-tasks): generating an organisation's annual
reports and then its assessments (``services.report_runs.reports_start`` queues it)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fulian.audit.recorder import audit_context
from fulian.core.scoping import require
from fulian.duties.choices import RunStatus
from fulian.duties.models import ReportRun
from fulian.duties.services import assessment, reports

logger = logging.getLogger(__name__)


@task()
def generate_reports(run_id: int) -> None:
    reports_run(run_id)


def reports_run(run_id: int) -> ReportRun:
    """Generate the run's reports, in batches with their progress, then score the assessments;
    the run ends done, or failed with a message that says what to do."""
    if ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(status=RunStatus.RUNNING) != 1:
        return ReportRun.objects.get(pk=run_id)  # already run (a retried task)
    run = ReportRun.objects.select_related("org", "requested_by").get(pk=run_id)
    actor = run.requested_by
    try:
        with audit_context(actor=actor):
            if actor is None or not actor.is_active:
                raise PermissionDenied(_("The account that asked for the reports is no longer active."))
            require(actor, "duties.assess", run.org)
            reports.reports_generate(org=run.org, year=run.year, run=run)
            try:
                assessment.assessments_compute(org=run.org, year=run.year, run=run)
            except ValidationError as e:
                raise ValidationError(
                    _("The reports are made, but not the assessments: %(why)s") % {"why": " ".join(e.messages)}
                ) from e
        ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, message="", finished_at=timezone.now())
    except (PermissionDenied, ValidationError) as e:
        _fail(run, " ".join(e.messages) if isinstance(e, ValidationError) else str(e))
    except Exception:
        logger.exception("report run %s failed", run.pk)
        _fail(run, _("Generating the reports failed. Try again; if it fails again, tell the administrator."))
        raise
    run.refresh_from_db()
    return run


def _fail(run: ReportRun, message: str) -> None:
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, message=message[:500], finished_at=timezone.now()
    )
