"""Writes to the grid: assignments made, ended and changed; contacts recorded. Each keeps the
coverage summary exact inside its own transaction (``fulian.grid.coverage``)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.ancestry import ancestries_of
from fulian.core.photos import clean_photo
from fulian.core.scoping import AnyUser, can, require
from fulian.grid import coverage
from fulian.grid.choices import ContactMode, Mode, RecordStatus
from fulian.grid.models import NOTE_MAX_LENGTH, PARTNER_MAX_LENGTH, Assignment, Contact, ContactPhoto, WorkMode
from fulian.households.models import Household, HouseholdMember
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

Target = Organisation | Household
# The level of a post → the level of organisation its 执委 take (a village 执委 takes groups
# and households of her village, or the whole of it).
TAKES: dict[str, str] = {Level.CITY: Level.COUNTY, Level.COUNTY: Level.TOWNSHIP, Level.TOWNSHIP: Level.VILLAGE}
MAX_TARGETS = 1000
MAX_PHOTOS = 6
CONTACT_MAX_AGE_DAYS = 366


def _author(actor: AnyUser) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def target_label(target: Target) -> str:
    if isinstance(target, Household):
        return _("household of %(name)s") % {"name": target.head_name}
    return target.display_name


def target_check(post: Post, target: Target) -> None:
    """The rules of the level: a county 执委 takes townships of her county, a township 执委
    villages of her township, a village 执委 her own village, its groups or its households."""
    home = post.org
    if isinstance(target, Household):
        if home.level != Level.VILLAGE or target.village_id != home.pk:
            raise ValidationError(
                _("%(target)s is not in %(org)s: a village executive member takes households of her own village.")
                % {"target": target_label(target), "org": home.display_name},
                code="target_level",
            )
        if target.archived_at is not None:
            raise ValidationError(
                _("%(target)s is archived.") % {"target": target_label(target)}, code="target_archived"
            )
        return
    if home.level == Level.VILLAGE:
        fits = target.pk == home.pk or (target.level == Level.GROUP and target.parent_id == home.pk)
        rule = _("a village executive member takes her own village, its groups or its households")
    else:
        fits = target.level == TAKES.get(home.level) and target.path.startswith(home.path)
        rules: dict[str, str] = {
            Level.COUNTY: _("a county executive member takes townships of her county"),
            Level.TOWNSHIP: _("a township executive member takes villages of her township"),
            Level.CITY: _("a city executive member takes counties of her city"),
        }
        rule = rules.get(home.level, _("executive members of %(org)s take no areas") % {"org": home.display_name})
    if not fits:
        raise ValidationError(
            _("%(target)s cannot be assigned to an executive member of %(org)s: %(rule)s.")
            % {"target": target.display_name, "org": home.display_name, "rule": rule},
            code="target_level",
        )


def _period_check(post: Post, start: datetime.date, end: datetime.date | None) -> None:
    errors: dict[str, str] = {}
    if post.end_date is not None and (end is None or end > post.end_date):
        errors["post"] = _("%(person)s's post ended on %(date)s: she can no longer take responsibility.") % {
            "person": post.person.name,
            "date": post.end_date,
        }
    if start < post.start_date:
        errors["start_date"] = _("The assignment cannot start before her post did (%(date)s).") % {
            "date": post.start_date
        }
    if end is not None and end < start:
        errors["end_date"] = _("The assignment cannot end before it starts.")
    if errors:
        raise ValidationError(errors)


def _overlapping(start: datetime.date, end: datetime.date | None) -> Q:
    condition = Q(end_date__isnull=True) | Q(end_date__gte=start)
    if end is not None:
        condition &= Q(start_date__lte=end)
    return condition


def _target_q(target: Target) -> Q:
    return Q(household=target) if isinstance(target, Household) else Q(target_org=target)


def _overlap_check(
    post: Post, target: Target, mode: str, start: datetime.date, end: datetime.date | None, *, exclude: int | None
) -> None:
    others = Assignment.objects.filter(_target_q(target), _overlapping(start, end))
    if exclude is not None:
        others = others.exclude(pk=exclude)
    same = others.filter(person_id=post.person_id).first()
    if same is not None:
        raise ValidationError(
            _("%(person)s is already responsible for %(target)s from %(start)s%(until)s.")
            % {
                "person": post.person.name,
                "target": target_label(target),
                "start": same.start_date,
                "until": _(" to %(date)s") % {"date": same.end_date} if same.end_date else "",
            },
            code="overlap",
        )
    if mode == Mode.NEARBY:
        # 就近包保 is one to one: one 执委 answers for the area.
        nearby = others.filter(mode=Mode.NEARBY).select_related("person").first()
        if nearby is not None:
            raise ValidationError(
                _("%(target)s already has %(person)s in one-to-one responsibility (就近包保) at that time.")
                % {"target": target_label(target), "person": nearby.person.name},
                code="overlap_nearby",
            )


PARTNER_REQUIRED = gettext_lazy("Name the grid worker she shares the area with (合力联动).")


def partner_check(mode: str, partner: str) -> None:
    """合力联动 is shared with a named village grid worker."""
    if mode == Mode.JOINT and not (partner or "").strip():
        raise ValidationError({"partner": str(PARTNER_REQUIRED)})


def _clean_text(value: str, limit: int, field: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
    return value


def _place_of(target: Target) -> Organisation:
    return target.org if isinstance(target, Household) else target


def _refresh(assignments: Sequence[Assignment]) -> None:
    villages = {a.village_id for a in assignments if a.tier == Level.VILLAGE and a.village_id}
    coverage.refresh_villages(villages)  # type: ignore[arg-type]


@transaction.atomic
def assignment_create(
    *,
    actor: AnyUser,
    post: Post,
    targets: Sequence[Target],
    mode: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    partner: str = "",
    note: str = "",
    previous: Assignment | None = None,
) -> list[Assignment]:
    """Make ``post``'s 执委 responsible for each of ``targets`` (one area, or a set of
    households) from ``start_date``. Refused whole, with the reason, if any target breaks the
    rules of her level, lies outside the actor's reach, or overlaps a responsibility she (or,
    one to one, somebody else) already has."""
    require(actor, "grid.assign", post.org)
    post = Post.objects.select_for_update().select_related("org", "person").get(pk=post.pk)
    if mode not in Mode.values:
        raise ValidationError({"mode": _("Choose how she takes responsibility.")})
    if not targets:
        raise ValidationError({"targets": _("Choose at least one area or household.")})
    if len(targets) > MAX_TARGETS:
        raise ValidationError({"targets": _("At most %(n)d at once.") % {"n": MAX_TARGETS}})
    _period_check(post, start_date, end_date)
    partner = _clean_text(partner, PARTNER_MAX_LENGTH, "partner")
    partner_check(mode, partner)
    note = _clean_text(note, NOTE_MAX_LENGTH, "note")
    seen: set[tuple[str, int]] = set()
    for target in targets:
        key = (type(target).__name__, target.pk)
        if key in seen:
            raise ValidationError({"targets": _("%(target)s is listed twice.") % {"target": target_label(target)}})
        seen.add(key)
        if not can(actor, "grid.assign", _place_of(target)):
            raise ValidationError({"targets": _("%(target)s is not in your area.") % {"target": target_label(target)}})
        try:
            target_check(post, target)
            _overlap_check(post, target, mode, start_date, end_date, exclude=None)
        except ValidationError as error:
            raise ValidationError({"targets": error.messages}) from None
    ancestry = ancestries_of({_place_of(t).pk: _place_of(t) for t in targets}.values())
    made = []
    for target in targets:
        place = _place_of(target)
        assignment = Assignment(
            post=post,
            person_id=post.person_id,
            tier=post.org.level,
            target_org=None if isinstance(target, Household) else target,
            household=target if isinstance(target, Household) else None,
            mode=mode,
            partner=partner,
            start_date=start_date,
            end_date=end_date,
            note=note,
            previous=previous,
            created_by=_author(actor),
        )
        assignment.place(place, ancestry[place.pk])
        assignment.save()
        made.append(assignment)
    _refresh(made)
    return made


def _locked(assignment: Assignment) -> Assignment:
    return Assignment.objects.select_for_update().select_related("post__org", "person").get(pk=assignment.pk)


@transaction.atomic
def assignment_end(*, actor: AnyUser, assignment: Assignment, on: datetime.date, reason: str = "") -> Assignment:
    """End a responsibility on ``on`` (her last day); it stays in the history."""
    require(actor, "grid.assign", assignment.post.org)
    assignment = _locked(assignment)
    if assignment.end_date is not None and assignment.end_date < coverage.today():
        raise ValidationError(_("This assignment has already ended."))
    if on < assignment.start_date:
        raise ValidationError({"end_date": _("The assignment cannot end before it starts.")})
    if assignment.end_date is not None and on > assignment.end_date:
        raise ValidationError({"end_date": _("It already ends on %(date)s.") % {"date": assignment.end_date}})
    assignment.end_date = on
    assignment.end_reason = _clean_text(reason, 200, "end_reason")
    assignment.save()
    _refresh([assignment])
    return assignment


@transaction.atomic
def assignment_change(
    *,
    actor: AnyUser,
    assignment: Assignment,
    on: datetime.date,
    post: Post | None = None,
    mode: str | None = None,
    partner: str | None = None,
    note: str | None = None,
) -> Assignment:
    """Change who answers for the target, or how, from ``on``: the old assignment ends the day
    before and a new one starts (history kept). A change on its first day corrects it."""
    require(actor, "grid.assign", assignment.post.org)
    assignment = _locked(assignment)
    if assignment.end_date is not None and assignment.end_date < on:
        raise ValidationError(_("This assignment had ended by then."))
    if on < assignment.start_date:
        raise ValidationError({"on": _("The change cannot take effect before the assignment starts.")})
    new_post = post or assignment.post
    new_mode = mode if mode is not None else assignment.mode
    new_partner = partner if partner is not None else assignment.partner
    new_note = note if note is not None else assignment.note
    if on == assignment.start_date and new_post.pk == assignment.post_id:
        if new_mode not in Mode.values:
            raise ValidationError({"mode": _("Choose how she takes responsibility.")})
        _overlap_check(new_post, assignment.target, new_mode, on, assignment.end_date, exclude=assignment.pk)
        partner_check(new_mode, new_partner)
        assignment.mode = new_mode
        assignment.partner = _clean_text(new_partner, PARTNER_MAX_LENGTH, "partner")
        assignment.note = _clean_text(new_note, NOTE_MAX_LENGTH, "note")
        assignment.save()
        return assignment
    end = assignment.end_date
    assignment.end_date = on - datetime.timedelta(days=1) if on > assignment.start_date else assignment.start_date
    assignment.end_reason = _("Changed from %(date)s") % {"date": on}
    assignment.save()
    (new,) = assignment_create(
        actor=actor,
        post=new_post,
        targets=[assignment.target],
        mode=new_mode,
        start_date=on,
        end_date=end,
        partner=new_partner,
        note=new_note,
        previous=assignment,
    )
    _refresh([assignment])
    return new


def posts_ended(ended: Sequence[tuple[int, datetime.date]]) -> None:
    """Posts ended: the responsibilities they gave end with them on the same day, or pass to
    the same person's post in the federation's next term (a term change-over). An assignment
    that had not started yet is removed (it never took effect; the audit log keeps it)."""
    touched = []
    for post_id, on in ended:
        old = Post.objects.get(pk=post_id)
        successor = (
            Post.objects.filter(end_date__isnull=True, person_id=old.person_id, org_id=old.org_id)
            .exclude(pk=post_id)
            .first()
        )
        for assignment in Assignment.objects.select_for_update().filter(
            Q(end_date__isnull=True) | Q(end_date__gt=on), post_id=post_id
        ):
            if successor is not None:
                assignment.post = successor
                assignment.save()
            elif assignment.start_date > on:
                assignment.delete()
            else:
                assignment.end_date = on
                assignment.end_reason = _("Her post ended")
                assignment.save()
            touched.append(assignment)
    _refresh(touched)


def _contact_place(households: Sequence[Household], person_org: Organisation) -> Organisation:
    places = {h.org_id for h in households}
    if len(places) == 1:
        return households[0].org
    villages = {h.village_id for h in households if h.village_id is not None}
    if len(villages) == 1:
        return Organisation.objects.get(pk=next(iter(villages)))
    return person_org


# At most 24 hours of duty a day for one person (in half hours).
DAY_HALF_HOURS = 48
# A duty record (one with a work mode) carries at most six photos (the phone form).
RECORD_MAX_PHOTOS = 6


def _photos_checked(photos: Sequence[Any], prefix: str) -> list[Any]:
    """Each photo re-encoded without EXIF (``core.photos``); a bad one is named by its position
    and the phone's file name."""
    cleaned = []
    problems = []
    for index, upload in enumerate(photos):
        try:
            cleaned.append(clean_photo(upload, name=f"{prefix}-{index + 1}"))
        except ValidationError as error:
            problems += [
                _("Photo %(number)d (%(name)s): %(problem)s")
                % {"number": index + 1, "name": getattr(upload, "name", "") or "?", "problem": message}
                for message in error.messages
            ]
    if problems:
        raise ValidationError({"photos": problems})
    return cleaned


