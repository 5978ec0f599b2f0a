"""Finding the header row: the first of the first rows that names at least two known columns,
whatever title sits above it, in one row or two."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_noop
from openpyxl.utils import get_column_letter

from fulian.core.spreadsheets.base import RawRow, Sheet, SpreadsheetError, clean

HEADER_SEARCH_ROWS = 15
_NOTE_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_HEADER_JUNK_RE = re.compile(r"[\s*:]+")


def normalise_header(text: object) -> str:
    """The form in which a header and an alias are compared: no whitespace, half-width, no
    required-field stars or bracketed notes, Latin in lower case (``＊身份证号（必填）`` →
    ``身份证号``)."""
    if text is None:
        return ""
    normal = unicodedata.normalize("NFKC", str(text))
    normal = _NOTE_RE.sub("", normal)
    return _HEADER_JUNK_RE.sub("", normal).casefold()


def alias_index(columns: dict[str, Sequence[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, names in columns.items():
        for alias in names:
            key = normalise_header(alias)
            if index.setdefault(key, name) != name:
                raise ValueError(f"alias {alias!r} is given for both {index[key]!r} and {name!r}")
    return index


@dataclass
class Header:
    row: int  # 0-based index of the header's last row
    title: str
    fields: dict[int, str]  # list index of the column -> field
    texts: dict[str, str]  # field -> header text as written


def find_header(rows: Iterator[RawRow], aliases: dict[str, str], sheet: Sheet) -> Header | None:
    """Read up to the header row; None if the first rows of the sheet have none."""
    needed = min(2, len(set(aliases.values())))
    seen: list[RawRow] = []
    for index, cells in rows:
        if index >= HEADER_SEARCH_ROWS:
            break
        sheet.had_rows = sheet.had_rows or any(clean(cell) is not None for cell in cells)
        matches = sum(1 for cell in cells if normalise_header(cell) in aliases)
        if matches >= needed:
            return _header_from(index, cells, seen, rows, aliases, sheet)
        seen.append((index, cells))
    return None


def _header_from(
    index: int,
    cells: list[object],
    above: list[RawRow],
    rows: Iterator[RawRow],
    aliases: dict[str, str],
    sheet: Sheet,
) -> Header:
    # A two-row header: cells merged down from the header row ("姓名" over rows 2-3) sit
    # beside sub-headers in the row below ("联系方式" over "手机" and "座机"). Each column is
    # named by its lowest text.
    bottom = max(
        (end[0] for start, end in sheet.merged if start[0] == index and end[0] > index),
        default=index,
    )
    texts = {column: cell for column, cell in enumerate(cells) if clean(cell) is not None}
    last = index
    while last < bottom:
        last, below = next(rows, (bottom, []))
        texts.update({column: cell for column, cell in enumerate(below) if clean(cell) is not None})

    fields: dict[int, str] = {}
    written: dict[str, str] = {}
    letters: dict[str, str] = {}
    for column, cell in sorted(texts.items()):
        name = aliases.get(normalise_header(cell))
        if name is None:
            continue
        letter = get_column_letter(sheet.first_column + column + 1)
        if name in written:
            raise SpreadsheetError.words(
                gettext_noop(
                    "Columns %(first)s (“%(first_text)s”) and %(second)s (“%(second_text)s”) are the "
                    "same column; keep one."
                ),
                {"first": letters[name], "first_text": written[name], "second": letter, "second_text": clean(cell)},
                row=last + 1,
                column=letter,
            )
        fields[column] = name
        written[name] = str(clean(cell))
        letters[name] = letter

    lines = []
    for _index, row_cells in above:
        parts: list[str] = []
        for cell in row_cells:
            text = clean(cell)
            if text is not None and (not parts or parts[-1] != str(text)):
                parts.append(str(text))
        if parts:
            lines.append(" ".join(parts))
    return Header(row=last, title="\n".join(lines), fields=fields, texts=written)
