"""Grid pages: coverage (不留死角) of an organisation with its children and charts, drillable
from the city down to a village's groups; its uncovered households; its gap list (the villages
and townships no 执委 of the level above answers for), each exportable to .xlsx.

Figures come from the summary (``fulian.grid.coverage``), never from a count of the households
table; the organisation is fetched through ``visible_to`` (out of scope: 404), and every figure
is read within it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from fulian.accounts.http import AuthedRequest
from fulian.core.ancestry import within_q
from fulian.core.exports import spreadsheet_response
from fulian.core.scoping import get_visible_or_404, grants_for
from fulian.core.views import render_list
from fulian.grid import coverage
from fulian.grid.coverage import Branch, Figure
from fulian.grid.models import CoverageCount
from fulian.households import selectors
from fulian.households.filters import HouseholdFilter
from fulian.orgs.choices import Level
from fulian.orgs.counts import Total
from fulian.orgs.models import Organisation
from fulian.orgs.selectors import ancestors

ACTION = "grid.view"
# Shares at or above GOOD are green, at or above FAIR amber, below red (table, charts, home).
GOOD, FAIR = 0.95, 0.8


def band(figure: Figure) -> str:
    """``good``, ``fair``, ``poor``, or ``none`` (no households): the colour of a share."""
    share = figure.share
    if share is None:
        return "none"
    return "good" if share >= GOOD else "fair" if share >= FAIR else "poor"


def _org(request: AuthedRequest, pk: int) -> Organisation:
    return get_visible_or_404(Organisation.objects.select_related("parent"), request.user, pk=pk, action=ACTION)


def _crumbs(org: Organisation, request: AuthedRequest) -> list[Organisation]:
    """The organisations above ``org`` that the user may open (up to her top)."""
    return [o for o, visible in ancestors(org, request.user) if visible and o.pk != org.pk]


def org_label(figure: Figure) -> str:
    return str(figure.org.display_name) if figure.org is not None else _("Not in a group")


@require_GET
def coverage_home(request: AuthedRequest) -> HttpResponse:
    """The coverage of the user's outermost organisation; with grants at several, a choice."""
    grants = grants_for(request.user, ACTION)
    if not grants:
        raise PermissionDenied(_("This page is not part of your role."))
    if len(grants) == 1:
        return redirect("grid:coverage", pk=grants[0].org_id)
    orgs = Organisation.objects.filter(pk__in=[g.org_id for g in grants]).order_by("path")
    return render(request, "grid/coverage_choose.html", {"orgs": orgs})


