"""Campaign pages for staff: progress per stage and organisation with reminders to overdue
raters, the exports of the campaign's lists, 公示 (publish, follow, handle objections), the
awards (revoke), and the holiday calendar the 公示 counts working days with.

Every row is read through ``visible_to``; single records through ``get_visible_or_404`` (out of
scope: 404); writes through the services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fulian.accounts.http import AuthedRequest
from fulian.campaigns import exports, holidays, selectors
from fulian.campaigns.choices import ObjectionStatus, Outcome
from fulian.campaigns.models import (
    Award,
    Campaign,
    Holiday,
    Objection,
    Publicity,
    ReminderRun,
    Result,
    Stage,
)
from fulian.campaigns.services import awards, publicity, reminders
from fulian.campaigns.services.common import today, within
from fulian.core.exports import spreadsheet_response
from fulian.core.forms import Form, ReasonForm, add_service_errors
from fulian.core.personal import mask_mobile
from fulian.core.scoping import can, get_visible_or_404, grants_for
from fulian.core.views import render_list
from fulian.exports import services as export_services
from fulian.exports import views as export_views
from fulian.exports.kinds import ExportKind
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

VIEW = "campaigns.view"
REVIEW = "campaigns.review"


def _campaign(request: AuthedRequest, pk: int) -> Campaign:
    return get_visible_or_404(Campaign.objects.select_related("org", "rubric"), request.user, pk=pk)


def _org_in(request: AuthedRequest, campaign: Campaign, ref: str | None) -> Organisation:
    """The organisation asked for (``org``: its id), within the campaign and the user's reach;
    else the user's home within the campaign."""
    if not ref:
        home = selectors.home_org(request.user, campaign)
        if home is None:
            raise Http404
        return home
    if not (ref.isascii() and ref.isdigit()):
        raise Http404
    org = get_visible_or_404(Organisation.objects.select_related("parent"), request.user, pk=int(ref), action=VIEW)
    if not within(org, campaign):
        raise Http404
    return org


# --- Progress -------------------------------------------------------------------------------


@require_GET
def progress_home(request: AuthedRequest) -> HttpResponse:
    """The campaigns the user sees, each to its progress; ``campaign``: straight to its page (an
    export's way back to its list)."""
    ref = request.GET.get("campaign", "")
    if ref.isascii() and ref.isdigit():
        campaign = _campaign(request, int(ref))
        target = reverse("campaigns:progress", args=[campaign.pk])
        org = request.GET.get("org", "")
        return redirect(f"{target}?org={org}" if org.isdigit() else target)
    campaigns = Campaign.objects.visible_to(request.user).select_related("org").order_by("-year", "org__path", "id")
    return render_list(request, "campaigns/progress/home.html", "campaigns/progress/home.html", campaigns, {})


@require_GET
def progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """A campaign's progress at an organisation: per stage, the whole and each organisation of
    the level below (nominated, entries, raters assigned, sheets submitted and missing, overdue
    raters), with the overdue raters' reminders and the exports of the lists."""
    campaign = _campaign(request, pk)
    org = _org_in(request, campaign, request.GET.get("org"))
    stages, _children = selectors.campaign_progress(campaign, org, request.user, today())
    run = ReminderRun.objects.visible_to(request.user).filter(campaign=campaign, org=org).first()
    export_query = QueryDict(mutable=True)
    export_query["campaign"] = str(campaign.pk)
    export_query["org"] = str(org.pk)
    overdue_query = export_query.copy()
    overdue_query["sheet"] = "overdue"
    home = selectors.home_org(request.user, campaign)
    crumbs = []
    if home is not None and org.pk != home.pk:
        crumbs = list(
            Organisation.objects.filter(
                path__in=[p for p in _paths_between(home.path, org.path) if p != org.path]
            ).order_by("path")
        )
    context = {
        "campaign": campaign,
        "org": org,
        "crumbs": crumbs,
        "stages": stages,
        "child_level": Level(selectors.CHILD_LEVEL[Level(org.level)]).label
        if Level(org.level) in selectors.CHILD_LEVEL
        else "",
        "drillable": Level(org.level) in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP),
        "run": run,
        "may_remind": can(request.user, REVIEW, org),
        "any_overdue": any(s.whole.overdue for s in stages),
        "export_query": export_query.urlencode(),
        "overdue_query": overdue_query.urlencode(),
        "exports": [
            (reverse("campaigns:export", args=["campaign_nominations"]), _("Nominations")),
            (reverse("campaigns:export", args=["campaign_entries"]), _("Households and their stage results")),
            (reverse("campaigns:export", args=["campaign_raters"]), _("Rater assignments")),
            (reverse("campaigns:sheet_export"), _("Score sheets")),
            (reverse("campaigns:export", args=["campaign_objections"]), _("Objections")),
            (reverse("campaigns:export", args=["campaign_awards"]), _("Awards")),
        ],
    }
    return render(request, "campaigns/progress/progress.html", context)


