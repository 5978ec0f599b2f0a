"""The filters of the request list (``/duties/requests/``), shared by its page and its export:
status, category, urgency, the federation holding it, the 她代表, overdue, mine, month."""

from __future__ import annotations

import datetime
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.filters import OrgFilter, ScopedFilterSet, VisibleRowFilter
from fulian.duties.choices import OPEN_STATUSES, Category, RequestStatus, Urgency
from fulian.duties.models import Request
from fulian.grid import coverage
from fulian.people.models import Person

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """``2026-03``: the first day of that month."""

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = (value or "").strip()
        if not text:
            return None
        match = MONTH.match(text)
        if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            raise forms.ValidationError(_("Give the month as year-month, such as 2026-03."))
        return datetime.date(int(match[1]), int(match[2]), 1)


class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, qs: Any, value: Any) -> Any:
        if value is None:
            return qs
        after = (value + datetime.timedelta(days=32)).replace(day=1)
        return qs.filter(recorded_on__gte=value, recorded_on__lt=after)


def overdue_q(on: datetime.date) -> Q:
    """Open, past its deadline (``RequestQuerySet.overdue`` as a condition)."""
    return Q(status__in=OPEN_STATUSES, due_on__lt=on)


class RequestFilter(ScopedFilterSet):
    """The requests the user sees (placed where they came from, so every level above sees them),
    newest first."""

    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=[("open", gettext_lazy("Still open")), *RequestStatus.choices],
        empty_label=gettext_lazy("Any status"),
        method="by_status",
    )
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("Category"), choices=Category.choices, empty_label=gettext_lazy("Any category")
    )
    urgency = django_filters.ChoiceFilter(
        label=gettext_lazy("Urgency"), choices=Urgency.choices, empty_label=gettext_lazy("Any urgency")
    )
    holder = OrgFilter(
        within=False,
        label=gettext_lazy("Held by"),
        help_text=gettext_lazy("Only the requests this federation holds now."),
    )
    representative = VisibleRowFilter(
        model=Person,
        message=gettext_lazy("No person with id %(value)s in your area."),
        label=gettext_lazy("Her representative (她代表) id"),
    )
    overdue = django_filters.ChoiceFilter(
        label=gettext_lazy("Deadline"),
        choices=[("1", gettext_lazy("Overdue only"))],
        empty_label=gettext_lazy("Any deadline"),
        method="only_overdue",
    )
    assignee = django_filters.ChoiceFilter(
        label=gettext_lazy("Assigned to"),
        choices=[("me", gettext_lazy("Assigned to me"))],
        empty_label=gettext_lazy("To anyone"),
        method="assigned_to",
    )
    mine = django_filters.ChoiceFilter(
        label=gettext_lazy("Whose"),
        choices=[("1", gettext_lazy("The women I represent"))],
        empty_label=gettext_lazy("Everyone's"),
        method="represented_by_me",
    )
    month = MonthFilter(label=gettext_lazy("Month recorded"), help_text=gettext_lazy("Such as 2026-03."))

    class Meta:
        model = Request
        fields: list[str] = []

    def by_status(self, qs: Any, name: str, value: str) -> Any:
        if value == "open":
            return qs.filter(status__in=OPEN_STATUSES)
        return qs.filter(status=value)

    def only_overdue(self, qs: Any, name: str, value: str) -> Any:
        return qs.filter(overdue_q(coverage.today())) if value == "1" else qs

    def assigned_to(self, qs: Any, name: str, value: str) -> Any:
        return qs.filter(assignee_id=getattr(self.user, "pk", None)) if value == "me" else qs

    def represented_by_me(self, qs: Any, name: str, value: str) -> Any:
        """The requests she took as 她代表 (her account's person)."""
        return qs.filter(representative__account_id=getattr(self.user, "pk", None)) if value == "1" else qs

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).order_by("-id")