class AsOfForm(forms.Form):
    """``on``: the day whose coverage to show (a past day; today by default)."""

    on = forms.DateField(
        label=gettext_lazy("Coverage on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("A past day; empty for today."),
    )

    def clean_on(self) -> datetime.date | None:
        on: datetime.date | None = self.cleaned_data.get("on")
        if on is not None and on > coverage.today():
            raise forms.ValidationError(_("Choose a day up to today."))
        return None if on == coverage.today() else on


def _chart_rows(parts: list[Figure]) -> list[dict[str, Any]]:
    return [
        {
            "name": org_label(f),
            "share": None if f.share is None else round(f.share * 100, 1),
            "households": f.households,
            "covered": f.covered,
            "band": band(f),
            "url": reverse("grid:coverage", args=[f.org.pk]) if f.org is not None else "",
        }
        for f in parts
    ]


def _tree(branches: list[Branch]) -> list[dict[str, Any]]:
    """The treemap's nodes: sized by households, coloured by share."""
    nodes = []
    for branch in branches:
        if not branch.figure.households:
            continue
        parts = [p for p in branch.parts if p.households]
        # A village without groups is one box, not one box "not in a group" inside it.
        if len(parts) == 1 and parts[0].org is None:
            parts = []
        nodes.append({**_chart_rows([branch.figure])[0], "children": _chart_rows(parts)})
    return nodes


def _description(title: str, parts: list[Figure]) -> str:
    """The chart said in words (its text alternative, for screen readers)."""
    said = "; ".join(f"{org_label(f)} {f.percent}" for f in parts)
    return f"{title}: {said}" if said else title


def chart_data(org: Organisation, parts: list[Figure], *, tree: bool) -> dict[str, Any]:
    """What coverage-chart.js draws: the bars of ``parts``, the treemap of the two levels below
    ``org`` (current figures only, from the summary), and their words."""
    child_level = coverage.CHILD_LEVEL.get(org.level)
    bar_title = _("Coverage by %(level)s") % {"level": Level(child_level).label} if child_level is not None else ""
    return {
        "bars": _chart_rows(parts),
        "tree": _tree(coverage.figures_two_levels(org)) if tree else [],
        "labels": {
            "share": _("Coverage"),
            "households": _("Number of households"),
            "covered": _("Covered households"),
            "bar_title": bar_title,
            "bar_description": _description(bar_title, parts),
            "tree_root": str(org.display_name),
            "tree_title": _("Coverage below %(org)s, sized by households") % {"org": org.display_name},
        },
    }


SORTS = {"code": gettext_lazy("In code order"), "worst": gettext_lazy("Lowest coverage first")}


def worst_first(parts: list[Figure]) -> list[Figure]:
    """Lowest share first (most uncovered households first among equals); none last."""
    return sorted(parts, key=lambda f: (f.share is None, f.share or 0.0, -f.uncovered))


@require_GET
def coverage_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """An organisation's coverage: its figures, those of each child (a table, a bar chart), a
    treemap of two levels below; ``on`` for a past day, ``sort=worst`` for the worst first."""
    org = _org(request, pk)
    form = AsOfForm(request.GET if "on" in request.GET else None)
    on = form.cleaned_data["on"] if form.is_bound and form.is_valid() else None
    whole, parts = coverage.figures_as_of(org, on) if on is not None else coverage.figures(org)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "code"
    if sort == "worst":
        parts = worst_first(parts)
    child_level = coverage.CHILD_LEVEL.get(org.level)
    charts = chart_data(org, parts, tree=on is None)
    sort_links = []
    for key, label in SORTS.items():
        query = request.GET.copy()
        query["sort"] = key
        sort_links.append((key, label, "?" + query.urlencode()))
    context = {
        "org": org,
        "crumbs": _crumbs(org, request),
        "form": form,
        "on": on,
        "whole": whole,
        "whole_band": band(whole),
        "rows": [(f, band(f)) for f in parts],
        "child_level": Level(child_level).label if child_level is not None else "",
        "has_loose": any(f.org is None for f in parts),
        "sort": sort,
        "sort_links": sort_links,
        "gaps": coverage.gap_counts(org)
        if org.level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP)
        else None,
        "charts": charts,
    }
    return render(request, "grid/coverage.html", context)


# What the uncovered list shows: its name → the household list's filters (the export's too).
SHOWS: dict[str, dict[str, str]] = {
    "uncovered": {"covered": "0"},
    "uncovered_uncontacted": {"covered": "0", "uncontacted": "1"},
    "uncontacted": {"uncontacted": "1"},
}
SHOW_LABELS = {
    "uncovered": gettext_lazy("No responsible executive member"),
    "uncovered_uncontacted": gettext_lazy("No responsible executive member and not contacted in 90 days"),
    "uncontacted": gettext_lazy("Not contacted in 90 days"),
}


def _summary(org: Organisation) -> Figure:
    """The organisation's current figures: one sum over its summary rows."""
    coverage.bring_up_to_date()
    total = CoverageCount.objects.filter(within_q(org)).aggregate(
        h=Sum("households"), c=Sum("covered"), u=Sum("uncontacted")
    )
    return Figure(org, total["h"] or 0, total["c"] or 0, total["u"] or 0)


