"""The filters of every list: one django-filter FilterSet per list, shared by its page, its API
endpoint and its export, so that the three hold exactly the same rows.

- ``search`` is the search box everywhere (DRF's name); ``q``, the old name of the pages and of
  the people and household APIs, is still read when ``search`` is absent (bookmarks, clients).
- ``org`` is an organisation inside the caller's subtree, by id or division code (a page's
  organisation picker also sends the name typed, ``org_text``): the rows at or below it.
- A value that is not valid is an error naming the parameter: a 400 from the API (the filter
  backend), a message beside the field on a page, a refused export. Never a 500, never ignored.
"""

from __future__ import annotations

from typing import Any, Self

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import OpenApiParameter

from fulian.core.ancestry import within_q

SEARCH_ALIAS = "q"
SEARCH_MAX_LENGTH = 50
MAX_ID = 2**63 - 1  # the largest id a bigint (PostgreSQL) or an INTEGER (SQLite) holds

# For the API schema: ``q`` documented beside ``search``, as its deprecated alias.
SEARCH_ALIAS_PARAMETER = OpenApiParameter(
    SEARCH_ALIAS,
    str,
    deprecated=True,
    description="Deprecated alias of `search`, read only when `search` is absent.",
)


def with_search_alias(data: Any) -> Any:
    """``data`` with ``q`` copied to ``search`` when only ``q`` is given."""
    if data is None or SEARCH_ALIAS not in data or "search" in data:
        return data
    aliased = data.copy()
    aliased["search"] = data[SEARCH_ALIAS]
    return aliased


def archived_requested(data: Any) -> bool:
    """Whether a list asks for its archived records (``archived=1``): the rows are chosen
    before the scope is applied (``core.archive``), so this is read before the filters."""
    return data is not None and data.get("archived") == "1"


class ScopedFilterSet(django_filters.FilterSet):
    """A list's filters for one user (who may be known from the request, or given: an export
    prepared in the background has no request)."""

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        user: Any = None,
        prefix: str | None = None,
    ) -> None:
        if user is None:
            user = getattr(request, "user", None) or AnonymousUser()
        self.user = user
        super().__init__(with_search_alias(data), queryset, request=request, prefix=prefix)

    def filter_queryset(self, queryset: Any) -> Any:
        # A filter that is not valid never lets the whole list through: the page shows the
        # error beside the filter over no rows (the API and the exports refuse it before).
        if self.is_bound and not self.form.is_valid():
            return queryset.none()
        return super().filter_queryset(queryset)

    @classmethod
    def of(cls, data: Any, *, user: Any) -> Self:
        """The list as a page or an export reads it: the rows ``user`` sees (the archived ones
        with ``archived=1``), to be narrowed by ``data``."""
        rows: Any = cls._meta.model.objects
        if archived_requested(data) and hasattr(rows, "archived"):
            rows = rows.archived()
        return cls(data, queryset=rows.visible_to(user), user=user)


class SearchFilter(django_filters.CharFilter):
    """The search box: what the model's queryset makes of it (``search()``: name, pinyin, and
    for personal records a phone or ID number, each served by an index)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        super().__init__(**kwargs)

    def filter(self, qs: Any, value: Any) -> Any:
        # Not called when a ``method`` is given (django-filter calls the method instead).
        text = (value or "").strip()
        return qs.search(text) if text else qs


def _invalid_choice(field: forms.ModelChoiceField, value: str) -> forms.ValidationError:  # type: ignore[type-arg]
    return forms.ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


# ``org`` in the API's schema: the digits of an id or of a division code.
ORG_PARAMETER_SCHEMA = {
    "type": "string",
    "pattern": "^[0-9]{1,19}$",
    "title": "Organisation id or division code",
}


class OrgFilter(django_filters.Filter):
    """``org``: an organisation inside the caller's subtree (``action`` if given), by id or
    division code (``orgs.picking.resolve_ref``); on a page, the organisation picker's text too
    (a name, pinyin or initials, ``org_text``). The rows at or below it (``within``), or of that
    organisation alone; ``path_field`` for a model that is scoped by a path column rather than by
    ancestry columns. A value that matches nothing in the caller's area is an error naming it,
    the same whether it exists elsewhere or not."""

    def __init__(self, *, action: str | None = None, within: bool = True, path_field: str = "", **kwargs: Any) -> None:
        self.action, self.within, self.path_field = action, within, path_field
        kwargs.setdefault("label", _("Organisation"))
        super().__init__(**kwargs)
        # The schema of this parameter, with this list's description (help_text).
        set_override(self, "field", {**ORG_PARAMETER_SCHEMA, "description": kwargs.get("help_text") or ""})

    @property
    def field(self) -> forms.Field:
        if not hasattr(self, "_field"):
            # The picker's field lives with the organisation tree (core imports no app).
            field_class = import_string("fulian.orgs.forms.OrgChoiceField")
            # An API request (the filter backend gives it) names an organisation by id or code
            # only; a page, or an export of a page's list, also by the name typed in the picker.
            api = self.parent.request is not None and self.parent.request.path.startswith("/api/")
            self._field = field_class(
                user=self.parent.user, action=self.action, names=not api, label=self.label, **self.extra
            )
        return self._field  # type: ignore[no-any-return]

    def filter(self, qs: Any, value: Any) -> Any:
        if value is None:
            return qs
        if not self.within:
            return qs.filter(**{self.field_name: value})
        if self.path_field:
            return qs.filter(**{f"{self.path_field}__startswith": value.path})
        return qs.filter(within_q(value))


class RowIdField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A row named by its id, among those the user may see (archived ones too: a filter may
    read history); anything else is "no such … in your area", never a database error."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and int(text) <= MAX_ID):
            raise _invalid_choice(self, text)
        return super().to_python(text)


class VisibleRowFilter(django_filters.ModelChoiceFilter):
    """A filter on a related row given by id (``household=12``), among the caller's."""

    field_class = RowIdField

    def __init__(self, *, model: Any, message: Any = None, **kwargs: Any) -> None:
        """``message``: what a bad id gets, with ``%(value)s`` (``No household with id …``);
        Django's "Select a valid choice" unless given."""
        self.row_model = model  # not ``model``: django-filter sets that to the list's model
        if message is not None:
            kwargs["error_messages"] = {"invalid_choice": message}
        super().__init__(queryset=self._visible, **kwargs)

    def _visible(self, request: Any) -> QuerySet[Any]:
        rows = self.row_model.objects
        if hasattr(rows, "with_archived"):
            rows = rows.with_archived()
        return rows.visible_to(self.parent.user)  # type: ignore[no-any-return]


class ArchivedFilter(django_filters.ChoiceFilter):
    """``archived=1``: the archived records instead of the current ones. The rows are chosen
    before the scope (see ``archived_requested``); the filter checks the value, documents it,
    and never lets current rows through when archived ones were asked for."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Records"))
        super().__init__(
            choices=[("1", _("Archived records"))],
            empty_label=_("Current records"),
            method=self.only_archived,
            **kwargs,
        )

    @staticmethod
    def only_archived(qs: Any, name: str, value: str) -> Any:
        return qs.filter(archived_at__isnull=False)


class _StrictNullBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``), empty for "either"; anything else is an error.
    Django's field reads any other text (``null``, ``yes please``) as "either"."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        text = str(value).strip().lower() if value is not None else ""
        if text in ("", "true", "false", "1", "0"):
            return None if not text else text in ("true", "1")
        raise forms.ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A yes/no list filter that refuses a value it does not understand (a 400 naming it)
    rather than quietly not filtering."""

    field_class = _StrictNullBooleanField
