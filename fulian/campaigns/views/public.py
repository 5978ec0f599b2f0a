"""The public pages of a campaign (no account, DESIGN.md §1 "the public"): the nomination form
(群众举荐 / 自荐), the 公示 list with an objection form per household, the honour roll of an
organisation, and the QR code of each page's share link.

They show the least (names and villages; never ID numbers, phones or exact scores) and take
ids named after what they are (``campaign``, ``publicity``, ``org``), not ``pk``: they are
public, not scoped to an account. Every form goes through ``fulian.campaigns.guard``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, URLPattern, path, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from fulian.campaigns import guard, qr
from fulian.campaigns.choices import CampaignStatus, NominationSource, StageStatus
from fulian.campaigns.models import REASON_MAX_LENGTH, Award, Campaign, Entry, Publicity, Result
from fulian.campaigns.services import awards, nominations
from fulian.campaigns.services import publicity as publicity_services
from fulian.campaigns.services.common import today
from fulian.campaigns.services.publicity import DEFAULT_DAYS
from fulian.campaigns.services.ranking import is_top
from fulian.core.ancestry import LEVEL_COLUMNS
from fulian.core.forms import Form, add_service_errors
from fulian.core.paging import page_of
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

# A campaign with at most this many villages offers them in one select grouped by township;
# a larger one (a city has 1,400) asks county → township → village, loaded as chosen.
GROUPED_MAX = 300
HONOURS_PER_PAGE = 50
PLAQUES_MAX = 2000
NOMINATE, OBJECT, VOTE = "nominate", "object", "vote"


def score_band(score: Decimal | None) -> str:
    """What the public reads of a score: its band of ten points, never the score itself."""
    if score is None:
        return ""
    if score >= 90:
        return _("%(low)d points and above") % {"low": 90}
    if score < 60:
        return _("below %(high)d points") % {"high": 60}
    low = int(score // 10 * 10)
    return _("%(low)d–%(high)d points") % {"low": low, "high": low + 9}


def share(request: HttpRequest, page_path: str | None = None) -> dict[str, str]:
    """The absolute link of a public page and the address of its QR code (扫一扫)."""
    page_path = page_path or request.get_full_path()
    return {
        "share_url": request.build_absolute_uri(page_path),
        "qr_url": f"{reverse('public:qr')}?{urlencode({'path': page_path})}",
    }


def _public_campaign(campaign_id: int) -> Campaign:
    """A campaign the public may see: opened (a draft is not public yet)."""
    return get_object_or_404(
        Campaign.objects.select_related("org").exclude(status=CampaignStatus.DRAFT), pk=campaign_id
    )


def _closed_message(campaign: Campaign) -> str:
    try:
        nominations._accepting(campaign, public=True)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def _villages(campaign: Campaign) -> Any:
    return Organisation.objects.filter(path__startswith=campaign.org.path, level=Level.VILLAGE)


def _guard_context(purpose: str) -> dict[str, Any]:
    drawn = guard.challenge(purpose)
    return {
        "guard_question": drawn.question,
        "guard_token": drawn.token,
        "token_field": guard.TOKEN_FIELD,
        "answer_field": guard.ANSWER_FIELD,
        "honeypot_field": guard.HONEYPOT_FIELD,
    }


class GuardedForm(Form):
    """A public form: its fields, and the answer to the guard's question (checked by the guard)."""

    guard_answer = forms.CharField(
        label=gettext_lazy("Answer"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def refuse(self, refused: guard.Refused) -> None:
        self.add_error(refused.field if refused.field in self.fields else None, refused.message)
        self.new_question()

    def new_question(self) -> None:
        """The page asks a new question: what was typed for the old one is no answer to it."""
        data = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        data[guard.ANSWER_FIELD] = ""
        self.data = data


class NominationForm(GuardedForm):
    source = forms.ChoiceField(
        label=gettext_lazy("Who is nominating"),
        choices=[
            (NominationSource.PUBLIC, gettext_lazy("I nominate a household I know (群众举荐)")),
            (NominationSource.SELF, gettext_lazy("I nominate my own household (自荐)")),
        ],
        initial=NominationSource.PUBLIC,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=gettext_lazy("Head of household"), max_length=100)
    village = forms.IntegerField(label=gettext_lazy("Village"), widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Why this household"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REASON_MAX_LENGTH, "data-count": REASON_MAX_LENGTH}),
    )
    nominator = forms.CharField(label=gettext_lazy("Your name (optional)"), max_length=100, required=False)
    phone = forms.CharField(
        label=gettext_lazy("Your phone"),
        max_length=20,
        help_text=gettext_lazy("Only the federation's staff see it, to reach you about this nomination."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    field_order = ["source", "name", "village", "reason", "nominator", "phone", "guard_answer"]

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["village"].error_messages["required"] = _("Choose the village of the household.")

    def clean_village(self) -> Organisation:
        village = _villages(self.campaign).filter(pk=self.cleaned_data["village"]).first()
        if village is None:
            raise ValidationError(_("Choose a village of %(org)s.") % {"org": self.campaign.org.display_name})
        return village


@dataclass
class PlaceSelect:
    """One select of the county → township → village chain, its options and the one chosen."""

    level: str
    label: str
    name: str
    options: list[tuple[int, str]]
    chosen: int | None


def _children(parent: Organisation) -> list[tuple[int, str]]:
    rows = Organisation.objects.filter(parent=parent).exclude(level=Level.GROUP).order_by("code")
    return list(rows.values_list("pk", "display_name"))


def _place_selects(campaign: Campaign, chosen: Any) -> list[PlaceSelect]:
    """The chain of selects below the campaign's organisation, filled down to the chosen village."""
    root = campaign.org
    levels = [level for level in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE) if _depth(level) > _depth(root.level)]
    chain: list[Organisation] = []
    if chosen:
        village = _villages(campaign).filter(pk=chosen).first()
        if village is not None:
            all_codes = village.path.strip("/").split("/")
            codes = all_codes[all_codes.index(root.code) + 1 :]
            by_code = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
            chain = [by_code[c] for c in codes if c in by_code]
    selects: list[PlaceSelect] = []
    parent: Organisation | None = root
    for n, level in enumerate(levels):
        picked = chain[n] if n < len(chain) else None
        selects.append(
            PlaceSelect(
                level=level,
                label=str(Level(level).label),
                name="village" if level == Level.VILLAGE else f"place_{level}",
                options=_children(parent) if parent is not None else [],
                chosen=picked.pk if picked else None,
            )
        )
        parent = picked
    return selects


def _depth(level: str) -> int:
    return [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP].index(Level(level))


def _grouped_villages(campaign: Campaign) -> list[tuple[str, list[tuple[int, str]]]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, name, township in (
        _villages(campaign).order_by("path").values_list("pk", "display_name", "parent__display_name")
    ):
        groups.setdefault(township or "", []).append((pk, name))
    return list(groups.items())


@login_not_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, campaign: int) -> HttpResponse:
    """群众举荐 or 自荐 of a household, by anyone: stored for the federation's staff to screen."""
    the_campaign = _public_campaign(campaign)
    closed = _closed_message(the_campaign)
    form = NominationForm(request.POST or None, campaign=the_campaign)
    status = 200
    if request.method == "POST" and not closed:
        try:
            guard.check_rate(NOMINATE, request)
            guard.check(NOMINATE, request.POST)
        except guard.Refused as refused:
            if refused.done:
                return redirect("public:nominate_thanks", campaign=the_campaign.pk)
            form.is_valid()
            form.refuse(refused)
            status = 400
        else:
            if form.is_valid():
                try:
                    nominations.nomination_public(
                        campaign=the_campaign,
                        village=form.cleaned_data["village"],
                        name=form.cleaned_data["name"],
                        reason=form.cleaned_data["reason"],
                        phone=form.cleaned_data["phone"],
                        nominator=form.cleaned_data["nominator"],
                        source=form.cleaned_data["source"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    guard.count(NOMINATE, request)
                    return redirect("public:nominate_thanks", campaign=the_campaign.pk)
            form.new_question()
            status = 400
    elif request.method == "POST":
        status = 400
    village_count = _villages(the_campaign).count()
    chosen = form["village"].value()
    context: dict[str, Any] = {
        "campaign": the_campaign,
        "closed": closed,
        "form": form,
        "grouped": _grouped_villages(the_campaign) if village_count <= GROUPED_MAX else None,
        "place_selects": _place_selects(the_campaign, chosen) if village_count > GROUPED_MAX else None,
        "chosen_village": str(chosen or ""),
        "places_url": reverse("public:places", kwargs={"campaign": the_campaign.pk}),
        **_guard_context(NOMINATE),
        **share(request, reverse("public:nominate", kwargs={"campaign": the_campaign.pk})),
    }
    return render(request, "campaigns/public/nominate.html", context, status=status)


@login_not_required
@require_GET
def nominate_thanks(request: HttpRequest, campaign: int) -> HttpResponse:
    the_campaign = _public_campaign(campaign)
    context = {
        "campaign": the_campaign,
        **share(request, reverse("public:nominate", kwargs={"campaign": the_campaign.pk})),
    }
    return render(request, "campaigns/public/nominate_thanks.html", context)


@login_not_required
@require_GET
def places(request: HttpRequest, campaign: int) -> JsonResponse:
    """The organisations under one of the campaign's subtree (``?parent=id``, the campaign's own
    when absent), down to villages: the nomination form's selects, filled as a phone chooses."""
    the_campaign = _public_campaign(campaign)
    parent: Organisation = the_campaign.org
    raw = request.GET.get("parent", "")
    if raw:
        if not raw.isascii() or not raw.isdigit():
            raise Http404
        found = Organisation.objects.filter(pk=int(raw), path__startswith=the_campaign.org.path).first()
        if found is None or found.level in (Level.VILLAGE, Level.GROUP):
            raise Http404
        parent = found
    rows = [{"id": pk, "name": name} for pk, name in _children(parent)]
    response = JsonResponse({"places": rows}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _public_publicity(publicity_id: int) -> Publicity:
    return get_object_or_404(Publicity.objects.select_related("stage__campaign__org"), pk=publicity_id)


def _proposed(notice: Publicity) -> Any:
    return (
        Result.objects.filter(stage_id=notice.stage_id, proposed=True)
        .select_related("entry__household", "village", "township")
        .order_by("village__path", "entry__household__head_name", "id")
    )


def _household_name(entry: Entry) -> str:
    return str(entry.household)


def publicity_rows(notice: Publicity, results: Any) -> list[dict[str, Any]]:
    """The rows the public (and the notice board) read: name, village, band; nothing else."""
    return [
        {
            "entry_id": r.entry_id,
            "name": _household_name(r.entry),
            "village": r.village.display_name if r.village else "",
            "township": r.township.display_name if r.township else "",
            "band": score_band(r.score),
        }
        for r in results
    ]


def _filter_orgs(notice: Publicity) -> tuple[str, list[tuple[int, str]]]:
    """The organisations one level below the campaign's that have households on the list."""
    root = notice.stage.campaign.org
    order = [Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]
    below = order[order.index(Level(root.level)) + 1] if root.level in order[:-1] else Level.VILLAGE
    column = LEVEL_COLUMNS[below]
    ids = set(_proposed(notice).values_list(column, flat=True))
    rows = Organisation.objects.filter(pk__in=[i for i in ids if i]).order_by("code")
    return column, list(rows.values_list("pk", "display_name"))


def publicity_period(notice: Publicity) -> dict[str, Any]:
    return {
        "starts_on": notice.starts_on,
        "ends_on": notice.ends_on,
        "days": notice.stage.publicity_days or DEFAULT_DAYS,
        "running": publicity_services.is_running(notice),
        "ended": today() > notice.ends_on,
    }


@login_not_required
@require_GET
def publicity(request: HttpRequest, publicity: int) -> HttpResponse:
    """A 公示: the proposed households (name, village, score band), its period and how to object."""
    notice = _public_publicity(publicity)
    column, orgs = _filter_orgs(notice)
    results = _proposed(notice)
    chosen = request.GET.get("org", "")
    if chosen.isascii() and chosen.isdigit() and int(chosen) in {pk for pk, _name in orgs}:
        results = results.filter(**{column: int(chosen)})
    else:
        chosen = ""
    context = {
        "notice": notice,
        "stage": notice.stage,
        "campaign": notice.stage.campaign,
        "rows": publicity_rows(notice, results),
        "orgs": orgs,
        "chosen_org": chosen,
        **publicity_period(notice),
        **share(request, reverse("public:publicity", kwargs={"publicity": notice.pk})),
    }
    return render(request, "campaigns/public/publicity.html", context)


class ObjectionForm(GuardedForm):
    reason = forms.CharField(
        label=gettext_lazy("Your objection"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 500, "data-count": 500}),
    )
    name = forms.CharField(label=gettext_lazy("Your name (optional)"), max_length=100, required=False)
    phone = forms.CharField(
        label=gettext_lazy("Your phone"),
        max_length=20,
        help_text=gettext_lazy("Only the federation's staff see it, to tell you what they found."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    field_order = ["reason", "name", "phone", "guard_answer"]


def _objection_thanks(request: HttpRequest, notice: Publicity, entry: Entry) -> HttpResponse:
    context = {"notice": notice, "campaign": notice.stage.campaign, "name": _household_name(entry)}
    return render(request, "campaigns/public/objection_thanks.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest, publicity: int, entry: int) -> HttpResponse:
    """An objection (异议) to one household of a running 公示."""
    notice = _public_publicity(publicity)
    result = get_object_or_404(_proposed(notice).select_related("entry__household", "village"), entry_id=entry)
    period = publicity_period(notice)
    refused = ""
    if period["ended"]:
        refused = _("The publicity closed on %(day)s; objections are no longer taken.") % {
            "day": notice.ends_on.isoformat()
        }
    elif not period["running"]:
        refused = _("The publicity starts on %(day)s.") % {"day": notice.starts_on.isoformat()}
    form = ObjectionForm(None if refused else (request.POST or None))
    status = 400 if request.method == "POST" and refused else 200
    if request.method == "POST" and not refused:
        try:
            guard.check_rate(OBJECT, request)
            guard.check(OBJECT, request.POST)
        except guard.Refused as error:
            if error.done:
                return _objection_thanks(request, notice, result.entry)
            form.is_valid()
            form.refuse(error)
        else:
            if form.is_valid():
                try:
                    publicity_services.objection_lodge(
                        publicity=notice,
                        entry=result.entry,
                        reason=form.cleaned_data["reason"],
                        name=form.cleaned_data["name"],
                        phone=form.cleaned_data["phone"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    guard.count(OBJECT, request)
                    return _objection_thanks(request, notice, result.entry)
            form.new_question()
        status = 400
    context = {
        "notice": notice,
        "campaign": notice.stage.campaign,
        "row": publicity_rows(notice, [result])[0],
        "form": form,
        "refused": refused,
        **period,
        **_guard_context(OBJECT),
        **share(request, reverse("public:publicity", kwargs={"publicity": notice.pk})),
    }
    return render(request, "campaigns/public/objection.html", context, status=status)


def _subtree_awards(org: Organisation) -> Any:
    column = LEVEL_COLUMNS.get(org.level)
    scope = {column: org.pk} if column else {"org__path__startswith": org.path}
    return Award.objects.standing().filter(**scope)


@login_not_required
@require_GET
def honours(request: HttpRequest, org: int) -> HttpResponse:
    """The honour roll of an organisation's subtree for a year: its standing awards and the
    households that hang a plaque (挂牌), by village."""
    the_org = get_object_or_404(Organisation, pk=org)
    awards_here = _subtree_awards(the_org)
    years = sorted(set(awards_here.values_list("campaign__year", flat=True)), reverse=True)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isascii() and raw.isdigit() and int(raw) in years else (years[0] if years else None)
    shown = awards_here.filter(campaign__year=year).select_related("household", "village", "campaign")
    page = page_of(shown.order_by("village__path", "household__head_name", "id"), request.GET, HONOURS_PER_PAGE)
    plaques: dict[str, list[str]] = {}
    for village, head, erased in (
        shown.filter(plaque=True)
        .order_by("village__path", "household__head_name")
        .values_list("village__display_name", "household__head_name", "household__erased_at")[:PLAQUES_MAX]
    ):
        plaques.setdefault(village or "", []).append(str(_("(erased)")) if erased else head)
    context = {
        "org": the_org,
        "years": years,
        "year": year,
        "page": page,
        "plaques": list(plaques.items()),
        **share(request),
    }
    return render(request, "campaigns/public/honours.html", context)


@login_not_required
@require_GET
def qr_code(request: HttpRequest) -> HttpResponse:
    """The QR code (SVG) of a public page's absolute link: ``?path=/p/…``."""
    page_path = request.GET.get("path", "")
    try:
        match = resolve(page_path.split("?", 1)[0])
    except Resolver404:
        raise Http404 from None
    if (
        match.namespace != "public"
        or match.url_name == "qr"
        or not page_path.startswith("/")
        or page_path.startswith("//")
    ):
        raise Http404
    response = HttpResponse(qr.svg(request.build_absolute_uri(page_path)), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class VoteForm(GuardedForm):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    phone = forms.CharField(
        label=gettext_lazy("Your phone"),
        max_length=20,
        help_text=gettext_lazy("One vote per phone per day. The phone is kept only as a code that cannot be read."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def _vote_post(request: HttpRequest, form: VoteForm, stage: Any, entries: Any) -> str:
    """Cast a vote through the guard: the household's name when counted, else '' (the form
    holds the message)."""
    try:
        guard.check_rate(VOTE, request)
        guard.check(VOTE, request.POST)
    except guard.Refused as error:
        form.is_valid()
        form.refuse(error)
        return ""
    if not form.is_valid():
        return ""
    entry = entries.filter(pk=form.cleaned_data["entry"]).first()
    if entry is None:
        form.add_error(None, _("This household is not in the vote."))
        return ""
    try:
        awards.vote_cast(stage=stage, entry=entry, phone=form.cleaned_data["phone"])
    except ValidationError as error:
        add_service_errors(form, error)
        return ""
    guard.count(VOTE, request)
    return _household_name(entry)


@login_not_required
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, campaign: int) -> HttpResponse:
    """The public vote of a campaign whose top stage is being scored: one vote per phone per day."""
    the_campaign = _public_campaign(campaign)
    stage = the_campaign.stages.order_by("-order").first()
    if stage is None or not the_campaign.vote_weight or not is_top(stage):
        raise Http404
    entries = (
        Entry.objects.filter(stage=stage, campaign=the_campaign, status="active")
        .select_related("household", "village")
        .order_by("village__path", "household__head_name", "id")
    )
    open_ = stage.status == StageStatus.SCORING
    form = VoteForm(request.POST or None)
    voted = ""
    if request.method == "POST":
        voted = _vote_post(request, form, stage, entries) if open_ else ""
        if not open_:
            form.add_error(None, _("Voting is closed."))
        if voted:
            form = VoteForm()
        else:
            form.new_question()
    page = page_of(entries, request.GET, HONOURS_PER_PAGE)
    context = {
        "campaign": the_campaign,
        "stage": stage,
        "open": open_,
        "page": page,
        "form": form,
        "voted": voted,
        "chosen_entry": str(form["entry"].value() or ""),
        **_guard_context(VOTE),
        **share(request, reverse("public:vote", kwargs={"campaign": the_campaign.pk})),
    }
    status = 400 if request.method == "POST" and not voted else 200
    return render(request, "campaigns/public/vote.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("campaigns/<int:campaign>/nominate/", nominate, name="nominate"),
    path("campaigns/<int:campaign>/nominate/thanks/", nominate_thanks, name="nominate_thanks"),
    path("campaigns/<int:campaign>/places/", places, name="places"),
    path("campaigns/<int:campaign>/vote/", vote, name="vote"),
    path("publicity/<int:publicity>/", publicity, name="publicity"),
    path("publicity/<int:publicity>/object/<int:entry>/", objection, name="object"),
    path("honours/<int:org>/", honours, name="honours"),
    path("qr.svg", qr_code, name="qr"),
]
