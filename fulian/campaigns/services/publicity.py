"""公示: a ranked stage's proposed list published for its working days; objections (异议) from
anyone while it runs; staff handle each (investigate, uphold: the household comes off the
list, dismiss), and nothing is promoted or awarded while one is open."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.campaigns.choices import Decision, EntryStatus, ObjectionStatus, Outcome, StageStatus
from fulian.campaigns.holidays import add_working_days
from fulian.campaigns.models import NAME_MAX_LENGTH, NOTE_MAX_LENGTH, Entry, Objection, Publicity, Result, Stage
from fulian.campaigns.services.common import author, clean_text, today
from fulian.campaigns.services.nominations import _phone
from fulian.core.scoping import AnyUser, require

DEFAULT_DAYS = 5


@transaction.atomic
def publicity_open(
    *, actor: AnyUser, stage: Stage, starts_on: datetime.date | None = None, notice: str = "", contact: str = ""
) -> Publicity:
    """Publish the ranked stage's proposed list from ``starts_on`` for the stage's working days
    (five when it names none), holidays skipped."""
    require(actor, "campaigns.review", stage.campaign.org)
    stage = Stage.objects.select_for_update().select_related("campaign__org").get(pk=stage.pk)
    if stage.status != StageStatus.RANKED:
        raise ValidationError(_("Publish the list once the stage is ranked (and not yet promoted)."))
    if Publicity.objects.filter(stage=stage).exists():
        raise ValidationError(_("This stage's list was already published."))
    if not Result.objects.filter(stage=stage, proposed=True).exists():
        raise ValidationError(_("Nobody is proposed: there is nothing to publish."))
    starts_on = starts_on or today()
    if starts_on < today():
        raise ValidationError({"starts_on": _("The publicity cannot start in the past.")})
    days = stage.publicity_days or DEFAULT_DAYS
    publicity = Publicity(
        stage=stage,
        starts_on=starts_on,
        ends_on=add_working_days(starts_on, days),
        notice=clean_text(notice, 5000, "notice"),
        contact=clean_text(contact, 200, "contact"),
        published_by=author(actor),
    )
    publicity.save()
    stage.status = StageStatus.PUBLICITY
    stage.save(update_fields=["status"])
    return publicity


def is_running(publicity: Publicity, on: datetime.date | None = None) -> bool:
    on = on or today()
    return publicity.starts_on <= on <= publicity.ends_on


@transaction.atomic
def objection_lodge(*, publicity: Publicity, entry: Entry, reason: str, name: str = "", phone: str = "") -> Objection:
    """An objection from anyone (no account) to a household on a running 公示 list, with a
    reason and a phone to reach them. One per phone and household."""
    if not is_running(publicity):
        if today() > publicity.ends_on:
            raise ValidationError(
                _("The publicity closed on %(day)s; objections are no longer taken.")
                % {"day": publicity.ends_on.isoformat()}
            )
        raise ValidationError(_("The publicity starts on %(day)s.") % {"day": publicity.starts_on.isoformat()})
    if not Result.objects.filter(stage_id=publicity.stage_id, entry=entry, proposed=True).exists():
        raise ValidationError({"entry": _("This household is not on the published list.")})
    plain, phone_hash = _phone(phone, required=True)
    if Objection.objects.filter(publicity=publicity, entry=entry, phone_hash=phone_hash).exists():
        raise ValidationError(_("You have already lodged an objection to this household; it is being handled."))
    objection = Objection(
        publicity=publicity,
        entry=entry,
        reason=clean_text(reason, NOTE_MAX_LENGTH, "reason", required=True),
        name=clean_text(name, NAME_MAX_LENGTH, "name"),
        phone=plain,
        phone_hash=phone_hash,
    )
    objection.place_beside(entry)
    objection.save()
    return objection


@transaction.atomic
def objection_handle(*, actor: AnyUser, objection: Objection, status: str, outcome: str = "") -> Objection:
    """Record what staff did with an objection: under investigation, upheld (the household comes
    off the list, and out of the campaign) or dismissed; the outcome is required to close it."""
    require(actor, "campaigns.review", objection.org)
    objection = Objection.objects.select_for_update().select_related("publicity__stage").get(pk=objection.pk)
    if not objection.is_open:
        raise ValidationError(
            _("This objection was already closed: %(status)s.") % {"status": objection.get_status_display()}
        )
    if status not in (ObjectionStatus.INVESTIGATING, ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED):
        raise ValidationError({"status": _("Choose investigate, uphold or dismiss.")})
    objection.outcome = clean_text(
        outcome, NOTE_MAX_LENGTH, "outcome", required=status != ObjectionStatus.INVESTIGATING
    )
    objection.status = status
    objection.handled_by = author(actor)
    objection.handled_at = timezone.now()
    objection.save()
    if status == ObjectionStatus.UPHELD:
        Result.objects.filter(stage=objection.publicity.stage, entry_id=objection.entry_id).update(
            proposed=False,
            decision=Decision.EXCLUDE,
            decision_reason=objection.outcome[:300],
            decided_by=author(actor),
            outcome=Outcome.REMOVED,
        )
        Entry.objects.filter(pk=objection.entry_id).update(status=EntryStatus.REMOVED)
    return objection
