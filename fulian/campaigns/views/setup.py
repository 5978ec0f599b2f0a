"""Campaign pages: setting a campaign up. The campaign list, a campaign's form (settings and
stages) and its page, opening it; the rubrics: list, new (from a shipped example), page, editor
and new version. Every write goes through ``fulian.campaigns.services.setup``; every row
through ``visible_to``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.accounts.http import AuthedRequest
from fulian.campaigns.choices import CampaignStatus, ItemKind, SheetStatus
from fulian.campaigns.models import Campaign, Publicity, RaterAssignment, Result, Rubric, ScoreSheet
from fulian.campaigns.rubrics import TEMPLATES
from fulian.campaigns.services import setup as services
from fulian.campaigns.services.common import today
from fulian.campaigns.setup_forms import (
    BLANK_SECTIONS,
    CampaignFilter,
    CampaignForm,
    RubricCreateForm,
    StageFormSet,
    posted_sections,
    stage_initial,
    stage_specs,
)
from fulian.core.forms import add_service_errors
from fulian.core.paging import page_of
from fulian.core.scoping import can, can_anywhere, get_visible_or_404
from fulian.core.views import render_list, requires_somewhere

STAGES_PREFIX = "stages"
BLANK_ITEM: dict[str, Any] = {"name": "", "kind": ItemKind.POINTS, "max_points": "", "per_fault": "", "allow_na": False}


# --- campaigns -----------------------------------------------------------------------------------


@requires_somewhere("campaigns.view")
def campaign_list(request: AuthedRequest) -> HttpResponse:
    """The campaigns the user sees (her subtree's, and those of federations above that reach
    down to it), newest year first, filtered by year, kind and status, searched by name."""
    filters = CampaignFilter.of(request.GET, user=request.user)
    context = {"form": filters.form, "can_manage": can_anywhere(request.user, "campaigns.manage")}
    return render_list(
        request, "campaigns/setup/campaign_list.html", "campaigns/setup/_campaign_results.html", filters.qs, context
    )


def _service_errors(form: Any, stage_errors: list[str], error: ValidationError) -> None:
    """A service's refusal beside its field: the stages' above the stages table, an example's
    (``template``) on the rubric."""
    if hasattr(error, "error_dict"):
        for field, found in error.message_dict.items():
            if field == "stages":
                stage_errors.extend(found)
            else:
                add_service_errors(form, ValidationError({"rubric" if field == "template" else field: found}))
    else:
        add_service_errors(form, error)


def _campaign_form_page(request: AuthedRequest, campaign: Campaign | None) -> HttpResponse:
    """The form of a new campaign (``campaign`` None) or of one to change, with its stages."""
    posted = request.method == "POST"
    year = campaign.year if campaign else today().year
    if campaign is None:
        initial: dict[str, Any] = {"year": year, "nominations_open": True, "vote_weight": 0}
        rubric = request.GET.get("rubric", "")
        if rubric:
            initial["rubric"] = rubric
    else:
        initial = {
            "kind": campaign.kind,
            "name": campaign.name,
            "year": campaign.year,
            "rubric": f"r{campaign.rubric_id}",
            "description": campaign.description,
            "nominations_open": campaign.nominations_open,
            "nominations_until": campaign.nominations_until,
            "vote_weight": campaign.vote_weight,
            "award_title": campaign.award_title,
        }
    form = CampaignForm(request.POST if posted else None, user=request.user, campaign=campaign, initial=initial)
    stages = StageFormSet(request.POST if posted else None, prefix=STAGES_PREFIX, initial=stage_initial(campaign, year))
    stage_errors: list[str] = []
    if posted and form.is_valid() & stages.is_valid():
        rubric_obj, template = form.chosen_rubric()
        specs = stage_specs(stages)
        if not form.errors:
            try:
                with transaction.atomic():
                    saved = _save_campaign(request, form, campaign, rubric_obj, template, specs)
            except ValidationError as e:
                _service_errors(form, stage_errors, e)
            else:
                messages.success(request, _("Saved."))
                return redirect("campaigns:detail", pk=saved.pk)
    stage_errors += [str(e) for e in stages.non_form_errors()]
    context = {
        "form": form,
        "stages": stages,
        "stage_errors": stage_errors,
        "campaign": campaign,
        "levels_fixed": campaign is not None and campaign.status != CampaignStatus.DRAFT,
    }
    has_errors = bool(form.errors or stage_errors or any(f.errors for f in stages.forms))
    return render(request, "campaigns/setup/campaign_form.html", context, status=400 if has_errors else 200)


def _save_campaign(
    request: AuthedRequest,
    form: CampaignForm,
    campaign: Campaign | None,
    rubric: Rubric | None,
    template: str | None,
    specs: list[services.StageSpec],
) -> Campaign:
    data = form.cleaned_data
    org = campaign.org if campaign else data["org"]
    if template is not None:
        rubric = services.rubric_create(actor=request.user, org=org, name="", template=template)
    settings = {
        "name": data["name"],
        "description": data["description"],
        "nominations_open": data["nominations_open"],
        "nominations_until": data["nominations_until"],
        "award_title": data["award_title"],
    }
    if campaign is None:
        assert rubric is not None
        return services.campaign_create(
            actor=request.user,
            org=org,
            kind=data["kind"],
            year=data["year"],
            rubric=rubric,
            vote_weight=data["vote_weight"],
            stages=specs,
            **settings,
        )
    if campaign.status == CampaignStatus.DRAFT:
        settings.update(kind=data["kind"], year=data["year"], rubric=rubric, vote_weight=data["vote_weight"])
    return services.campaign_update(actor=request.user, campaign=campaign, stages=specs, **settings)


@requires_somewhere("campaigns.manage")
def campaign_create(request: AuthedRequest) -> HttpResponse:
    return _campaign_form_page(request, None)


def _may(request: AuthedRequest, action: str | None, obj: Campaign | Rubric) -> None:
    """403 unless the user may ``action`` at the object's own federation: a campaign or rubric
    of a federation above is visible (it reaches down) but not hers to change."""
    if action is not None and not can(request.user, action, obj.org):
        raise PermissionDenied(_("You do not have permission to do this here."))


def _campaign(request: AuthedRequest, pk: int, action: str | None = None) -> Campaign:
    campaign = get_visible_or_404(
        Campaign.objects.select_related("org", "rubric__org"), request.user, pk=pk, action=action
    )
    _may(request, action, campaign)
    return campaign


def campaign_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _campaign_form_page(request, _campaign(request, pk, "campaigns.manage"))


def _rubric_structure(rubric: Rubric) -> tuple[list[Any], Decimal]:
    """The rubric's sections, each with its items (two queries), and its total points."""
    sections = list(rubric.sections.prefetch_related("items"))
    total = sum(
        (item.max_points for section in sections for item in section.items.all() if item.kind != ItemKind.VETO),
        Decimal(0),
    )
    return sections, total


