"""Paging that never counts: fetch one row more than a page to know whether there is a next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import QueryDict

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool
    query: QueryDict
    per_page: int = 50

    @property
    def seen_total(self) -> int | None:
        """How many rows the list holds, when this page is its last (known without a count)."""
        if self.has_next or (not self.items and self.number > 1):
            return None
        return (self.number - 1) * self.per_page + len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def url_for(self, number: int) -> str:
        query = self.query.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()

    @property
    def next_url(self) -> str:
        return self.url_for(self.number + 1)

    @property
    def previous_url(self) -> str:
        return self.url_for(self.number - 1)


MAX_PAGE = 100_000


def page_of(queryset: QuerySet[Any], query: QueryDict, per_page: int = 50) -> Page[Any]:
    """The requested page of an ordered queryset; a bad or negative page number means page 1,
    and numbers past MAX_PAGE are held there (an offset beyond the database's integers is a 500)."""
    try:
        number = min(MAX_PAGE, max(1, int(query.get("page", "1"))))
    except ValueError:
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page, query=query, per_page=per_page)