def _paths_between(top: str, bottom: str) -> list[str]:
    codes = bottom.strip("/").split("/")
    depth = len(top.strip("/").split("/"))
    return ["/" + "/".join(codes[:n]) + "/" for n in range(depth, len(codes) + 1)]


@require_GET
def rater_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """A campaign's rater assignments with their sheet's state (``sheet=overdue``: the overdue
    list), by stage and organisation; its export holds the same rows."""
    campaign = _campaign(request, pk)
    query = request.GET.copy()
    query["campaign"] = str(campaign.pk)
    query.pop("page", None)
    filters = selectors.AssignmentListFilter.of(query, user=request.user)
    context = {
        "campaign": campaign,
        "form": filters.form,
        "stages": list(campaign.stages.order_by("order")),
        "sheet_states": selectors.SHEET_STATES,
        "chosen_stage": request.GET.get("stage", ""),
        "chosen_sheet": request.GET.get("sheet", ""),
        "org_ref": request.GET.get("org", ""),
        "today": today(),
        "export_url": f"{reverse('campaigns:export', args=['campaign_raters'])}?{query.urlencode()}",
    }
    return render_list(
        request, "campaigns/progress/rater_list.html", "campaigns/progress/_rater_results.html", filters.qs, context
    )


@require_POST
def reminders_send(request: AuthedRequest, pk: int) -> HttpResponse:
    """Remind the overdue raters of the campaign at or below the organisation (in the background)."""
    campaign = _campaign(request, pk)
    org = _org_in(request, campaign, request.POST.get("org"))
    if not can(request.user, REVIEW, org):
        raise PermissionDenied(_("You do not have permission to do this here."))
    try:
        reminders.reminders_start(actor=request.user, campaign=campaign, org=org)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The overdue raters are being reminded."))
    return redirect(f"{reverse('campaigns:progress', args=[campaign.pk])}?org={org.pk}")


