"""The filters of the grid's API lists (assignments, contacts, a place's uncovered households)."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override

from fulian.core.filters import SEARCH_MAX_LENGTH, RowIdField, ScopedFilterSet, StrictBooleanFilter
from fulian.core.search import search_q
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.contact_forms import ContactFilter as PageContactFilter
from fulian.grid.filters import ASSIGNEE_SEARCH
from fulian.grid.filters import AssignmentFilter as PageAssignmentFilter
from fulian.grid.models import WorkMode
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


class MonthField(forms.CharField):
    """A month as ``YYYY-MM``; anything else is an error naming the filter."""

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        try:
            day = datetime.date.fromisoformat(f"{text}-01") if len(text) == 7 else None
        except ValueError:
            day = None
        if day is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="invalid")
        return day


class MonthFilter(django_filters.Filter):
    """``month=2026-03``: the records of that month."""

    field_class = MonthField

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        set_override(self, "field", {"type": "string", "description": kwargs.get("help_text") or ""})

    def filter(self, qs: Any, value: datetime.date | None) -> Any:
        if value is None:
            return qs
        following = (value + datetime.timedelta(days=32)).replace(day=1)
        return qs.filter(happened_on__gte=value, happened_on__lt=following)


class WorkModeFilter(django_filters.ModelChoiceFilter):
    """``work_mode``: one of the city's work modes, by id (the list is the same for everyone)."""

    field_class = RowIdField


class ContactFilter(PageContactFilter):
    """The contacts (duty records) list of the API: the page's filters, plus ``search`` for the
    executive member, the work mode, the review's status and the month. Newest first."""

    work_mode = WorkModeFilter(
        label=_("Work mode id"),
        queryset=WorkMode.objects.all(),
        error_messages={"invalid_choice": _("No work mode with id %(value)s.")},
    )
    status = django_filters.ChoiceFilter(
        label=_("Review status"), choices=RecordStatus.choices, empty_label=_("Any status")
    )
    month = MonthFilter(label=_("Month"), help_text=_("The records of one month, as YYYY-MM."))

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
