"""DRF settings hooks (kept apart from api.py: DRF imports these while loading itself)."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def page_size_parameter(parameters: list[dict[str, Any]], *, default: int, maximum: int) -> list[dict[str, Any]]:
    """``page_size`` as the server treats it: a positive number (anything else is a 400); a
    number past ``maximum`` gives ``maximum`` rows — described, not declared as a bound the
    server does not enforce (a schema must match what the API does)."""
    for parameter in parameters:
        if parameter["name"] == "page_size":
            parameter["schema"]["minimum"] = 1
            parameter["description"] = (
                f"Rows per page, {default} unless given; at most {maximum} (a larger number gives {maximum})."
            )
    return parameters


def strict_page_size(request: Any, *, default: int, maximum: int) -> int:
    """The ``page_size`` asked for: DRF quietly ignores a value that is not a positive number,
    which hides a client's mistake; here it is a 400 naming the parameter."""
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise exceptions.ValidationError(
            {"page_size": [_("Enter a whole number of rows per page, 1 or more (not “%(value)s”).") % {"value": raw}]}
        )
    return min(int(raw), maximum)


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Any) -> int:
        return strict_page_size(request, default=self.page_size, maximum=self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        return page_size_parameter(parameters, default=self.page_size, maximum=self.max_page_size)


def _flat(detail: Any, prefix: str = "") -> list[str]:
    """A field's errors as a list of strings, whatever their nesting: the errors of one item of
    a list field arrive as ``{"0": [...]}`` and are given as ``"[0] …"`` (the published error
    shape is field → list of strings)."""
    if isinstance(detail, dict):
        return [message for key, value in detail.items() for message in _flat(value, f"{prefix}[{key}] ")]
    if isinstance(detail, list):
        return [message for value in detail for message in _flat(value, prefix)]
    return [f"{prefix}{detail}"]


def _flat_errors(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {field: value if isinstance(value, str) else _flat(value) for field, value in detail.items()}
    return detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus:

    * a service's Django ValidationError becomes a 400 with field errors;
    * a missing or out-of-scope object says just "Not found." in the caller's language (DRF's
      own message names the model: "No Organisation matches the given query.");
    * a CSRF failure on a session call gets a translated message saying what to do.
    """
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        exc = exceptions.PermissionDenied(
            _("The request was refused (CSRF check). Send the X-CSRFToken header, or use a token.")
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = _flat_errors(response.data)
    return response


class LookaheadPagination(PageNumberPagination):
    """Page numbers without a count: one row more than a page tells whether there is a next.
    For the big tables, where a COUNT(*) of the caller's subtree would read a million rows."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    max_page = 100_000

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        self.request = request
        size = strict_page_size(request, default=self.page_size, maximum=self.max_page_size)
        raw = request.query_params.get(self.page_query_param, "1")
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise exceptions.ValidationError(
                {self.page_query_param: [_("Enter a page number, 1 or more (not “%(value)s”).") % {"value": raw}]}
            )
        self.number = min(self.max_page, int(raw))
        offset = (self.number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        self.has_next = len(rows) > size
        return rows[:size]

    def _link(self, number: int) -> str | None:
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        url = self.request.build_absolute_uri()  # type: ignore[union-attr]
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.number + 1) if self.has_next else None,
                "previous": self._link(self.number - 1) if self.number > 1 else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = (
                    f"Page number from 1 (a number past {self.max_page} gives page {self.max_page})."
                )
        return page_size_parameter(parameters, default=self.page_size, maximum=self.max_page_size)
