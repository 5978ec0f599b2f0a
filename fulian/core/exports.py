"""Exports of a list exactly as filtered on the page, as .xlsx or .csv, masked by default.

Full personal data needs the reveal permission at every organisation of the export (the
caller checks it) and writes one audit event naming the filter and the row count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.choices import Action
from fulian.audit.recorder import record
from fulian.core.scoping import can, grants_for
from fulian.core.spreadsheets import write_csv, write_xlsx

# A synchronous export holds at most this many rows; more is a township's worth many times
# over and is asked to be narrowed (the level above asks for one township or county at a time).
MAX_EXPORT_ROWS = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_response(
    *,
    fmt: str,
    basename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    text_columns: Sequence[int] = (),
) -> HttpResponse:
    """An .xlsx (default) or .csv download named ``<basename>-<date>``."""
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        body, content_type, ext = write_csv(headers=headers, rows=rows), "text/csv; charset=utf-8", "csv"
    else:
        body = write_xlsx(sheet_title=basename[:31], headers=headers, rows=rows, title=title, text_columns=text_columns)
        content_type, ext = XLSX, "xlsx"
    response = HttpResponse(body, content_type=content_type)
    filename = f"{basename}-{stamp}.{ext}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def may_export_full(user: Any, *, view: str, reveal: str, org: Any = None) -> bool:
    """Whether every row a list could show (within ``org`` if given) is one whose personal data
    ``user`` may reveal: a full export is all or nothing."""
    if org is not None:
        return can(user, reveal, org)
    reveal_grants = grants_for(user, reveal)
    return all(any(g.path.startswith(r.path) for r in reveal_grants) for g in grants_for(user, view))


def export_list(
    request: Any,
    *,
    form: Any,
    view: str,
    reveal: str,
    rows_of: Any,
    queryset_of: Any,
    headers: Sequence[str],
    basename: str,
    title: str,
    list_url: str,
    text_columns: Sequence[int] = (),
) -> HttpResponse:
    """The export behind a list page: the same form's filters, the same scoped selector;
    ``full=1`` asks for full personal data (permission-checked, audited)."""
    back = f"{list_url}?{request.GET.urlencode()}"
    if not form.is_valid():
        return redirect(back)
    org = form.cleaned_data.get("org")
    full = request.GET.get("full") == "1"
    if full and not may_export_full(request.user, view=view, reveal=reveal, org=org):
        raise PermissionDenied(_("You may not export full ID and phone numbers here."))
    rows = list(queryset_of(request.user, form.cleaned_data)[: MAX_EXPORT_ROWS + 1])
    if len(rows) > MAX_EXPORT_ROWS:
        messages.error(
            request, _("More than %(n)s rows: choose an organisation to narrow the export.") % {"n": MAX_EXPORT_ROWS}
        )
        return redirect(back)
    if full:
        record(
            Action.EXPORT,
            None,
            org=org,
            object_repr=title,
            changes={"rows": len(rows), "filters": request.GET.urlencode()},
        )
    return spreadsheet_response(
        fmt=request.GET.get("format", "xlsx"),
        basename=basename,
        title=title,
        headers=headers,
        rows=rows_of(rows, full=full),
        text_columns=text_columns,
    )
