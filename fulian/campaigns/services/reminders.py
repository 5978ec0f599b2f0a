"""Reminders to raters whose sheets are overdue: staff ask for them over the campaign within an
organisation of their reach (``reminders_start``); the background task
(``fulian.campaigns.tasks.remind_overdue``) stamps each overdue assignment's ``reminded_at``
(``reminders_send``) and records one audit event. The rater sees a banner on her list
(``selectors.reminders_for``)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.recorder import audit_context, record
from fulian.campaigns.models import Campaign, RaterAssignment, ReminderRun, ReminderStatus
from fulian.campaigns.services.common import author, today, within
from fulian.core.ancestry import within_q
from fulian.core.scoping import AnyUser, require
from fulian.orgs.models import Organisation

logger = logging.getLogger(__name__)


@transaction.atomic
def reminders_start(*, actor: AnyUser, campaign: Campaign, org: Organisation) -> ReminderRun:
    """Queue the reminders of the campaign's overdue raters at or below ``org`` (one run at a
    time per campaign and organisation)."""
    require(actor, "campaigns.review", org)
    if not within(org, campaign):
        raise ValidationError(_("This organisation is outside the campaign."))
    busy = ReminderRun.objects.filter(
        campaign=campaign, org=org, status__in=[ReminderStatus.QUEUED, ReminderStatus.RUNNING]
    )
    if busy.exists():
        raise ValidationError(_("Reminders are already being sent here; wait until they are done."))
    run = ReminderRun.objects.create(campaign=campaign, org=org, requested_by=author(actor))
    from fulian.campaigns import tasks

    transaction.on_commit(lambda: tasks.remind_overdue.enqueue(run.pk))
    return run


def reminders_send(run_id: int) -> ReminderRun:
    """Stamp the overdue assignments of the run's campaign and organisation, as its requester
    may see them now, and record one audit event; the run ends done or failed with a message."""
    from fulian.campaigns.selectors import overdue_assignments

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
