"""Filters of the audit log, shared by its page and its API endpoint."""

import datetime
import re
from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from fulian.audit.choices import Action
from fulian.audit.models import AuditedModel, AuditEvent
from fulian.core.filters import OrgFilter, ScopedFilterSet, SearchFilter

_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")


class EndOfDayField(IsoDateTimeField):
    """A time, where a bare date means the end of that day: "until 2026-11-29" includes the 29th."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        result: datetime.datetime | None = super().to_python(value)
        if result is not None and isinstance(value, str) and _DATE_ONLY.match(value):
            result += datetime.timedelta(days=1)
        return result


class UntilFilter(django_filters.IsoDateTimeFilter):
    field_class = EndOfDayField


def _audited_types() -> list[tuple[str, str]]:
    """The models whose changes are logged, as ``app.model`` with their names."""
    return sorted(
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if issubclass(model, AuditedModel)
    )


class IPFilter(django_filters.Filter):
    field_class = forms.GenericIPAddressField


class AuditEventFilter(ScopedFilterSet):
    # The page shows date pickers (a whole day is what people ask for); the API also takes times.
    since = django_filters.IsoDateTimeFilter(
        field_name="at", lookup_expr="gte", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = UntilFilter(
        field_name="at", lookup_expr="lt", label=_("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="iexact", label=_("Actor (username)"))
    search = SearchFilter(
        method="filter_search",
        label=_("Account or object"),
        help_text=_("A username finds what the account did and what was done to it (failed logins too)."),
    )
    ip = IPFilter(field_name="ip", label=_("IP address"))
    action = django_filters.ChoiceFilter(choices=Action.choices, label=_("Action"), empty_label=_("All actions"))
    org = OrgFilter(
        action="audit.view", path_field="org_path", help_text=_("The organisation and everything below it.")
    )
    object_type = django_filters.ChoiceFilter(
        choices=_audited_types, label=_("Object type"), empty_label=_("All types")
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        value = value.strip()
        return queryset.filter(Q(actor_name__iexact=value) | Q(object_repr__icontains=value)) if value else queryset
