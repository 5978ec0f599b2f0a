"""What can be exported: each list declares its kind here once (``people/exports.py``,
``households/exports.py``), and the same declaration serves the download at once and the
export prepared in the background."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from fulian.core.filters import ScopedFilterSet


@dataclass(frozen=True)
class ExportKind:
    name: str
    filterset: type[ScopedFilterSet]  # the list's, so that the export holds what the page shows
    view: str  # the action that shows the rows
    reveal: str  # the action that shows their full personal data
    rows_of: Callable[..., Iterator[list[Any]]]  # (records, *, full[, members]) → rows
    headers: Callable[..., list[str]]  # ([members=True]) → the header row
    basename: str | Promise  # of the file: ``households-2026-11-29.xlsx``
    title: str | Promise
    list_url_name: str
    text_columns: tuple[int, ...] = ()
    # The rows listed under each record when asked (``members=1``: a household's members):
    # a function of the requester, giving the rows she may see.
    members_of: Callable[[Any], Any] | None = None
    members_text_columns: tuple[int, ...] = ()


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    _KINDS[kind.name] = kind
    return kind


def kind_named(name: str) -> ExportKind:
    return _KINDS[name]


def all_kinds() -> list[ExportKind]:
    return list(_KINDS.values())