@require_GET
def reminder_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The state of a reminder run (polled by the progress page while it is busy)."""
    run = get_visible_or_404(ReminderRun.objects.select_related("campaign", "org"), request.user, pk=pk)
    return render(request, "campaigns/progress/_reminder.html", {"run": run, "campaign": run.campaign})


# --- Exports --------------------------------------------------------------------------------


@require_GET
def export(request: AuthedRequest, kind: str) -> HttpResponse:
    """A campaign list as .xlsx, through the project's export machinery (its filters, its scope,
    masked phones unless full personal data is asked for and allowed, audited)."""
    try:
        chosen = exports.KINDS[kind]
    except KeyError:
        raise Http404 from None
    return export_views.export(request, chosen)


SHEETS = ExportKind(
    name="campaign_sheets",
    filterset=selectors.SheetListFilter,
    view=VIEW,
    reveal=exports.REVEAL,
    rows_of=lambda records, **kwargs: iter(()),
    headers=lambda **kwargs: [],
    basename=gettext_lazy("score sheets"),
    title=gettext_lazy("Score sheets"),
    list_url_name=exports.LIST_URL,
)


@require_GET
def sheet_export(request: AuthedRequest) -> HttpResponse:
    """The score sheets of a campaign, one column per rubric item: made at once (a stage or an
    organisation narrows a list longer than the at-once limit). No phones or ID numbers."""
    back = f"{reverse(exports.LIST_URL)}?{export_services.filters_query(request.GET)}"
    try:
        filters = export_services.checked_filters(SHEETS, request.user, request.GET, full=False)
    except ValidationError:
        return redirect(back)
    limit = export_services.sync_rows()
    records = list(filters.qs[: limit + 1])
    if len(records) > limit:
        messages.error(
            request,
            _("More than %(n)s sheets: choose a stage or an organisation to narrow the export.") % {"n": limit},
        )
        return redirect(back)
    campaign = filters.form.cleaned_data["campaign"]
    items = exports.sheet_items(campaign)
    org = export_services.export_org(SHEETS, request.user, filters)
    name = export_services.org_name(org) if org is not None else ""
    return spreadsheet_response(
        fmt="xlsx",
        basename=str(SHEETS.basename),
        title=f"{campaign} · {SHEETS.title}" + (f" · {name}" if name else ""),
        headers=exports.sheet_headers(items),
        rows=exports.sheet_rows(records, items),
        text_columns=(1,),
        name_parts=[name] if name else [],
    )


# --- 公示 -----------------------------------------------------------------------------------


def _stage(request: AuthedRequest, pk: int) -> Stage:
    return get_visible_or_404(Stage.objects.select_related("campaign__org"), request.user, pk=pk)


def default_notice(stage: Stage) -> str:
    campaign = stage.campaign
    return _(
        "The following households are proposed for %(title)s in the %(year)s %(name)s of %(org)s "
        "(%(level)s stage) and are published for public comment. Anyone with an objection may "
        "raise it, with the reason and a phone number, before the publicity ends."
    ) % {
        "title": campaign.award_title or campaign.name,
        "year": campaign.year,
        "name": campaign.name,
        "org": campaign.org.display_name,
        "level": stage.get_level_display(),
    }


class PublicityForm(Form):
    starts_on = forms.DateField(label=gettext_lazy("Published on"), widget=forms.DateInput(attrs={"type": "date"}))
    notice = forms.CharField(label=gettext_lazy("Notice"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    contact = forms.CharField(
        label=gettext_lazy("Contact for objections"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("A phone number or office where objections are taken."),
    )


def _period(stage: Stage, starts_on: datetime.date) -> tuple[datetime.date, list[int]]:
    """The last day of the 公示 from ``starts_on``, and the years it spans that the holiday
    calendar does not know (their holidays would be missed)."""
    days = stage.publicity_days or publicity.DEFAULT_DAYS
    ends_on = holidays.add_working_days(starts_on, days)
    known = holidays.years_known()
    return ends_on, sorted({starts_on.year, ends_on.year} - known)


def publicity_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Publish a ranked stage's proposed list (公示): the start day, the notice and a contact;
    the end day is worked out in working days (holidays skipped). ``preview`` works out the end
    day without publishing."""
    stage = _stage(request, pk)
    if not can(request.user, REVIEW, stage.campaign.org):
        raise PermissionDenied(_("You do not have permission to do this here."))
    existing = Publicity.objects.filter(stage=stage).first()
    initial = {"starts_on": today(), "notice": default_notice(stage), "contact": ""}
    form = PublicityForm(request.POST if request.method == "POST" else None, initial=initial)
    starts_on = today()
    if request.method == "POST" and form.is_valid():
        starts_on = form.cleaned_data["starts_on"]
        if "preview" not in request.POST:
            try:
                made = publicity.publicity_open(
                    actor=request.user,
                    stage=stage,
                    starts_on=starts_on,
                    notice=form.cleaned_data["notice"],
                    contact=form.cleaned_data["contact"],
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("The list is published until %(day)s.") % {"day": made.ends_on})
                return redirect("campaigns:publicity_detail", pk=made.pk)
    ends_on, unknown_years = _period(stage, starts_on)
    proposed = Result.objects.visible_to(request.user).filter(stage=stage, proposed=True).count()
    context = {
        "stage": stage,
        "campaign": stage.campaign,
        "form": form,
        "existing": existing,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "days": stage.publicity_days or publicity.DEFAULT_DAYS,
        "unknown_years": unknown_years,
        "proposed": proposed,
    }
    return render(request, "campaigns/progress/publicity_open.html", context, status=400 if form.errors else 200)


