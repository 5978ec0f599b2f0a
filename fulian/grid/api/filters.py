"""The filters of the grid's API lists (assignments, contacts, a place's uncovered households)."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import OrgFilter, ScopedFilterSet, StrictBooleanFilter, VisibleRowFilter
from fulian.grid import coverage
from fulian.grid.choices import ContactMode, Mode
from fulian.grid.models import Assignment, Contact, active_q
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.people.models import Person

# The levels whose 执委 take areas: county 执委 take townships, township 执委 villages, village
# 执委 groups and households (and a city's may take counties).
TIERS = [(level.value, level.label) for level in (Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)]
STATUSES = [
    ("current", _("Not ended: in force today, or starting later")),
    ("ended", _("Ended before today")),
    ("all", _("All, ended or not")),
]


class AssignmentFilter(ScopedFilterSet):
    """The assignments list of the API, in id order (the scope column and the order share one
    index)."""

    org = OrgFilter(action="grid.view", help_text=_("Only assignments of areas at or below this organisation."))
    person = VisibleRowFilter(
        model=Person, message=_("No person with id %(value)s in your area."), label=_("Executive member id")
    )
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=Mode.choices)
    tier = django_filters.ChoiceFilter(
        label=_("Level"), choices=TIERS, help_text=_("The level of the executive members' posts.")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUSES,
        method="filter_status",
        help_text=_("current: not ended (in force today or starting later); ended: ended before today; all (default)."),
    )
    active_on = django_filters.DateFilter(
        label=_("In force on"), method="filter_active_on", help_text=_("Only assignments in force on this day.")
    )

    class Meta:
        model = Assignment
        fields: list[str] = []

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        today = coverage.today()
        if value == "current":
            return queryset.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        if value == "ended":
            return queryset.filter(end_date__lt=today)
        return queryset

    def filter_active_on(self, queryset: Any, name: str, value: datetime.date) -> Any:
        return queryset.filter(active_q(value))

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).order_by("id")


class ContactFilter(ScopedFilterSet):
    """The contacts list of the API, newest first."""

    org = OrgFilter(action="grid.view", help_text=_("Only contacts placed at or below this organisation."))
    person = VisibleRowFilter(
        model=Person, message=_("No person with id %(value)s in your area."), label=_("Executive member id")
    )
    household = VisibleRowFilter(
        model=Household,
        message=_("No household with id %(value)s in your area."),
        label=_("Household id"),
        field_name="households",
    )
    mode = django_filters.ChoiceFilter(label=_("How"), choices=ContactMode.choices)
    since = django_filters.DateFilter(
        field_name="happened_on", lookup_expr="gte", label=_("Since"), help_text=_("From this day on (inclusive).")
    )
    until = django_filters.DateFilter(
        field_name="happened_on", lookup_expr="lte", label=_("Until"), help_text=_("Up to this day (inclusive).")
    )

    class Meta:
        model = Contact
        fields: list[str] = []


class UncoveredFilter(ScopedFilterSet):
    """A place's uncovered households (``grid/coverage/<org>/uncovered/``), in id order."""

    uncontacted = StrictBooleanFilter(
        label=_("Not contacted in 90 days"),
        method="filter_uncontacted",
        help_text=_(
            "true: only those not contacted in the last 90 days (or never); false: only those contacted since."
        ),
    )

    class Meta:
        model = Household
        fields: list[str] = []

    def filter_uncontacted(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        today = coverage.today()
        if value:
            return queryset.filter(coverage.uncontacted_q(today))
        return queryset.filter(last_contact_on__gt=today - datetime.timedelta(days=coverage.UNCONTACTED_DAYS))
