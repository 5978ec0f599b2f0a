"""Campaign pages of a stage's review as a whole: its ranking with a reviewer's adjustments,
its review flags, and the stage lookup every review page shares (``views/review.py`` serves
the stage's progress, a household's raters and a sheet)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fulian.accounts.http import AuthedRequest
from fulian.campaigns import flags as review_flags
from fulian.campaigns.choices import Decision, StageStatus
from fulian.campaigns.models import (
    REASON_MAX_LENGTH,
    Campaign,
    Flag,
    Result,
    Stage,
)
from fulian.campaigns.services import ranking
from fulian.core.forms import Form
from fulian.core.paging import page_of
from fulian.core.scoping import AnyUser, can, get_visible_or_404
from fulian.core.views import reason_page, wants_fragment
from fulian.orgs.models import Organisation

RESULTS_PER_PAGE = 100
FLAGS_PER_PAGE = 100


# --- the stage -------------------------------------------------------------------------------


def stage_for(request: AuthedRequest, pk: int) -> Stage:
    """A stage of a campaign the user sees (a stage has no organisation of its own: its
    campaign's scope is its scope), else 404."""
    stage = Stage.objects.select_related("campaign__org", "campaign__rubric").filter(pk=pk).first()
    if stage is None:
        raise Http404(_("Not found."))
    stage.campaign = get_visible_or_404(
        Campaign.objects.select_related("org", "rubric"), request.user, pk=stage.campaign_id
    )
    return stage


def level_orgs(user: AnyUser, stage: Stage) -> QuerySet[Organisation]:
    """The organisations of the stage's level in the campaign's subtree that the user sees."""
    return (
        Organisation.objects.visible_to(user, "campaigns.view")
        .filter(level=stage.level, path__startswith=stage.campaign.org.path)
        .order_by("path")
    )


def stage_context(user: AnyUser, stage: Stage) -> dict[str, Any]:
    return {
        "stage": stage,
        "campaign": stage.campaign,
        "can_review": can(user, "campaigns.review", stage.campaign.org),
        "open_flags": Flag.objects.visible_to(user).filter(stage=stage, cleared_at__isnull=True).exists(),
    }


# --- flags -----------------------------------------------------------------------------------


@require_GET
def flag_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The stage's review flags in the user's area, uncleared first."""
    stage = stage_for(request, pk)
    flags = (
        Flag.objects.visible_to(request.user)
        .filter(stage=stage)
        .select_related("entry__household", "other_entry__household", "person", "org", "cleared_by")
        .order_by(F("cleared_at").desc(nulls_first=True), "kind", "id")
    )
    context = stage_context(request.user, stage) | {
        "page": page_of(flags, request.GET, FLAGS_PER_PAGE),
        "thresholds": {
            "bias": review_flags.BIAS_POINTS,
            "shared": review_flags.BIAS_MIN_SHARED,
            "spread": review_flags.SPREAD_POINTS,
        },
    }
    return render(request, "campaigns/review/flags.html", context)


@require_POST
def flags_find(request: AuthedRequest, pk: int) -> HttpResponse:
    stage = stage_for(request, pk)
    found = review_flags.flags_find(stage, actor=request.user)
    messages.success(request, _("%(n)d flags found.") % {"n": found})
    return redirect("campaigns:flags", pk=stage.pk)


def flag_clear(request: AuthedRequest, pk: int) -> HttpResponse:
    flag = get_visible_or_404(Flag.objects.select_related("stage"), request.user, pk=pk)
    return reason_page(
        request,
        act=lambda note: review_flags.flag_clear(actor=request.user, flag=flag, note=note),
        title=_("Clear the flag"),
        subject=_("Review flags"),
        back_url=reverse("campaigns:flags", kwargs={"pk": flag.stage_id}),
        consequences=[
            _("The flag stays on record with your note; finding flags again does not raise it anew."),
        ],
        button=_("Clear"),
        done=_("The flag is cleared."),
        help_text=_("What you checked, or what was done."),
    )


# --- the ranking -----------------------------------------------------------------------------


class AdjustForm(Form):
    decision = forms.ChoiceField(label=gettext_lazy("Adjustment"), choices=Decision.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=REASON_MAX_LENGTH, required=False)


def _ranking_rows(user: AnyUser, stage: Stage) -> QuerySet[Result]:
    level = stage.level
    return (
        Result.objects.visible_to(user)
        .filter(stage=stage)
        .select_related("entry__household", level)
        .order_by(f"{level}__path", F("rank").asc(nulls_last=True), "id")
    )


@require_GET
def ranking_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The stage's results by organisation then rank, each organisation with its quota; the
    reviewer adjusts a row with a reason."""
    stage = stage_for(request, pk)
    user = request.user
    orgs = list(level_orgs(user, stage).only("pk", "display_name", "path"))
    chosen = None
    raw = request.GET.get("org", "")
    rows = _ranking_rows(user, stage)
    if raw:
        chosen = next((o for o in orgs if str(o.pk) == raw), None)
        if chosen is None:
            return render(
                request,
                "campaigns/review/ranking.html",
                stage_context(user, stage) | {"orgs": orgs, "bad_org": True, "groups": [], "page": None},
                status=400,
            )
        rows = rows.filter(**{stage.level_column: chosen.pk})
    page = page_of(rows, request.GET, RESULTS_PER_PAGE)
    column = stage.level_column
    ids = list({getattr(r, column) for r in page.items})
    sizes: dict[int, tuple[int, int]] = {
        key: (n, p)
        for key, n, p in Result.objects.visible_to(user)
        .filter(stage=stage, **{f"{column}__in": ids})
        .order_by()
        .values(column)
        .annotate(n=Count("id"), p=Count("id", filter=Q(proposed=True)))
        .values_list(column, "n", "p")
    }
    groups: list[dict[str, Any]] = []
    for result in page.items:
        key = getattr(result, column)
        if not groups or groups[-1]["key"] != key:
            size, proposed = sizes.get(key, (0, 0))
            groups.append(
                {
                    "key": key,
                    "org": getattr(result, stage.level),
                    "size": size,
                    "quota": ranking.quota_of(stage, size),
                    "proposed": proposed,
                    "rows": [],
                }
            )
        groups[-1]["rows"].append(result)
    context = stage_context(user, stage) | {
        "orgs": orgs,
        "chosen": chosen,
        "page": page,
        "groups": groups,
        "may_adjust": stage.status == StageStatus.RANKED and can(user, "campaigns.review", stage.campaign.org),
        "decisions": Decision.choices,
    }
    return render(request, "campaigns/review/ranking.html", context)


@require_POST
def result_adjust(request: AuthedRequest, pk: int) -> HttpResponse:
    """One row's adjustment with its reason; htmx gets the row back, a plain form the page."""
    result = get_visible_or_404(
        Result.objects.select_related("entry__household", "stage__campaign__org"), request.user, pk=pk
    )
    form = AdjustForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            result = ranking.result_adjust(
                actor=request.user,
                result=result,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as e:
            error = " ".join(e.messages)
    else:
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
    if not wants_fragment(request):
        if error:
            context = {"error": error, "result": result}
            return render(request, "campaigns/review/adjust_error.html", context, status=400)
        messages.success(request, _("Adjusted: %(name)s.") % {"name": result.entry.household.head_name})
        return redirect("campaigns:ranking", pk=result.stage_id)
    context = {
        "result": result,
        "stage": result.stage,
        "may_adjust": True,
        "decisions": Decision.choices,
        "error": error,
    }
    # htmx swaps only successful answers: a refusal comes back as the row with its message.
    return render(request, "campaigns/review/_ranking_row.html", context)


ranking_urlpatterns: list[URLPattern] = [
    path("stages/<int:pk>/ranking/", ranking_page, name="ranking"),
    path("stages/<int:pk>/flags/", flag_list, name="flags"),
    path("stages/<int:pk>/flags/find/", flags_find, name="flags_find"),
    path("flags/<int:pk>/clear/", flag_clear, name="flag_clear"),
    path("results/<int:pk>/adjust/", result_adjust, name="result_adjust"),
]
