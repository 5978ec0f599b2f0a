"""The filters of the duties API's lists: requests (by status, category, urgency, the federation
holding them, the person assigned, overdue) and work modes. Bad values are a 400 naming the
filter."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import MAX_ID, OrgFilter, ScopedFilterSet, StrictBooleanFilter
from fulian.duties.choices import OPEN_STATUSES, Category, RequestStatus, Urgency
from fulian.duties.models import Request
from fulian.grid import coverage


class AssigneeField(forms.CharField):
    """``me`` or an account's id."""

    def to_python(self, value: Any) -> str | int | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        if text == "me":
            return text
        if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
            return int(text)
        raise forms.ValidationError(_("Enter “me” or an account's id."), code="invalid")


class AssigneeFilter(django_filters.Filter):
    field_class = AssigneeField

    def filter(self, qs: Any, value: Any) -> Any:
        if value is None:
            return qs
        user = self.parent.user
        return qs.filter(assignee_id=user.pk if value == "me" else value)


class RequestFilter(ScopedFilterSet):
    """她代表 requests of the caller's subtree, newest first."""

    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label=_("Status"), empty_label=_("Any status"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"), empty_label=_("Any"))
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("Urgency"), empty_label=_("Any"))
    holder = OrgFilter(
        within=False,
        field_name="holder",
        label=_("Held by"),
        help_text=_("Only requests held by this federation now (id or division code)."),
    )
    org = OrgFilter(help_text=_("Only requests from this organisation or below it."))
    assignee = AssigneeFilter(label=_("Assigned to"), help_text=_("“me”, or an account's id."))
    overdue = StrictBooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        help_text=_("true: open past their deadline; false: the others."),
    )

    class Meta:
        model = Request
        fields: list[str] = []

    def filter_overdue(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        late = Q(status__in=OPEN_STATUSES, due_on__lt=coverage.today())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).order_by("-id")
