"""Writes to the household registry: households and their members."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.choices import Action
from fulian.audit.recorder import record
from fulian.core.scoping import AnyUser, require
from fulian.core.validation import Problems, clean_identity, clean_mobile, name_keys
from fulian.households.choices import HouseholdCategory, MemberCategory, Relation
from fulian.households.models import NAME_MAX_LENGTH, Household, HouseholdMember
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
        problems.add(field, _("Enter the name."))
    elif len(name) > NAME_MAX_LENGTH:
        problems.add(field, _("A name has at most %(n)d characters.") % {"n": NAME_MAX_LENGTH})
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
        values["members_count"] = 1
    elif not isinstance(count, int) or not 1 <= count <= MAX_MEMBERS:
        problems.add("members_count", _("Enter a whole number of people from 1 to %(n)d.") % {"n": MAX_MEMBERS})
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
        problems.add("birth_date", _("This date is in the future."))
    values["gender"] = values.get("gender") or ""
    flags = values.get("categories") or 0
    if flags & ~ALL_MEMBER_FLAGS:
        problems.add("categories", _("Unknown category."))
    values["categories"] = flags
    problems.raise_if_any()
    return values


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
    if obj.id_hash and model.objects.filter(id_hash=obj.id_hash).exclude(pk=obj.pk).exists():
        raise ValidationError({"id_number": _("This ID number is already registered.")})


@transaction.atomic
def household_create(*, actor: AnyUser, org: Organisation, values: dict[str, Any]) -> Household:
    """Register a household in a village (or one of its groups)."""
    require(actor, "households.change", org)
    household_place_check(org)
    household = Household()
    household.place(org)
    _apply(household, household_values_clean(values), "head_name")
    _check_unique_id(household)
    household.save()
    return household


@transaction.atomic
def household_update(
    *, actor: AnyUser, household: Household, values: dict[str, Any], org: Organisation | None = None
) -> Household:
    """Change a household; ``org`` moves it to another village or group (its members follow)."""
    require(actor, "households.change", household.org)
    if org is not None and org.pk != household.org_id:
        require(actor, "households.change", org)
        household_place_check(org)
        household.place(org)
        for member in HouseholdMember.objects.filter(household=household):
            member.place(org)
            member.save()
    merged = {key: getattr(household, key) for key in HOUSEHOLD_FIELDS} | values
    _apply(household, household_values_clean(merged), "head_name")
    _check_unique_id(household)
    household.save()
    return household


@transaction.atomic
def member_add(*, actor: AnyUser, household: Household, values: dict[str, Any]) -> HouseholdMember:
    require(actor, "households.change", household.org)
    member = HouseholdMember(household=household)
    member.place(household.org, household.ancestry)
    _apply(member, member_values_clean(values), "name")
    _check_unique_id(member)
    member.save()
    return member


@transaction.atomic
def member_update(*, actor: AnyUser, member: HouseholdMember, values: dict[str, Any]) -> HouseholdMember:
    require(actor, "households.change", member.org)
    merged = {key: getattr(member, key) for key in MEMBER_FIELDS} | values
    # Derived values follow a new ID number unless they were given with it (then they are checked).
    if "id_number" in values:
        for derived in ("birth_date", "gender"):
            if derived not in values:
                merged[derived] = None
    _apply(member, member_values_clean(merged), "name")
    _check_unique_id(member)
    member.save()
    return member


@transaction.atomic
def member_remove(*, actor: AnyUser, member: HouseholdMember) -> None:
    require(actor, "households.change", member.org)
    member.delete()


def household_reveal(*, actor: AnyUser, obj: Household | HouseholdMember, field: str) -> str:
    """A full ID or phone number of a household or member; always audited."""
    require(actor, "households.reveal", obj.org)
    if field not in ("id_number", "mobile") or (field == "mobile" and isinstance(obj, HouseholdMember)):
        raise ValueError(field)
    record(Action.REVEAL, obj, changes={"field": field})
    return getattr(obj, field) or ""