def _place_check(actor: AnyUser, place: Organisation | None) -> None:
    if place is not None and place.level not in (Level.VILLAGE, Level.GROUP):
        raise ValidationError({"place": _("Choose a village or a group of it.")})
    if place is not None and not can(actor, "grid.contact", place):
        raise ValidationError({"place": _("This place is not in your area.")})


def day_hours_check(
    person: Any, happened_on: datetime.date, half_hours: int, *, besides: int | Sequence[int] | None = None
) -> None:
    """At most 24 hours of records for one person on one day (returned and superseded records
    aside); ``besides``: the record being edited, or the record a correction replaces, not
    counted twice. A correction waiting for review counts beside the record it corrects, so the
    day stays within 24 hours whether the correction is confirmed or returned. Call it with her
    row locked (``person_lock``)."""
    records = Contact.objects.filter(person=person, happened_on=happened_on).exclude(
        status__in=(RecordStatus.RETURNED, RecordStatus.SUPERSEDED)
    )
    if besides is not None:
        records = records.exclude(pk__in=[besides] if isinstance(besides, int) else list(besides))
    taken = records.aggregate(total=Sum("half_hours"))["total"] or 0
    if taken + half_hours > DAY_HALF_HOURS:
        raise ValidationError(
            {
                "half_hours": _("More than 24 hours in one day: %(taken)s hours are already recorded for %(day)s.")
                % {"taken": f"{taken / 2:g}", "day": happened_on.isoformat()}
            }
        )


