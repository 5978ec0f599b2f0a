"""What the spreadsheet modules share: the table read, its rows, the sheet being read and the
errors about a whole file."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

CellValue = str | int | float | bool | datetime.date | datetime.datetime | None

ACCEPTED_TYPES = ".xlsx, .xls, .csv"
# Numbers this large are ID numbers Excel has rounded; kept as floats so that the ID number
# parser can tell the user why they are wrong.
_BIG_NUMBER = 1e15
_INVISIBLE = "\u200b\ufeff"  # zero-width space and BOM: not whitespace to str.strip()


class SpreadsheetError(Exception):
    """A problem with the whole file; ``message`` is for the user (already translated). Made by
    :meth:`words`, it also keeps its English ``template`` and ``params``, so that a reader in
    another language (a preview read later) can have it in hers (:func:`error_text`)."""

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        template: str = "",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        self.template = template
        self.params = dict(params or {})

    @classmethod
    def words(
        cls,
        template: str,
        params: Mapping[str, Any] | None = None,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> SpreadsheetError:
        """The error whose message is ``template`` (an English text marked with ``gettext_noop``)
        filled with ``params``, in the active language."""
        plain = {
            key: value if isinstance(value, int | float | str) else str(value) for key, value in (params or {}).items()
        }
        return cls(error_text(template, plain), row=row, column=column, template=template, params=plain)


def error_text(template: str, params: Mapping[str, Any]) -> str:
    """A file's error in the active language (an unknown template reads as written, in English)."""
    translated = _(template)
    try:
        return translated % params if params else translated
    except (KeyError, TypeError, ValueError):
        return template % params if params else template


@dataclass(slots=True)
class Row:
    """One data row: its number as Excel shows it, and the raw value of each field found."""

    number: int
    values: dict[str, CellValue]
    # field -> message, for cells that could not be read (a formula never calculated).
    errors: dict[str, str] = field(default_factory=dict)
    # field -> the cell ("E5") of each such formula, for a caller that words the message itself.
    formulas: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    """The rows of a roster and where they were found."""

    fields: list[str]  # canonical fields found, in column order
    header_row: int  # 1-based; the last row of a header that spans two rows
    column_letters: dict[str, str]  # field -> "C"
    columns: dict[str, str]  # field -> header text as written
    title: str  # text above the header, one line per row
    rows: list[Row]
    sheet: str = ""  # the sheet read ("" for CSV)
    # Lines below the data that are no record (填表人：张三 填报日期：…, 合计): skipped, with their
    # row number and text (``footer_text``).
    footer: list[tuple[int, str]] = field(default_factory=list)


# A sheet as a stream of rows: (0-based row index, cells from column ``first_column``).
RawRow = tuple[int, list[object]]
Merge = tuple[tuple[int, int], tuple[int, int]]
Scanner = Callable[[str], dict[tuple[int, int], str]]


@dataclass
class Sheet:
    name: str
    rows: Iterator[RawRow]
    first_column: int = 0
    merged: list[Merge] = field(default_factory=list)
    uncalculated: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> "E5"
    had_rows: bool = False


def clean(value: object) -> CellValue:
    """A cell's value as importers want it: text stripped (None if blank), whole numbers as int."""
    if isinstance(value, str):
        text = value.strip()  # also full-width spaces and NBSP
        if text and (text[0] in _INVISIBLE or text[-1] in _INVISIBLE):
            text = text.strip(_INVISIBLE).strip()
        return text or None
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _BIG_NUMBER:
            return int(value)
        return value
    if value is None or isinstance(value, int | datetime.date):  # also bool and datetime
        return value
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)  # a time of day or a duration: no importer expects one
    return clean(str(value))


def not_a_spreadsheet(filename: str) -> SpreadsheetError:
    return SpreadsheetError.words(
        gettext_noop("“%(file)s” is not a spreadsheet that can be read. Upload an Excel or CSV file (%(types)s)."),
        {"file": filename, "types": ACCEPTED_TYPES},
    )


def unreadable(filename: str) -> SpreadsheetError:
    return SpreadsheetError.words(
        gettext_noop(
            "“%(file)s” could not be read; it may be damaged. Open it in Excel or WPS, save it "
            "as .xlsx and upload it again."
        ),
        {"file": filename},
    )


def password_error() -> SpreadsheetError:
    return SpreadsheetError.words(
        gettext_noop(
            "The file is protected by a password. Remove the password in Excel or WPS, save it and upload it again."
        )
    )
