"""The filters of the account list (``/points/accounts/``), shared by its page and its export:
the holder's name or pinyin, the organisation, the kind of holder, the level reached, and the
order (balance, or what was earned this year)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import OrgFilter, ScopedFilterSet, SearchFilter
from fulian.core.search import SearchFields, search_q
from fulian.grid import coverage
from fulian.points.choices import HolderKind
from fulian.points.models import Account, AccountYear, Scheme
from fulian.points.passbook_reads import SchemeLevels

VIEW = "points.view"
# A holder is found by her name or its pinyin only: the account list is no way to learn whose
# phone or ID number is whose.
PERSON_NAME = SearchFields(
    name="person__name", keys="person__search_keys", mobile_hash=None, mobile_tail_hash=None, id_hash=None
)
HOUSEHOLD_NAME = SearchFields(
    name="household__head_name", keys="household__search_keys", mobile_hash=None, mobile_tail_hash=None, id_hash=None
)
SORTS = [("year", _("Most points this year")), ("earned", _("Most points in all"))]


class LevelFilter(django_filters.ChoiceFilter):
    """``level``: a level's name among the schemes the user sees (一星 …), choices read per list."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self._choices, method="by_level", **kwargs)

    def _choices(self) -> list[tuple[str, str]]:
        parent = getattr(self, "parent", None)  # a filter read from its class (an export's title) has none
        return [(name, name) for name in parent.scheme_levels().names()] if parent is not None else []


class AccountFilter(ScopedFilterSet):
    """The accounts the user sees, the largest balance first (or the most earned this year, or
    in all); ties by the account opened first. Each row carries ``year_earned``."""

    search = SearchFilter(label=_("Holder's name or pinyin (zth)"), method="by_name")
    org = OrgFilter(action=VIEW, help_text=_("Only holders at or below this organisation."))
    kind = django_filters.ChoiceFilter(label=_("Holder"), choices=HolderKind.choices, empty_label=_("Any holder"))
    level = LevelFilter(label=_("Level"), empty_label=_("Any level"))
    sort = django_filters.ChoiceFilter(
        label=_("Order"), choices=SORTS, empty_label=_("Largest balance first"), method="keep"
    )

    class Meta:
        model = Account
        fields: list[str] = []

    def scheme_levels(self) -> SchemeLevels:
        if not hasattr(self, "_levels"):
            self._levels = SchemeLevels.load(coverage.today(), Scheme.objects.visible_to(self.user))
        return self._levels

    def by_name(self, queryset: Any, name: str, value: str) -> Any:
        person, household = search_q(value, PERSON_NAME), search_q(value, HOUSEHOLD_NAME)
        if person is None or household is None:
            return queryset
        return queryset.filter(Q(kind=HolderKind.PERSON) & person | Q(kind=HolderKind.HOUSEHOLD) & household)

    def by_level(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(self.scheme_levels().level_q(value)) if value else queryset

    def keep(self, queryset: Any, name: str, value: str) -> Any:
        return queryset  # the order is set below, after every filter

    def filter_queryset(self, queryset: Any) -> Any:
        rows = super().filter_queryset(queryset)
        this_year = AccountYear.objects.filter(account=OuterRef("pk"), year=coverage.today().year).values("earned")[:1]
        rows = rows.select_related("person", "household", "org").annotate(
            year_earned=Coalesce(Subquery(this_year, output_field=IntegerField()), Value(0))
        )
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else ""
        if sort == "year":
            return rows.order_by("-year_earned", "id")
        if sort == "earned":
            return rows.order_by("-earned", "id")
        return rows.order_by("-balance", "id")
