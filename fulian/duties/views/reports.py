"""Duties pages of the annual 述职 and assessment: an organisation's reports for a year with
their generation in the background, one report printable on A4, her own report on her phone
with the narrative she writes; the assessment schemes; the results with their export.

Every row is read through ``visible_to``; single records through ``get_visible_or_404`` (out of
scope: 404); writes through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fulian.accounts.http import AuthedRequest
from fulian.core.forms import add_service_errors
from fulian.core.scoping import can, get_visible_or_404, grants_for
from fulian.core.views import render_list, requires_somewhere
from fulian.duties import report_exports
from fulian.duties.choices import ItemSection, Measure
from fulian.duties.models import Assessment, Entry, Report, ReportRun, Scheme
from fulian.duties.report_forms import (
    AssessmentFilter,
    EntryForm,
    GenerateForm,
    ItemFormSet,
    NarrativeForm,
    ReportFilter,
    SchemeForm,
    this_year,
)
from fulian.duties.services import assessment as assessing
from fulian.duties.services import report_runs, reports
from fulian.exports import views as export_views
from fulian.orgs.models import Organisation
from fulian.people.choices import PostKind
from fulian.people.models import Person

VIEW = "duties.view"
ASSESS = "duties.assess"
CONFIGURE = "duties.configure"


def _home(request: AuthedRequest, action: str = VIEW) -> Organisation | None:
    """The outermost organisation where the user may do ``action``."""
    grants = grants_for(request.user, action)
    return Organisation.objects.filter(pk=grants[0].org_id).first() if grants else None


def _chosen_org(request: AuthedRequest, form: Any) -> Organisation | None:
    chosen = form.cleaned_data.get("org") if form.is_valid() else None
    return chosen or _home(request)


def _year(form: Any) -> int:
    value = form.cleaned_data.get("year") if form.is_valid() else None
    return int(value) if value else this_year()


def _hours(half_hours: int) -> str:
    return f"{Decimal(half_hours) / 2:g}"


def report_view(report: Report) -> dict[str, Any]:
    """The report's figures as the page shows them (post titles, hours)."""
    figures = report.figures or {}
    posts = [
        {**p, "kind_label": PostKind(p["kind"]).label if p["kind"] in PostKind.values else p["kind"]}
        for p in figures.get("posts", [])
    ]
    modes = [{**m, "hours": _hours(m["half_hours"])} for m in figures.get("by_mode", [])]
    return {
        "posts": posts,
        "records": figures.get("records", 0),
        "hours": _hours(figures.get("half_hours", 0)),
        "modes": modes,
        "households": figures.get("households", 0),
        "requests": figures.get("requests", {}),
        "campaign_sheets": figures.get("campaign_sheets", 0),
    }


# --- Reports --------------------------------------------------------------------------------


@require_GET
@requires_somewhere(VIEW)
def report_list(request: AuthedRequest) -> HttpResponse:
    """An organisation's reports for a year, by name and whether her words are written; the
    button that generates them (with the assessments) and the last run's progress."""
    filters = ReportFilter.of(request.GET, user=request.user)
    rows = filters.qs.select_related("person", "org").order_by("org__path", "person__name", "id")
    org, year = _chosen_org(request, filters.form), _year(filters.form)
    run = (
        ReportRun.objects.visible_to(request.user).filter(org=org, year=year).select_related("org").first()
        if org is not None
        else None
    )
    context = {
        "form": filters.form,
        "org": org,
        "year": year,
        "run": run,
        "may_generate": org is not None and can(request.user, ASSESS, org),
        "generate_form": GenerateForm(initial={"year": year}),
    }
    return render_list(request, "duties/report_list.html", "duties/_report_results.html", rows, context)


@require_POST
@requires_somewhere(ASSESS)
def report_generate(request: AuthedRequest) -> HttpResponse:
    """Generate the year's reports and assessments of an organisation (in the background)."""
    ref = request.POST.get("org", "")
    if not (ref.isascii() and ref.isdigit()):
        raise Http404
    org = get_visible_or_404(Organisation.objects.all(), request.user, pk=int(ref), action=ASSESS)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("year", []):
            messages.error(request, f"{_('Year')}: {error}")
        return redirect(f"{reverse('duties:reports')}?org={org.pk}")
    year = form.cleaned_data["year"]
    try:
        report_runs.reports_start(actor=request.user, org=org, year=year)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The reports are being generated; this page shows how far it is."))
    return redirect(f"{reverse('duties:reports')}?org={org.pk}&year={year}")


