from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.audit.filters import AuditEventFilter
from fulian.audit.models import AuditEvent
from fulian.core.api import ScopedReadOnlyViewSet, action_somewhere
from fulian.core.api_fields import ModelSerializer
from fulian.core.drf import IdCursorPagination
from fulian.core.filters import SEARCH_ALIAS_PARAMETER


class AuditEventSerializer(ModelSerializer[AuditEvent]):
    actor: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    org: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "ip",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "org",
            "org_path",
            "changes",
        ]
        read_only_fields = fields


class NewestFirstCursorPagination(IdCursorPagination):
    # The log only grows: a cursor pages through it, newest first, without counting or drifting.
    ordering = "-id"


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit log of the caller's subtree (audit officers only)."""

    scoped_model = AuditEvent
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    pagination_class = NewestFirstCursorPagination
    permission_classes = [action_somewhere("audit.view")]

    def refine_queryset(self, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.order_by("-id")

    @extend_schema(parameters=[SEARCH_ALIAS_PARAMETER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
