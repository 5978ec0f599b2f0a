"""API plumbing shared by every app: scoped base viewsets, pagination, error shapes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission

from fulian.core.api_fields import Serializer
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

    def validated(self, serializer_class: type[Any]) -> Any:
        """The request body checked by ``serializer_class`` (a 400 naming the fields if not)."""
        payload = serializer_class(data=self.request.data, context={"request": self.request})
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    def visible_param(self, name: str, model: Any, *, label: str) -> Any:
        """The row a query parameter names by id, among those the caller may see; None when the
        parameter is absent. A value that is not an id, or names nothing visible, is a 400 that
        says so — never an ignored filter, never a database error (an id past 64 bits)."""
        raw = self.request.query_params.get(name, "")
        return self.visible_field(name, raw, model, label=label, archived=True) if raw else None

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


MAX_ID = 2**63 - 1  # the largest id a bigint (PostgreSQL) or an INTEGER (SQLite) holds


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


class FormFilteredMixin:
    """List filters defined once, by the list page's form: the API validates its query
    parameters with the same form (a bad one is a 400 naming it) and documents them."""

    filter_form: Any = None
    request: Any
    action: str

    def list_filters(self) -> dict[str, Any]:
        cached: dict[str, Any] | None = getattr(self, "_list_filters", None)
        if cached is not None:
            return cached
        form = self.filter_form(self.request.query_params, user=self.request.user)
        if not form.is_valid():
            raise ValidationError({field: [str(m) for m in messages] for field, messages in form.errors.items()})
        self._list_filters = dict(form.cleaned_data)
        return self._list_filters


class ArchivableRowsMixin(FormFilteredMixin):
    """For a viewset of archivable records (``core.archive``): its list shows the current
    records, or the archived ones with ``archived=1``; one record (its detail, its actions) is
    found whether current or archived. Put it before ``ScopedViewSetMixin``."""

    scoped_model: Any = None

    def scoped_rows(self) -> Any:
        objects = self.scoped_model.objects
        if self.action != "list":
            return objects.with_archived()
        return objects.archived() if self.list_filters().get("archived") else objects.all()
