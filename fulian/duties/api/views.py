"""The duties API: 她代表 requests followed to an answer (recorded, accepted, assigned, escalated,
updated, answered, rated, closed — each through ``fulian.duties.services.requests``), the records
waiting for the caller's review with their bulk confirmation, and the city's work modes.

The duty records themselves are the grid's contacts (``/api/v1/grid/contacts/``, with their
``confirm`` and ``return`` actions). Every row comes through ``visible_to``; one outside the
caller's subtree is a 404 (its actions too); a record named in a request body is looked up among
the caller's (else a 400 on that field). The services' ValidationErrors are 400s."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response

from fulian.core.api import ScopedViewSetMixin
from fulian.core.drf import IdCursorPagination
from fulian.core.scoping import can_anywhere, get_visible_or_404
from fulian.duties.api.filters import RequestFilter
from fulian.duties.api.serializers import (
    AnswerSerializer,
    AssignSerializer,
    BulkConfirmedSerializer,
    BulkConfirmSerializer,
    CloseSerializer,
    EscalateSerializer,
    NoteSerializer,
    ProgressSerializer,
    ProgressUploadSerializer,
    RateSerializer,
    RequestSerializer,
    RequestStepSerializer,
    RequestUploadSerializer,
    RequestWriteSerializer,
    WorkModeSerializer,
    WorkModeUpdateSerializer,
    WorkModeWriteSerializer,
)
from fulian.duties.models import Request, RequestStep
from fulian.duties.services import modes, requests, review
from fulian.grid.api.filters import ContactFilter
from fulian.grid.api.serializers import ContactSerializer
from fulian.grid.api.views import ContactCursorPagination, contacts_shown
from fulian.grid.models import Contact, WorkMode
from fulian.households.models import Household, HouseholdMember
from fulian.people.models import Person


def _id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description=f"The {what}'s id.")


def _detail_schema(what: str, *actions: str) -> Any:
    return extend_schema_view(**{name: extend_schema(parameters=[_id_parameter(what)]) for name in actions})


def _refuse_unless(user: Any, action_name: str) -> None:
    """A 403 before reading the body for a caller whose roles never allow ``action_name``."""
    if not can_anywhere(user, action_name):
        raise exceptions.PermissionDenied(_("This endpoint is not part of your role."))


# --- requests ------------------------------------------------------------------------------


class RequestCursorPagination(IdCursorPagination):
    """Requests newest first, by cursor along the id."""

    ordering = "-id"


@_detail_schema("request", "retrieve", "steps", "accept", "assign", "escalate", "progress", "answer", "rate", "close")
class RequestViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """她代表 requests from the caller's subtree (and those escalated to her federation come from
    below it), newest first, paged by cursor. Each step is a POST on the request; every step is
    kept (``steps``)."""

    scoped_model = Request
    serializer_class = RequestSerializer
    filterset_class = RequestFilter
    pagination_class = RequestCursorPagination
    parser_classes = [JSONParser, MultiPartParser]

    def refine_queryset(self, queryset: QuerySet[Request]) -> QuerySet[Request]:
        return queryset.select_related(
            "representative", "household", "member", "holder", "assignee", "org"
        ).prefetch_related("photos")

    def _shown(self, obj: Request, status: int = 200) -> Response:
        row = self.get_queryset().get(pk=obj.pk)
        return Response(RequestSerializer(row, context=self.get_serializer_context()).data, status=status)

    def _request(self, pk: str | None) -> Request:
        return get_visible_or_404(Request.objects.select_related("holder"), self.request.user, pk=pk)

    @extend_schema(
        request={"application/json": RequestWriteSerializer, "multipart/form-data": RequestUploadSerializer},
        responses={201: RequestSerializer, 200: RequestSerializer},
        filters=False,
    )
    def create(self, request: HttpRequest) -> Response:
        """Record a need or suggestion of a woman or household (both optional), with photos (a
        multipart body): her federation holds it, due by its urgency's working days. 201 with
        the new request; 200 with the one already made when its ``client_key`` was sent before."""
        _refuse_unless(request.user, "duties.request")
        upload = request.content_type.startswith("multipart/")
        data = self.validated(RequestUploadSerializer if upload else RequestWriteSerializer)
        representative = self._representative(data.get("representative"))
        household = member = None
        if "household" in data:
            household = self.visible_field("household", data["household"], Household, label=_("household"))
        if "member" in data:
            member = self.visible_field("member", data["member"], HouseholdMember, label=_("person"))
        key = data.get("client_key")
        with transaction.atomic():
            # Her row locked first (as the service does): a second send of one key waits, then
            # is told it found the request rather than made it.
            Person.objects.select_for_update().filter(pk=representative.pk).first()
            known = key is not None and Request.objects.filter(representative=representative, client_key=key).exists()
            made = requests.request_record(
                actor=request.user,
                representative=representative,
                kind=data["kind"],
                category=data["category"],
                urgency=data["urgency"],
                description=data["description"],
                household=household,
                member=member,
                whom=data.get("whom", ""),
                photos=data.get("photos", []),
                client_key=key,
            )
        return self._shown(made, 200 if known else 201)

    def _representative(self, raw: int | None) -> Person:
        if raw is not None:
            person: Person = self.visible_field("representative", raw, Person, label=_("person"))
            return person
        own = Person.objects.filter(account=self.request.user).first()
        if own is None:
            raise exceptions.ValidationError(
                {"representative": [_("Your account is not linked to an executive member: name the person.")]}
            )
        return own

    @extend_schema(request=None, responses={200: RequestStepSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], url_path="steps", pagination_class=None, filterset_class=None)
    def steps(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Every step of the request, oldest first: who did what, when, with its note."""
        found = self._request(pk)
        steps = (
            RequestStep.objects.filter(request=found)
            .select_related("actor", "from_org", "to_org", "assignee")
            .prefetch_related(Prefetch("photos"))
            .order_by("id")
        )
        return Response(RequestStepSerializer(steps, many=True).data)

    @extend_schema(request=NoteSerializer, responses={200: RequestSerializer})
    @action(detail=True, methods=["post"], url_path="accept")
    def accept(self, request: HttpRequest, pk: str | None = None) -> Response:
        """The federation holding a request just recorded (or escalated to it) takes it on."""
        found = self._request(pk)
        data = self.validated(NoteSerializer)
        return self._shown(requests.request_accept(actor=request.user, request=found, note=data.get("note", "")))

    @extend_schema(request=AssignSerializer, responses={200: RequestSerializer})
    @action(detail=True, methods=["post"], url_path="assign")
    def assign(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Give an accepted request to a person of the federation holding it."""
        found = self._request(pk)
        data = self.validated(AssignSerializer)
        assignee = get_user_model().objects.filter(pk=data["assignee"]).first()
        done = requests.request_assign(actor=request.user, request=found, assignee=assignee, note=data.get("note", ""))
        return self._shown(done)

    @extend_schema(request=EscalateSerializer, responses={200: RequestSerializer})
    @action(detail=True, methods=["post"], url_path="escalate")
    def escalate(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Hand an open request to the federation above the one holding it (村 → 镇 → 县 → 市),
        with the reason; above the city there is nobody: a 400."""
        found = self._request(pk)
        reason = self.validated(EscalateSerializer)["reason"]
        return self._shown(requests.request_escalate(actor=request.user, request=found, reason=reason))

    @extend_schema(
        request={"application/json": ProgressSerializer, "multipart/form-data": ProgressUploadSerializer},
        responses={200: RequestSerializer},
    )
    @action(detail=True, methods=["post"], url_path="update", url_name="update")
    def progress(self, request: HttpRequest, pk: str | None = None) -> Response:
        """A dated note of progress (with photos: a multipart body), by the person assigned or
        the holder's staff."""
        found = self._request(pk)
        upload = request.content_type.startswith("multipart/")
        data = self.validated(ProgressUploadSerializer if upload else ProgressSerializer)
        done = requests.request_update(
            actor=request.user, request=found, note=data["note"], photos=data.get("photos", [])
        )
        return self._shown(done)

    @extend_schema(request=AnswerSerializer, responses={200: RequestSerializer})
    @action(detail=True, methods=["post"], url_path="answer")
    def answer(self, request: HttpRequest, pk: str | None = None) -> Response:
        """The answer given to the woman."""
        found = self._request(pk)
        text = self.validated(AnswerSerializer)["answer"]
        return self._shown(requests.request_answer(actor=request.user, request=found, answer=text))

    @extend_schema(request=RateSerializer, responses={200: RequestSerializer})
    @action(detail=True, methods=["post"], url_path="rate")
    def rate(self, request: HttpRequest, pk: str | None = None) -> Response:
        """The woman's satisfaction, asked and entered by her 她代表: satisfied or fairly
        satisfied closes the request; not satisfied reopens it once."""
        found = self._request(pk)
        data = self.validated(RateSerializer)
        done = requests.request_rate(
            actor=request.user, request=found, satisfaction=data["satisfaction"], note=data.get("note", "")
        )
        return self._shown(done)

    @extend_schema(request=CloseSerializer, responses={200: RequestSerializer})
    @action(detail=True, methods=["post"], url_path="close")
    def close(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Close an answered request whose satisfaction could not be asked, with a note; one
        without an answer is never closed (a 400)."""
        found = self._request(pk)
        note = self.validated(CloseSerializer)["note"]
        return self._shown(requests.request_close(actor=request.user, request=found, note=note))


# --- review --------------------------------------------------------------------------------


class ReviewQueueViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The duty records waiting for the caller's review (those of the level below her: a
    village chair's 执委, a township's chairs…), newest first, paged by cursor, with the
    filters of the records list. Confirm or return one on ``/api/v1/grid/contacts/{id}/``."""

    scoped_model = Contact
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    pagination_class = ContactCursorPagination

    def refine_queryset(self, queryset: QuerySet[Contact]) -> QuerySet[Contact]:
        return contacts_shown(self.request.user, queryset & review.review_queue(self.request.user))

    @extend_schema(request=BulkConfirmSerializer, responses={200: BulkConfirmedSerializer}, filters=False)
    @action(detail=False, methods=["post"], url_path="confirm", pagination_class=None, filterset_class=None)
    def confirm(self, request: HttpRequest) -> Response:
        """Confirm many records of the queue at once: each on its own, so one that another
        reviewer took meanwhile (or that is not waiting for the caller) is named in
        ``problems`` and the rest are confirmed."""
        ids = self.validated(BulkConfirmSerializer)["ids"]
        confirmed, problems = review.records_confirm(actor=request.user, ids=ids)
        return Response(BulkConfirmedSerializer({"confirmed": confirmed, "problems": problems}).data)


# --- work modes ----------------------------------------------------------------------------


@_detail_schema("work mode", "retrieve", "partial_update")
class WorkModeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """The city's work modes (工作模式) duty records are filed under, in their order: one list
    for the whole city, read by everyone logged in (not scoped: it holds no one's data). The
    city federation's administrators add, rename and retire them."""

    queryset = WorkMode.objects.all()
    serializer_class = WorkModeSerializer
    pagination_class = None

    def _require(self) -> None:
        if not modes.may_configure(self.request.user):
            raise exceptions.PermissionDenied(_("The work modes are kept by the city federation's administrators."))

    def _validated(self, serializer_class: type[Any]) -> Any:
        payload = serializer_class(data=self.request.data, context={"request": self.request})
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    @extend_schema(request=WorkModeWriteSerializer, responses={201: WorkModeSerializer})
    def create(self, request: HttpRequest) -> Response:
        """Add a work mode at the end of the list."""
        self._require()
        data = self._validated(WorkModeWriteSerializer)
        made = modes.mode_create(actor=request.user, name=data["name"], name_en=data.get("name_en", ""))
        return Response(WorkModeSerializer(made).data, status=201)

    @extend_schema(request=WorkModeUpdateSerializer, responses={200: WorkModeSerializer})
    def partial_update(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Rename a work mode, retire it (``active``: false) or bring it back."""
        self._require()
        mode = self.get_object()
        data = self._validated(WorkModeUpdateSerializer)
        changed = modes.mode_update(
            actor=request.user,
            mode=mode,
            name=data.get("name", mode.name),
            name_en=data.get("name_en", mode.name_en),
            active=data.get("active", mode.active),
        )
        return Response(WorkModeSerializer(changed).data)
