"""A 执委's own duty records after recording: a returned (or still waiting) record edited and
sent again, and a confirmed one corrected by a new record. Recording itself is
``fulian.grid.services.contact_record`` (the duty record is the grid's contact)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser, can
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import NOTE_MAX_LENGTH, Contact, WorkMode
from fulian.grid.services import CONTACT_MAX_AGE_DAYS, DAY_HALF_HOURS, day_hours_check, households_contacted
from fulian.households.models import Household


def may_edit(user: AnyUser, record: Contact) -> bool:
    """Her own record (or staff's on her behalf) while it is not confirmed."""
    if record.locked:
        return False
    own = getattr(getattr(user, "person", None), "pk", None)
    return own == record.person_id or can(user, "grid.assign", record.org)


@transaction.atomic
def record_edit(
    *,
    actor: AnyUser,
    record: Contact,
    work_mode: WorkMode,
    happened_on: datetime.date,
    half_hours: int,
    households: Sequence[Household] | None = None,
    whom: str,
    location: str,
    note: str,
) -> Contact:
    """Change a record waiting for review or returned; a returned one goes back to review.
    (Photos are added on the record's page; a confirmed record is corrected, never edited.)"""
    locked = Contact.objects.select_for_update().get(pk=record.pk)
    if not may_edit(actor, locked):
        raise ValidationError(
            _("A confirmed record is not changed: make a correction with a reason.")
            if locked.locked
            else _("You can change only your own records.")
        )
    errors: dict[str, Any] = {}
    if not work_mode.active:
        errors["work_mode"] = _("This work mode is no longer in use: choose another.")
    if happened_on > coverage.today():
        errors["happened_on"] = _("This date is in the future.")
    elif happened_on < coverage.today() - datetime.timedelta(days=CONTACT_MAX_AGE_DAYS):
        errors["happened_on"] = _("A contact is recorded within a year of it: check the year.")
    if not 0 <= half_hours <= DAY_HALF_HOURS:
        errors["half_hours"] = _("The time spent is between 0 and 24 hours, in half hours.")
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("At most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    day_hours_check(locked.person, happened_on, half_hours, besides=locked.pk)
    before = set(locked.households.values_list("pk", flat=True))
    locked.work_mode = work_mode
    locked.happened_on = happened_on
    locked.half_hours = half_hours
    locked.whom = whom.strip()[:200]
    locked.location = location.strip()[:200]
    locked.note = note.strip()
    locked.status = RecordStatus.PENDING
    locked.save()
    if households is not None:
        for household in households:
            if not can(actor, "grid.contact", household.org):
                raise ValidationError({"households": _("This household is not in your area.")})
        locked.households.set(households)
    after = set(locked.households.values_list("pk", flat=True))
    households_contacted(locked, sorted(before | after))
    return locked
