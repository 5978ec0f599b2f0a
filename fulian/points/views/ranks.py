"""Ranks and honours pages: the top holders of a village, township, county or the city for a
year (``/points/ranks/``), and the 礼遇褒奖 given for a year (``/points/honours/``), each within the
user's area, its organisation chosen with the picker limited to it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fulian.accounts.http import AuthedRequest
from fulian.core.ancestry import within_q
from fulian.core.forms import Form
from fulian.core.paging import page_of
from fulian.core.scoping import AnyUser, grants_for
from fulian.core.views import requires_somewhere
from fulian.grid import coverage
from fulian.orgs.forms import OrgChoiceField
from fulian.orgs.models import Organisation
from fulian.points import passbook_reads as reads
from fulian.points import selectors
from fulian.points.choices import HolderKind
from fulian.points.models import Honour
from fulian.points.services import holders

VIEW = "points.view"
RANKS_PER_PAGE = 50
HONOURS_PER_PAGE = 100
FIRST_YEAR = 2000


def home_org(user: AnyUser) -> Organisation | None:
    """Where the pages open: her own village for a 执委 who holds an account there and sees it,
    else the user's outermost organisation."""
    grants = grants_for(user, VIEW)
    if not grants:
        return None
    person = holders.person_of(user)
    if person is not None and person.village_id is not None:
        village = Organisation.objects.visible_to(user, VIEW).filter(pk=person.village_id).first()
        if village is not None:
            return village
    first = min(grants, key=lambda g: g.path)
    return Organisation.objects.filter(pk=first.org_id).first()


class RankForm(Form):
    """``org`` (the picker, within the user's area), ``year`` and ``kind``; each optional."""

    def __init__(self, *args: Any, user: AnyUser, honours: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = coverage.today().year
        self.fields["org"] = OrgChoiceField(user=user, action=VIEW, required=False, label=_("Organisation"))
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Year"),
            choices=[(y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)],
            coerce=int,
            required=False,
            empty_value=None,
        )
        if not honours:
            self.fields["kind"] = forms.ChoiceField(label=_("Holders"), choices=HolderKind.choices, required=False)


@require_GET
@requires_somewhere(VIEW)
def ranks(request: AuthedRequest) -> HttpResponse:
    """The top of an organisation for a year, the most points first; tied holders share a place."""
    form = RankForm(request.GET or None, user=request.user)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    org = data.get("org") or home_org(request.user)
    year = data.get("year") or coverage.today().year
    kind = data.get("kind") or HolderKind.PERSON
    if not form.is_bound:
        form.initial = {"org": org}  # the picker shows where the page opened
    page = None
    if valid and org is not None:
        rows = selectors.ranking(org=org, year=year, kind=kind).select_related("village", "township")
        page = page_of(rows, request.GET, RANKS_PER_PAGE)
        offset = (page.number - 1) * RANKS_PER_PAGE
        reads.with_ranks(page.items, org=org, year=year, kind=kind, offset=offset)
    context = {"form": form, "org": org, "year": year, "kind": kind, "page": page}
    return render(request, "points/ranks.html", context, status=200)


@require_GET
@requires_somewhere(VIEW)
def honours(request: AuthedRequest) -> HttpResponse:
    """The 礼遇褒奖 given for a year within an organisation, grouped by honour, with what each brings."""
    form = RankForm(request.GET or None, user=request.user, honours=True)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    org = data.get("org") or home_org(request.user)
    if not form.is_bound:
        form.initial = {"org": org}
    visible = Honour.objects.visible_to(request.user, VIEW)
    year = data.get("year")
    if year is None:
        # The latest year given, as the page opens: this year's come only once it closes.
        year = visible.order_by("-year").values_list("year", flat=True).first() or coverage.today().year - 1
    page = None
    if valid and org is not None:
        rows = (
            visible.filter(within_q(org), year=year)
            .select_related("rule", "account__person", "account__household", "within", "village")
            .order_by("rule_id", "within__path", "rank", "-earned", "id")
        )
        page = page_of(rows, request.GET, HONOURS_PER_PAGE)
    context = {"form": form, "org": org, "year": year, "page": page}
    return render(request, "points/honours.html", context)


urlpatterns: list[URLPattern] = [
    path("ranks/", ranks, name="ranks"),
    path("honours/", honours, name="honours"),
]
