"""Reads of the household registry shared by the pages, the API and the exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser
from fulian.core.words import list_text
from fulian.households.choices import MemberCategory, labels_of
from fulian.households.models import Household, HouseholdMember

# What the list page reads of a household (no model instances: 51 rows a page, under load).
LIST_ROW = ("pk", "head_name", "org__display_name", "members_count", "mobile", "categories")


def export_headers(*, members: bool = False) -> list[str]:
    headers = [
        _("Village or group code"),
        _("Village"),
        _("Village group"),
        _("Head of household"),
        _("Head's ID number"),
        _("Phone"),
        _("Address"),
        _("Number of people"),
        _("Categories"),
        _("Notes"),
    ]
    if members:
        headers += [
            _("Member"),
            _("Relation to the head"),
            _("Gender"),
            _("Date of birth"),
            _("Member's ID number"),
            _("Member's categories"),
        ]
    return headers


# The column of a member's ID number in an export with the members (text, like the head's).
MEMBER_ID_COLUMN = 14


def visible_members(user: AnyUser) -> QuerySet[HouseholdMember]:
    """The household members ``user`` may see, for an export with the members."""
    return HouseholdMember.objects.visible_to(user, "households.view")


def _village_and_group(org: Any) -> tuple[str, str]:
    """``("回龙村", "第三村民小组")`` for a group, ``("回龙村", "")`` for a village."""
    if org.level == "group" and org.parent is not None:
        return org.parent.display_name, org.display_name
    return org.display_name, ""


def _chunks(records: Iterable[Household], size: int = 1_000) -> Iterator[list[Household]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def export_rows(
    households: Iterable[Household], *, full: bool, members: QuerySet[HouseholdMember] | None = None
) -> Iterator[list[Any]]:
    """A row per household; with ``members`` (those the requester may see), each household's
    members in rows below it, repeating where the household is and its head."""
    for chunk in _chunks(households):
        listed: dict[int, list[HouseholdMember]] = {}
        if members is not None:
            for member in members.filter(household_id__in=[h.pk for h in chunk]).order_by("household_id", "id"):
                listed.setdefault(member.household_id, []).append(member)
        for h in chunk:
            village, group = _village_and_group(h.org)
            row = [
                h.org.code,
                village,
                group,
                h.head_name,
                (h.id_number or "") if full else h.id_number_masked,
                (h.mobile or "") if full else h.mobile_masked,
                h.address,
                h.members_count,
                list_text(h.category_labels),
                h.notes,
            ]
            yield row + [""] * 6 if members is not None else row
            for m in listed.get(h.pk, []):
                yield [
                    h.org.code,
                    village,
                    group,
                    h.head_name,
                    *[""] * 6,
                    m.name,
                    m.get_relation_display(),
                    m.get_gender_display(),
                    m.birth_date,
                    (m.id_number or "") if full else m.id_number_masked,
                    list_text(labels_of(m.categories, MemberCategory)),
                ]
