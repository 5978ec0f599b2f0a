"""Reminders to raters whose sheets are overdue: staff ask for them over the campaign within an
organisation of their reach (``reminders_start``); the background task
(``fulian.campaigns.tasks.remind_overdue``) stamps each overdue assignment's ``reminded_at``
(``fulian.campaigns.reminding.reminders_send``) and records one audit event. The rater sees a banner on her list
(``selectors.reminders_for``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fulian.campaigns import tasks
from fulian.campaigns.models import Campaign, ReminderRun, ReminderStatus
from fulian.campaigns.services.common import author, within
from fulian.core.scoping import AnyUser, require
from fulian.orgs.models import Organisation


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
    transaction.on_commit(lambda: tasks.remind_overdue.enqueue(run.pk))
    return run
