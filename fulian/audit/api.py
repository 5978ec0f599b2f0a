from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import CursorPagination

from fulian.audit.filters import AuditEventFilter
from fulian.audit.models import AuditEvent
from fulian.core.api import ScopedReadOnlyViewSet, action_somewhere
from fulian.core.api_fields import ModelSerializer
from fulian.core.drf import page_size_parameter, strict_page_size


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


class AuditCursorPagination(CursorPagination):
    # The log only grows: a cursor pages through it without counting or drifting.
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Any) -> int:
        return strict_page_size(request, default=self.page_size, maximum=self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        return page_size_parameter(parameters, default=self.page_size, maximum=self.max_page_size)


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit log of the caller's subtree (audit officers only)."""

    scoped_model = AuditEvent
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    pagination_class = AuditCursorPagination
    permission_classes = [action_somewhere("audit.view")]

    def refine_queryset(self, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.order_by("-id")
