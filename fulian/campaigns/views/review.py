"""Campaign pages: the staff review of a stage — its progress per organisation with raters
assigned, ranking and promotion; the raters of one household; a score sheet with its photos
(superseded with a reason). The ranking with a reviewer's adjustments and the review flags are
in ``review_ranking``. Every write goes through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fulian.accounts.http import AuthedRequest
from fulian.campaigns.choices import SheetStatus, StageStatus
from fulian.campaigns.models import (
    Entry,
    RaterAssignment,
    Result,
    ScoreSheet,
    SheetPhoto,
    Stage,
)
from fulian.campaigns.services import ranking, scoring
from fulian.campaigns.services.common import today
from fulian.campaigns.views.review_ranking import level_orgs, ranking_urlpatterns, stage_context, stage_for
from fulian.core.forms import Form, add_service_errors
from fulian.core.paging import page_of
from fulian.core.scoping import AnyUser, can, get_visible_or_404
from fulian.core.views import reason_page
from fulian.core.words import list_text
from fulian.people.models import Person

ORGS_PER_PAGE = 50
# Households named in the message after assigning raters; the rest are counted.
SHORT_NAMED = 10


# --- the stage -------------------------------------------------------------------------------


def _counts(queryset: QuerySet[Any], column: str, ids: list[int]) -> dict[int, int]:
    return dict(
        queryset.filter(**{f"{column}__in": ids})
        .order_by()
        .values(column)
        .annotate(n=Count("id"))
        .values_list(column, "n")
    )


@require_GET
def stage_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A stage's status, deadline and quota, and per organisation of its level in the user's
    area: households, raters assigned, sheets submitted, sheets missing."""
    stage = stage_for(request, pk)
    user = request.user
    column = stage.level_column
    # Only the organisations with households in the stage (a township has dozens of villages,
    # most with none nominated: on a phone the list would be pages of zeros).
    entered = Result.objects.visible_to(user).filter(stage=stage).values(column)
    page = page_of(level_orgs(user, stage).filter(pk__in=entered), request.GET, ORGS_PER_PAGE)
    ids = [org.pk for org in page.items]
    entries = _counts(Result.objects.visible_to(user).filter(stage=stage), column, ids)
    raters = _counts(RaterAssignment.objects.visible_to(user).filter(stage=stage), column, ids)
    sheets = _counts(ScoreSheet.objects.visible_to(user).filter(stage=stage).submitted(), column, ids)
    assigning = stage.status in (StageStatus.SCORING, StageStatus.RANKED)
    rows = [
        {
            "org": org,
            "entries": entries.get(org.pk, 0),
            "raters": raters.get(org.pk, 0),
            "sheets": sheets.get(org.pk, 0),
            "missing": raters.get(org.pk, 0) - sheets.get(org.pk, 0),
            "can_assign": assigning and can(user, "campaigns.screen", org),
        }
        for org in page.items
    ]
    context = stage_context(user, stage) | {"page": page, "rows": rows, "overdue": today() > stage.deadline}
    return render(request, "campaigns/review/stage.html", context)


@require_POST
def stage_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    """Give every household of one organisation its raters (``raters_assign``)."""
    stage = stage_for(request, pk)
    org_id = request.POST.get("org", "")
    org = level_orgs(request.user, stage).filter(pk=int(org_id)).first() if org_id.isdigit() else None
    if org is None:
        messages.error(request, _("Choose an organisation of this stage's level to assign raters in."))
        return redirect("campaigns:stage", pk=stage.pk)
    try:
        outcome = scoring.raters_assign(actor=request.user, stage=stage, org=org)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("campaigns:stage", pk=stage.pk)
    messages.success(
        request,
        _("%(org)s: %(n)d raters assigned.") % {"org": org.display_name, "n": outcome["assigned"]},
    )
    short = outcome["short"]
    if short:
        named = list_text(
            _("%(name)s (%(n)d missing)") % {"name": entry.household.head_name, "n": missing}
            for entry, missing in short[:SHORT_NAMED]
        )
        more = len(short) - SHORT_NAMED
        text = _("Too few executive members are free for %(n)d households: %(names)s.") % {
            "n": len(short),
            "names": named,
        }
        if more > 0:
            text += " " + _("And %(n)d more.") % {"n": more}
        messages.warning(request, text + " " + _("Add their raters by hand on each household's raters page."))
    return redirect("campaigns:stage", pk=stage.pk)


