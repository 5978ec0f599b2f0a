"""The duties figures' filters and their exports to .xlsx (``fulian.exports``): the 执委 behind a
figure (active this month, this year, silent), records and hours by work mode and month, and
requests by category and status. Each export reads its filters with the page's own FilterSet and
the selectors of ``fulian.duties.figures``, so a file holds what its page shows; a long one
(the city's silent 执委) is prepared in the background and listed among the user's exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from fulian.core.filters import OrgFilter, ScopedFilterSet
from fulian.core.scoping import grants_for
from fulian.duties import figures
from fulian.duties.choices import RequestStatus
from fulian.duties.models import ModeMonth, Request
from fulian.exports.kinds import ExportKind, register
from fulian.grid import coverage
from fulian.orgs.models import Organisation
from fulian.people.models import Person

VIEW = "duties.view"
# The figures hold no personal data but names: nothing to reveal beyond what is shown.
REVEAL = "people.reveal"
FIRST_YEAR = 2000

KINDS = {
    "active_month": gettext_lazy("Executive members with a confirmed record this month"),
    "active_year": gettext_lazy("Executive members with a confirmed record this year"),
    "silent": gettext_lazy("Silent executive members (no record in 90 days)"),
}


def top_org(user: Any) -> Organisation | None:
    """The user's outermost organisation for the figures (the first, with several)."""
    grants = grants_for(user, VIEW)
    if not grants:
        return None
    first = min(grants, key=lambda g: g.path)
    return Organisation.objects.filter(pk=first.org_id).first()


