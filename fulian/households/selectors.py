"""Reads of the household registry shared by the pages, the API and the exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from fulian.households.choices import labels_text
from fulian.households.models import Household

# What the list page reads of a household (no model instances: 51 rows a page, under load).
LIST_ROW = ("pk", "head_name", "org__display_name", "members_count", "mobile", "categories")


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
            labels_text(h.category_labels),
            h.notes,
        ]