@require_POST
def stage_rank(request: AuthedRequest, pk: int) -> HttpResponse:
    stage = stage_for(request, pk)
    try:
        summary = ranking.stage_rank(actor=request.user, stage=stage)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("campaigns:stage", pk=stage.pk)
    messages.success(
        request,
        _("Ranked: %(ranked)d of %(results)d households have a score; %(proposed)d proposed.") % summary,
    )
    return redirect("campaigns:ranking", pk=stage.pk)


class PromoteForm(Form):
    confirm = forms.BooleanField(label=gettext_lazy("I have checked the ranking and the flags"), required=True)


def stage_promote(request: AuthedRequest, pk: int) -> HttpResponse:
    """Promotion of a ranked stage, after a confirmation; the service's refusals (publicity not
    over, an objection open, already promoted) are shown on the page."""
    stage = stage_for(request, pk)
    form = PromoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            summary = ranking.stage_promote(actor=request.user, stage=stage)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Promoted: %(promoted)d households.") % summary)
            return redirect("campaigns:stage", pk=stage.pk)
    proposed = Result.objects.visible_to(request.user).filter(stage=stage, proposed=True).count()
    context = stage_context(request.user, stage) | {
        "form": form,
        "proposed": proposed,
        "top": ranking.is_top(stage),
        "objections": ranking.open_objections(stage),
    }
    return render(request, "campaigns/review/promote.html", context, status=400 if form.errors else 200)


# --- the raters of an entry ------------------------------------------------------------------


class RaterForm(Form):
    person = forms.ModelChoiceField(label=gettext_lazy("Executive member"), queryset=Person.objects.none())

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


def _candidates(user: AnyUser, stage: Stage, entry: Entry) -> QuerySet[Person]:
    """The 执委 who may rate the entry's households (``scoring._candidates``), among the people
    the user sees, without those rating it already."""
    org_id = getattr(entry, stage.level_column)
    found = scoring._candidates(stage, [org_id], today()).get(org_id, []) if org_id else []
    taken = RaterAssignment.objects.filter(stage=stage, entry=entry).values("person_id")
    return (
        Person.objects.visible_to(user, "campaigns.view")
        .filter(pk__in=[p.pk for p in found])
        .exclude(pk__in=taken)
        .order_by("name", "id")
    )


def entry_raters(request: AuthedRequest, pk: int) -> HttpResponse:
    """The raters of a household at its current stage with their sheets; add one (conflicts of
    interest refused by the service), or take off one who has not scored."""
    entry = get_visible_or_404(
        Entry.objects.select_related("household", "org", "stage__campaign__org", "campaign"), request.user, pk=pk
    )
    stage = entry.stage
    user = request.user
    may_change = can(user, "campaigns.screen", entry.org) and stage.status in (
        StageStatus.SCORING,
        StageStatus.RANKED,
    )
    people = _candidates(user, stage, entry) if may_change else Person.objects.none()
    adding = request.method == "POST" and "remove" not in request.POST
    form = RaterForm(request.POST if adding else None, people=people)
    problems: list[str] = []  # what refused a removal (the form's errors are for adding)
    if request.method == "POST" and not may_change:
        problems.append(_("Raters can be changed only by staff while the stage is being scored."))
    elif request.method == "POST" and not adding:
        remove = request.POST["remove"]
        assignment = (
            RaterAssignment.objects.visible_to(user).filter(stage=stage, entry=entry, pk=remove).first()
            if remove.isdigit()
            else None
        )
        if assignment is None:
            problems.append(_("That rater is not on this household."))
        else:
            try:
                scoring.rater_remove(actor=user, assignment=assignment)
            except ValidationError as e:
                problems.extend(e.messages)
            else:
                name = assignment.person.name
                messages.success(request, _("%(name)s no longer rates this household.") % {"name": name})
                return redirect("campaigns:entry_raters", pk=entry.pk)
    elif adding and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            scoring.rater_assign(actor=user, stage=stage, entry=entry, person=person)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(name)s rates this household.") % {"name": person.name})
            return redirect("campaigns:entry_raters", pk=entry.pk)
    assignments = list(
        RaterAssignment.objects.visible_to(user)
        .filter(stage=stage, entry=entry)
        .select_related("person")
        .prefetch_related("sheets")
    )
    context = {
        "entry": entry,
        "stage": stage,
        "assignments": assignments,
        "form": form,
        "may_change": may_change,
        "problems": problems,
    }
    status = 400 if form.errors or problems else 200
    return render(request, "campaigns/review/entry_raters.html", context, status=status)


