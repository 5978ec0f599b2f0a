"""The filters of the points API's lists. Bad values are a 400 naming the filter; a related
row named by id (``account=12``) narrows the caller's rows, so one outside her area finds none."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import MAX_ID, OrgFilter, ScopedFilterSet, StrictBooleanFilter
from fulian.core.search import SearchFields, search_q
from fulian.points.choices import ClaimStatus, EntryKind, HolderKind, ItemKind, OrderStatus, Source
from fulian.points.models import Account, Claim, Entry, Honour, Item, Order, Rule, Scheme, Store

YEAR_MIN, YEAR_MAX = 2000, 2100


class IdFormField(forms.CharField):
    """A row's id: digits only, within what the database holds."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
            return int(text)
        raise forms.ValidationError(_("Enter an id (a whole number)."), code="invalid")


class IdFilter(django_filters.Filter):
    """``store=3``: the rows of that related row (among the caller's; none if not hers)."""

    field_class = IdFormField

    def filter(self, qs: Any, value: Any) -> Any:
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}_id": value})


def _year() -> django_filters.NumberFilter:
    return django_filters.NumberFilter(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)


HOLDER_SEARCH = (
    SearchFields(
        name="person__name",
        keys="person__search_keys",
        mobile_hash="person__mobile_hash",
        mobile_tail_hash="person__mobile_tail_hash",
        id_hash="person__id_hash",
    ),
    SearchFields(
        name="household__head_name",
        keys="household__search_keys",
        mobile_hash="household__mobile_hash",
        mobile_tail_hash="household__mobile_tail_hash",
        id_hash="household__id_hash",
    ),
)


def holder_search(queryset: Any, prefix: str, text: str) -> Any:
    """Accounts (or rows of an account, with ``prefix`` ``account__``) by the holder's name,
    pinyin, phone or ID number, as the people and households lists search."""
    condition = Q()
    for fields in HOLDER_SEARCH:
        found = search_q(
            text,
            SearchFields(
                **{
                    key: (f"{prefix}{value}" if value else value)
                    for key, value in vars(fields).items()  # dataclass fields
                }
            ),
        )
        if found is None:
            return queryset
        condition |= found
    return queryset.filter(condition)


class SchemeFilter(ScopedFilterSet):
    org = OrgFilter(path_field="org__path", help_text=_("Only the schemes of this organisation or below it."))

    class Meta:
        model = Scheme
        fields: list[str] = []


class RuleFilter(ScopedFilterSet):
    version = IdFilter(label=_("Version"), help_text=_("Only the rules of this version (its id)."))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Earned by"))

    class Meta:
        model = Rule
        fields: list[str] = []


class AccountFilter(ScopedFilterSet):
    org = OrgFilter(help_text=_("Only the accounts kept at this organisation or below it."))
    kind = django_filters.ChoiceFilter(choices=HolderKind.choices, label=_("Holder"))
    search = django_filters.CharFilter(
        label=_("Search"), max_length=50, method="filter_search", help_text=_("The holder's name, pinyin or phone.")
    )

    class Meta:
        model = Account
        fields: list[str] = []

    def filter_search(self, queryset: Any, name: str, value: str) -> Any:
        return holder_search(queryset, "", value)


class EntryFilter(ScopedFilterSet):
    account = IdFilter(label=_("Account"), help_text=_("One account's passbook (its id)."))
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, label=_("Kind"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    year = _year()
    org = OrgFilter(help_text=_("Only the entries of accounts kept at this organisation or below it."))

    class Meta:
        model = Entry
        fields: list[str] = []


class ClaimFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices, label=_("Status"))
    account = IdFilter(label=_("Account"))
    org = OrgFilter(help_text=_("Only the claims of accounts kept at this organisation or below it."))

    class Meta:
        model = Claim
        fields: list[str] = []


class HonourFilter(ScopedFilterSet):
    year = _year()
    account = IdFilter(label=_("Account"))
    org = OrgFilter(help_text=_("Only the honours of holders at this organisation or below it."))

    class Meta:
        model = Honour
        fields: list[str] = []


class StoreFilter(ScopedFilterSet):
    org = OrgFilter(path_field="org__path", help_text=_("Only the stores run at this organisation or below it."))
    active = StrictBooleanFilter(label=_("Open"))
    search = django_filters.CharFilter(field_name="name", lookup_expr="contains", max_length=50, label=_("Search"))

    class Meta:
        model = Store
        fields: list[str] = []


class ItemFilter(ScopedFilterSet):
    store = IdFilter(label=_("Store"), help_text=_("Only the items of this store (its id)."))
    kind = django_filters.ChoiceFilter(choices=ItemKind.choices, label=_("Kind"))
    active = StrictBooleanFilter(label=_("On offer"))
    search = django_filters.CharFilter(field_name="name", lookup_expr="contains", max_length=50, label=_("Search"))

    class Meta:
        model = Item
        fields: list[str] = []


class OrderFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("Status"))
    store = IdFilter(label=_("Store"))
    item = IdFilter(label=_("Item"))
    account = IdFilter(label=_("Account"))
    pickup_code = django_filters.CharFilter(max_length=8, label=_("Pickup code"))
    org = OrgFilter(help_text=_("Only the orders of accounts kept at this organisation or below it."))

    class Meta:
        model = Order
        fields: list[str] = []
