"""DRF settings hooks (kept apart from api.py: DRF imports these while loading itself)."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination, PageNumberPagination
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


class IdCursorPagination(CursorPagination):
    """Pages by cursor along the id (unique, and the second column of every ``(scope column,
    id)`` index of the big tables): each page is ``id > last id of the page before``, read from
    the index; no count, and no ``OFFSET`` that grows with the page number. For the lists that
    reach millions of rows. Follow ``next`` and ``previous``; a page number is refused (a
    client that sends ``page=2`` would otherwise read page 1 again, forever)."""

    ordering: str | tuple[str, ...] = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Any) -> int:
        return strict_page_size(request, default=self.page_size, maximum=self.max_page_size)

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        if "page" in request.query_params:
            raise exceptions.ValidationError(
                {"page": [_("This list pages by cursor: follow its “next” link instead of giving a page number.")]}
            )
        return super().paginate_queryset(queryset, request, view)

    def valid_position(self, position: str) -> bool:
        """Whether a cursor's position is one this list could have given: an id."""
        from fulian.core.filters import MAX_ID

        return position.isascii() and position.isdigit() and int(position) <= MAX_ID

    def decode_cursor(self, request: Any) -> Any:
        """The cursor given; one not made by this API (or tampered with) is a 400 naming it, not
        DRF's 404 (the list exists) nor a database error (a position that is not an id)."""
        try:
            cursor = super().decode_cursor(request)
            position = getattr(cursor, "position", None)
            valid = position is None or self.valid_position(position)
        except exceptions.NotFound:
            valid = False
        if not valid:
            raise exceptions.ValidationError(
                {self.cursor_query_param: [_("This cursor is not valid: follow the “next” or “previous” link.")]}
            )
        return cursor

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = "The cursor of a page, as given in the `next` or `previous` link."
        return page_size_parameter(parameters, default=self.page_size, maximum=self.max_page_size)
