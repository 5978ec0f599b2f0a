"""The filters of the household registry's lists: one definition for each list's page, API
and export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import ArchivedFilter, OrgFilter, ScopedFilterSet, SearchFilter, VisibleRowFilter
from fulian.households.choices import HouseholdCategory, MemberCategory
from fulian.households.models import Household, HouseholdMember, HouseholdQuerySet, MemberQuerySet


class HouseholdFilter(ScopedFilterSet):
    """The household list (``/households/``, ``/api/v1/households/``, its export), in id order:
    the scope column and the order share one index, so the first page of a city of a million
    households reads 51 index entries."""

    search = SearchFilter(
        label=_("Head's name, pinyin, phone or ID number"),
        help_text=_(
            "The head's name from its start, pinyin or initials, an exact phone or ID number, "
            "or a phone's last 4 digits."
        ),
    )
    org = OrgFilter(help_text=_("Only households at or below this organisation."))
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=HouseholdCategory.choices, empty_label=_("Any category"), method="filter_category"
    )
    archived = ArchivedFilter()
    # The grid's gap lists (不留死角): households with no responsible 执委 today, and those not
    # contacted in 90 days, read from the flags the grid keeps (``fulian.grid.coverage``).
    covered = django_filters.ChoiceFilter(
        label=_("Responsible executive member"),
        choices=[("0", _("No responsible executive member")), ("1", _("Has a responsible executive member"))],
        empty_label=_("With or without"),
        method="filter_covered",
    )
    uncontacted = django_filters.ChoiceFilter(
        label=_("Last contact"),
        choices=[("1", _("Not contacted in 90 days"))],
        empty_label=_("Any time"),
        method="filter_uncontacted",
    )

    class Meta:
        model = Household
        fields: list[str] = []

    def filter_covered(self, queryset: HouseholdQuerySet, name: str, value: str) -> HouseholdQuerySet:
        return queryset.filter(covered=value == "1")

    def filter_uncontacted(self, queryset: HouseholdQuerySet, name: str, value: str) -> HouseholdQuerySet:
        # Imported here: the grid builds on the registry, not the other way round.
        from fulian.grid.coverage import today, uncontacted_q

        return queryset.filter(uncontacted_q(today())) if value == "1" else queryset

    # ``value: int`` documents the parameter as a number; the form gives its digits.
    def filter_category(self, queryset: HouseholdQuerySet, name: str, value: int) -> HouseholdQuerySet:
        return queryset.in_category(int(value))

    def filter_queryset(self, queryset: Any) -> Any:
        households = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("archived"):
            households = households.select_related("archived_by")
        return households.select_related("org__parent").order_by("id")


class MemberFilter(ScopedFilterSet):
    """The household members list of the API, in id order."""

    search = SearchFilter(label=_("Name, pinyin or ID number"))
    org = OrgFilter(help_text=_("Only members of households at or below this organisation."))
    household = VisibleRowFilter(
        model=Household, message=_("No household with id %(value)s in your area."), label=_("Household id")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=MemberCategory.choices, empty_label=_("Any category"), method="filter_category"
    )

    class Meta:
        model = HouseholdMember
        fields: list[str] = []

    def filter_category(self, queryset: MemberQuerySet, name: str, value: int) -> MemberQuerySet:
        return queryset.in_category(int(value))

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).order_by("id")