def _per_stage(rows: Any, stage_ids: list[int]) -> dict[int, int]:
    return dict(
        rows.filter(stage_id__in=stage_ids)
        .order_by()
        .values("stage_id")
        .annotate(n=Count("id"))
        .values_list("stage_id", "n")
    )


def campaign_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A campaign's settings, its rubric, and its stages with what each holds so far (the
    households entered, raters assigned and sheets submitted that the user may see)."""
    campaign = _campaign(request, pk)
    stages = list(campaign.stages.order_by("order"))
    ids = [s.pk for s in stages]
    user = request.user
    entries = _per_stage(Result.objects.visible_to(user), ids)
    assigned = _per_stage(RaterAssignment.objects.visible_to(user), ids)
    sheets = _per_stage(ScoreSheet.objects.visible_to(user).filter(status=SheetStatus.SUBMITTED), ids)
    for stage in stages:
        stage.entry_count = entries.get(stage.pk, 0)  # type: ignore[attr-defined]
        stage.assigned_count = assigned.get(stage.pk, 0)  # type: ignore[attr-defined]
        stage.sheet_count = sheets.get(stage.pk, 0)  # type: ignore[attr-defined]
    publicities = dict(Publicity.objects.visible_to(user).filter(stage__in=ids).values_list("stage_id", "pk"))
    for stage in stages:
        stage.publicity_pk = publicities.get(stage.pk)  # type: ignore[attr-defined]
    sections, total = _rubric_structure(campaign.rubric)
    may_manage = can(user, "campaigns.manage", campaign.org)
    context = {
        "campaign": campaign,
        "stages": stages,
        "sections": sections,
        "total": total,
        "may_manage": may_manage,
        "may_screen": can_anywhere(user, "campaigns.screen"),
        "may_open": may_manage and campaign.status == CampaignStatus.DRAFT,
    }
    return render(request, "campaigns/setup/campaign_detail.html", context)


@require_POST
def campaign_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Start the round (its first stage is scored from now on)."""
    campaign = _campaign(request, pk, "campaigns.manage")
    try:
        services.campaign_open(actor=request.user, campaign=campaign)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The campaign is open: its first stage is being scored."))
    return redirect("campaigns:detail", pk=campaign.pk)


# --- rubrics -------------------------------------------------------------------------------------


@requires_somewhere("campaigns.view")
def rubric_list(request: AuthedRequest) -> HttpResponse:
    """The rubrics the user sees, and the shipped examples to copy."""
    rows = (
        Rubric.objects.visible_to(request.user)
        .select_related("org")
        .annotate(item_count=Count("items"))
        .order_by("org__path", "name", "-version", "id")
    )
    context = {
        "page": page_of(rows, request.GET),
        "examples": [(key, t["label"]) for key, t in TEMPLATES.items()],
        "can_manage": can_anywhere(request.user, "campaigns.manage"),
    }
    return render(request, "campaigns/setup/rubric_list.html", context)


