"""The annual 述职 reports and assessments API: the reports of the caller's subtree (figures and
narrative; she writes her own words, staff who assess her write them for her, through
``services.reports.report_narrative``), their generation in the background
(``services.report_runs.reports_start``, 202 with the run to follow), the assessment schemes, and
the assessments with each item's units and points (a reviewer's units for a manual item through
``services.assessment.entry_set``).

Every row comes through ``visible_to``; one outside the caller's subtree is a 404 (its actions
too, before the body is read); an organisation or item named in a body is looked up among the
caller's (else a 400 on that field). The services' ValidationErrors are 400s, their
PermissionDenied 403s."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.core.api import ScopedViewSetMixin, action_somewhere
from fulian.core.drf import IdCursorPagination
from fulian.core.filters import OrgFilter, RowIdField, ScopedFilterSet, StrictBooleanFilter
from fulian.core.scoping import get_visible_or_404
from fulian.duties.api.report_serializers import (
    DutyAssessmentRowSerializer,
    DutyAssessmentSerializer,
    DutyEntryWriteSerializer,
    DutyNarrativeSerializer,
    DutyReportRowSerializer,
    DutyReportRunSerializer,
    DutyReportRunStartSerializer,
    DutyReportSerializer,
    DutySchemeSerializer,
)
from fulian.duties.choices import Grade
from fulian.duties.figures_exports import YearFilter
from fulian.duties.models import Assessment, Report, ReportRun, Scheme, SchemeItem
from fulian.duties.services import assessment as assessing
from fulian.duties.services.report_runs import reports_start
from fulian.duties.services.reports import report_narrative
from fulian.orgs.models import Organisation
from fulian.orgs.picking import resolve_ref
from fulian.people.models import Person

ASSESS = "duties.assess"


def _id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description=f"The {what}'s id.")


def _detail_schema(what: str, *actions: str) -> Any:
    return extend_schema_view(**{name: extend_schema(parameters=[_id_parameter(what)]) for name in actions})


class NewestFirst(IdCursorPagination):
    ordering = "-id"


# --- filters -------------------------------------------------------------------------------


class PersonFilter(django_filters.Filter):
    """``person``: an executive member among those the caller sees, by id."""

    @property
    def field(self) -> Any:
        if not hasattr(self, "_field"):
            self._field = RowIdField(
                queryset=Person.objects.visible_to(self.parent.user), label=self.label, required=False
            )
        return self._field


class YearFilterSet(ScopedFilterSet):
    org = OrgFilter(help_text=gettext_lazy("Only those placed at this organisation or below it."))
    year = YearFilter(label=gettext_lazy("Year"), field_name="year")


class ReportFilter(YearFilterSet):
    """Reports by organisation, year and person."""

    person = PersonFilter(label=gettext_lazy("Executive member"), field_name="person")

    class Meta:
        model = Report
        fields: list[str] = []


class AssessmentFilter(ReportFilter):
    """Assessments by organisation, year, person, grade, and flagged (不称职)."""

    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=gettext_lazy("Grade"))
    flagged = StrictBooleanFilter(
        label=gettext_lazy("Flagged"),
        method="by_flagged",
        help_text=gettext_lazy("true: not competent (to be looked at before the next election); false: the others."),
    )

    class Meta:
        model = Assessment
        fields: list[str] = []

    def by_flagged(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        return queryset.filter(grade=Grade.INCOMPETENT) if value else queryset.exclude(grade=Grade.INCOMPETENT)


class RunFilter(ScopedFilterSet):
    """Generation runs by organisation (at or below it) and year."""

    org = OrgFilter(path_field="org__path", help_text=gettext_lazy("Only runs of this organisation or below it."))
    year = YearFilter(label=gettext_lazy("Year"), field_name="year")

    class Meta:
        model = ReportRun
        fields: list[str] = []


class SchemeFilter(ScopedFilterSet):
    year = YearFilter(label=gettext_lazy("Year"), field_name="year")

    class Meta:
        model = Scheme
        fields: list[str] = []


# --- reports -------------------------------------------------------------------------------


@_detail_schema("report", "retrieve", "partial_update")
class ReportViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """The annual reports of the 执委 of the caller's subtree, newest first, paged by cursor."""

    scoped_model = Report
    serializer_class = DutyReportSerializer
    filterset_class = ReportFilter
    pagination_class = NewestFirst
    http_method_names = ["get", "patch", "head", "options"]

    def get_serializer_class(self) -> Any:
        return DutyReportRowSerializer if self.action == "list" else DutyReportSerializer

    def refine_queryset(self, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return queryset.select_related("person", "org")

    @extend_schema(request=DutyNarrativeSerializer, responses={200: DutyReportSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Write the narrative in her words (her own report, or as the staff who assess her)."""
        report = self.get_object()
        text = self.validated(DutyNarrativeSerializer)["narrative"]
        report_narrative(actor=request.user, report=report, text=text)
        return Response(DutyReportSerializer(self.get_object(), context=self.get_serializer_context()).data)


class ReportRunViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Generating an organisation's reports and assessments for a year, in the background; the
    runs of the caller's subtree newest first."""

    scoped_model = ReportRun
    serializer_class = DutyReportRunSerializer
    filterset_class = RunFilter
    pagination_class = NewestFirst

    def refine_queryset(self, queryset: QuerySet[ReportRun]) -> QuerySet[ReportRun]:
        return queryset.select_related("org")

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [action_somewhere(ASSESS)()]
        return list(super().get_permissions())

    @extend_schema(parameters=[_id_parameter("run")])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Its progress (``done`` of ``total``), status, and the message of a failure."""
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=DutyReportRunStartSerializer, responses={202: DutyReportRunSerializer})
    def create(self, request: Request) -> Response:
        """Queue the reports and assessments of the organisation's 执委 for ``year`` (202: follow
        the run; one at a time per organisation and year)."""
        data = self.validated(DutyReportRunStartSerializer)
        try:
            org = resolve_ref(Organisation.objects.visible_to(request.user, ASSESS), data["org"], strict=True)
        except ValidationError as error:
            raise exceptions.ValidationError({"org": error.messages}) from None
        run = reports_start(actor=request.user, org=org, year=data["year"])
        shown = self.get_queryset().get(pk=run.pk)
        return Response(DutyReportRunSerializer(shown).data, status=202)


# --- schemes and assessments ------------------------------------------------------------------


def _items() -> Prefetch[Any]:
    return Prefetch("items", queryset=SchemeItem.objects.order_by("position", "id"))


@_detail_schema("scheme", "retrieve")
class SchemeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """The assessment schemes kept in or above the caller's subtree that she sees, newest year
    first, each with its items."""

    scoped_model = Scheme
    serializer_class = DutySchemeSerializer
    filterset_class = SchemeFilter

    def refine_queryset(self, queryset: QuerySet[Scheme]) -> QuerySet[Scheme]:
        return queryset.select_related("org").prefetch_related(_items()).order_by("-year", "org__path", "id")


@_detail_schema("assessment", "retrieve", "entry")
class AssessmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """The assessments of the 执委 of the caller's subtree, highest score first within a year,
    paged by cursor along the id."""

    scoped_model = Assessment
    serializer_class = DutyAssessmentSerializer
    filterset_class = AssessmentFilter
    pagination_class = NewestFirst

    def get_serializer_class(self) -> Any:
        return DutyAssessmentRowSerializer if self.action == "list" else DutyAssessmentSerializer

    def refine_queryset(self, queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
        rows = queryset.select_related("person", "org")
        if self.action != "list":
            rows = rows.select_related("scheme").prefetch_related("entries", Prefetch("scheme__items"))
        return rows

    @extend_schema(request=DutyEntryWriteSerializer, responses={200: DutyAssessmentSerializer})
    @action(detail=True, methods=["post", "put"], url_path="entry")
    def entry(self, request: Request, pk: str | None = None) -> Response:
        """A reviewer's units (and note) for a manual item of her scheme; counted at the next
        generation. Entering them again replaces them."""
        found = get_visible_or_404(Assessment.objects.select_related("person", "scheme"), request.user, pk=pk)
        data = self.validated(DutyEntryWriteSerializer)
        item = SchemeItem.objects.filter(pk=data["item"], scheme=found.scheme).first()
        if item is None:
            raise exceptions.ValidationError({"item": [_("This item is not part of the scheme that applies to her.")]})
        assessing.entry_set(
            actor=request.user,
            person=found.person,
            year=found.year,
            item=item,
            units=data["units"],
            note=data.get("note", ""),
        )
        return Response(DutyAssessmentSerializer(self.get_object(), context=self.get_serializer_context()).data)


ROUTES: list[tuple[str, Any, str]] = [
    ("reports", ReportViewSet, "duty-report"),
    ("report-runs", ReportRunViewSet, "duty-report-run"),
    ("schemes", SchemeViewSet, "duty-scheme"),
    ("assessments", AssessmentViewSet, "duty-assessment"),
]