def _objections(request: AuthedRequest, notice: Publicity) -> Any:
    query = QueryDict(mutable=True)
    query["campaign"] = str(notice.stage.campaign_id)
    query["publicity"] = str(notice.pk)
    status = request.GET.get("status", "")
    if status:
        query["status"] = status
    return selectors.ObjectionListFilter.of(query, user=request.user), query


@require_GET
def publicity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A 公示: its period, the list published (a household removed after an objection struck
    through), its objections with their state; the open ones counted first, since nothing is
    promoted or awarded while one is open."""
    notice = get_visible_or_404(Publicity.objects.select_related("stage__campaign__org"), request.user, pk=pk)
    results = (
        Result.objects.visible_to(request.user)
        .filter(stage=notice.stage)
        .filter(proposed=True)
        .select_related("entry__household", "org__parent")
        .order_by("rank", "id")
    )
    removed = (
        Result.objects.visible_to(request.user)
        .filter(stage=notice.stage, outcome=Outcome.REMOVED)
        .select_related("entry__household", "org__parent")
        .order_by("rank", "id")
    )
    filters, query = _objections(request, notice)
    objections = list(filters.qs)
    open_count = sum(1 for o in objections if o.is_open)
    context = {
        "notice": notice,
        "stage": notice.stage,
        "campaign": notice.stage.campaign,
        "running": publicity.is_running(notice),
        "results": list(results),
        "removed": list(removed),
        "objections": objections,
        "open_count": open_count,
        "status_choices": ObjectionStatus.choices,
        "status": request.GET.get("status", ""),
        "export_url": f"{reverse('campaigns:export', args=['campaign_objections'])}?{query.urlencode()}",
    }
    return render(request, "campaigns/progress/publicity_detail.html", context)


class ObjectionForm(Form):
    status = forms.ChoiceField(
        label=gettext_lazy("What was done"),
        choices=[
            (ObjectionStatus.INVESTIGATING, gettext_lazy("Investigate")),
            (ObjectionStatus.UPHELD, gettext_lazy("Uphold: remove the household from the list")),
            (ObjectionStatus.DISMISSED, gettext_lazy("Dismiss")),
        ],
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required to uphold or dismiss: what was found, as told to the objector."),
    )


def objection_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An objection: the household, the reason, who lodged it (phone masked), its state; staff
    investigate, uphold or dismiss it with the outcome."""
    objection = get_visible_or_404(
        Objection.objects.select_related("publicity__stage__campaign__org", "entry__household", "org__parent"),
        request.user,
        pk=pk,
    )
    may_handle = can(request.user, REVIEW, objection.org)
    form = ObjectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_handle:
            raise PermissionDenied(_("You do not have permission to do this here."))
        if form.is_valid():
            try:
                publicity.objection_handle(
                    actor=request.user,
                    objection=objection,
                    status=form.cleaned_data["status"],
                    outcome=form.cleaned_data["outcome"],
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("The objection was recorded."))
                return redirect("campaigns:objection_detail", pk=objection.pk)
    context = {
        "objection": objection,
        "form": form,
        "may_handle": may_handle and objection.is_open,
        "phone": mask_mobile(objection.phone) if objection.phone else "",
    }
    return render(request, "campaigns/progress/objection_detail.html", context, status=400 if form.errors else 200)


