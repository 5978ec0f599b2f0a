"""The duties figures API (人人手里有事做): an organisation's figures — its 执委 active this month
and this year, the silent ones, confirmed records and hours by work mode and month, 她代表
requests by category and status — and the silent 执委 themselves, a page at a time.

The organisation is ``?org=`` (id or division code; the caller's top one if not given), read by
the figures page's own FilterSet (``figures_exports.ModeMonthFilter``, ``PeopleFilter``) and
the selectors of ``fulian.duties.figures``. One the caller does not see the duties of is a 404,
as for the grid's coverage (``api:grid-coverage-detail``): the figures of a place outside her
subtree do not exist for her; a ``year`` that is not one is a 400 naming it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.core.api import ScopedViewSetMixin, action_somewhere
from fulian.core.filters import ORG_PARAMETER_SCHEMA
from fulian.duties import figures
from fulian.duties.api.report_serializers import DutyFiguresSerializer, DutySilentMemberSerializer
from fulian.duties.figures_exports import VIEW, FigureFilter, ModeMonthFilter, PeopleFilter, post_names
from fulian.duties.models import ModeMonth
from fulian.grid import coverage
from fulian.orgs.models import Organisation
from fulian.people.models import Person

ORG_QUERY = OpenApiParameter(
    "org",
    {
        **ORG_PARAMETER_SCHEMA,
        "description": "The organisation's id or division code (the caller's top organisation if not given); "
        "one outside the caller's subtree is a 404.",
    },
)
YEAR_QUERY = OpenApiParameter(
    "year", OpenApiTypes.INT, description="The year of the records by work mode and month (this year if not given)."
)


def _chosen(filters: FigureFilter) -> Organisation:
    """The organisation the filters chose; not one the caller sees: 404; another bad value: 400."""
    if filters.errors:
        if "org" in filters.errors:
            raise Http404
        raise exceptions.ValidationError(filters.errors)
    org = filters.chosen_org()
    if org is None:
        raise Http404
    return org


def _mode(row: figures.ModeRow) -> dict[str, Any]:
    return {
        "work_mode": row.mode.pk if row.mode is not None else None,
        "name": row.mode.label if row.mode is not None else "",
        "records": row.records,
        "hours": row.hours,
        "total_records": row.total_records,
        "total_hours": row.total_hours,
    }


class FiguresViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """An organisation's duty figures (its subtree), as on the figures page."""

    scoped_model = ModeMonth
    serializer_class = DutyFiguresSerializer
    permission_classes = [action_somewhere(VIEW)]
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(parameters=[ORG_QUERY, YEAR_QUERY], responses={200: DutyFiguresSerializer})
    def retrieve(self, request: Request) -> Response:
        """The 执委 holding a current post in the subtree, those with a confirmed record this
        month and this year, the silent (no record in 90 days); confirmed records and hours by
        work mode and month of ``year`` (every mode in use, then records without one); 她代表
        requests by category and status with the average days to answer."""
        filters = ModeMonthFilter(request.query_params, queryset=ModeMonth.objects.none(), user=request.user)
        org = _chosen(filters)
        on = coverage.today()
        year = filters.chosen_year()
        members = figures.member_figures(org, on)
        table = figures.by_mode_month(org, year)
        body = {
            "org": org.code,
            "org_name": org.display_name,
            "on": on,
            "year": year,
            "members": members.members,
            "active_month": members.active_month,
            "active_year": members.active_year,
            "silent": members.silent,
            "modes": [_mode(row) for row in table.rows],
            "modes_total": {**_mode(table.total), "name": ""},
            "requests": [vars(row) for row in figures.requests_by_category(org)],
        }
        return Response(DutyFiguresSerializer(body).data)


class SilentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The silent 执委 of an organisation (no record in 90 days), name order, a page at a time."""

    scoped_model = Person
    serializer_class = DutySilentMemberSerializer
    permission_classes = [action_somewhere(VIEW)]
    filter_backends: list[Any] = []

    def refine_queryset(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        query = self.request.query_params.copy()
        query["kind"] = "silent"
        filters = PeopleFilter(query, queryset=queryset, user=self.request.user)
        _chosen(filters)
        return filters.qs  # type: ignore[no-any-return]

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        for person in page or []:
            person.org_names, person.post_titles = post_names(person)
        return page

    @extend_schema(parameters=[ORG_QUERY], responses={200: DutySilentMemberSerializer(many=True)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Each with her posts in the subtree, her last record (over 90 days ago, or none) and
        her confirmed records there this year."""
        return super().list(request, *args, **kwargs)


# Not router routes: one answer per organisation, named by a query parameter.
urlpatterns: list[URLPattern] = [
    path("figures/", FiguresViewSet.as_view({"get": "retrieve"}), name="duty-figures"),
    path("figures/silent/", SilentViewSet.as_view({"get": "list"}), name="duty-figures-silent"),
]
