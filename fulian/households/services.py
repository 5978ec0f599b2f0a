"""Writes to the household registry: households and their members."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.choices import Action
from fulian.audit.recorder import record
from fulian.core.archive import clean_reason, refuse_if_archived
from fulian.core.bulk import delete_quietly
from fulian.core.personal import mask_name
from fulian.core.scoping import AnyUser, require
from fulian.core.validation import Problems, clean_identity, clean_mobile, name_keys
from fulian.households.choices import HouseholdCategory, MemberCategory, Relation
from fulian.households.models import NAME_MAX_LENGTH, Household, HouseholdMember
from fulian.households.signals import announce
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

HOUSEHOLD_FIELDS = ("head_name", "id_number", "mobile", "address", "members_count", "categories", "notes")
MEMBER_FIELDS = ("name", "relation", "gender", "birth_date", "id_number", "categories")
MAX_MEMBERS = 99
ALL_HOUSEHOLD_FLAGS = sum(HouseholdCategory.values)
ALL_MEMBER_FLAGS = sum(MemberCategory.values)


def _clean_name(values: dict[str, Any], field: str, problems: Problems) -> None:
    name = "".join(str(values.get(field) or "").split())
    if not name:
        problems.add(field, _("Enter the name."), code="name_required")
    elif len(name) > NAME_MAX_LENGTH:
        problems.add(
            field, _("A name has at most %(n)d characters."), code="name_too_long", params={"n": NAME_MAX_LENGTH}
        )
    values[field] = name


def household_values_clean(values: dict[str, Any], *, today: datetime.date | None = None) -> dict[str, Any]:
    """Every field of a household checked and normalised, or a ValidationError per field."""
    values = {key: values.get(key) for key in HOUSEHOLD_FIELDS if key in values}
    problems = Problems()
    _clean_name(values, "head_name", problems)
    clean_identity(values, problems, today=today)
    # The head's birth date and gender are not kept on the household (members have theirs).
    values.pop("birth_date", None)
    values.pop("gender", None)
    clean_mobile(values, problems)
    count = values.get("members_count")
    if count in (None, ""):
        # No number given: the size follows the member list (``household_size_follow``).
        values["members_count"] = None
    elif not isinstance(count, int) or not 1 <= count <= MAX_MEMBERS:
        problems.add(
            "members_count",
            _("Enter a whole number of people from 1 to %(n)d."),
            code="members_range",
            params={"n": MAX_MEMBERS},
        )
    flags = values.get("categories") or 0
    if flags & ~ALL_HOUSEHOLD_FLAGS:
        problems.add("categories", _("Unknown category."))
    values["categories"] = flags
    problems.raise_if_any()
    return values


def member_values_clean(values: dict[str, Any], *, today: datetime.date | None = None) -> dict[str, Any]:
    """Every field of a household member checked and normalised, or a ValidationError per field."""
    values = {key: values.get(key) for key in MEMBER_FIELDS if key in values}
    problems = Problems()
    _clean_name(values, "name", problems)
    if values.get("relation") not in Relation.values:
        problems.add("relation", _("Choose the relation to the head of the household."))
    clean_identity(values, problems, today=today)
    birth = values.get("birth_date")
    if birth and birth > (today or timezone.localdate()):
        problems.add("birth_date", _("This date is in the future."), code="date_future")
    values["gender"] = values.get("gender") or ""
    flags = values.get("categories") or 0
    if flags & ~ALL_MEMBER_FLAGS:
        problems.add("categories", _("Unknown category."))
    values["categories"] = flags
    problems.raise_if_any()
    return values


def size_of_members(household: Household) -> int:
    """The size the member list gives: its members, and the head unless listed among them."""
    counted = HouseholdMember.objects.filter(household=household).aggregate(
        members=Count("id"), heads=Count("id", filter=Q(relation=Relation.HEAD))
    )
    return counted["members"] + (0 if counted["heads"] else 1)


def _set_size(household: Household, count: int | None) -> None:
    """A number written by hand, or none: the size follows the member list again."""
    household.members_count_manual = count is not None
    household.members_count = count if count is not None else (size_of_members(household) if household.pk else 1)


def household_size_follow(household: Household) -> None:
    """After a member was added, changed or removed: a size that follows the member list is
    counted again (one conditional update; a size set by hand stays)."""
    Household.objects.filter(pk=household.pk, members_count_manual=False).update(
        members_count=size_of_members(household)
    )


def household_place_check(org: Organisation) -> None:
    """A household lives in a village or one of its groups."""
    if org.level not in (Level.VILLAGE, Level.GROUP):
        raise ValidationError(
            {"org": _("A household belongs to a village or village group, not to %(org)s.") % {"org": org}}
        )


def _apply(obj: Any, values: dict[str, Any], name_field: str) -> None:
    for key, value in values.items():
        if key == "id_number":
            obj.set_id_number(value)
        elif key == "mobile":
            obj.set_mobile(value)
        else:
            setattr(obj, key, value)
    obj.search_keys = name_keys(getattr(obj, name_field))


def _check_unique_id(obj: Household | HouseholdMember) -> None:
    model = type(obj)
    if not obj.id_hash:
        return
    others = model.objects.filter(id_hash=obj.id_hash).exclude(pk=obj.pk)
    for archived_at in others.values_list("archived_at", flat=True):
        if archived_at is not None:
            raise ValidationError(
                {"id_number": _("This ID number belongs to an archived household: restore that household instead.")}
            )
        raise ValidationError({"id_number": _("This ID number is already registered.")})


@transaction.atomic
def household_create(*, actor: AnyUser, org: Organisation, values: dict[str, Any]) -> Household:
    """Register a household in a village (or one of its groups)."""
    require(actor, "households.change", org)
    household_place_check(org)
    household = Household()
    household.place(org)
    clean = household_values_clean(values)
    _set_size(household, clean.pop("members_count"))
    _apply(household, clean, "head_name")
    _check_unique_id(household)
    household.save()
    announce([household.village_id])
    return household


@transaction.atomic
def household_update(
    *, actor: AnyUser, household: Household, values: dict[str, Any], org: Organisation | None = None
) -> Household:
    """Change a household; ``org`` moves it to another village or group (its members follow).
    ``members_count`` given sets the size by hand; given empty (None), the size follows the
    member list again; not given, it stays as it is. An archived household is read-only."""
    require(actor, "households.change", household.org)
    refuse_if_archived(household, household.head_name)
    moved_from = None
    if org is not None and org.pk != household.org_id:
        moved_from = household.village_id
        require(actor, "households.change", org)
        household_place_check(org)
        household.place(org)
        for member in HouseholdMember.objects.filter(household=household):
            member.place(org)
            member.save()
    merged = {key: getattr(household, key) for key in HOUSEHOLD_FIELDS} | values
    clean = household_values_clean(merged)
    count = clean.pop("members_count")
    if "members_count" in values:
        _set_size(household, count)
    _apply(household, clean, "head_name")
    _check_unique_id(household)
    household.save()
    if moved_from is not None:
        announce([moved_from, household.village_id])
    return household


@transaction.atomic
def member_add(*, actor: AnyUser, household: Household, values: dict[str, Any]) -> HouseholdMember:
    """Add a member to a current household."""
    require(actor, "households.change", household.org)
    refuse_if_archived(household, household.head_name)
    member = HouseholdMember(household=household)
    member.place(household.org, household.ancestry)
    _apply(member, member_values_clean(values), "name")
    _check_unique_id(member)
    member.save()
    household_size_follow(household)
    return member


@transaction.atomic
def member_update(*, actor: AnyUser, member: HouseholdMember, values: dict[str, Any]) -> HouseholdMember:
    """Change a member of a current household; only the fields given are changed."""
    require(actor, "households.change", member.org)
    refuse_if_archived(member.household, member.household.head_name)
    merged = {key: getattr(member, key) for key in MEMBER_FIELDS} | values
    # Derived values follow a new ID number unless they were given with it (then they are checked).
    if "id_number" in values:
        for derived in ("birth_date", "gender"):
            if derived not in values:
                merged[derived] = None
    _apply(member, member_values_clean(merged), "name")
    _check_unique_id(member)
    member.save()
    household_size_follow(member.household)  # she may have become the head, or stopped being it
    return member


@transaction.atomic
def member_remove(*, actor: AnyUser, member: HouseholdMember) -> None:
    """Take a member off a current household (she left it); the audit log keeps the record."""
    require(actor, "households.change", member.org)
    refuse_if_archived(member.household, member.household.head_name)
    member.delete()
    household_size_follow(member.household)


def household_reveal(*, actor: AnyUser, obj: Household | HouseholdMember, field: str) -> str:
    """A full ID or phone number of a household or member; always audited."""
    require(actor, "households.reveal", obj.org)
    if field not in ("id_number", "mobile") or (field == "mobile" and isinstance(obj, HouseholdMember)):
        raise ValueError(field)
    record(Action.REVEAL, obj, changes={"field": field})
    return getattr(obj, field) or ""


def _locked(household: Household) -> Household:
    return Household.objects.select_for_update().select_related("org").get(pk=household.pk)


@transaction.atomic
def household_archive(*, actor: AnyUser, household: Household, reason: str) -> Household:
    """Take a household off the books (it moved away, the family is gone) with its members: gone
    from every list, search and export, kept in history, restorable."""
    require(actor, "households.change", household.org)
    reason = clean_reason(reason)
    household = _locked(household)
    refuse_if_archived(household, household.head_name)
    now = timezone.now()
    Household.objects.filter(pk=household.pk).update(
        archived_at=now, archived_by=actor, archive_reason=reason, updated_at=now
    )
    members = HouseholdMember.objects.filter(household=household).update(archived_at=now)
    household.refresh_from_db()
    announce([household.village_id])
    record(Action.ARCHIVE, household, actor=actor, changes={"reason": reason, "members": members})
    return household


@transaction.atomic
def household_restore(*, actor: AnyUser, household: Household, reason: str) -> Household:
    """Bring an archived household back onto the lists, with its members."""
    require(actor, "households.change", household.org)
    reason = clean_reason(reason)
    household = _locked(household)
    if household.erased_at is not None:
        raise ValidationError(_("An erased record cannot be restored."))
    if household.archived_at is None:
        raise ValidationError(_("%(name)s is not archived.") % {"name": household.head_name})
    Household.objects.filter(pk=household.pk).update(
        archived_at=None, archived_by=None, archive_reason="", updated_at=timezone.now()
    )
    HouseholdMember.objects.filter(household=household).update(archived_at=None)
    household.refresh_from_db()
    announce([household.village_id])
    record(Action.RESTORE, household, actor=actor, changes={"reason": reason})
    return household


# What says who lives there goes, the categories (低保, 特困 … are sensitive) with it; the
# row stays as an anonymous shell for what points at it.
_ERASED_HOUSEHOLD = {
    "head_name": "",
    "search_keys": "",
    "id_number": None,
    "id_hash": None,
    "mobile": None,
    "mobile_hash": None,
    "mobile_tail_hash": None,
    "address": "",
    "categories": 0,
    "notes": "",
    "archive_reason": "",
}


@transaction.atomic
def household_erase(*, actor: AnyUser, household: Household, reason: str) -> Household:
    """Erase a household for good on a personal-information deletion request (PIPL art. 47):
    its members are deleted, the head's name, ID number, phone, address, categories, search keys
    and hashes destroyed; the row stays as an anonymous shell. Irreversible. The audit log keeps
    the fact, the masked name, the number of members and the reason. Administrators only."""
    require(actor, "households.erase", household.org)
    reason = clean_reason(reason)
    household = _locked(household)
    if household.erased_at is not None:
        raise ValidationError(_("This record was erased; it cannot be changed."))
    masked = mask_name(household.head_name)
    # No row-by-row events: each would copy a member's name into the log.
    members = delete_quietly(HouseholdMember.objects.filter(household=household))
    now = timezone.now()
    Household.objects.filter(pk=household.pk).update(
        **_ERASED_HOUSEHOLD,
        archived_at=household.archived_at or now,
        archived_by=household.archived_by if household.archived_at else actor,
        erased_at=now,
        updated_at=now,
    )
    record(
        Action.ERASE, household, actor=actor, object_repr=masked, changes={"reason": reason, "members_removed": members}
    )
    household.refresh_from_db()
    announce([household.village_id])
    return household
