"""Reading a roster: :func:`read_table` finds the header row by its column names (aliases),
wherever a title puts it, fills merged cells, skips blank rows and gives each row the number
Excel shows. The file type is read from the content, never the name: officials rename files
freely.

.xlsx and .xls are read with python-calamine (Rust), which also reports the merged ranges of both
formats (``merged_cell_ranges``), so openpyxl is not needed for reading. Calamine loads a whole
sheet before the first row can be read, so the row limit is checked while converting rows, not
while parsing; an .xlsx is scanned first (:mod:`.xlsx_scan`). ODS files are not accepted
(``.xlsx``, ``.xls`` and ``.csv`` are). CSV: :mod:`.csv_files`.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from fulian.core.spreadsheets.base import (
    Merge,
    RawRow,
    Row,
    Scanner,
    Sheet,
    SpreadsheetError,
    Table,
    clean,
    password_error,
    unreadable,
)
from fulian.core.spreadsheets.csv_files import csv_sheets
from fulian.core.spreadsheets.headers import HEADER_SEARCH_ROWS, Header, alias_index, find_header
from fulian.core.spreadsheets.xlsx_scan import xlsx_scanner

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A password-protected .xlsx is an OLE2 file with this stream (names are UTF-16).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def read_table(
    data: bytes,
    filename: str,
    *,
    columns: dict[str, Sequence[str]],
    required: Sequence[str] = (),
    max_rows: int = 100_000,
    max_bytes: int = 20 * 1024 * 1024,
) -> Table:
    """Read a roster from an uploaded .xlsx, .xls or .csv file.

    ``columns`` maps each canonical field to the header texts that mean it
    (``{"name": ["姓名", "名字"]}``); columns whose header matches no alias are ignored.
    The first visible sheet with a header row (at least two known column names within the
    first 15 rows) is read. Raises :class:`SpreadsheetError` for a problem with the whole
    file; problems of single values are left to the caller, except :attr:`Row.errors`.
    """
    aliases = alias_index(columns)
    for name in required:
        if name not in columns:
            raise ValueError(f"required field {name!r} has no aliases")
    if len(data) > max_bytes:
        raise SpreadsheetError.words(
            gettext_noop(
                "The file is %(size)s MB; files of up to %(limit)s MB can be uploaded. Split it into smaller files."
            ),
            {"size": _megabytes(len(data)), "limit": _megabytes(max_bytes)},
        )
    if not data:
        raise SpreadsheetError.words(gettext_noop("The file “%(file)s” is empty."), {"file": filename})

    found_rows = False
    for sheet in _sheets(data, filename):
        rows = _fill_merged(sheet.rows, sheet.merged)
        header = find_header(rows, aliases, sheet)
        if header is None:
            found_rows = found_rows or sheet.had_rows
            continue
        return _read_body(header, rows, sheet, columns, required, max_rows)

    if not found_rows:
        raise SpreadsheetError.words(gettext_noop("The file “%(file)s” has no rows."), {"file": filename})
    examples = ", ".join(str(names[0]) for names in columns.values() if names)
    raise SpreadsheetError.words(
        gettext_noop(
            "No header row was found in the first %(count)d rows. The header row names the "
            "columns, for example: %(columns)s."
        ),
        {"count": HEADER_SEARCH_ROWS, "columns": examples},
    )


def to_date(value: object) -> datetime.date:
    """A date from a cell: a date or datetime, an Excel serial number (1900 date system), or
    text such as ``1990-01-02``, ``1990/1/2``, ``1990.01.02``, ``19900102``, ``1990年1月2日``
    or ``1990-01-02 00:00:00``. Raises ValueError for anything else."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int | float):
        if isinstance(value, int) and 19000101 <= value <= 29991231:
            return _date_from_digits(str(value))  # 19900102 typed into a number cell
        if not 1 <= value < 80_000:
            raise ValueError(f"not a date serial number: {value!r}")
        serial = int(value)
        if serial == 60:  # 29 February 1900, which Excel counts though it never existed
            raise ValueError("1900-02-29 does not exist")
        # Excel's serial 1 is 1900-01-01; from serial 61 the phantom 29 February shifts it.
        base = datetime.date(1899, 12, 30) if serial > 60 else datetime.date(1899, 12, 31)
        return base + datetime.timedelta(days=serial)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        match = _DATE_TEXT_RE.fullmatch(text)
        if match:
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
        if re.fullmatch(r"[0-9]{8}", text):
            return _date_from_digits(text)
    raise ValueError(f"not a date: {value!r}")