# --- a sheet ---------------------------------------------------------------------------------


def _sheet(request: AuthedRequest, pk: int) -> ScoreSheet:
    return get_visible_or_404(
        ScoreSheet.objects.select_related("rater", "entry__household", "stage__campaign", "rubric", "superseded_by"),
        request.user,
        pk=pk,
    )


@require_GET
def sheet_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A score sheet: each item's value under its section, the total, the veto, the comment,
    when and where it was scored, its photos."""
    sheet = _sheet(request, pk)
    photos = list(sheet.photos.all())
    by_item: dict[int | None, list[SheetPhoto]] = {}
    for photo in photos:
        by_item.setdefault(photo.item_id, []).append(photo)
    sections = []
    for section in sheet.rubric.sections.prefetch_related("items"):
        items = []
        for item in section.items.all():
            value = sheet.items.get(str(item.pk), {})
            items.append({"item": item, "value": value, "photos": by_item.get(item.pk, [])})
        sections.append({"section": section, "items": items})
    context = {
        "sheet": sheet,
        "sections": sections,
        "photos": by_item.get(None, []),
        "may_supersede": sheet.status == SheetStatus.SUBMITTED
        and can(request.user, "campaigns.review", sheet.org)
        and sheet.stage.status in (StageStatus.SCORING, StageStatus.RANKED),
    }
    return render(request, "campaigns/review/sheet_detail.html", context)


def sheet_supersede(request: AuthedRequest, pk: int) -> HttpResponse:
    sheet = _sheet(request, pk)
    return reason_page(
        request,
        act=lambda reason: scoring.sheet_supersede(actor=request.user, sheet=sheet, reason=reason),
        title=_("Supersede the sheet"),
        subject=f"{sheet.rater.name} · {sheet.entry.household.head_name}",
        back_url=reverse("campaigns:sheet_detail", kwargs={"pk": sheet.pk}),
        consequences=[
            _("The sheet stays on record but no longer counts towards the household's score."),
            _("The rater may score the household again, also after the deadline."),
            _("The stage is to be ranked again."),
        ],
        button=_("Supersede"),
        done=_("The sheet is superseded."),
    )


@require_GET
def sheet_photo(request: AuthedRequest, pk: int) -> FileResponse:
    """A sheet's photo, for those who may see the sheet (media files are never served directly)."""
    photo = SheetPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404(_("Not found."))
    _sheet(request, photo.sheet_id)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns: list[URLPattern] = [
    path("stages/<int:pk>/", stage_detail, name="stage"),
    path("stages/<int:pk>/assign/", stage_assign, name="stage_assign"),
    path("stages/<int:pk>/rank/", stage_rank, name="stage_rank"),
    path("stages/<int:pk>/promote/", stage_promote, name="stage_promote"),
    path("entries/<int:pk>/raters/", entry_raters, name="entry_raters"),
    path("sheets/<int:pk>/", sheet_detail, name="sheet_detail"),
    path("sheets/<int:pk>/supersede/", sheet_supersede, name="sheet_supersede"),
    path("sheets/photos/<int:pk>/", sheet_photo, name="sheet_photo"),
    *ranking_urlpatterns,
]
