from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.core.api import ArchivableRowsMixin, ReasonSerializer, ScopedViewSetMixin
from fulian.core.api_fields import RevealedSerializer, RevealSerializer
from fulian.core.drf import IdCursorPagination
from fulian.core.filters import SEARCH_ALIAS_PARAMETER
from fulian.core.scoping import get_visible_or_404
from fulian.households import services
from fulian.households.api.serializers import (
    HouseholdDetailSerializer,
    HouseholdSerializer,
    HouseholdWriteSerializer,
    MemberSerializer,
    MemberWriteSerializer,
)
from fulian.households.filters import HouseholdFilter, MemberFilter
from fulian.households.models import Household, HouseholdMember


@extend_schema_view(list=extend_schema(parameters=[SEARCH_ALIAS_PARAMETER]))
class HouseholdViewSet(
    ArchivableRowsMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Households in the caller's subtree; ID and phone masked. The list holds current records
    (``archived=1``: the archived ones), paged by cursor; a record is found by its id either
    way."""

    scoped_model = Household
    filterset_class = HouseholdFilter
    pagination_class = IdCursorPagination

    def get_serializer_class(self) -> type[HouseholdSerializer]:
        return HouseholdDetailSerializer if self.action == "retrieve" else HouseholdSerializer

    def refine_queryset(self, queryset: QuerySet[Household]) -> QuerySet[Household]:
        if self.action == "list":
            return queryset
        return queryset.select_related("org", "archived_by").prefetch_related(
            Prefetch("members", queryset=HouseholdMember.objects.order_by("id"))
        )

    @extend_schema(request=HouseholdWriteSerializer, responses={201: HouseholdDetailSerializer})
    def create(self, request: Request) -> Response:
        data = dict(self.validated(HouseholdWriteSerializer))
        household = services.household_create(actor=request.user, org=data.pop("org"), values=data)
        return Response(HouseholdDetailSerializer(household).data, status=201)

    @extend_schema(request=HouseholdWriteSerializer, responses={200: HouseholdDetailSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        household = get_visible_or_404(
            Household.objects.with_archived(), request.user, pk=pk, action="households.change"
        )
        payload = HouseholdWriteSerializer(data=request.data, partial=True, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        services.household_update(actor=request.user, household=household, org=data.pop("org", None), values=data)
        return Response(HouseholdDetailSerializer(household).data)

    @extend_schema(request=RevealSerializer, responses={200: RevealedSerializer})
    @action(detail=True, methods=["post"], url_path="reveal")
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The head's full ID number or the phone; recorded in the audit log."""
        household = get_visible_or_404(
            Household.objects.with_archived(), request.user, pk=pk, action="households.reveal"
        )
        field = self.validated(RevealSerializer)["field"]
        value = services.household_reveal(actor=request.user, obj=household, field=field)
        return Response({"field": field, "value": value})

    def _lifecycle(self, pk: str | None, action_name: str, service: Any) -> Response:
        household = get_visible_or_404(Household.objects.with_archived(), self.request.user, pk=pk, action=action_name)
        service(actor=self.request.user, household=household, reason=self.validated(ReasonSerializer)["reason"])
        return Response(HouseholdDetailSerializer(self.get_queryset().get(pk=household.pk)).data)

    @extend_schema(request=ReasonSerializer, responses={200: HouseholdDetailSerializer})
    @action(detail=True, methods=["post"], url_path="archive")
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """Archive a household with its members (gone from lists, kept in history)."""
        return self._lifecycle(pk, "households.change", services.household_archive)

    @extend_schema(request=ReasonSerializer, responses={200: HouseholdDetailSerializer})
    @action(detail=True, methods=["post"], url_path="restore")
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Bring an archived household and its members back onto the lists."""
        return self._lifecycle(pk, "households.change", services.household_restore)

    @extend_schema(request=ReasonSerializer, responses={200: HouseholdDetailSerializer})
    @action(detail=True, methods=["post"], url_path="erase")
    def erase(self, request: Request, pk: str | None = None) -> Response:
        """Erase a household for good (a personal-information deletion request): administrators
        only; irreversible; its members are deleted."""
        return self._lifecycle(pk, "households.erase", services.household_erase)


class MemberViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Household members in the caller's subtree, paged by cursor; ``household`` lists one
    household's."""

    scoped_model = HouseholdMember
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    pagination_class = IdCursorPagination
    # JSON only: a member has no file to upload, and a form-encoded body reads an empty field as
    # null (DRF), which the schema's date format cannot say (fuzzing found `birth_date=` taken).
    parser_classes = [JSONParser]

    def scoped_rows(self) -> Any:
        """Lists hold the members of current households; one member is found either way."""
        return HouseholdMember.objects.all() if self.action == "list" else HouseholdMember.objects.with_archived()

    @extend_schema(parameters=[SEARCH_ALIAS_PARAMETER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=MemberWriteSerializer, responses={201: MemberSerializer})
    def create(self, request: Request) -> Response:
        data = dict(self.validated(MemberWriteSerializer))
        household = self.visible_field("household", data.pop("household"), Household, label=_("household"))
        return Response(
            MemberSerializer(services.member_add(actor=request.user, household=household, values=data)).data, status=201
        )

    @extend_schema(request=MemberWriteSerializer, responses={200: MemberSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        member = get_visible_or_404(
            HouseholdMember.objects.with_archived().select_related("household"),
            request.user,
            pk=pk,
            action="households.change",
        )
        payload = MemberWriteSerializer(data=request.data, partial=True, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("household", None)
        return Response(MemberSerializer(services.member_update(actor=request.user, member=member, values=data)).data)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        member = get_visible_or_404(
            HouseholdMember.objects.with_archived().select_related("household"),
            request.user,
            pk=pk,
            action="households.change",
        )
        services.member_remove(actor=request.user, member=member)
        return Response(status=204)

    @extend_schema(request=None, responses={200: RevealedSerializer})
    @action(detail=True, methods=["post"], url_path="reveal")
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The member's full ID number; recorded in the audit log."""
        member = get_visible_or_404(
            HouseholdMember.objects.with_archived(), request.user, pk=pk, action="households.reveal"
        )
        value = services.household_reveal(actor=request.user, obj=member, field="id_number")
        return Response({"field": "id_number", "value": value})
