"""API plumbing shared by every app: scoped base viewsets, pagination, error shapes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission

from fulian.core.api_fields import Serializer
from fulian.core.filters import MAX_ID, archived_requested
from fulian.core.scoping import can_anywhere


class ScopedViewSetMixin:
    """Builds every queryset through ``visible_to``; subclasses refine, never replace it.

    Overriding ``get_queryset`` in a subclass is refused when the class is defined, so a
    scope cannot be forgotten. The one way round it is spelled ``dangerously_unscoped``.
    """

    scoped_model: Any = None
    scope_action: str | None = None
    request: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__ and not getattr(cls, "dangerously_unscoped", False):
            raise TypeError(f"{cls.__name__} overrides get_queryset; override refine_queryset instead.")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.scoped_model.objects.none()
        return self.refine_queryset(self.scoped_rows().visible_to(self.request.user, self.scope_action))

    def scoped_rows(self) -> Any:
        """The rows the scope is applied to: the model's default, or (for archivable models) its
        archived rows too or alone, asked for before the scope, never instead of it."""
        return self.scoped_model.objects

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        """An id in the path is digits only, else 404 before anything runs (Django would read
        ``%203``, " 3", as record 3: found by fuzzing). Checked here rather than by the route's
        pattern, so that the schema still calls the id an integer."""
        kwarg = str(getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk"))
        if kwarg in kwargs:
            value = str(kwargs[kwarg])
            if not (value.isascii() and value.isdigit() and int(value) <= MAX_ID):
                raise Http404
        super().initial(request, *args, **kwargs)  # type: ignore[misc]

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The list's filters apply to the list: one record is found by its id alone."""
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc,no-any-return]

    def validated(self, serializer_class: type[Any]) -> Any:
        """The request body checked by ``serializer_class`` (a 400 naming the fields if not)."""
        payload = serializer_class(data=self.request.data, context={"request": self.request})
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    def visible_field(self, name: str, raw: Any, model: Any, *, label: str, archived: bool = False) -> Any:
        """The row a request field names by id, among those the caller may see, else a 400 on
        that field (like an organisation code): a body that names something is bad input, not
        a missing page. An archived record is found only with ``archived`` (a filter reading
        its history), never for a write (it is not offered to pick)."""
        text = str(raw)
        row = None
        if text.isascii() and text.isdigit() and int(text) <= MAX_ID:
            rows = model.objects
            if archived and hasattr(rows, "with_archived"):
                rows = rows.with_archived()
            row = rows.visible_to(self.request.user).filter(pk=int(text)).first()
        if row is None:
            message = _("No %(label)s with id %(id)s in your area.") % {"label": label, "id": text}
            raise ValidationError({name: [message]})
        return row


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    pass


class ReasonSerializer(Serializer[Any]):
    """The reason for archiving, restoring or erasing a record."""

    reason = serializers.CharField(max_length=200, help_text="Required; for an erasure, the deletion request")


def action_somewhere(action: str) -> type[BasePermission]:
    """A DRF permission: 403 unless the caller may perform ``action`` somewhere."""

    class ActionSomewhere(BasePermission):
        message = _("This endpoint is not part of your role.")

        def has_permission(self, request: Any, view: Any) -> bool:
            return bool(request.user and request.user.is_authenticated and can_anywhere(request.user, action))

    ActionSomewhere.__name__ = f"ActionSomewhere_{action.replace('.', '_')}"
    return ActionSomewhere


class ArchivableRowsMixin:
    """For a viewset of archivable records (``core.archive``): its list shows the current
    records, or the archived ones with ``archived=1`` (its FilterSet's ``ArchivedFilter``
    checks the value); one record (its detail, its actions) is found whether current or
    archived. Put it before ``ScopedViewSetMixin``."""

    scoped_model: Any = None
    request: Any
    action: str

    def scoped_rows(self) -> Any:
        objects = self.scoped_model.objects
        if self.action != "list":
            return objects.with_archived()
        return objects.archived() if archived_requested(self.request.query_params) else objects.all()
