"""Campaign pages: nominations for staff — the campaign's nominations (possible duplicates
flagged), screening one (accept for a household of the registry, merge into another, reject
with a reason), 妇联推荐 from the registry, the spreadsheet upload, and declared interests."""

from __future__ import annotations

from collections import Counter
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fulian.accounts.http import AuthedRequest
from fulian.campaigns.choices import ConflictReason, NominationSource, NominationStatus
from fulian.campaigns.imports import KIND as IMPORT_KIND
from fulian.campaigns.models import REASON_MAX_LENGTH, Campaign, Conflict, Entry, Nomination
from fulian.campaigns.services import conflicts as conflict_services
from fulian.campaigns.services import nominations as services
from fulian.campaigns.services.common import within
from fulian.core.ancestry import within_q
from fulian.core.filters import MAX_ID, OrgFilter, ScopedFilterSet
from fulian.core.forms import Form, add_service_errors
from fulian.core.paging import page_of
from fulian.core.scoping import AnyUser, can, can_anywhere, get_visible_or_404
from fulian.core.views import render_list, requires_somewhere, wants_fragment
from fulian.households.filters import HouseholdFilter
from fulian.households.models import Household
from fulian.imports import services as import_services
from fulian.orgs.forms import OrgChoiceField
from fulian.people.models import Person, Post

PER_PAGE = 50
# Households offered when accepting a public nomination (a village rarely has more).
HOUSEHOLDS_OFFERED = 1000
# Nominations offered to merge into: the possible duplicates first.
MERGE_OFFERED = 300
# 执委 offered when declaring an interest: those with a current post at the household's village.
PEOPLE_OFFERED = 500
# Households found by the declare form's search.
FOUND_MAX = 20
# The household list's filters that mean nothing when nominating (archived households cannot be
# nominated; coverage and contacts are the grid's business).
REGISTRY_FILTERS_LEFT_OUT = ("archived", "covered", "uncontacted")
# The statuses a nomination can be merged into.
OPEN_STATUSES = (NominationStatus.PENDING, NominationStatus.ACCEPTED)


def _campaign(request: AuthedRequest, pk: int) -> Campaign:
    return get_visible_or_404(Campaign.objects.select_related("org"), request.user, pk=pk)


# The list ------------------------------------------------------------------------------------


class NominationFilter(ScopedFilterSet):
    """A campaign's nominations: newest first, by status, source, organisation, name."""

    search = django_filters.CharFilter(
        label=gettext_lazy("Head of household's name"), max_length=50, method="filter_search"
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=NominationStatus.choices, empty_label=gettext_lazy("Any status")
    )
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Nominated by"), choices=NominationSource.choices, empty_label=gettext_lazy("Anyone")
    )
    org = OrgFilter(help_text=gettext_lazy("Only nominations at or below this organisation."))
    duplicates = django_filters.ChoiceFilter(
        label=gettext_lazy("Possible duplicates"),
        choices=[("1", gettext_lazy("Possible duplicates only"))],
        empty_label=gettext_lazy("With or without duplicates"),
        method="filter_duplicates",
    )

    class Meta:
        model = Nomination
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Nomination], name: str, value: str) -> QuerySet[Nomination]:
        text = "".join(value.split())
        return queryset.filter(name__contains=text) if text else queryset

    def filter_duplicates(self, queryset: QuerySet[Nomination], name: str, value: str) -> QuerySet[Nomination]:
        twins = (
            Nomination.objects.filter(
                campaign_id=OuterRef("campaign_id"), name=OuterRef("name"), village_id=OuterRef("village_id")
            )
            .exclude(pk=OuterRef("pk"))
            .exclude(status__in=[NominationStatus.MERGED, NominationStatus.REJECTED])
        )
        return queryset.filter(Exists(twins), status=NominationStatus.PENDING) if value == "1" else queryset

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("org").order_by("-created_at", "-id")


