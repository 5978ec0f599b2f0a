"""The grid's API: assignments (made, ended, changed through the same services as the pages),
coverage figures of an organisation with its uncovered households and its gaps, and contacts.
Every row comes through ``visible_to``; an organisation, post or household named in a request
is looked up among the caller's."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.core.ancestry import within_q
from fulian.core.api import ScopedViewSetMixin
from fulian.core.drf import IdCursorPagination
from fulian.core.filters import ORG_PARAMETER_SCHEMA, SEARCH_ALIAS_PARAMETER
from fulian.core.scoping import can_anywhere, get_visible_or_404
from fulian.duties.services import records, review
from fulian.grid import coverage, services
from fulian.grid.api.filters import AssignmentFilter, ContactFilter, UncoveredFilter
from fulian.grid.api.serializers import (
    AssignmentChangeSerializer,
    AssignmentCreateSerializer,
    AssignmentEndSerializer,
    AssignmentSerializer,
    ContactEditSerializer,
    ContactSerializer,
    ContactUploadSerializer,
    ContactWriteSerializer,
    CoverageSerializer,
    GapSerializer,
    ReturnSerializer,
    UncoveredHouseholdSerializer,
)
from fulian.grid.models import Assignment, Contact, WorkMode
from fulian.households.models import Household, HouseholdMember
from fulian.orgs.models import Organisation
from fulian.orgs.picking import resolve_ref
from fulian.people.models import Person, Post


def _id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description=f"The {what}'s id.")


def _refuse_unless(user: Any, action_name: str) -> None:
    """A 403 before reading the body for a caller whose roles never allow ``action_name``."""
    if not can_anywhere(user, action_name):
        raise exceptions.PermissionDenied(_("This endpoint is not part of your role."))


def _households(view: ScopedViewSetMixin, name: str, ids: list[int]) -> list[Household]:
    """The households named by id in a request body, in the order given, among those the caller
    sees; the first that is not is a 400 on ``name`` (the same words whether it exists or not)."""
    found = Household.objects.visible_to(view.request.user).select_related("org").in_bulk(ids)
    for pk in ids:
        if pk not in found:
            message = _("No %(label)s with id %(id)s in your area.") % {"label": _("household"), "id": pk}
            raise exceptions.ValidationError({name: [message]})
    return [found[pk] for pk in ids]


@extend_schema_view(
    list=extend_schema(parameters=[SEARCH_ALIAS_PARAMETER]),
    retrieve=extend_schema(parameters=[_id_parameter("assignment")]),
    end=extend_schema(parameters=[_id_parameter("assignment")]),
    change=extend_schema(parameters=[_id_parameter("assignment")]),
)
class AssignmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """包干 assignments of the areas in the caller's subtree (an assignment belongs to the area it
    targets), paged by cursor along the id. Making, ending and changing one is for federation
    staff; ending or changing keeps the old one (history)."""

    scoped_model = Assignment
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter

    @property
    def pagination_class(self) -> Any:  # type: ignore[override]
        # What ``create`` returns is the list of what it made, whole: no pages.
        return None if getattr(self, "action", None) == "create" else IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Assignment]) -> QuerySet[Assignment]:
        return queryset.select_related("person", "org", "target_org", "household")

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentSerializer(many=True)}, filters=False)
    def create(self, request: Request) -> Response:
        """Make a post's executive member responsible for one area or a set of households (one
        assignment each, all or none); the rules of her level apply."""
        _refuse_unless(request.user, "grid.assign")
        data = self.validated(AssignmentCreateSerializer)
        post = self.visible_field("post", data["post"], Post, label=_("post"))
        household_ids = [t["household"] for t in data["targets"] if "household" in t]
        households = iter(_households(self, "targets", household_ids))
        targets = [t["org"] if "org" in t else next(households) for t in data["targets"]]
        made = services.assignment_create(
            actor=request.user,
            post=post,
            targets=targets,
            mode=data["mode"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            partner=data.get("partner", ""),
            note=data.get("note", ""),
        )
        rows = self.get_queryset().filter(pk__in=[a.pk for a in made]).order_by("id")
        return Response(AssignmentSerializer(rows, many=True).data, status=201)

    def _assignment(self, pk: str | None) -> Assignment:
        return get_visible_or_404(
            Assignment.objects.select_related("post__org", "person"), self.request.user, pk=pk, action="grid.assign"
        )

    def _shown(self, assignment: Assignment) -> Response:
        return Response(AssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data)

    @extend_schema(request=AssignmentEndSerializer, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="end")
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End a responsibility on ``end_date`` (her last day); it stays in the history."""
        assignment = self._assignment(pk)
        data = self.validated(AssignmentEndSerializer)
        ended = services.assignment_end(
            actor=request.user, assignment=assignment, on=data["end_date"], reason=data.get("reason", "")
        )
        return self._shown(ended)

    @extend_schema(request=AssignmentChangeSerializer, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="change")
    def change(self, request: Request, pk: str | None = None) -> Response:
        """Change who answers for the target, or how, from ``on``: the old assignment ends the day
        before and the new one (returned) starts; on its first day, the assignment is corrected."""
        assignment = self._assignment(pk)
        data = self.validated(AssignmentChangeSerializer)
        post = self.visible_field("post", data["post"], Post, label=_("post")) if "post" in data else None
        changed = services.assignment_change(
            actor=request.user,
            assignment=assignment,
            on=data["on"],
            post=post,
            mode=data.get("mode"),
            partner=data.get("partner"),
            note=data.get("note"),
        )
        return self._shown(changed)