class FigureFilter(ScopedFilterSet):
    """``org``: the organisation whose figures (at or below it; the user's top one if not given),
    among those the user sees the duties of."""

    org = OrgFilter(
        action=VIEW,
        method="by_org",
        help_text=gettext_lazy("The figures of this organisation and those below it."),
    )

    class Meta:
        fields: list[str] = []

    def by_org(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset  # the selectors read the organisation (``chosen_org``)

    def chosen_org(self) -> Organisation | None:
        org = self.form.cleaned_data.get("org") if self.form.is_valid() else None
        if org is None and not self.errors:
            org = top_org(self.user)
        return org


class PeopleFilter(FigureFilter):
    """The 执委 behind a figure: ``kind`` active this month, this year, or silent."""

    kind = django_filters.ChoiceFilter(
        choices=list(KINDS.items()), label=gettext_lazy("Which executive members"), method="by_kind", required=True
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def by_kind(self, queryset: Any, name: str, value: str) -> Any:
        return queryset

    def filter_queryset(self, queryset: Any) -> Any:
        rows = super().filter_queryset(queryset)
        org = self.chosen_org()
        if org is None or not self.form.is_valid():
            return rows.none()
        on = coverage.today()
        kind = self.form.cleaned_data["kind"]
        if kind == "silent":
            condition = figures.silent_q(on)
        else:
            since = figures.month_start(on) if kind == "active_month" else figures.year_start(on)
            condition = figures.active_q(org, since, on)
        people = rows.filter(figures.member_q(org)).filter(condition)
        return figures.with_details(people, org, on).order_by("name", "id")


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Year"),
        min_value=FIRST_YEAR,
        max_value=coverage.today().year,
        required=False,
        error_messages={"invalid": _("Enter a year such as %(year)s.") % {"year": coverage.today().year}},
    )


class YearFilter(django_filters.NumberFilter):
    """``year``: a year from 2000 to this one (this one if not given)."""

    @property
    def field(self) -> forms.Field:
        if not hasattr(self, "_field"):
            self._field = _year_field()
        return self._field


class ModeMonthFilter(FigureFilter):
    """Confirmed records and hours by work mode and month of ``year``."""

    year = YearFilter(label=gettext_lazy("Year"), method="by_year")

    class Meta:
        model = ModeMonth
        fields: list[str] = []

    def by_year(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset

    def chosen_year(self) -> int:
        year = self.form.cleaned_data.get("year") if self.form.is_valid() else None
        return int(year or coverage.today().year)

    def filter_queryset(self, queryset: Any) -> Any:
        rows = super().filter_queryset(queryset)
        org = self.chosen_org()
        if org is None or not self.form.is_valid():
            return rows.none()
        return figures.mode_month_rows(org, self.chosen_year(), rows=rows)


class RequestFigureFilter(FigureFilter):
    """The 她代表 requests by category and status."""

    class Meta:
        model = Request
        fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        rows = super().filter_queryset(queryset)
        org = self.chosen_org()
        if org is None or not self.form.is_valid():
            return rows.none()
        return figures.request_category_rows(org, rows=rows)


# --- the 执委 behind a figure ---------------------------------------------------------------


def post_names(person: Any) -> tuple[str, str]:
    """(her organisations, her posts) in the subtree, each joined with "、"."""
    posts = getattr(person, "posts_here", [])
    orgs = "、".join(dict.fromkeys(str(p.org.display_name) for p in posts))
    titles = "、".join(str(p.get_kind_display()) for p in posts)
    return orgs, titles


def people_headers(*, members: bool = False) -> list[str]:
    return [
        _("Id"),
        pgettext("person", "Name"),
        _("Organisation"),
        _("Post"),
        _("Last record"),
        _("Confirmed records this year"),
    ]


def people_rows(records: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    for person in records:
        orgs, titles = post_names(person)
        last = person.last_record_on.isoformat() if person.last_record_on else ""
        yield [person.pk, person.name, orgs, titles, last, person.year_records]


PEOPLE = register(
    ExportKind(
        name="duty_figures_people",
        filterset=PeopleFilter,
        view=VIEW,
        reveal=REVEAL,
        rows_of=people_rows,
        headers=people_headers,
        basename=pgettext_lazy("file name", "executive members by duty"),
        title=gettext_lazy("Executive members by duty"),
        list_url_name="duties:figures_people",
    )
)


# --- records and hours by work mode and month -----------------------------------------------


def mode_headers(*, members: bool = False) -> list[str]:
    months = [_("%(month)s month") % {"month": m} for m in figures.MONTHS]
    return [_("Work mode"), _("Figure"), *months, _("Year")]


def mode_rows(records: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    rows = list(records)
    modes = figures.modes_by_id({r["work_mode"] for r in rows if r["work_mode"] is not None})
    for row in rows:
        mode = modes.get(row["work_mode"])
        name = mode.label if mode is not None else _("No work mode")
        counts = [row[f"r{m}"] for m in figures.MONTHS]
        hours = [row[f"h{m}"] / 2 for m in figures.MONTHS]
        yield [name, _("Records"), *counts, sum(counts)]
        yield [name, _("Hours"), *hours, sum(hours)]


MODES = register(
    ExportKind(
        name="duty_figures_modes",
        filterset=ModeMonthFilter,
        view=VIEW,
        reveal=REVEAL,
        rows_of=mode_rows,
        headers=mode_headers,
        basename=pgettext_lazy("file name", "duty records by work mode"),
        title=gettext_lazy("Confirmed duty records and hours by work mode and month"),
        list_url_name="duties:figures",
    )
)


# --- requests by category and status --------------------------------------------------------


def request_headers(*, members: bool = False) -> list[str]:
    return [
        _("Category"),
        *[str(status.label) for status in RequestStatus],
        _("Total"),
        _("Answered"),
        _("Average days to answer"),
    ]


def request_rows(records: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    from fulian.duties.choices import Category

    for row in records:
        answered = row["answered"]
        days = figures.average_days(figures.as_duration(row["answer_time"]), answered)
        yield [
            Category(row["category"]).label if row["category"] in Category.values else row["category"],
            *[row[f"s_{status}"] for status in RequestStatus.values],
            row["total"],
            answered,
            "" if days is None else days,
        ]


REQUESTS = register(
    ExportKind(
        name="duty_figures_requests",
        filterset=RequestFigureFilter,
        view=VIEW,
        reveal=REVEAL,
        rows_of=request_rows,
        headers=request_headers,
        basename=pgettext_lazy("file name", "requests by category"),
        title=gettext_lazy("Her representatives' requests by category and status"),
        list_url_name="duties:figures",
    )
)
