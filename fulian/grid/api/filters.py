"""The filters of the grid's API lists (assignments, contacts, a place's uncovered households)."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import SEARCH_MAX_LENGTH, ScopedFilterSet, StrictBooleanFilter
from fulian.core.search import search_q
from fulian.grid import coverage
from fulian.grid.contact_forms import ContactFilter as PageContactFilter
from fulian.grid.filters import ASSIGNEE_SEARCH
from fulian.grid.filters import AssignmentFilter as PageAssignmentFilter
from fulian.households.models import Household

# The executive member behind a contact, searched as the roster is (as the assignments' page
# searches the 执委 behind an assignment).
MEMBER_SEARCH = ASSIGNEE_SEARCH


class AssignmentFilter(PageAssignmentFilter):
    """The assignments list of the API: the page's filters (the same rows for the same query:
    the current ones unless ``status`` says otherwise), plus ``active_on``, the name the API
    documents for the page's ``on``. In id order (the cursor's)."""

    active_on = django_filters.DateFilter(
        label=_("In force on"), method="filter_on", help_text=_("Only assignments in force on this day.")
    )

    # ``value: datetime.date`` documents ``on`` and ``active_on`` as dates in the schema.
    def filter_on(self, queryset: Any, name: str, value: datetime.date) -> Any:
        return super().filter_on(queryset, name, value)


class ContactFilter(PageContactFilter):
    """The contacts list of the API: the page's filters, plus ``search`` for the executive
    member. Newest first."""

    search = django_filters.CharFilter(
        label=_("Executive member's name or pinyin"),
        max_length=SEARCH_MAX_LENGTH,
        method="filter_search",
        help_text=_("Her name from its start, pinyin or initials, or her mobile number."),
    )

    def filter_search(self, queryset: Any, name: str, value: str) -> Any:
        condition = search_q(value, MEMBER_SEARCH)
        return queryset if condition is None else queryset.filter(condition)


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
