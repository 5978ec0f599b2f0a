"""The filters of the grid's lists: one definition for each list's page (and, later, its API
and export)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import OrgFilter, ScopedFilterSet, VisibleRowFilter
from fulian.core.search import SearchFields, search_q
from fulian.grid import coverage
from fulian.grid.choices import Mode
from fulian.grid.models import Assignment, AssignmentQuerySet, active_q
from fulian.orgs.choices import Level
from fulian.people.models import Person

# The 执委 behind an assignment, searched like the roster: name from its start, pinyin, initials.
ASSIGNEE_SEARCH = SearchFields(
    name="person__name",
    keys="person__search_keys",
    mobile_hash="person__mobile_hash",
    mobile_tail_hash="person__mobile_tail_hash",
    id_hash="person__id_hash",
)

# The level of the post an assignment was made with, as people name the work it is.
TIERS = [
    (Level.CITY, _("City executive members (counties)")),
    (Level.COUNTY, _("County executive members (包乡镇)")),
    (Level.TOWNSHIP, _("Township executive members (包村)")),
    (Level.VILLAGE, _("Village executive members (包组到户)")),
]

CURRENT, ENDED, ALL = "current", "ended", "all"
STATUSES = [
    (CURRENT, _("Current and upcoming")),
    (ENDED, _("Ended")),
    (ALL, _("All, with history")),
]


class AssignmentFilter(ScopedFilterSet):
    """The assignment list (``/grid/assignments/``), newest first: the scope column and the order
    share one index (``(level column, id)``), so a city's first page reads 51 index entries."""

    search = django_filters.CharFilter(
        label=_("Executive member's name or pinyin"),
        max_length=50,
        method="filter_search",
        help_text=_("Her name from its start, pinyin or initials, or her mobile number."),
    )
    org = OrgFilter(help_text=_("Only assignments of areas and households at or below this organisation."))
    person = VisibleRowFilter(
        model=Person,
        message=_("No executive member with id %(value)s in your area."),
        label=_("Executive member"),
        widget=forms.HiddenInput,
    )
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=Mode.choices, empty_label=_("Any mode"))
    tier = django_filters.ChoiceFilter(label=_("Level"), choices=TIERS, empty_label=_("Any level"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUSES, empty_label=None, method="filter_status")
    on = django_filters.DateFilter(
        label=_("In force on"),
        method="filter_on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only assignments in force on this day."),
    )

    class Meta:
        model = Assignment
        fields: list[str] = []

    def filter_search(self, queryset: AssignmentQuerySet, name: str, value: str) -> AssignmentQuerySet:
        condition = search_q(value, ASSIGNEE_SEARCH)
        return queryset if condition is None else queryset.filter(condition)

    def filter_status(self, queryset: AssignmentQuerySet, name: str, value: str) -> AssignmentQuerySet:
        return queryset  # applied in filter_queryset: an absent status means "current"

    def filter_on(self, queryset: AssignmentQuerySet, name: str, value: Any) -> AssignmentQuerySet:
        return queryset.filter(active_q(value))

    def filter_queryset(self, queryset: Any) -> Any:
        rows = super().filter_queryset(queryset)
        status = (self.form.cleaned_data.get("status") if self.form.is_valid() else "") or CURRENT
        today = coverage.today()
        if status == CURRENT:
            # Active today, or starting later: what someone answers for now or is about to.
            rows = rows.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        elif status == ENDED:
            rows = rows.filter(end_date__lt=today)
        return rows.select_related("person", "post__org", "target_org__parent", "household__org__parent").order_by(
            "-id"
        )
