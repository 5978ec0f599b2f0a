"""Reads of the household registry shared by the pages, the API and the exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from fulian.core.ancestry import within_q
from fulian.core.scoping import AnyUser
from fulian.households.models import Household, HouseholdQuerySet

# What the list page reads of a household (no model instances: 51 rows a page, under load).
LIST_ROW = ("pk", "head_name", "org__display_name", "members_count", "mobile", "categories")


def households_filtered(user: AnyUser, filters: dict[str, Any]) -> HouseholdQuerySet:
    """The households ``user`` may see, narrowed by ``q``, ``org`` and ``category``, in id
    order: the scope column and the order share one index, so the first page of a city of a
    million households reads 51 index entries. ``archived`` lists the archived instead."""
    rows = Household.objects.archived() if filters.get("archived") else Household.objects.all()
    return filter_households(rows.visible_to(user), filters)


def filter_households(households: HouseholdQuerySet, filters: dict[str, Any]) -> HouseholdQuerySet:
    if filters.get("org") is not None:
        households = households.filter(within_q(filters["org"]))
    if filters.get("q"):
        households = households.search(filters["q"])
    if filters.get("category"):
        households = households.in_category(filters["category"])
    if filters.get("archived"):
        households = households.select_related("archived_by")
    return households.select_related("org").order_by("id")


def export_headers() -> list[str]:
    return [
        _("Village or group code"),
        _("Village or group"),
        _("Head of household"),
        _("Head's ID number"),
        _("Phone"),
        _("Address"),
        _("Number of people"),
        _("Categories"),
        _("Notes"),
    ]


def export_rows(households: Iterable[Household], *, full: bool) -> Iterator[list[Any]]:
    for h in households:
        yield [
            h.org.code,
            h.org.display_name,
            h.head_name,
            (h.id_number or "") if full else h.id_number_masked,
            (h.mobile or "") if full else h.mobile_masked,
            h.address,
            h.members_count,
            "、".join(h.category_labels),
            h.notes,
        ]
