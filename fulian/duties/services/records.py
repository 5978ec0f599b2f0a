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
from fulian.grid.services import (
    CONTACT_MAX_AGE_DAYS,
    DAY_HALF_HOURS,
    _clean_text,
    _contact_place,
    day_hours_check,
    households_contacted,
    live_correction,
    person_lock,
    reaches_person,
    target_label,
)
from fulian.households.models import Household
from fulian.people.models import Person


def may_edit(user: AnyUser, record: Contact) -> bool:
    """Her own record (or staff's on her behalf: the place and she within their reach) while
    it is not confirmed."""
    if record.locked:
        return False
    own = getattr(getattr(user, "person", None), "pk", None)
    if own == record.person_id:
        return True
    return can(user, "grid.assign", record.org) and reaches_person(user, record.person)


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
    """Change a record waiting for review or returned; a returned one goes back to review (its
    reason kept for the reviewer to see what was to be fixed). Refused whole, with the field
    named. (Photos are added on the record's page; a confirmed record is corrected, never
    edited.)"""
    # Her row first, then the record: the order ``contact_record`` takes them in.
    person_lock(Person(pk=record.person_id))
    locked = Contact.objects.select_for_update(of=("self",)).select_related("person", "org").get(pk=record.pk)
    if not may_edit(actor, locked):
        raise ValidationError(
            _("A confirmed record is not changed: make a correction with a reason.")
            if locked.locked
            else _("You can change only your own records.")
        )
    errors: dict[str, Any] = {}
    if not work_mode.active and work_mode.pk != locked.work_mode_id:
        errors["work_mode"] = _("This work mode is no longer in use: choose another.")
    if happened_on > coverage.today():
        errors["happened_on"] = _("This date is in the future.")
    elif happened_on < coverage.today() - datetime.timedelta(days=CONTACT_MAX_AGE_DAYS):
        errors["happened_on"] = _("A contact is recorded within a year of it: check the year.")
    if not isinstance(half_hours, int) or not 0 <= half_hours <= DAY_HALF_HOURS:
        errors["half_hours"] = _("The time spent is between 0 and 24 hours, in half hours.")
    chosen = list(households) if households is not None else list(locked.households.all())
    if not chosen and not whom.strip() and not locked.members.exists():
        errors["households"] = _("Choose the households, or say whom you met.")
    for household in households or ():
        if not can(actor, "grid.contact", household.org):
            errors["households"] = _("%(target)s is not in your area.") % {"target": target_label(household)}
    sent_again = locked.status == RecordStatus.RETURNED and locked.supersedes is not None
    if sent_again and live_correction(locked.supersedes, besides=locked.pk) is not None:  # type: ignore[arg-type]
        errors["supersedes"] = _("This record already has a correction.")
    if errors:
        raise ValidationError(errors)
    cleaned = {
        "whom": _clean_text(whom, 200, "whom"),
        "location": _clean_text(location, 200, "location"),
        "note": _clean_text(note, NOTE_MAX_LENGTH, "note"),
    }
    besides = [locked.pk] + ([locked.supersedes_id] if locked.supersedes_id else [])
    day_hours_check(locked.person, happened_on, half_hours, besides=besides)
    before = set(locked.households.values_list("pk", flat=True))
    if households is not None and {h.pk for h in households} != before:
        # Placed again, as ``contact_record`` places it: at the households' common place.
        place = _contact_place(chosen, locked.person.org) if chosen else locked.org
        if not can(actor, "grid.contact", place):
            raise ValidationError({"households": _("This place is not in your area.")})
        locked.place(place)
    locked.work_mode = work_mode
    locked.happened_on = happened_on
    locked.half_hours = half_hours
    locked.whom = cleaned["whom"]
    locked.location = cleaned["location"]
    locked.note = cleaned["note"]
    if locked.status == RecordStatus.RETURNED:
        locked.status = RecordStatus.PENDING
        locked.reviewed_by = None
        locked.reviewed_at = None
    locked.save()
    if households is not None:
        locked.households.set(households)
    after = set(locked.households.values_list("pk", flat=True))
    households_contacted(locked, sorted(before | after))
    return locked
