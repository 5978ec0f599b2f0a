"""The filters of the grid's API lists (assignments, contacts, a place's uncovered households)."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import SEARCH_MAX_LENGTH, OrgFilter, ScopedFilterSet, StrictBooleanFilter, VisibleRowFilter
from fulian.core.search import SearchFields, search_q
from fulian.grid import coverage
from fulian.grid.choices import ContactMode, Mode
from fulian.grid.models import Assignment, Contact, active_q
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.people.models import Person

# The levels whose 执委 take areas: county 执委 take townships, township 执委 villages, village
# 执委 groups and households (and a city's may take counties).
TIERS = [(level.value, level.label) for level in (Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)]
# The executive member behind a row, searched as the roster is: her name from its start, its
# pinyin or initials, her mobile (or its last 4 digits) or ID number.
MEMBER_SEARCH = SearchFields(
    name="person__name",
    keys="person__search_keys",
    mobile_hash="person__mobile_hash",
    mobile_tail_hash="person__mobile_tail_hash",
    id_hash="person__id_hash",
)


def member_search(label: Any) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        label=label,
        max_length=SEARCH_MAX_LENGTH,
        method="filter_search",
        help_text=_("The executive member's name from its start, pinyin or initials, or her mobile number."),
    )


class MemberSearchMixin:
    """``search``: the executive member of the row."""

    def filter_search(self, queryset: Any, name: str, value: str) -> Any:
        condition = search_q(value, MEMBER_SEARCH)
        return queryset if condition is None else queryset.filter(condition)


STATUSES = [
    ("current", _("Not ended: in force today, or starting later")),
    ("ended", _("Ended before today")),
    ("all", _("All, with history")),
]


class AssignmentFilter(MemberSearchMixin, ScopedFilterSet):
    """The assignments list of the API, in id order (the scope column and the order share one
    index); the current ones unless ``status`` says otherwise, as on the page."""

    search = member_search(_("Executive member's name or pinyin"))
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
        help_text=_("current (default): not ended (in force today or starting later); ended: ended before today; all."),
    )
    active_on = django_filters.DateFilter(
        label=_("In force on"), method="filter_active_on", help_text=_("Only assignments in force on this day.")
    )

    class Meta:
        model = Assignment
        fields: list[str] = []

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        return queryset  # in filter_queryset: no status is "current"

    def filter_queryset(self, queryset: Any) -> Any:
        rows = super().filter_queryset(queryset)
        status = (self.form.cleaned_data.get("status") if self.form.is_valid() else "") or "current"
        today = coverage.today()
        if status == "current":
            rows = rows.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        elif status == "ended":
            rows = rows.filter(end_date__lt=today)
        return rows.order_by("id")

    def filter_active_on(self, queryset: Any, name: str, value: datetime.date) -> Any:
        return queryset.filter(active_q(value))


class ContactFilter(MemberSearchMixin, ScopedFilterSet):
    """The contacts list of the API, newest first."""

    search = member_search(_("Executive member's name or pinyin"))
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
