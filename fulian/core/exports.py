"""Spreadsheet downloads (.xlsx or .csv), and who may export full personal data.

The exports of the lists themselves are in ``fulian/exports``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from fulian.core.scoping import can, grants_for
from fulian.core.spreadsheets import write_csv, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


# What Windows refuses in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_name_part(text: str, limit: int = 40) -> str:
    """A piece of a file name that any system accepts: no ``/ \\ : * ? " < > |`` nor control
    characters (a mask's stars become …), spaces collapsed, no dot or space at its ends, at most
    ``limit`` characters."""
    # A masked number keeps its shape: 430223********1234 → 430223…1234.
    cleaned = _UNSAFE.sub(" ", re.sub(r"\*{2,}", "…", unicodedata.normalize("NFC", str(text))))
    cleaned = " ".join(cleaned.split())[:limit]
    return cleaned.strip(" .")


def spreadsheet_file(
    *,
    fmt: str,
    basename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    text_columns: Sequence[int] = (),
    name_parts: Sequence[str] = (),
    sheet_title: str = "",
) -> tuple[bytes, str, str]:
    """An .xlsx (default) or .csv named ``<basename>-<name parts>-<date>`` (``户情台账-新市镇-
    2026-11-29.xlsx``): (bytes, content type, file name)."""
    stamp = timezone.localdate().isoformat()
    parts = [p for p in (safe_name_part(part) for part in (basename, *name_parts)) if p]
    stem = "-".join([*parts, stamp])
    if fmt == "csv":
        return write_csv(headers=headers, rows=rows), CSV, f"{stem}.csv"
    body = write_xlsx(
        sheet_title=(sheet_title or basename)[:31], headers=headers, rows=rows, title=title, text_columns=text_columns
    )
    return body, XLSX, f"{stem}.xlsx"


def download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    """The file as an attachment: its name in UTF-8 (RFC 5987 ``filename*``), and an ASCII
    name for the few clients that read only ``filename``."""
    response = HttpResponse(body, content_type=content_type)
    fallback = safe_name_part(filename.replace(";", " "), limit=120)
    if not fallback.isascii():
        tail = re.search(r"(-\d{4}-\d{2}-\d{2})?\.\w+$", fallback)
        fallback = f"export{tail.group(0)}" if tail else "export"
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
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