@require_GET
def run_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The state of a report run (polled by the reports page while it is busy)."""
    run = get_visible_or_404(ReportRun.objects.select_related("org"), request.user, pk=pk)
    return render(request, "duties/_report_run.html", {"run": run})


def _report(request: AuthedRequest, pk: int) -> Report:
    return get_visible_or_404(Report.objects.select_related("person", "org", "person__account"), request.user, pk=pk)


def _report_context(request: AuthedRequest, report: Report) -> dict[str, Any]:
    assessment = (
        Assessment.objects.visible_to(request.user)
        .filter(person_id=report.person_id, year=report.year)
        .select_related("scheme")
        .first()
    )
    return {
        "report": report,
        "figures": report_view(report),
        "assessment": assessment,
        "may_write": reports.may_write_narrative(request.user, report),
        "narrative_form": NarrativeForm(initial={"narrative": report.narrative}),
    }


@require_GET
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One report, printable on A4."""
    report = _report(request, pk)
    return render(request, "duties/report_detail.html", _report_context(request, report))


@require_GET
def report_mine(request: AuthedRequest) -> HttpResponse:
    """Her own report of this year (made from her records now if not yet generated), with her
    words to write."""
    person = Person.objects.filter(account_id=request.user.pk).first()
    if person is None:
        return render(request, "duties/report_mine.html", {"report": None})
    year = this_year()
    report = Report.objects.filter(person=person, year=year).first()
    if report is None:
        report = reports.report_generate(person=person, year=year)
    # Read through the scope like any other page (a report outside her reach is not hers to see).
    report = _report(request, report.pk)
    return render(request, "duties/report_mine.html", _report_context(request, report))


