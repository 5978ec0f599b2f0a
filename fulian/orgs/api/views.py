from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.core.api import ScopedReadOnlyViewSet
from fulian.core.filters import SEARCH_ALIAS_PARAMETER
from fulian.orgs import services
from fulian.orgs.api.serializers import GroupCreateSerializer, OrganisationDetailSerializer, OrganisationSerializer
from fulian.orgs.filters import OrganisationFilter
from fulian.orgs.models import Organisation


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Federation organisations in the caller's subtree."""

    scoped_model = Organisation
    filterset_class = OrganisationFilter

    def refine_queryset(self, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
        return queryset.order_by("path")

    @extend_schema(parameters=[SEARCH_ALIAS_PARAMETER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self) -> type[OrganisationSerializer]:
        return OrganisationDetailSerializer if self.action == "retrieve" else OrganisationSerializer

    @extend_schema(request=GroupCreateSerializer, responses={201: OrganisationSerializer})
    @action(detail=True, methods=["post"], url_path="groups")
    def groups(self, request: Request, pk: str | None = None) -> Response:
        """Add a village group (村民小组) under a village."""
        village = self.get_object()
        data = self.validated(GroupCreateSerializer)
        group = services.group_create(actor=request.user, village=village, name=data["name"])
        return Response(OrganisationSerializer(group).data, status=201)

    @extend_schema(request=GroupCreateSerializer, responses={200: OrganisationSerializer})
    @action(detail=True, methods=["post"], url_path="rename")
    def rename(self, request: Request, pk: str | None = None) -> Response:
        """Correct a village group's name."""
        group = self.get_object()
        data = self.validated(GroupCreateSerializer)
        return Response(
            OrganisationSerializer(services.group_rename(actor=request.user, group=group, name=data["name"])).data
        )