# --- Awards ---------------------------------------------------------------------------------


@require_GET
def award_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """A campaign's awards in the user's scope (certificate number, household, village, issued,
    revoked), filtered by organisation and state; its export holds the same rows."""
    campaign = _campaign(request, pk)
    query = request.GET.copy()
    query["campaign"] = str(campaign.pk)
    query.pop("page", None)
    filters = selectors.AwardListFilter.of(query, user=request.user)
    context = {
        "campaign": campaign,
        "form": filters.form,
        "export_url": f"{reverse('campaigns:export', args=['campaign_awards'])}?{query.urlencode()}",
    }
    return render_list(
        request, "campaigns/progress/award_list.html", "campaigns/progress/_award_results.html", filters.qs, context
    )


def award_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An award, and revoking it with a reason (the household is ineligible for two years)."""
    award = get_visible_or_404(
        Award.objects.select_related("campaign__org", "stage", "household", "org__parent", "revoked_by"),
        request.user,
        pk=pk,
    )
    may_revoke = award.revoked_on is None and can(request.user, REVIEW, award.campaign.org)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can(request.user, REVIEW, award.campaign.org):
            raise PermissionDenied(_("You do not have permission to do this here."))
        if form.is_valid():
            try:
                awards.award_revoke(actor=request.user, award=award, reason=form.cleaned_data["reason"])
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("The award was revoked."))
                return redirect("campaigns:award_detail", pk=award.pk)
    context = {"award": award, "form": form, "may_revoke": may_revoke}
    return render(request, "campaigns/progress/award_detail.html", context, status=400 if form.errors else 200)


# --- Holiday calendar -----------------------------------------------------------------------


class HolidayForm(Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    workday = forms.TypedChoiceField(
        label=gettext_lazy("The day is"),
        choices=[("0", gettext_lazy("A public holiday")), ("1", gettext_lazy("A weekend day worked (调休)"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50, help_text=gettext_lazy("国庆节, 春节 …"))


def holiday_list(request: AuthedRequest) -> HttpResponse:
    """The days the holiday calendar knows, by year; the city's staff add or correct a day."""
    if not grants_for(request.user, VIEW):
        raise PermissionDenied(_("This page is not part of your role."))
    may_edit = holidays.may_edit(request.user)
    form = HolidayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("You do not have permission to do this here."))
        if form.is_valid():
            holidays.day_set(
                actor=request.user,
                day=form.cleaned_data["day"],
                workday=form.cleaned_data["workday"],
                name=form.cleaned_data["name"],
            )
            messages.success(request, _("The calendar was updated."))
            return redirect("campaigns:holidays")
    years: dict[int, list[Holiday]] = {}
    for day in Holiday.objects.order_by("day"):
        years.setdefault(day.day.year, []).append(day)
    context = {
        "years": sorted(years.items(), reverse=True),
        "form": form,
        "may_edit": may_edit,
        "this_year_known": today().year in years,
        "this_year": today().year,
    }
    return render(request, "campaigns/progress/holidays.html", context, status=400 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("progress/", progress_home, name="progress_home"),
    path("<int:pk>/progress/", progress, name="progress"),
    path("<int:pk>/progress/raters/", rater_list, name="progress_raters"),
    path("<int:pk>/progress/remind/", reminders_send, name="reminders_send"),
    path("reminders/<int:pk>/", reminder_status, name="reminder_status"),
    path("export/sheets/", sheet_export, name="sheet_export"),
    path("export/<slug:kind>/", export, name="export"),
    path("stages/<int:pk>/publicity/new/", publicity_open, name="publicity_open"),
    path("publicity/<int:pk>/", publicity_detail, name="publicity_detail"),
    path("objections/<int:pk>/", objection_detail, name="objection_detail"),
    path("<int:pk>/awards/", award_list, name="award_list"),
    path("awards/<int:pk>/", award_detail, name="award_detail"),
    path("holidays/", holiday_list, name="holidays"),
]
