"""The filters of the account list: its page and its API endpoint."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fulian.accounts.models import User
from fulian.core.filters import ScopedFilterSet, SearchFilter, StrictBooleanFilter


class AccountFilter(ScopedFilterSet):
    """Accounts, by username order."""

    search = SearchFilter(method="filter_search", label=_("Username or name"))
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        return queryset.filter(Q(username__icontains=value) | Q(full_name__contains=value)) if value else queryset