_DATE_TEXT_RE = re.compile(
    r"(?P<y>[0-9]{4})\s*[-/.年]\s*(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})\s*日?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)


def _date_from_digits(digits: str) -> datetime.date:
    return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _fill_merged(rows: Iterator[RawRow], merged: list[Merge]) -> Iterator[RawRow]:
    """Give every cell of a merged range the value of its top-left cell, as the user sees it."""
    if not merged:
        yield from rows
        return
    pending = sorted(merged)
    active: list[tuple[int, int, int, object]] = []  # last row, first column, last column, value
    position = 0
    for index, cells in rows:
        while position < len(pending) and pending[position][0][0] <= index:
            (top, left), (bottom, right) = pending[position]
            position += 1
            if top == index and bottom >= index:
                value = cells[left] if 0 <= left < len(cells) else None
                active.append((bottom, left, right, value))
        if active:
            active = [merge for merge in active if merge[0] >= index]
            for _bottom, left, right, value in active:
                if value is None or value == "":
                    continue
                # Rows are as wide as the used range: a title merged across the whole sheet
                # (A1:XFD1) fills only the columns that hold data.
                for column in range(max(left, 0), min(right + 1, len(cells))):
                    cells[column] = value
        yield index, cells


def _read_body(
    header: Header,
    rows: Iterator[RawRow],
    sheet: Sheet,
    columns: dict[str, Sequence[str]],
    required: Sequence[str],
    max_rows: int,
) -> Table:
    missing = [name for name in required if name not in header.texts]
    if missing:
        names = "; ".join(" / ".join(str(alias) for alias in columns[name]) for name in missing)
        raise SpreadsheetError.words(
            gettext_noop("Required columns are missing from the header (row %(row)d): %(columns)s."),
            {"row": header.row + 1, "columns": names},
            row=header.row + 1,
        )
    mapped = sorted(header.fields.items())
    letters = {name: get_column_letter(sheet.first_column + column + 1) for column, name in mapped}
    by_position = {(column + sheet.first_column): name for column, name in mapped}
    uncalculated: dict[int, list[tuple[int, str]]] = {}
    for (row, column), ref in sheet.uncalculated.items():
        if column in by_position:
            uncalculated.setdefault(row, []).append((column, ref))

    width = max((column + 1 for column, _name in mapped), default=0)
    body: list[Row] = []
    # Rows that look like a footer, with the record each would be if a record follows (None: blank).
    footer: list[tuple[int, str, Row | None]] = []
    for index, cells in rows:
        if index <= header.row:
            continue
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        values = {name: clean(cells[column]) for column, name in mapped}
        errors: dict[str, str] = {}
        formulas: dict[str, str] = {}
        if uncalculated:
            for column, ref in uncalculated.get(index, ()):
                formulas[by_position[column]] = ref
                errors[by_position[column]] = _(
                    "Cell %(cell)s holds a formula whose result was never calculated (the file "
                    "was made by a program, not saved by Excel or WPS). Open the file in Excel "
                    "or WPS, save it and upload it again."
                ) % {"cell": ref}
        if not errors and list(values.values()).count(None) == len(values):
            # Blank where the data is; a footer written in an unmapped column (序号) is still listed.
            line = footer_text(cells) if body else ""
            if line:
                footer.append((index + 1, line, None))
            continue
        if len(body) >= max_rows:
            raise SpreadsheetError.words(
                gettext_noop(
                    "The file has more than %(limit)s rows of data. Split it into files of at most "
                    "%(limit)s rows and upload them one by one."
                ),
                {"limit": f"{max_rows:,}"},
                row=index + 1,
            )
        record = Row(number=index + 1, values=values, errors=errors, formulas=formulas)
        # Only the rows below the last record are footers: a candidate is kept until a record follows.
        line = "" if errors else footer_text(cells)
        if line:
            footer.append((record.number, line, record))
            continue
        body.extend(candidate for _number, _line, candidate in footer if candidate is not None)
        footer.clear()
        body.append(record)
    if not body:
        raise SpreadsheetError.words(
            gettext_noop("The file has a header row (row %(row)d) but no data rows below it."),
            {"row": header.row + 1},
            row=header.row + 1,
        )
    return Table(
        fields=[name for _column, name in mapped],
        header_row=header.row + 1,
        column_letters=letters,
        columns=header.texts,
        title=header.title,
        rows=body,
        sheet=sheet.name,
        footer=[(number, line) for number, line, _candidate in footer],
    )


# The labels of the lines officials write below a table: who filled it in, who checked it, the
# date, totals and notes (填表人：张三  填报日期：2026-11-29; 合计; 备注：…; 单位（盖章）：).
_FOOTER_LABEL = re.compile(
    r"(?:填表|填报|制表|审核|审批|核对|复核|统计|负责|联系|经办|签字|签名|盖章|单位|日期|时间|备注|说明|注|合计|总计|小计|共计)"
    r"[\u4e00-\u9fff（）()]{0,6}\s*[:：]"
)
_TOTAL = re.compile(r"(?:合计|总计|小计|共计)")
# A cell of a record: an ID number (15 or 18 characters). Not a phone number: a footer gives
# one (联系电话：13807330000).
_RECORD_NUMBER = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")


def footer_text(cells: Sequence[object]) -> str:
    """The text of a line below the data that is no record (its first cell a label with a colon
    such as 填表人：, or a total), or "" for a row that may be a record: one holding an ID
    number is always a record."""
    texts = [" ".join(str(cell).split()) for cell in cells if cell not in (None, "") and str(cell).strip()]
    if not texts or not isinstance(_first(cells), str):
        return ""
    first = texts[0]
    if not (_FOOTER_LABEL.match(first) or _TOTAL.fullmatch(first.replace(" ", "").rstrip(":："))):
        return ""
    if any(_RECORD_NUMBER.search(text.replace(" ", "")) for text in texts):
        return ""
    return "  ".join(dict.fromkeys(texts))[:200]


def _first(cells: Sequence[object]) -> object:
    return next((cell for cell in cells if cell not in (None, "") and str(cell).strip()), None)


def _sheets(data: bytes, filename: str) -> Iterator[Sheet]:
    if data.startswith(_ZIP_MAGIC):
        yield from _calamine_sheets(data, filename, scan=xlsx_scanner(data, filename))
    elif data.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise password_error()
        yield from _calamine_sheets(data, filename, scan=None)
    else:
        yield from csv_sheets(data, filename)


def _calamine_sheets(data: bytes, filename: str, *, scan: Scanner | None) -> Iterator[Sheet]:
    """The visible worksheets of an .xlsx (``scan`` checks one before it is loaded) or .xls."""
    try:
        workbook = CalamineWorkbook.from_object(io.BytesIO(data))
    except PasswordError as e:
        raise password_error() from e
    except CalamineError as e:
        raise unreadable(filename) from e
    with workbook:
        for meta in workbook.sheets_metadata:
            # Hidden sheets of a template hold the lists behind its drop-downs, not people.
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            uncalculated = scan(meta.name) if scan else {}
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
            except CalamineError as e:
                raise unreadable(filename) from e
            start = sheet.start
            yield Sheet(
                name=meta.name,
                # Rows come from the sheet's first row (index = Excel row - 1), columns from its
                # first used column; test_row_numbers_match_excel guards this across upgrades.
                rows=_then_uncalculated(enumerate(sheet.iter_rows()), uncalculated),  # type: ignore[arg-type]
                first_column=start[1] if start else 0,
                merged=[
                    ((top, left - (start[1] if start else 0)), (bottom, right - (start[1] if start else 0)))
                    for (top, left), (bottom, right) in (sheet.merged_cell_ranges or [])
                ],
                uncalculated=uncalculated,
            )


def _then_uncalculated(rows: Iterator[RawRow], uncalculated: dict[tuple[int, int], str]) -> Iterator[RawRow]:
    """The rows, then empty rows for uncalculated formulas below the last value (calamine's range
    ends at the last cell with a value, and such a formula has none)."""
    last = -1
    for last, cells in rows:
        yield last, cells
    for row in sorted({row for row, _column in uncalculated if row > last}):
        yield row, []
