"""The filters of the review list (``duties:review``): work mode, month, 执委, organisation."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.filters import OrgFilter, ScopedFilterSet, VisibleRowFilter
from fulian.grid.models import Contact, WorkMode
from fulian.people.models import Person


class MonthField(forms.CharField):
    """A month typed ``YYYY-MM`` (what ``<input type="month">`` sends): its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"})

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        try:
            found = datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            found = None
        if found is None or len(text) != 7 or found.year < 2000:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2026-05."), code="invalid")
        return found


class MonthFilter(django_filters.Filter):
    """The records of one month (by the day the duty was done)."""

    field_class = MonthField

    def filter(self, qs: Any, value: Any) -> Any:
        if value is None:
            return qs
        following = (value.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return qs.filter(happened_on__gte=value, happened_on__lt=following)


class ReviewFilter(ScopedFilterSet):
    """The records waiting for the user's review, newest first, narrowed by work mode, month,
    执委 (by id: her name on each row is a link) and organisation."""

    work_mode = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Work mode"),
        queryset=WorkMode.objects.all(),
        empty_label=gettext_lazy("Any work mode"),
    )
    month = MonthFilter(label=gettext_lazy("Month"))
    person = VisibleRowFilter(
        model=Person,
        message=gettext_lazy("No executive member with id %(value)s in your area."),
        label=gettext_lazy("Executive member"),
        widget=forms.HiddenInput,
    )
    org = OrgFilter(help_text=gettext_lazy("Only records at or below this organisation."))

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).order_by("-happened_on", "-id")