@requires_somewhere("campaigns.manage")
def rubric_create(request: AuthedRequest) -> HttpResponse:
    """A new rubric of a federation: a copy of an example (edited afterwards), or a blank one."""
    posted = request.method == "POST"
    start = request.GET.get("start", "")
    form = RubricCreateForm(
        request.POST if posted else None, user=request.user, initial={"start": start} if start in TEMPLATES else {}
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        blank = data["start"] == RubricCreateForm.BLANK
        try:
            rubric = services.rubric_create(
                actor=request.user,
                org=data["org"],
                name=data["name"],
                kind=data["kind"],
                template=None if blank else data["start"],
                sections=BLANK_SECTIONS if blank else None,
            )
        except ValidationError as e:
            _rubric_errors(form, e)
        else:
            messages.success(request, _("Rubric made: change its items below."))
            return redirect("campaigns:rubric_edit", pk=rubric.pk)
    return render(request, "campaigns/setup/rubric_create.html", {"form": form}, status=400 if form.errors else 200)


def _rubric_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, found in error.message_dict.items():
            add_service_errors(form, ValidationError({"start" if field == "template" else field: found}))
    else:
        add_service_errors(form, error)


def _rubric(request: AuthedRequest, pk: int, action: str | None = None) -> Rubric:
    rubric = get_visible_or_404(Rubric.objects.select_related("org", "previous"), request.user, pk=pk, action=action)
    _may(request, action, rubric)
    return rubric


def _rubric_page(request: AuthedRequest, rubric: Rubric, status: int = 200) -> HttpResponse:
    sections, total = _rubric_structure(rubric)
    may_manage = can(request.user, "campaigns.manage", rubric.org)
    context = {
        "rubric": rubric,
        "sections": sections,
        "total": total,
        "may_edit": may_manage and not rubric.is_frozen,
        "may_version": may_manage,
        "may_use": can_anywhere(request.user, "campaigns.manage"),
    }
    return render(request, "campaigns/setup/rubric_detail.html", context, status=status)


def rubric_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _rubric_page(request, _rubric(request, pk))


def _editor_rows(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The editor's sections with their indexes, each with a spare blank item (and a spare
    blank section at the end) that a page without JavaScript fills in to add one."""
    rows = []
    for s, section in enumerate([*sections, {"name": "", "items": []}]):
        items = [*section.get("items", []), BLANK_ITEM]
        rows.append({"index": s, "name": section.get("name", ""), "items": list(enumerate(items))})
    return rows


def rubric_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The rubric editor: its name, sections and items, sent whole to ``rubric_update``. A
    frozen rubric (scoring has started) is shown as it is, with "make a new version"."""
    rubric = _rubric(request, pk, "campaigns.manage")
    if rubric.is_frozen:
        return _rubric_page(request, rubric)
    name = rubric.name
    sections = services.rubric_sections(rubric)
    errors: list[str] = []
    if request.method == "POST":
        name = request.POST.get("name", "")
        sections = posted_sections(request.POST)
        try:
            services.rubric_update(actor=request.user, rubric=rubric, sections=sections, name=name)
        except ValidationError as e:
            errors = e.messages
        else:
            messages.success(request, _("Saved."))
            return redirect("campaigns:rubric_detail", pk=rubric.pk)
    context = {
        "rubric": rubric,
        "name": name,
        "rows": _editor_rows(sections),
        "errors": errors,
        "kinds": ItemKind.choices,
        "blank_item": BLANK_ITEM,
        "blank_section": {"index": "__S__", "name": "", "items": [(0, BLANK_ITEM)]},
    }
    return render(request, "campaigns/setup/rubric_edit.html", context, status=400 if errors else 200)


@require_POST
def rubric_new_version(request: AuthedRequest, pk: int) -> HttpResponse:
    """A copy of the rubric to change (the next version), opened in the editor."""
    rubric = _rubric(request, pk, "campaigns.manage")
    try:
        copy = services.rubric_new_version(actor=request.user, rubric=rubric)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return redirect("campaigns:rubric_detail", pk=rubric.pk)
    messages.success(request, _("Version %(n)d made: change it below.") % {"n": copy.version})
    return redirect("campaigns:rubric_edit", pk=copy.pk)


urlpatterns: list[URLPattern] = [
    path("", campaign_list, name="list"),
    path("new/", campaign_create, name="create"),
    path("<int:pk>/", campaign_detail, name="detail"),
    path("<int:pk>/edit/", campaign_edit, name="edit"),
    path("<int:pk>/open/", campaign_open, name="open"),
    path("rubrics/", rubric_list, name="rubric_list"),
    path("rubrics/new/", rubric_create, name="rubric_create"),
    path("rubrics/<int:pk>/", rubric_detail, name="rubric_detail"),
    path("rubrics/<int:pk>/edit/", rubric_edit, name="rubric_edit"),
    path("rubrics/<int:pk>/new-version/", rubric_new_version, name="rubric_new_version"),
]
