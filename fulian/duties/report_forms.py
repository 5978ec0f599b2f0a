"""Filters and forms of the annual reports and assessments: one filter per list, shared by its
page and its export."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import OrgFilter, ScopedFilterSet
from fulian.core.forms import Form, FreeTextFormMixin
from fulian.duties.choices import Grade
from fulian.duties.models import Assessment, Report, Scheme, SchemeItem
from fulian.duties.services.reports import NARRATIVE_MAX_LENGTH
from fulian.people.models import Person

YEARS_BACK = 5


def year_choices() -> list[tuple[str, str]]:
    this = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this, this - YEARS_BACK, -1)]


def this_year() -> int:
    return timezone.localdate().year


def _search_people(qs: Any, _name: str, value: str) -> Any:
    text = (value or "").strip()
    return qs.filter(person__in=Person.objects.search(text).values("pk")) if text else qs


class _YearFilter(django_filters.ChoiceFilter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label=_("Year"), choices=year_choices, empty_label=None, **kwargs)

    def filter(self, qs: Any, value: Any) -> Any:
        return qs.filter(year=int(value or this_year()))


class ReportFilter(ScopedFilterSet):
    """An organisation's reports for a year (``/duties/reports/``), by name."""

    search = django_filters.CharFilter(label=_("Name or pinyin"), max_length=50, method=_search_people)
    org = OrgFilter(help_text=_("Only the reports of executive members at or below this organisation."))
    year = _YearFilter()
    written = django_filters.ChoiceFilter(
        label=_("Her words"),
        choices=[("yes", _("Written")), ("no", _("Not yet written"))],
        empty_label=_("Written or not"),
        method="filter_written",
    )

    class Meta:
        model = Report
        fields: list[str] = []

    def filter_written(self, qs: Any, _name: str, value: str) -> Any:
        return qs.exclude(narrative="") if value == "yes" else qs.filter(narrative="") if value == "no" else qs


class AssessmentFilter(ScopedFilterSet):
    """An organisation's assessment results for a year (``/duties/assessments/``): by grade,
    those flagged for the next 换届, those over the cap."""

    search = django_filters.CharFilter(label=_("Name or pinyin"), max_length=50, method=_search_people)
    org = OrgFilter(help_text=_("Only the executive members at or below this organisation."))
    year = _YearFilter()
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices, empty_label=_("Any grade"))
    flagged = django_filters.ChoiceFilter(
        label=_("Next election"),
        choices=[("1", _("Flagged for the next election"))],
        empty_label=_("Flagged or not"),
        method="filter_flagged",
    )
    capped = django_filters.ChoiceFilter(
        label=_("Cap on excellent"),
        choices=[("1", _("Over the cap"))],
        empty_label=_("Over the cap or not"),
        method="filter_capped",
    )

    class Meta:
        model = Assessment
        fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        # The page and its export read each row's person and organisation.
        return super().filter_queryset(queryset).select_related("person", "org").order_by("org__path", "-score", "id")

    def filter_flagged(self, qs: Any, _name: str, value: str) -> Any:
        return qs.filter(grade=Grade.INCOMPETENT) if value == "1" else qs

    def filter_capped(self, qs: Any, _name: str, value: str) -> Any:
        return qs.filter(capped=True) if value == "1" else qs


class NarrativeForm(Form):
    narrative = forms.CharField(
        label=_("In my words"),
        max_length=NARRATIVE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What you did this year, what went well, what you will do next year."),
    )


class GenerateForm(Form):
    year = forms.TypedChoiceField(label=_("Year"), choices=year_choices, coerce=int)


class SchemeForm(FreeTextFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Scheme
        fields = ["name", "excellent_min", "competent_min", "basic_min", "excellent_share"]


class ItemForm(FreeTextFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """One item of a scheme; the blank one at the end is a new item only once it has a name
    (its selects always send a value)."""

    def has_changed(self) -> bool:
        if self.instance.pk is None:
            return bool((self.data.get(self.add_prefix("name")) or "").strip())
        return super().has_changed()


ItemFormSet = inlineformset_factory(
    Scheme,
    SchemeItem,
    form=ItemForm,
    fields=["section", "name", "measure", "points", "max_points", "position"],
    extra=1,
    can_delete=True,
)


class EntryForm(Form):
    item = forms.TypedChoiceField(label=_("Item"), coerce=int)
    units = forms.DecimalField(label=_("Units"), min_value=0, max_value=999, decimal_places=1)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, items: list[SchemeItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(item.pk, item.name) for item in items]  # type: ignore[attr-defined]
