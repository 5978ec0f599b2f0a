"""The background work of a reminder run (``fulian.campaigns.tasks.remind_overdue`` calls it;
``services.reminders.reminders_start`` queues it): apart from the service, so that the task
and the service do not import each other."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.recorder import audit_context, record
from fulian.campaigns.models import RaterAssignment, ReminderRun, ReminderStatus
from fulian.campaigns.selectors import overdue_assignments
from fulian.campaigns.services.common import today
from fulian.core.ancestry import within_q
from fulian.core.scoping import require

logger = logging.getLogger(__name__)


def reminders_send(run_id: int) -> ReminderRun:
    """Stamp the overdue assignments of the run's campaign and organisation, as its requester
    may see them now, and record one audit event; the run ends done or failed with a message."""
    if ReminderRun.objects.filter(pk=run_id, status=ReminderStatus.QUEUED).update(status=ReminderStatus.RUNNING) != 1:
        return ReminderRun.objects.get(pk=run_id)  # already run (a retried task)
    run = ReminderRun.objects.select_related("campaign__org", "org", "requested_by").get(pk=run_id)
    actor = run.requested_by
    try:
        with transaction.atomic(), audit_context(actor=actor):
            if actor is None or not actor.is_active:
                raise PermissionDenied(_("The account that asked for the reminders is no longer active."))
            require(actor, "campaigns.review", run.org)
            assignments = RaterAssignment.objects.visible_to(actor).filter(
                within_q(run.org), stage__campaign=run.campaign
            )
            ids = list(overdue_assignments(assignments, today()).values_list("pk", flat=True))
            now = timezone.now()
            RaterAssignment.objects.filter(pk__in=ids).update(reminded_at=now)
            record(
                "update",
                run.campaign,
                org=run.org,
                actor=actor,
                object_repr=str(run.campaign),
                changes={"reminded_overdue_raters": len(ids), "org": run.org.code},
            )
            run.status, run.reminded, run.finished_at = ReminderStatus.DONE, len(ids), now
            run.save(update_fields=["status", "reminded", "finished_at"])
    except (PermissionDenied, ValidationError) as e:
        _fail(run, " ".join(e.messages) if isinstance(e, ValidationError) else str(e))
    except Exception:
        logger.exception("reminders %s failed", run.pk)
        _fail(run, _("Sending the reminders failed. Try again."))
        raise
    return run


def _fail(run: ReminderRun, message: str) -> None:
    run.status, run.message, run.finished_at = ReminderStatus.FAILED, message[:500], timezone.now()
    run.save(update_fields=["status", "message", "finished_at"])