ORG_PATH_PARAMETER = OpenApiParameter(
    "org",
    {**ORG_PARAMETER_SCHEMA, "description": "The organisation's id or division code."},
    OpenApiParameter.PATH,
)
ON_PARAMETER = OpenApiParameter(
    "on",
    OpenApiTypes.DATE,
    description="The figures as of this past day, counted from the history (slower; no `uncontacted`); "
    "today unless given.",
)


def _day(request: Request, name: str = "on") -> datetime.date | None:
    """An optional date in the query (``on=2026-03-01``); not a date, or a day to come, is a 400
    naming it."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    try:
        day = datetime.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise exceptions.ValidationError({name: [_("Enter a date as YYYY-MM-DD.")]})
    if day > coverage.today():
        raise exceptions.ValidationError({name: [_("This date is in the future.")]})
    return day


def _place(request: Request, ref: str) -> Organisation:
    """The organisation of the path (id or division code) among those the caller sees the grid
    of; anything else is a 404, whether it exists elsewhere or not."""
    try:
        return resolve_ref(Organisation.objects.visible_to(request.user, "grid.view"), ref, strict=True)
    except ValidationError:
        raise Http404 from None


class CoverageViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The coverage (不留死角) of an organisation of the caller's subtree, given by id or division
    code."""

    scoped_model = Organisation
    scope_action = "grid.view"
    serializer_class = CoverageSerializer
    pagination_class = None

    @extend_schema(parameters=[ORG_PATH_PARAMETER, ON_PARAMETER], responses={200: CoverageSerializer})
    def retrieve(self, request: Request, org: str) -> Response:
        """Households, covered, uncovered, their share and the long uncontacted, for the
        organisation and each one a level below it (a village's households in no group: ``org``
        null)."""
        place = _place(request, org)
        on = _day(request)
        past = on is not None and on < coverage.today()
        # Today's figures come from the summary; a past day's are counted from the history.
        whole, children = coverage.figures_as_of(place, on) if on is not None and past else coverage.figures(place)

        def figure(f: coverage.Figure) -> dict[str, Any]:
            return {
                "org": f.org,
                "households": f.households,
                "covered": f.covered,
                "uncovered": f.uncovered,
                "share": f.share,
                "uncontacted": None if past else f.uncontacted,
            }

        body = {**figure(whole), "on": on or coverage.today(), "children": [figure(c) for c in children]}
        return Response(CoverageSerializer(body).data)


class UncoveredViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The households of an organisation that no executive member answers for today (不留死角 as
    a list), paged by cursor along the id (a partial index holds just these rows);
    ``uncontacted=true``: those of them not contacted in 90 days either."""

    scoped_model = Household
    scope_action = "grid.view"
    serializer_class = UncoveredHouseholdSerializer
    filterset_class = UncoveredFilter
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Household]) -> QuerySet[Household]:
        place = _place(self.request, self.kwargs["org"])
        coverage.bring_up_to_date()
        return queryset.filter(within_q(place), covered=False, archived_at__isnull=True).select_related("org")

    @extend_schema(parameters=[ORG_PATH_PARAMETER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class GapsViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The townships and villages below an organisation that no executive member of the level
    above answers for (a village without a township 执委, a township without a county 执委), in
    tree order."""

    scoped_model = Organisation
    scope_action = "grid.view"
    serializer_class = GapSerializer

    def refine_queryset(self, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
        place = _place(self.request, self.kwargs["org"])
        gaps = coverage.org_gaps(place, on=_day(self.request) or coverage.today())
        return queryset.filter(pk__in=gaps.values("pk")).select_related("parent").order_by("path")

    @extend_schema(
        parameters=[ORG_PATH_PARAMETER, OpenApiParameter("on", OpenApiTypes.DATE, description="Today unless given.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class ContactCursorPagination(IdCursorPagination):
    """Contacts newest first, by cursor along (day, id): the scope column's index is ordered by
    day. A position that is not a day the API gave is a 400 naming the cursor."""

    ordering = ("-happened_on", "-id")

    def valid_position(self, position: str) -> bool:
        try:
            datetime.date.fromisoformat(position)
        except ValueError:
            return False
        return True


def contacts_shown(user: Any, queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    """Records as the API shows them: with the households and people the reader may see."""
    households: Any = Household.objects.visible_to(user).only("id", "head_name").order_by("id")
    members: Any = HouseholdMember.objects.visible_to(user).only("id", "name").order_by("id")
    return queryset.select_related("person", "org", "work_mode", "reviewed_by").prefetch_related(
        "photos",
        Prefetch("households", queryset=households, to_attr="visible_households"),
        Prefetch("members", queryset=members, to_attr="visible_members"),
    )


def _members(view: ScopedViewSetMixin, ids: list[int]) -> list[HouseholdMember]:
    """The household members named by id, among those the caller sees; else a 400 on
    ``members`` (the same words whether the person exists elsewhere or not)."""
    found = HouseholdMember.objects.visible_to(view.request.user).select_related("org", "household").in_bulk(ids)
    for pk in ids:
        if pk not in found:
            message = _("No %(label)s with id %(id)s in your area.") % {"label": _("person"), "id": pk}
            raise exceptions.ValidationError({"members": [message]})
    return [found[pk] for pk in ids]


def _work_mode(raw: int) -> WorkMode:
    mode = WorkMode.objects.filter(pk=raw).first()
    if mode is None:
        raise exceptions.ValidationError({"work_mode": [_("No work mode with id %(value)s.") % {"value": raw}]})
    return mode


@extend_schema_view(
    list=extend_schema(parameters=[SEARCH_ALIAS_PARAMETER]),
    retrieve=extend_schema(parameters=[_id_parameter("contact")]),
    partial_update=extend_schema(parameters=[_id_parameter("contact")]),
    confirm=extend_schema(parameters=[_id_parameter("contact")]),
    return_=extend_schema(parameters=[_id_parameter("contact")]),
)
class ContactViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Duty records (履职记录: what a 执委 did — a visit, a call, an activity) placed in the
    caller's subtree, newest first, paged by cursor. An executive member records her own; staff
    record on behalf of one (``person``). The level above confirms or returns each; a confirmed
    record is corrected by a new one (``supersedes``)."""

    scoped_model = Contact
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    pagination_class = ContactCursorPagination
    parser_classes = [JSONParser, MultiPartParser]

    def refine_queryset(self, queryset: QuerySet[Contact]) -> QuerySet[Contact]:
        return contacts_shown(self.request.user, queryset)

    def _shown(self, contact: Contact, status: int = 200) -> Response:
        shown = self.get_queryset().get(pk=contact.pk)
        return Response(ContactSerializer(shown, context=self.get_serializer_context()).data, status=status)

    @extend_schema(
        request={"application/json": ContactWriteSerializer, "multipart/form-data": ContactUploadSerializer},
        responses={201: ContactSerializer, 200: ContactSerializer},
    )
    def create(self, request: Request) -> Response:
        """Record a duty: the work mode, how, when, the time spent (half hours), with which
        households and people (ids) or whom, where, a note, and photos (a multipart body). It
        waits for review by the level above. 201 with the new record; 200 with the record
        already made when its ``client_key`` was sent before (a double tap, a resend on a weak
        network): one record, never two. ``supersedes`` with ``correction_reason``: a correction
        of a confirmed record of hers."""
        _refuse_unless(request.user, "grid.contact")
        photos = request.content_type.startswith("multipart/")
        data = self.validated(ContactUploadSerializer if photos else ContactWriteSerializer)
        person = self._person(data.get("person"))
        supersedes = None
        if "supersedes" in data:
            supersedes = self.visible_field("supersedes", data["supersedes"], Contact, label=_("duty record"))
        key = data.get("client_key")
        with transaction.atomic():
            # Her row locked first (as the service does): of two sends of one key, the second
            # waits for the first and is told it found the record, not made it.
            Person.objects.select_for_update().filter(pk=person.pk).first()
            known = key is not None and Contact.objects.filter(person=person, client_key=key).exists()
            contact = services.contact_record(
                actor=request.user,
                person=person,
                mode=data["mode"],
                happened_on=data["happened_on"],
                households=_households(self, "households", data.get("households", [])),
                whom=data.get("whom", ""),
                location=data.get("location", ""),
                note=data.get("note", ""),
                photos=data.get("photos", []),
                work_mode=_work_mode(data["work_mode"]),
                half_hours=data["half_hours"],
                members=_members(self, data.get("members", [])),
                place=data.get("place"),
                client_key=key,
                supersedes=supersedes,
                correction_reason=data.get("correction_reason", ""),
            )
        return self._shown(contact, 200 if known else 201)

    @extend_schema(request=ContactEditSerializer, responses={200: ContactSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change a record waiting for review, or returned (it goes back to review): what is
        sent replaces what it said. A confirmed record is never changed: record a correction."""
        record = get_visible_or_404(Contact.objects.select_related("work_mode"), request.user, pk=pk)
        data = self.validated(ContactEditSerializer)
        mode = _work_mode(data["work_mode"]) if "work_mode" in data else record.work_mode
        if mode is None:
            raise exceptions.ValidationError({"work_mode": [_("This field is required.")]})
        households = None
        if "households" in data:
            households = _households(self, "households", data["households"])
        edited = records.record_edit(
            actor=request.user,
            record=record,
            work_mode=mode,
            happened_on=data.get("happened_on", record.happened_on),
            half_hours=data.get("half_hours", record.half_hours),
            households=households,
            whom=data.get("whom", record.whom),
            location=data.get("location", record.location),
            note=data.get("note", record.note),
        )
        return self._shown(edited)

    @extend_schema(request=None, responses={200: ContactSerializer})
    @action(detail=True, methods=["post"], url_path="confirm")
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm a record of the level below: it is locked from now on and counts. Her own
        record, one reviewed by another level, or one already reviewed: a 400 saying which."""
        record = get_visible_or_404(Contact.objects, request.user, pk=pk)
        return self._shown(review.record_confirm(actor=request.user, record=record))

    @extend_schema(request=ReturnSerializer, responses={200: ContactSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        """Return a record to its executive member with the reason; she changes it and it is
        reviewed again."""
        record = get_visible_or_404(Contact.objects, request.user, pk=pk)
        reason = self.validated(ReturnSerializer)["reason"]
        return self._shown(review.record_return(actor=request.user, record=record, reason=reason))

    def _person(self, raw: int | None) -> Person:
        """Whose contact it is: the one named (the service lets only staff name another than
        herself), or else the caller's own 执委 record."""
        if raw is not None:
            person: Person = self.visible_field("person", raw, Person, label=_("person"))
            return person
        own = Person.objects.filter(account=self.request.user).select_related("org").first()
        if own is None:
            raise exceptions.ValidationError(
                {"person": [_("Your account is not linked to an executive member: name the person.")]}
            )
        return own