def _live_twins(campaign: Campaign, keys: set[tuple[str, int | None]]) -> Counter[tuple[str, int | None]]:
    """How many nominations of the campaign that are not merged nor rejected share each
    (name, village): two or more make each a possible duplicate. One query."""
    if not keys:
        return Counter()
    rows = (
        Nomination.objects.filter(
            campaign=campaign,
            name__in={name for name, _village in keys},
            village_id__in={village for _name, village in keys},
        )
        .exclude(status__in=[NominationStatus.MERGED, NominationStatus.REJECTED])
        .values_list("name", "village_id")
    )
    return Counter((name, village) for name, village in rows)


def mark_duplicates(campaign: Campaign, nominations: list[Nomination]) -> None:
    """Set ``possible_duplicate`` on each pending nomination that shares its head's name and
    village with another nomination of the campaign still in play."""
    pending = [n for n in nominations if n.status == NominationStatus.PENDING]
    twins = _live_twins(campaign, {(n.name, n.village_id) for n in pending})
    for nomination in nominations:
        nomination.possible_duplicate = (  # type: ignore[attr-defined]
            nomination.status == NominationStatus.PENDING and twins[(nomination.name, nomination.village_id)] > 1
        )


def nomination_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The campaign's nominations the user sees, newest first; pending ones sharing a name and
    a village with another are flagged as possible duplicates."""
    campaign = _campaign(request, pk)
    rows = Nomination.objects.visible_to(request.user).filter(campaign=campaign)
    filters = NominationFilter(request.GET, queryset=rows, user=request.user)
    page = page_of(filters.qs, request.GET, PER_PAGE)
    mark_duplicates(campaign, page.items)
    context = {
        "campaign": campaign,
        "form": filters.form,
        "page": page,
        "can_screen": can_anywhere(request.user, "campaigns.screen"),
    }
    if wants_fragment(request):
        return render(request, "campaigns/nominations/_results.html", context)
    return render(request, "campaigns/nominations/list.html", context)


# Screening one -------------------------------------------------------------------------------


class AcceptForm(Form):
    household = forms.ModelChoiceField(
        label=gettext_lazy("Household of the registry"), queryset=Household.objects.none(), required=False
    )

    def __init__(self, *args: Any, households: QuerySet[Household], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households  # type: ignore[attr-defined]


class MergeForm(Form):
    into = forms.ModelChoiceField(label=gettext_lazy("Duplicate of"), queryset=Nomination.objects.none())

    def __init__(self, *args: Any, nominations: QuerySet[Nomination], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = nominations  # type: ignore[attr-defined]


class RejectForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejecting"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The nominator may be told this reason."),
    )


def _nomination(request: AuthedRequest, pk: int) -> Nomination:
    query = Nomination.objects.select_related("campaign__org", "org", "household__org", "duplicate_of", "screened_by")
    return get_visible_or_404(query, request.user, pk=pk)


def _village_households(user: AnyUser, nomination: Nomination) -> QuerySet[Household]:
    """The current households of the nomination's village that the user may screen, those
    whose head has the nominated name first."""
    if nomination.village_id is None:
        return Household.objects.none()
    return (
        Household.objects.visible_to(user, "campaigns.screen")
        .filter(village_id=nomination.village_id)
        .select_related("org")
        .annotate(
            named=Case(When(head_name=nomination.name, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("named", "head_name", "id")
    )


def _merge_targets(user: AnyUser, nomination: Nomination) -> QuerySet[Nomination]:
    """The campaign's other nominations still in play that the user sees, the possible
    duplicates (same name, same village) first."""
    same = Q(name=nomination.name, village_id=nomination.village_id)
    return (
        Nomination.objects.visible_to(user)
        .filter(campaign_id=nomination.campaign_id, status__in=OPEN_STATUSES)
        .exclude(pk=nomination.pk)
        .select_related("org")
        .annotate(twin=Case(When(same, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("twin", "-created_at", "-id")
    )


ACTIONS = ("accept", "merge", "reject")


def nomination_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One nomination; a pending one is screened here (POST ``action``: accept, merge, reject)."""
    nomination = _nomination(request, pk)
    user = request.user
    households = _village_households(user, nomination)
    targets = _merge_targets(user, nomination)
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "") if posted is not None else ""
    forms_ = {
        "accept": AcceptForm(posted if action == "accept" else None, households=households),
        "merge": MergeForm(posted if action == "merge" else None, nominations=targets),
        "reject": RejectForm(posted if action == "reject" else None),
    }
    status = 200
    if posted is not None:
        if nomination.status != NominationStatus.PENDING or not can(user, "campaigns.screen", nomination.org):
            raise PermissionDenied(_("You do not have permission to do this here."))
        if action not in ACTIONS:
            return HttpResponse(_("Choose accept, merge or reject."), status=400)
        form = forms_[action]
        if form.is_valid():
            try:
                done = _screen(user, nomination, action, form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, done)
                return redirect("campaigns:nomination_detail", pk=nomination.pk)
        status = 400
    same = targets.filter(name=nomination.name, village_id=nomination.village_id)
    twins = list(same[:20]) if nomination.status == NominationStatus.PENDING else []
    context = {
        "nomination": nomination,
        "campaign": nomination.campaign,
        "pending": nomination.status == NominationStatus.PENDING,
        "can_screen": can(user, "campaigns.screen", nomination.org),
        "action": action,
        "accept_form": forms_["accept"],
        "merge_form": forms_["merge"],
        "reject_form": forms_["reject"],
        "households": list(households[:HOUSEHOLDS_OFFERED]),
        "targets": list(targets[:MERGE_OFFERED]),
        "twins": twins,
        "entry": Entry.objects.filter(nomination=nomination).first(),
    }
    return render(request, "campaigns/nominations/detail.html", context, status=status)