@require_POST
def report_narrative(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save her words (hers, or staff's for her)."""
    report = _report(request, pk)
    form = NarrativeForm(request.POST)
    if form.is_valid():
        try:
            reports.report_narrative(actor=request.user, report=report, text=form.cleaned_data["narrative"])
        except ValidationError as e:
            add_service_errors(form, e)
    if form.errors:
        context = {**_report_context(request, report), "narrative_form": form}
        template = "duties/report_mine.html" if request.POST.get("from") == "mine" else "duties/report_detail.html"
        return render(request, template, context, status=400)
    messages.success(request, _("Your words are saved."))
    if request.POST.get("from") == "mine":
        return redirect("duties:report_mine")
    return redirect("duties:report_detail", report.pk)


# --- Schemes --------------------------------------------------------------------------------


@require_GET
@requires_somewhere(VIEW)
def scheme_list(request: AuthedRequest) -> HttpResponse:
    """The assessment schemes of the user's area (the city's, a county's), newest year first."""
    schemes = Scheme.objects.visible_to(request.user).select_related("org").order_by("-year", "org__path", "id")
    home = _home(request, CONFIGURE)
    context = {"home": home, "may_configure": home is not None, "generate_form": GenerateForm()}
    return render_list(request, "duties/scheme_list.html", "duties/scheme_list.html", schemes, context)


@require_POST
@requires_somewhere(CONFIGURE)
def scheme_create_default(request: AuthedRequest) -> HttpResponse:
    """The default scheme for the user's federation and a year, to edit."""
    home = _home(request, CONFIGURE)
    form = GenerateForm(request.POST)
    if home is None or not form.is_valid():
        messages.error(request, _("Choose a year."))
        return redirect("duties:schemes")
    try:
        scheme = assessing.scheme_create_default(actor=request.user, org=home, year=form.cleaned_data["year"])
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return redirect("duties:schemes")
    messages.success(request, _("The default scheme is made; change it to suit the year."))
    return redirect("duties:scheme_edit", scheme.pk)


def _scheme(request: AuthedRequest, pk: int) -> Scheme:
    return get_visible_or_404(Scheme.objects.select_related("org"), request.user, pk=pk)


@require_GET
def scheme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    items = list(scheme.items.order_by("position", "id"))
    sections = [(label, [i for i in items if i.section == value]) for value, label in ItemSection.choices]
    context = {
        "scheme": scheme,
        "sections": sections,
        "frozen": assessing.is_frozen(scheme),
        "may_configure": can(request.user, CONFIGURE, scheme.org),
    }
    return render(request, "duties/scheme_detail.html", context)


@require_http_methods(["GET", "POST"])
def scheme_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a scheme and its items, until assessments are computed from it."""
    scheme = _scheme(request, pk)
    if not can(request.user, CONFIGURE, scheme.org):
        raise PermissionDenied(_("You do not have permission to do this here."))
    frozen = assessing.is_frozen(scheme)
    posted = request.POST if request.method == "POST" else None
    form = SchemeForm(posted, instance=scheme)
    items = ItemFormSet(posted, instance=scheme, prefix="items")
    if request.method == "POST":
        if form.is_valid() and items.is_valid():
            kept = [
                {"id": f.instance.pk, **{name: f.cleaned_data[name] for name in assessing.ITEM_FIELDS}}
                for f in items.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                with transaction.atomic():
                    assessing.scheme_update(actor=request.user, scheme=scheme, fields=form.cleaned_data, items=kept)
            except ValidationError as e:
                add_service_errors(form, e)  # type: ignore[arg-type]
            else:
                messages.success(request, _("The scheme is saved."))
                return redirect("duties:scheme_detail", scheme.pk)
        return render(
            request,
            "duties/scheme_edit.html",
            {"scheme": scheme, "form": form, "items": items, "frozen": frozen},
            status=400,
        )
    return render(
        request, "duties/scheme_edit.html", {"scheme": scheme, "form": form, "items": items, "frozen": frozen}
    )


# --- Assessments ----------------------------------------------------------------------------


@require_GET
@requires_somewhere(VIEW)
def assessment_list(request: AuthedRequest) -> HttpResponse:
    """An organisation's results for a year: by grade, flagged for the next 换届, over the cap."""
    filters = AssessmentFilter.of(request.GET, user=request.user)
    rows = filters.qs.select_related("person", "org").order_by("org__path", "-score", "id")
    context = {
        "form": filters.form,
        "export_url": reverse("duties:assessments_export"),
        "year": _year(filters.form),
    }
    return render_list(request, "duties/assessment_list.html", "duties/_assessment_results.html", rows, context)


@require_http_methods(["GET", "POST"])
def assessment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One 执委's assessment: each item's units and points; her reviewers enter the manual ones."""
    assessment = get_visible_or_404(Assessment.objects.select_related("person", "org", "scheme"), request.user, pk=pk)
    items = list(assessment.scheme.items.order_by("position", "id"))
    manual = [i for i in items if i.measure == Measure.MANUAL]
    may_enter = can(request.user, ASSESS, assessment.org)
    form = EntryForm(request.POST if request.method == "POST" else None, items=manual)
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied(_("You do not have permission to do this here."))
        if form.is_valid():
            item = next(i for i in manual if i.pk == form.cleaned_data["item"])
            try:
                assessing.entry_set(
                    actor=request.user,
                    person=assessment.person,
                    year=assessment.year,
                    item=item,
                    units=form.cleaned_data["units"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Entered; it counts when the assessments are computed again."))
                return redirect("duties:assessment_detail", assessment.pk)
    entries = {e.item_id: e for e in Entry.objects.filter(assessment=assessment)}
    lines = [
        {
            "item": item,
            "units": (assessment.details.get(str(item.pk)) or {}).get("units", ""),
            "points": (assessment.details.get(str(item.pk)) or {}).get("points", ""),
            "entry": entries.get(item.pk),
        }
        for item in items
    ]
    report = Report.objects.visible_to(request.user).filter(person=assessment.person, year=assessment.year).first()
    context = {
        "assessment": assessment,
        "lines": lines,
        "form": form,
        "may_enter": may_enter and manual,
        "report": report,
    }
    return render(request, "duties/assessment_detail.html", context, status=400 if form.errors else 200)


@require_GET
def assessments_export(request: AuthedRequest) -> HttpResponse:
    """The results shown, as .xlsx (the export machinery: its scope, its audit)."""
    return export_views.export(request, report_exports.ASSESSMENTS)


urlpatterns: list[URLPattern] = [
    path("reports/", report_list, name="reports"),
    path("reports/generate/", report_generate, name="reports_generate"),
    path("reports/runs/<int:pk>/", run_status, name="report_run"),
    path("reports/mine/", report_mine, name="report_mine"),
    path("reports/<int:pk>/", report_detail, name="report_detail"),
    path("reports/<int:pk>/narrative/", report_narrative, name="report_narrative"),
    path("schemes/", scheme_list, name="schemes"),
    path("schemes/default/", scheme_create_default, name="scheme_create_default"),
    path("schemes/<int:pk>/", scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", scheme_edit, name="scheme_edit"),
    path("assessments/", assessment_list, name="assessments"),
    path("assessments/export/", assessments_export, name="assessments_export"),
    path("assessments/<int:pk>/", assessment_detail, name="assessment_detail"),
]
