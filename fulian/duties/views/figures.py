"""Duties pages: 人人手里有事做, made visible. An organisation's figures (``?org=``, the user's top
organisation by default; ``?year=`` for the records by mode and month): its 执委 with a
confirmed record this month and this year, the silent ones, records and hours by work mode per
month (a table and a chart), 她代表 requests by category and status with the average time to
answer. Every figure links to the people or records behind it and exports to .xlsx.

The organisation is chosen through the figures' FilterSet (``visible_to``): one of another
subtree is an error beside the picker (a 400) and no figure is read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fulian.accounts.http import AuthedRequest
from fulian.core.views import render_list, requires_somewhere
from fulian.duties import figures
from fulian.duties.choices import RequestStatus
from fulian.duties.figures_exports import (
    KINDS,
    MODES,
    PEOPLE,
    REQUESTS,
    VIEW,
    ModeMonthFilter,
    PeopleFilter,
    top_org,
)
from fulian.exports import views as export_views
from fulian.grid import coverage
from fulian.orgs.models import Organisation


def _url(name: str, params: dict[str, Any]) -> str | None:
    """A page's address with its filters; None where that page does not exist (yet)."""
    try:
        return f"{reverse(name)}?{urlencode(params)}"
    except NoReverseMatch:
        return None


def records_url(org: Organisation, *, work_mode: int | None, year: int, month: int) -> str | None:
    """The confirmed records behind a cell of the mode × month table (the contact list)."""
    if work_mode is None:
        return None
    params = {"org": org.pk, "work_mode": work_mode, "month": f"{year}-{month:02d}", "status": "confirmed"}
    return _url("grid:contact_list", params)


def requests_url(org: Organisation, *, category: str = "", status: str = "") -> str | None:
    params = {"org": org.pk}
    if category:
        params["category"] = category  # type: ignore[assignment]
    if status:
        params["status"] = status  # type: ignore[assignment]
    return _url("duties:request_list", params)


def people_url(org: Organisation, kind: str) -> str:
    return f"{reverse('duties:figures_people')}?{urlencode({'kind': kind, 'org': org.pk})}"


def chart_data(org: Organisation, table: figures.ModeTable) -> dict[str, Any]:
    """What duty-figures.js draws: records per month stacked by work mode, hours as a line."""
    months = [_("%(month)s month") % {"month": m} for m in figures.MONTHS]
    return {
        "months": months,
        "series": [
            {
                "name": row.mode.label if row.mode is not None else _("No work mode"),
                "records": row.records,
                "urls": [
                    records_url(org, work_mode=row.mode.pk if row.mode else None, year=table.year, month=m)
                    for m in figures.MONTHS
                ],
            }
            for row in table.rows
            if row.total_records
        ],
        "hours": table.total.hours,
        "labels": {
            "records": _("Confirmed records"),
            "hours": _("Hours"),
            "description": _("%(year)s: %(n)s confirmed records, %(h)s hours")
            % {"year": table.year, "n": table.total.total_records, "h": table.total.total_hours},
        },
    }


def _with_org(request: AuthedRequest) -> QueryDict:
    """The query with the user's top organisation when none is chosen (the picker shows it)."""
    query = request.GET.copy()
    if not query.get("org") and not query.get("org_text"):
        top = top_org(request.user)
        if top is not None:
            query["org"] = str(top.pk)
    return query


@require_GET
@requires_somewhere(VIEW)
def figures_page(request: AuthedRequest) -> HttpResponse:
    """An organisation's figures, each linked to what is behind it and exportable."""
    filters = ModeMonthFilter.of(_with_org(request), user=request.user)
    org = filters.chosen_org()
    context: dict[str, Any] = {"form": filters.form, "org": org}
    if org is None or filters.errors:
        return render(request, "duties/figures.html", context, status=400)
    on = coverage.today()
    year = filters.chosen_year()
    table = figures.by_mode_month(org, year)
    categories = figures.requests_by_category(org)
    query = {"org": org.pk}
    context.update(
        {
            "on": on,
            "year": year,
            "years": list(range(on.year, max(on.year - 5, 2000) - 1, -1)),
            "members": figures.member_figures(org, on),
            "people_urls": {kind: people_url(org, kind) for kind in KINDS},
            "table": table,
            "rows": [
                (
                    row,
                    [
                        (
                            month,
                            n,
                            hours,
                            records_url(org, work_mode=row.mode.pk if row.mode else None, year=year, month=month),
                        )
                        for month, n, hours in row.cells
                    ],
                )
                for row in table.rows
            ],
            "total": table.total,
            "chart": chart_data(org, table),
            "statuses": list(RequestStatus),
            "categories": [
                (
                    row,
                    requests_url(org, category=row.category),
                    [(n, requests_url(org, category=row.category, status=status)) for status, n in row.cells],
                )
                for row in categories
            ],
            "export_modes": f"{reverse('duties:figures_export_modes')}?{urlencode({**query, 'year': year})}",
            "export_requests": f"{reverse('duties:figures_export_requests')}?{urlencode(query)}",
        }
    )
    return render(request, "duties/figures.html", context)


@require_GET
@requires_somewhere(VIEW)
def figures_people(request: AuthedRequest) -> HttpResponse:
    """The 执委 behind a figure (``kind``): her organisation and post, her last record and her
    confirmed records this year, a page at a time, name order."""
    filters = PeopleFilter.of(_with_org(request), user=request.user)
    org = filters.chosen_org()
    kind = filters.form.cleaned_data.get("kind") if filters.is_valid() else ""
    people = filters.qs
    query = QueryDict(mutable=True)
    query.update({"kind": kind or "", "org": str(org.pk) if org else ""})
    context = {
        "form": filters.form,
        "org": org,
        "kind": kind,
        "kinds": [(key, label, people_url(org, key) if org else "") for key, label in KINDS.items()],
        "title": KINDS.get(kind or "", _("The executive members")),
        "export_url": f"{reverse('duties:figures_export_people')}?{query.urlencode()}",
        "contacts_url": reverse("grid:contact_list"),
        "year": coverage.today().year,
    }
    response = render_list(request, "duties/figures_people.html", "duties/_figures_people.html", people, context)
    if filters.errors:
        response.status_code = 400
    return response


@require_GET
@requires_somewhere(VIEW)
def figures_export_people(request: AuthedRequest) -> HttpResponse:
    return export_views.export(request, PEOPLE)


@require_GET
@requires_somewhere(VIEW)
def figures_export_modes(request: AuthedRequest) -> HttpResponse:
    return export_views.export(request, MODES)


@require_GET
@requires_somewhere(VIEW)
def figures_export_requests(request: AuthedRequest) -> HttpResponse:
    return export_views.export(request, REQUESTS)


urlpatterns: list[URLPattern] = [
    path("figures/", figures_page, name="figures"),
    path("figures/people/", figures_people, name="figures_people"),
    path("figures/export/people/", figures_export_people, name="figures_export_people"),
    path("figures/export/modes/", figures_export_modes, name="figures_export_modes"),
    path("figures/export/requests/", figures_export_requests, name="figures_export_requests"),
]
