"""Spreadsheet downloads (.xlsx or .csv), and who may export full personal data.

The exports of the lists themselves are in ``fulian/exports``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from fulian.core.scoping import can, grants_for
from fulian.core.spreadsheets import write_csv, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def spreadsheet_file(
    *,
    fmt: str,
    basename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    text_columns: Sequence[int] = (),
) -> tuple[bytes, str, str]:
    """An .xlsx (default) or .csv named ``<basename>-<date>``: (bytes, content type, file name)."""
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        return write_csv(headers=headers, rows=rows), CSV, f"{basename}-{stamp}.csv"
    body = write_xlsx(sheet_title=basename[:31], headers=headers, rows=rows, title=title, text_columns=text_columns)
    return body, XLSX, f"{basename}-{stamp}.xlsx"


def download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def spreadsheet_response(**spreadsheet: Any) -> HttpResponse:
    """An .xlsx or .csv download (the arguments of ``spreadsheet_file``)."""
    return download(*spreadsheet_file(**spreadsheet))


def may_export_full(user: Any, *, view: str, reveal: str, org: Any = None) -> bool:
    """Whether every row a list could show (within ``org`` if given) is one whose personal data
    ``user`` may reveal: a full export is all or nothing."""
    if org is not None:
        return can(user, reveal, org)
    reveal_grants = grants_for(user, reveal)
    return all(any(g.path.startswith(r.path) for r in reveal_grants) for g in grants_for(user, view))