@require_GET
def uncovered(request: AuthedRequest, pk: int) -> HttpResponse:
    """The households of the organisation's subtree with no responsible 执委 (or not contacted
    in 90 days: ``show``), in id order, a page at a time; the household list's own filters, so
    that its export holds exactly what is shown. The total comes from the summary (exact, no
    count of the households table), except for the uncovered and uncontacted together, which
    the summary does not keep: said when the page shown is the last."""
    org = _org(request, pk)
    show = request.GET.get("show", "")
    if show not in SHOWS:
        show = "uncovered"
    query = QueryDict(mutable=True)
    query["org"] = str(org.pk)
    query.update(SHOWS[show])
    filters = HouseholdFilter.of(query, user=request.user)
    households = filters.qs.values_list(*selectors.LIST_ROW)
    figure = _summary(org)
    known = {"uncovered": figure.uncovered, "uncontacted": figure.uncontacted}.get(show)
    total = Total(known, "exact") if known is not None else Total(0, "page")
    export_query = QueryDict(mutable=True)
    export_query["org"] = org.code
    export_query.update(SHOWS[show])
    context = {
        "org": org,
        "crumbs": _crumbs(org, request),
        "show": show,
        "shows": list(SHOW_LABELS.items()),
        "show_label": SHOW_LABELS[show],
        "total": total,
        "export_url": f"{reverse('households:export')}?{export_query.urlencode()}",
    }
    return render_list(request, "grid/coverage_uncovered.html", "grid/_coverage_uncovered.html", households, context)


def _gap_rows(org: Organisation) -> list[dict[str, Any]]:
    """The gap list of ``org`` (``coverage.org_gaps``) with each one's households and uncovered
    households from the summary: two queries on the tree, one on the summary per level."""
    coverage.bring_up_to_date()
    gaps = list(coverage.org_gaps(org).select_related("parent"))
    counts: dict[int, tuple[int, int]] = {}
    for level in {g.level for g in gaps}:
        column = f"{level}_id"
        rows = (
            CoverageCount.objects.filter(within_q(org))
            .order_by()
            .values(column)
            .annotate(h=Sum("households"), c=Sum("covered"))
        )
        counts.update({row[column]: (row["h"] or 0, row["c"] or 0) for row in rows if row[column]})
    result = []
    for gap in gaps:
        households, covered = counts.get(gap.pk, (0, 0))
        result.append(
            {
                "org": gap,
                "level": Level(gap.level).label,
                "answering": Level(coverage.ANSWERING_TIER[gap.level]).label,
                "parent": gap.parent.display_name if gap.parent is not None else "",
                "households": households,
                "uncovered": households - covered,
            }
        )
    return result


@require_GET
def gaps(request: AuthedRequest, pk: int) -> HttpResponse:
    """不留死角 as a list: the townships with no county 执委 and the villages with no township
    执委 under the organisation, each with its uncovered households."""
    org = _org(request, pk)
    rows = _gap_rows(org)
    context = {
        "org": org,
        "crumbs": _crumbs(org, request),
        "rows": rows,
        "n_townships": sum(1 for r in rows if r["org"].level == Level.TOWNSHIP),
        "n_villages": sum(1 for r in rows if r["org"].level == Level.VILLAGE),
    }
    return render(request, "grid/coverage_gaps.html", context)


@require_GET
def gaps_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """The gap list as .xlsx (at most the ~1,500 villages of a city: made at once). It holds
    no personal data, so it is not recorded in the audit log (as no masked export is)."""
    org = _org(request, pk)
    rows = _gap_rows(org)
    name = str(org.display_name)
    return spreadsheet_response(
        fmt="xlsx",
        basename=_("coverage gaps"),
        title=_("Places with no responsible executive member of the level above · %(org)s") % {"org": name},
        headers=[
            _("Division code"),
            _("Organisation"),
            _("Level"),
            _("Belongs to"),
            _("Has no executive member of"),
            _("Households"),
            _("Uncovered households"),
        ],
        rows=(
            [
                r["org"].code,
                r["org"].display_name,
                r["level"],
                r["parent"],
                r["answering"],
                r["households"],
                r["uncovered"],
            ]
            for r in rows
        ),
        text_columns=(0,),
        name_parts=[name],
    )


urlpatterns: list[URLPattern] = [
    path("coverage/", coverage_home, name="coverage_home"),
    path("coverage/<int:pk>/", coverage_page, name="coverage"),
    path("coverage/<int:pk>/uncovered/", uncovered, name="uncovered"),
    path("coverage/<int:pk>/gaps/", gaps, name="gaps"),
    path("coverage/<int:pk>/gaps/export/", gaps_export, name="gaps_export"),
]