def _screen(user: AnyUser, nomination: Nomination, action: str, data: dict[str, Any]) -> str:
    if action == "accept":
        entry = services.nomination_accept(actor=user, nomination=nomination, household=data.get("household"))
        return _("Accepted: the household of %(name)s is in the campaign.") % {"name": entry.household.head_name}
    if action == "merge":
        into = data["into"]
        services.nomination_merge(actor=user, nomination=nomination, into=into)
        return _("Merged into the nomination of %(name)s.") % {"name": into.name}
    services.nomination_reject(actor=user, nomination=nomination, reason=data["reason"])
    return _("Rejected.")


# 妇联推荐 from the registry -------------------------------------------------------------------


class NominateForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _ids(values: list[str]) -> list[int]:
    return list(dict.fromkeys(int(v) for v in values if v.isascii() and v.isdigit() and int(v) <= MAX_ID))


@requires_somewhere("campaigns.screen")
def nominate(request: AuthedRequest, pk: int) -> HttpResponse:
    """Pick households of the registry in the campaign's area (and the user's), a box per row,
    and nominate those ticked (妇联推荐); the answer lists those nominated and those skipped."""
    campaign = _campaign(request, pk)
    user = request.user
    registry = Household.objects.visible_to(user, "campaigns.screen").filter(within_q(campaign.org))
    if request.method == "POST":
        form = NominateForm(request.POST)
        ids = _ids(request.POST.getlist("household"))
        if not ids:
            form.add_error(None, _("Tick the households to nominate."))
        if form.is_valid():
            chosen = list(registry.filter(pk__in=ids).select_related("org"))
            try:
                made, skipped = services.households_nominate(
                    actor=user, campaign=campaign, households=chosen, reason=form.cleaned_data["reason"]
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                context = {
                    "campaign": campaign,
                    "made": made,
                    "skipped": skipped,
                    "not_found": len(ids) - len(chosen),
                }
                return render(request, "campaigns/nominations/nominated.html", context)
        return _nominate_page(request, campaign, registry, form, status=400)
    return _nominate_page(request, campaign, registry, NominateForm())


def _nominate_page(
    request: AuthedRequest, campaign: Campaign, registry: QuerySet[Household], form: Form, status: int = 200
) -> HttpResponse:
    filters = HouseholdFilter(request.GET, queryset=registry, user=request.user)
    for name in REGISTRY_FILTERS_LEFT_OUT:
        filters.filters.pop(name, None)
    page = page_of(filters.qs, request.GET, PER_PAGE)
    entered = set(
        Entry.objects.filter(campaign=campaign, household_id__in=[h.pk for h in page.items]).values_list(
            "household_id", flat=True
        )
    )
    for household in page.items:
        household.entered = household.pk in entered
    context = {"campaign": campaign, "filters": filters.form, "page": page, "form": form}
    return render(request, "campaigns/nominations/nominate.html", context, status=status)


# The spreadsheet ----------------------------------------------------------------------------


class UploadForm(Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("Excel (.xlsx, .xls) or CSV, up to 20 MB. A title row above the header is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args: Any, user: AnyUser, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["org"] = OrgChoiceField(
            user=user,
            action="campaigns.screen",
            label=gettext_lazy("For organisation"),
            help_text=gettext_lazy("The households must be in this organisation or below it."),
        )
        self.order_fields(["org", "file"])

    def clean_org(self) -> Any:
        org = self.cleaned_data["org"]
        if org is not None and not within(org, self.campaign):
            raise ValidationError(
                _("Choose %(org)s or an organisation below it.") % {"org": self.campaign.org.display_name}
            )
        return org


@requires_somewhere("campaigns.screen")
def nomination_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """Upload a spreadsheet of households to nominate; the import engine previews it (row by
    row) and imports its valid rows when asked. The campaign travels with the upload."""
    campaign = _campaign(request, pk)
    user = request.user
    initial: dict[str, Any] = {}
    own = user.org
    if own is not None and within(own, campaign) and can(user, "campaigns.screen", own):
        initial["org"] = own
    elif can(user, "campaigns.screen", campaign.org):
        initial["org"] = campaign.org
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=user,
        campaign=campaign,
        initial=initial,
    )
    if posted and form.is_valid():
        try:
            batch = import_services.batch_upload(
                actor=user,
                kind=IMPORT_KIND,
                org=form.cleaned_data["org"],
                upload=form.cleaned_data["file"],
                params={"campaign": campaign.pk},
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            return redirect("imports:detail", pk=batch.pk)
    from fulian.imports.engine import kind_named

    spec = kind_named(IMPORT_KIND)
    context = {"campaign": campaign, "form": form, "columns": spec.template_headers.values(), "kind": spec}
    return render(request, "campaigns/nominations/import.html", context, status=400 if form.errors else 200)


# Declared interests -------------------------------------------------------------------------


class ConflictFilter(ScopedFilterSet):
    search = django_filters.CharFilter(
        label=gettext_lazy("Executive member or head of household"), max_length=50, method="filter_search"
    )
    org = OrgFilter(help_text=gettext_lazy("Only households at or below this organisation."))

    class Meta:
        model = Conflict
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Conflict], name: str, value: str) -> QuerySet[Conflict]:
        text = "".join(value.split())
        if not text:
            return queryset
        return queryset.filter(Q(person__name__contains=text) | Q(household__head_name__contains=text))

    def filter_queryset(self, queryset: Any) -> Any:
        return (
            super()
            .filter_queryset(queryset)
            .select_related("person", "household", "org", "declared_by")
            .order_by("-id")
        )