def person_lock(person: Any) -> None:
    """Her row locked to the end of the transaction: her submissions (a double tap, two records
    of one day, a correction) are checked one at a time (PostgreSQL; SQLite's IMMEDIATE
    transactions take the write lock up front)."""
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).first()


def reaches_person(actor: AnyUser, person: Any, action: str = "grid.assign") -> bool:
    """Whether ``actor`` may act for ``person``: where she lives, or a post of hers, is within
    the actor's reach."""
    if can(actor, action, person.org):
        return True
    posts = Post.objects.filter(person_id=person.pk).select_related("org")
    return any(can(actor, action, post.org) for post in posts)


def live_correction(record: Contact, *, besides: int | None = None) -> Contact | None:
    """The correction of ``record`` waiting or confirmed (a returned one is not), if any."""
    corrections = Contact.objects.filter(supersedes_id=record.pk).exclude(status=RecordStatus.RETURNED)
    if besides is not None:
        corrections = corrections.exclude(pk=besides)
    return corrections.first()


@transaction.atomic
def contact_record(
    *,
    actor: AnyUser,
    person: Any,
    mode: str,
    happened_on: datetime.date,
    households: Sequence[Household] = (),
    whom: str = "",
    location: str = "",
    note: str = "",
    photos: Sequence[Any] = (),
    work_mode: WorkMode | None = None,
    half_hours: int = 0,
    members: Sequence[HouseholdMember] = (),
    place: Organisation | None = None,
    client_key: uuid.UUID | None = None,
    supersedes: Contact | None = None,
    correction_reason: str = "",
) -> Contact:
    """Record what a 执委 did once — her duty record: the work mode, how, when, the time spent
    (half hours), with which households and people and whom, where, a note and photos. It waits
    for review by the level above (``fulian.duties.services.review``). The same ``client_key``
    again (a double tap, a resend) returns the record already made. The households' last contact
    date and the coverage summary follow. Refused whole, with the field named, when anything is
    wrong; nothing is written then."""
    person_lock(person)
    if client_key is not None:
        made = Contact.objects.filter(person=person, client_key=client_key).first()
        if made is not None:
            if made.created_by_id is not None and made.created_by_id != getattr(actor, "pk", None):
                raise ValidationError({"client_key": _("This submission was made from another account.")})
            return made
    errors: dict[str, Any] = {}
    if mode not in ContactMode.values:
        errors["mode"] = _("Choose how you were in touch.")
    if work_mode is not None and not work_mode.active:
        errors["work_mode"] = _("This work mode is no longer in use: choose another.")
    if not isinstance(half_hours, int) or not 0 <= half_hours <= DAY_HALF_HOURS:
        errors["half_hours"] = _("The time spent is between 0 and 24 hours, in half hours.")
    if happened_on > coverage.today():
        errors["happened_on"] = _("This date is in the future.")
    elif happened_on < coverage.today() - datetime.timedelta(days=CONTACT_MAX_AGE_DAYS):
        # A contact is written down soon after it happened; a date years back is a slip of the
        # finger (the year field of a phone's date picker), not a late record.
        errors["happened_on"] = _("A contact is recorded within a year of it: check the year.")
    if not households and not members and not whom.strip():
        errors["households"] = _("Choose the households, or say whom you met.")
    photo_limit = RECORD_MAX_PHOTOS if work_mode is not None else MAX_PHOTOS
    if len(photos) > photo_limit:
        errors["photos"] = _("At most %(n)d photos.") % {"n": photo_limit}
    if supersedes is not None:
        supersedes = Contact.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.status != RecordStatus.CONFIRMED or supersedes.person_id != person.pk:
            errors["supersedes"] = _("Only a confirmed record of the same person is corrected.")
        elif live_correction(supersedes) is not None:
            errors["supersedes"] = _("This record already has a correction.")
        if not correction_reason.strip():
            errors["correction_reason"] = _("Say why the record is corrected.")
    if errors:
        raise ValidationError(errors)
    if half_hours:
        day_hours_check(person, happened_on, half_hours, besides=supersedes.pk if supersedes else None)
    for household in households:
        if not can(actor, "grid.contact", household.org):
            raise ValidationError(
                {"households": _("%(target)s is not in your area.") % {"target": target_label(household)}}
            )
    for member in members:
        if not can(actor, "grid.contact", member.org):
            raise ValidationError({"members": _("%(name)s is not in your area.") % {"name": member.name}})
    _place_check(actor, place)
    place_org = place or _contact_place(list(households) or [m.household for m in members], person.org)
    require(actor, "grid.contact", place_org)
    # A 执委 records what she did herself; recording for another is for the federation's staff
    # of the place, who reach her too (where she lives or a post of hers).
    own = getattr(getattr(actor, "person", None), "pk", None)
    if own != person.pk and not (can(actor, "grid.assign", place_org) and reaches_person(actor, person)):
        raise ValidationError({"person": _("You can record only your own contacts.")})
    cleaned = _photos_checked(photos, "contact")
    contact = Contact(
        person=person,
        mode=mode,
        happened_on=happened_on,
        whom=_clean_text(whom, 200, "whom"),
        location=_clean_text(location, 200, "location"),
        note=_clean_text(note, NOTE_MAX_LENGTH, "note"),
        created_by=_author(actor),
        work_mode=work_mode,
        half_hours=half_hours,
        client_key=client_key,
        supersedes=supersedes,
        correction_reason=_clean_text(correction_reason, 200, "correction_reason") if supersedes else "",
    )
    contact.place(place_org)
    contact.save()
    contact.households.set(households)
    if members:
        contact.members.set(members)
    for photo in cleaned:
        ContactPhoto.objects.create(contact=contact, image=photo)
    households_contacted(contact, [h.pk for h in households])
    return contact


def households_contacted(contact: Contact | None, ids: Sequence[int]) -> None:
    """Each household's latest contact and the coverage of their villages, after a record is
    made, edited, returned or superseded. Returned and superseded records do not count."""
    if not ids:
        return
    # One UPDATE: each household's latest contact that counts.
    latest = (
        Contact.objects.filter(households=OuterRef("pk"))
        .exclude(status__in=(RecordStatus.RETURNED, RecordStatus.SUPERSEDED))
        .order_by()
        .values("households")
        .annotate(last=Max("happened_on"))
        .values("last")
    )
    Household.objects.filter(pk__in=ids).update(last_contact_on=Subquery(latest))
    villages = set(Household.objects.filter(pk__in=ids).values_list("village_id", flat=True))
    coverage.refresh_villages({v for v in villages if v})