@requires_somewhere("campaigns.view")
def conflict_list(request: AuthedRequest) -> HttpResponse:
    """Declared interests in the user's area (a 执委 never scores these households)."""
    filters = ConflictFilter.of(request.GET, user=request.user)
    context = {"form": filters.form, "can_declare": can_anywhere(request.user, "campaigns.screen")}
    return render_list(
        request,
        "campaigns/nominations/conflict_list.html",
        "campaigns/nominations/_conflict_results.html",
        filters.qs,
        context,
        PER_PAGE,
    )


class ConflictForm(Form):
    person = forms.ModelChoiceField(label=gettext_lazy("Executive member"), queryset=Person.objects.none())
    reason = forms.ChoiceField(
        label=gettext_lazy("Interest"),
        choices=[(r.value, r.label) for r in conflict_services.DECLARABLE],
        widget=forms.RadioSelect,
        initial=ConflictReason.RELATIVE,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=conflict_services.NOTE_LIMIT,
        required=False,
        help_text=gettext_lazy("Required for another interest: say what it is."),
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


def _people_at(user: AnyUser, household: Household) -> QuerySet[Person]:
    """The 执委 the user sees with a current post at the household's village or above it
    (its township's 执委 score its villages too)."""
    places = [org_id for org_id in (household.village_id, household.township_id) if org_id]
    posts = Post.objects.visible_to(user).current().filter(org_id__in=places)
    return Person.objects.filter(pk__in=posts.values("person_id"), archived_at__isnull=True).order_by("name", "id")


@requires_somewhere("campaigns.screen")
def conflict_declare(request: AuthedRequest) -> HttpResponse:
    """Declare an interest: find the household (``search``), then choose the 执委 and why."""
    user = request.user
    registry = Household.objects.visible_to(user, "campaigns.screen")
    household = None
    ref = request.POST.get("household") or request.GET.get("household") or ""
    if ref:
        ids = _ids([ref])
        household = registry.select_related("org").filter(pk__in=ids).first()
        if household is None:
            raise Http404(_("Not found."))
    search = " ".join(request.GET.get("search", "").split())[:50]
    found = list(registry.search(search).select_related("org").order_by("id")[:FOUND_MAX]) if search else []
    form = None
    status = 200
    if household is not None:
        people = _people_at(user, household)
        form = ConflictForm(request.POST if request.method == "POST" else None, people=people)
        if request.method == "POST" and form.is_valid():
            try:
                conflict_services.conflict_declare(
                    actor=user,
                    person=form.cleaned_data["person"],
                    household=household,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(
                    request,
                    _("Declared: %(person)s will not score the household of %(name)s.")
                    % {"person": form.cleaned_data["person"].name, "name": household.head_name},
                )
                return redirect("campaigns:conflict_list")
        if form.errors:
            status = 400
    elif request.method == "POST":
        status = 400
    context = {"household": household, "form": form, "search": search, "found": found, "searched": bool(search)}
    return render(request, "campaigns/nominations/conflict_form.html", context, status=status)


@require_POST
def conflict_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    conflict = get_visible_or_404(Conflict.objects.select_related("person", "household", "org"), request.user, pk=pk)
    conflict_services.conflict_remove(actor=request.user, conflict=conflict)
    messages.success(
        request,
        _("Removed the declared interest of %(person)s in the household of %(name)s.")
        % {"person": conflict.person.name, "name": conflict.household.head_name},
    )
    return redirect(reverse("campaigns:conflict_list"))


urlpatterns: list[URLPattern] = [
    path("<int:pk>/nominations/", nomination_list, name="nomination_list"),
    path("<int:pk>/nominate/", nominate, name="nominate"),
    path("<int:pk>/nominations/import/", nomination_import, name="nomination_import"),
    path("nominations/<int:pk>/", nomination_detail, name="nomination_detail"),
    path("conflicts/", conflict_list, name="conflict_list"),
    path("conflicts/new/", conflict_declare, name="conflict_declare"),
    path("conflicts/<int:pk>/remove/", conflict_remove, name="conflict_remove"),
]
