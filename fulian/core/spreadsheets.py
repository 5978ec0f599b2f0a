"""Reading and writing the tables officials keep in Excel (.xlsx, .xls) and CSV.

Reading: :func:`read_table` finds the header row by its column names (aliases), wherever a
title puts it, fills merged cells, skips blank rows and gives each row the number Excel shows.
The file type is read from the content, never the name: officials rename files freely.

* **.xlsx and .xls** are read with python-calamine (Rust), which also reports the merged
  ranges of both formats (``merged_cell_ranges``), so openpyxl is not needed for reading.
  Calamine loads a whole sheet before the first row can be read, so the row limit is checked
  while converting rows, not while parsing.
* **A cell far from the data** (a stray value in XFD1048576) makes calamine allocate the whole
  rectangle up to it — 550 GB for that cell — and the process aborts, which no ``except``
  can catch. So before calamine sees an .xlsx sheet, its XML is scanned and a sheet reaching
  beyond ``_MAX_CELLS`` cells is refused, naming the cell. Most sheets need only a byte
  search for references outside the rectangle the sheet declares (``<dimension>``, written
  by Excel, WPS and LibreOffice; 200,000 rows × 30 columns when absent); if one is found
  every reference is measured; XML that common programs do not write (no cell references,
  namespace prefixes) is parsed with expat. Zip members larger in total than
  ``_MAX_UNZIPPED_BYTES`` are refused before anything is decompressed (calamine's zip reader
  refuses a member larger than it declares). An .xls sheet is limited by its format to
  65,536 × 256 cells, so its worst case is bounded (about 0.5 GB) and it is not scanned.
* **Formulas**: Excel and WPS store each formula's last result, which calamine returns. A file
  written by a program that never calculated its formulas (openpyxl writing ``=A2+1``) has
  no result: the same scan finds those .xlsx cells and :attr:`Row.errors` reports them, so
  the value is not silently empty. An .xls formula record always carries a result, so there
  is nothing to detect. ODS files are not accepted (``.xlsx``, ``.xls`` and ``.csv`` are).
* **CSV**: UTF-8 with or without BOM, else GB18030 (what Excel in China writes), or UTF-16
  with BOM (Excel's "Unicode text"); comma, tab or semicolon, whichever finds the header.
  Read as a stream, so a file with too many rows stops at the limit.

Measured with ``FULIAN_SPREADSHEET_BENCH=1 pytest -k 100000 fulian/core/tests/test_spreadsheets.py``
(2 shared cores, Python 3.11): a 100,000-row × 12-column .xlsx written by openpyxl (5.5 MB;
64 MB of sheet XML) is read in 2.8 s (3.7 s with the machine busy), peak RSS 274 MB for the
whole pytest process (185–215 MB in a fresh Django process reading only). Of that, calamine
takes about 1.5–2 s, the scan 0.6–0.8 s, turning rows into :class:`Row` about 1 s. A
100,000-row CSV is read in about 1 s.

Writing: :func:`write_xlsx` streams rows through openpyxl's write-only mode (rows go to a
temporary file, never into a workbook object model), with text-formatted columns for ID and
phone numbers so Excel cannot turn them into 4.30223E+17 when the file is edited. openpyxl
writes in pure Python (lxml barely helps in write-only mode): 100,000 rows × 12 columns take
30–40 s at about 70 MB peak, so exports that large belong in a background task.
:func:`write_csv` writes UTF-8 with a BOM, which is how Excel recognises UTF-8 (1.5 s).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from posixpath import dirname, join, normpath
from typing import IO
from xml.parsers import expat

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

CellValue = str | int | float | bool | datetime.date | datetime.datetime | None

HEADER_SEARCH_ROWS = 15
ACCEPTED_TYPES = ".xlsx, .xls, .csv"
# Calamine keeps 32 bytes per cell of a sheet's bounding rectangle: 6 million cells is about
# 200 MB, room for 100,000 rows of 60 columns.
_MAX_CELLS = 6_000_000
_MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
# Numbers this large are ID numbers Excel has rounded; kept as floats so that the ID number
# parser can tell the user why they are wrong.
_BIG_NUMBER = 1e15
_EXCEL_TEXT_LIMIT = 32_767

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A password-protected .xlsx is an OLE2 file with this stream (names are UTF-16).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = "\u200b\ufeff"  # zero-width space and BOM: not whitespace to str.strip()
_NOTE_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_HEADER_JUNK_RE = re.compile(r"[\s*:]+")

_DIMENSION_RE = re.compile(rb'<dimension ref="(?:[A-Za-z]{1,3}[0-9]{1,7}:)?([A-Za-z]{1,3})([0-9]{1,7})"')
_REF_RE = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_CELL_ATTRS_RE = re.compile(rb'<c r="([A-Za-z]+)([0-9]+)"([^>]*)>')
# A cell with content (not ``<c r="B7" s="1"/>``, which calamine skips), by reference.
_VALUE_CELL_RE = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>')
_TYPE_ATTR_RE = re.compile(rb'\bt="([^"]*)"')
_VALUE_RE = re.compile(rb"<v>[^<]*[^<\s][^<]*</v>")
_TEXT_TYPES = {"str", "s", "inlineStr", "e"}

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_DOCUMENT = f"{_REL_NS}/officeDocument"
_STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"


class SpreadsheetError(Exception):
    """A problem with the whole file; ``message`` is for the user (already translated)."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


@dataclass(slots=True)
class Row:
    """One data row: its number as Excel shows it, and the raw value of each field found."""

    number: int
    values: dict[str, CellValue]
    # field -> message, for cells that could not be read (a formula never calculated).
    errors: dict[str, str] = field(default_factory=dict)


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


# --- Reading -------------------------------------------------------------------------------


def normalise_header(text: object) -> str:
    """The form in which a header and an alias are compared: no whitespace, half-width, no
    required-field stars or bracketed notes, Latin in lower case (``＊身份证号（必填）`` →
    ``身份证号``)."""
    if text is None:
        return ""
    normal = unicodedata.normalize("NFKC", str(text))
    normal = _NOTE_RE.sub("", normal)
    return _HEADER_JUNK_RE.sub("", normal).casefold()


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
    aliases = _alias_index(columns)
    for name in required:
        if name not in columns:
            raise ValueError(f"required field {name!r} has no aliases")
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("The file is %(size)s MB; files of up to %(limit)s MB can be uploaded. Split it into smaller files.")
            % {"size": _megabytes(len(data)), "limit": _megabytes(max_bytes)}
        )
    if not data:
        raise SpreadsheetError(_("The file “%(file)s” is empty.") % {"file": filename})

    found_rows = False
    for sheet in _sheets(data, filename):
        rows = _fill_merged(sheet.rows, sheet.merged)
        header = _find_header(rows, aliases, sheet)
        if header is None:
            found_rows = found_rows or sheet.had_rows
            continue
        return _read_body(header, rows, sheet, columns, required, max_rows)

    if not found_rows:
        raise SpreadsheetError(_("The file “%(file)s” has no rows.") % {"file": filename})
    examples = ", ".join(str(names[0]) for names in columns.values() if names)
    raise SpreadsheetError(
        _(
            "No header row was found in the first %(count)d rows. The header row names the "
            "columns, for example: %(columns)s."
        )
        % {"count": HEADER_SEARCH_ROWS, "columns": examples}
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


def _alias_index(columns: dict[str, Sequence[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, names in columns.items():
        for alias in names:
            key = normalise_header(alias)
            if index.setdefault(key, name) != name:
                raise ValueError(f"alias {alias!r} is given for both {index[key]!r} and {name!r}")
    return index


# A sheet as a stream of rows: (0-based row index, cells from column ``first_column``).
RawRow = tuple[int, list[object]]
Merge = tuple[tuple[int, int], tuple[int, int]]
Scanner = Callable[[str], dict[tuple[int, int], str]]


@dataclass
class _Sheet:
    name: str
    rows: Iterator[RawRow]
    first_column: int = 0
    merged: list[Merge] = field(default_factory=list)
    uncalculated: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> "E5"
    had_rows: bool = False


@dataclass
class _Header:
    row: int  # 0-based index of the header's last row
    title: str
    fields: dict[int, str]  # list index of the column -> field
    texts: dict[str, str]  # field -> header text as written


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


def _find_header(rows: Iterator[RawRow], aliases: dict[str, str], sheet: _Sheet) -> _Header | None:
    """Read up to the header row; None if the first rows of the sheet have none."""
    needed = min(2, len(set(aliases.values())))
    seen: list[RawRow] = []
    for index, cells in rows:
        if index >= HEADER_SEARCH_ROWS:
            break
        sheet.had_rows = sheet.had_rows or any(_clean(cell) is not None for cell in cells)
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
    sheet: _Sheet,
) -> _Header:
    # A two-row header: cells merged down from the header row ("姓名" over rows 2-3) sit
    # beside sub-headers in the row below ("联系方式" over "手机" and "座机"). Each column is
    # named by its lowest text.
    bottom = max(
        (end[0] for start, end in sheet.merged if start[0] == index and end[0] > index),
        default=index,
    )
    texts = {column: cell for column, cell in enumerate(cells) if _clean(cell) is not None}
    last = index
    while last < bottom:
        last, below = next(rows, (bottom, []))
        texts.update({column: cell for column, cell in enumerate(below) if _clean(cell) is not None})

    fields: dict[int, str] = {}
    written: dict[str, str] = {}
    letters: dict[str, str] = {}
    for column, cell in sorted(texts.items()):
        name = aliases.get(normalise_header(cell))
        if name is None:
            continue
        letter = get_column_letter(sheet.first_column + column + 1)
        if name in written:
            raise SpreadsheetError(
                _(
                    "Columns %(first)s (“%(first_text)s”) and %(second)s (“%(second_text)s”) are the "
                    "same column; keep one."
                )
                % {"first": letters[name], "first_text": written[name], "second": letter, "second_text": _clean(cell)},
                row=last + 1,
                column=letter,
            )
        fields[column] = name
        written[name] = str(_clean(cell))
        letters[name] = letter

    lines = []
    for _index, row_cells in above:
        parts: list[str] = []
        for cell in row_cells:
            text = _clean(cell)
            if text is not None and (not parts or parts[-1] != str(text)):
                parts.append(str(text))
        if parts:
            lines.append(" ".join(parts))
    return _Header(row=last, title="\n".join(lines), fields=fields, texts=written)


def _read_body(
    header: _Header,
    rows: Iterator[RawRow],
    sheet: _Sheet,
    columns: dict[str, Sequence[str]],
    required: Sequence[str],
    max_rows: int,
) -> Table:
    missing = [name for name in required if name not in header.texts]
    if missing:
        names = "; ".join(" / ".join(str(alias) for alias in columns[name]) for name in missing)
        raise SpreadsheetError(
            _("Required columns are missing from the header (row %(row)d): %(columns)s.")
            % {"row": header.row + 1, "columns": names},
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
    for index, cells in rows:
        if index <= header.row:
            continue
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        values = {name: _clean(cells[column]) for column, name in mapped}
        errors: dict[str, str] = {}
        if uncalculated:
            for column, ref in uncalculated.get(index, ()):
                errors[by_position[column]] = _(
                    "Cell %(cell)s holds a formula whose result was never calculated (the file "
                    "was made by a program, not saved by Excel or WPS). Open the file in Excel "
                    "or WPS, save it and upload it again."
                ) % {"cell": ref}
        if not errors and list(values.values()).count(None) == len(values):
            continue
        if len(body) >= max_rows:
            raise SpreadsheetError(
                _(
                    "The file has more than %(limit)s rows of data. Split it into files of at most "
                    "%(limit)s rows and upload them one by one."
                )
                % {"limit": f"{max_rows:,}"},
                row=index + 1,
            )
        body.append(Row(number=index + 1, values=values, errors=errors))
    if not body:
        raise SpreadsheetError(
            _("The file has a header row (row %(row)d) but no data rows below it.") % {"row": header.row + 1},
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
    )


def _clean(value: object) -> CellValue:
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
    return _clean(str(value))


# --- Sources -------------------------------------------------------------------------------


def _sheets(data: bytes, filename: str) -> Iterator[_Sheet]:
    if data.startswith(_ZIP_MAGIC):
        yield from _xlsx_sheets(data, filename)
    elif data.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise _password_error()
        yield from _calamine_sheets(data, filename, scan=None)
    else:
        yield from _csv_sheets(data, filename)


def _not_a_spreadsheet(filename: str) -> SpreadsheetError:
    return SpreadsheetError(
        _("“%(file)s” is not a spreadsheet that can be read. Upload an Excel or CSV file (%(types)s).")
        % {"file": filename, "types": ACCEPTED_TYPES}
    )


def _unreadable(filename: str) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "“%(file)s” could not be read; it may be damaged. Open it in Excel or WPS, save it "
            "as .xlsx and upload it again."
        )
        % {"file": filename}
    )


def _password_error() -> SpreadsheetError:
    return SpreadsheetError(
        _("The file is protected by a password. Remove the password in Excel or WPS, save it and upload it again.")
    )


def _xlsx_sheets(data: bytes, filename: str) -> Iterator[_Sheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise _not_a_spreadsheet(filename) from e
    if sum(member.file_size for member in members) > _MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(
            _("The file is too large once unpacked. Split it into smaller files and upload them one by one.")
        )
    try:
        parts = _xlsx_sheet_parts(archive)
    except (KeyError, expat.ExpatError, zipfile.BadZipFile, ValueError) as e:
        raise _unreadable(filename) from e
    if parts is None:
        raise _not_a_spreadsheet(filename)

    def scan(name: str) -> dict[tuple[int, int], str]:
        try:
            with archive.open(parts[name]) as stream:
                return _scan_sheet_xml(stream, name)
        except (KeyError, zipfile.BadZipFile, EOFError) as e:
            raise _unreadable(filename) from e

    yield from _calamine_sheets(data, filename, scan=scan)


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str] | None:
    """Sheet name -> zip path of its XML, or None if the zip holds no workbook."""
    names = set(archive.namelist())
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for tag, attrs in _xml_elements(archive.read("_rels/.rels")):
            if tag == "Relationship" and attrs.get("Type") in (_OFFICE_DOCUMENT, _STRICT_OFFICE_DOCUMENT):
                workbook = normpath(join("/", attrs.get("Target", ""))).lstrip("/")
    if workbook not in names or _xml_root(archive, workbook) != "workbook":
        return None  # a Word document (word/document.xml), an ODS file, any other zip
    rels_path = join(dirname(workbook), "_rels", workbook.rsplit("/", 1)[-1] + ".rels")
    targets = {}
    if rels_path in names:
        for tag, attrs in _xml_elements(archive.read(rels_path)):
            target = attrs.get("Target", "")
            if tag == "Relationship":
                path = target.lstrip("/") if target.startswith("/") else normpath(join(dirname(workbook), target))
                targets[attrs.get("Id")] = path
    parts = {}
    for tag, attrs in _xml_elements(archive.read(workbook)):
        rel_id = next((value for key, value in attrs.items() if _local(key) == "id"), None)
        if tag == "sheet" and rel_id in targets:
            parts[attrs.get("name", "")] = targets[rel_id]
    return parts


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _xml_parser() -> expat.XMLParserType:
    """An expat parser that refuses document type declarations: no part of an .xlsx has one,
    and entity definitions are how XML bombs are built."""

    def refuse(*args: object) -> None:
        raise expat.ExpatError("document type declarations are not accepted")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


class _Found(Exception):
    pass


def _xml_root(archive: zipfile.ZipFile, path: str) -> str:
    """The local name of a part's root element, reading no further than it."""
    parser = _xml_parser()
    root: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        root.append(_local(tag))
        raise _Found

    parser.StartElementHandler = start
    with archive.open(path) as stream:
        try:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
        except _Found:
            pass
        except expat.ExpatError:
            return ""
    return root[0] if root else ""


def _xml_elements(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """(local tag, attributes) of every element of a small XML part."""
    elements: list[tuple[str, dict[str, str]]] = []
    parser = _xml_parser()
    parser.StartElementHandler = lambda tag, attrs: elements.append((_local(tag), attrs))
    parser.Parse(data, True)
    return elements


def _calamine_sheets(data: bytes, filename: str, *, scan: Scanner | None) -> Iterator[_Sheet]:
    """The visible worksheets of an .xlsx (``scan`` checks one before it is loaded) or .xls."""
    try:
        workbook = CalamineWorkbook.from_object(io.BytesIO(data))
    except PasswordError as e:
        raise _password_error() from e
    except CalamineError as e:
        raise _unreadable(filename) from e
    with workbook:
        for meta in workbook.sheets_metadata:
            # Hidden sheets of a template hold the lists behind its drop-downs, not people.
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            uncalculated = scan(meta.name) if scan else {}
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
            except CalamineError as e:
                raise _unreadable(filename) from e
            start = sheet.start
            yield _Sheet(
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


class _Unusual(Exception):
    """The sheet XML is not written the way common programs write it: scan it exactly."""


def _scan_sheet_xml(stream: IO[bytes], sheet_name: str, *, measure: bool = False) -> dict[tuple[int, int], str]:
    """Refuse a sheet whose used rectangle is too large for calamine; return the cells holding a
    formula without a result, as (row, column) -> reference.

    Three speeds: a byte search for references beyond the rectangle the sheet declares in
    <dimension> (most files, about 0.3 s per 1 million cells); measuring every reference when
    one is found (about 1.5 µs a cell); expat for XML that common programs do not write."""
    uncalculated: dict[tuple[int, int], str] = {}
    max_row = max_column = -1
    try:
        blocks = _sheet_data_blocks(stream)
        beyond = _beyond_declared(next(blocks))
        for block in blocks:
            if block.count(b"<c") != block.count(b'<c r="') or b":c" in block:
                raise _Unusual
            if measure:
                references = _VALUE_CELL_RE.findall(block)
                if references:
                    max_row = max(max_row, max(int(digits) for _letters, digits in references) - 1)
                    letters = max({letters.upper() for letters, _digits in references}, key=lambda x: (len(x), x))
                    max_column = max(max_column, column_index_from_string(letters.decode()) - 1)
                    if (max_row + 1) * (max_column + 1) > _MAX_CELLS:
                        raise _too_wide(sheet_name, max_row, max_column)
            elif beyond.search(block):
                stream.seek(0)
                return _scan_sheet_xml(stream, sheet_name, measure=True)
            if b"<f" in block:
                _find_uncalculated(block, uncalculated)
    except _Unusual:
        stream.seek(0)
        return _scan_sheet_exactly(stream, sheet_name)
    return uncalculated


def _sheet_data_blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """What precedes <sheetData>, then its inside in pieces of whole rows, read 4 MB at a time."""
    carry = b""
    started = False
    while True:
        chunk = stream.read(4 * 1024 * 1024)
        buffer = carry + chunk
        if not started:
            start = buffer.find(b"<sheetData")
            if start < 0:
                if len(buffer) > 1024 * 1024 or not chunk:  # a prefixed or unusual document
                    raise _Unusual
                carry = buffer
                continue
            yield buffer[:start]
            buffer, started = buffer[start:], True
        cut = buffer.rfind(b"</row>") + len(b"</row>") if chunk else len(buffer)
        if cut < len(b"</row>"):
            if len(buffer) > 16 * 1024 * 1024:  # a single enormous row
                raise _Unusual
            carry = buffer
            continue
        block, carry = buffer[:cut], buffer[cut:]
        # What follows the rows (merged ranges, conditional formats) is not cells.
        end = block.find(b"</sheetData>")
        if end >= 0:
            yield block[:end]
            return
        yield block
        if not chunk:
            return


def _beyond_declared(head: bytes) -> re.Pattern[bytes]:
    """A search for cell references outside the sheet's declared <dimension>, if that is within
    _MAX_CELLS; otherwise outside 200,000 rows × 30 columns (also within it)."""
    declared = _DIMENSION_RE.search(head)
    if declared:
        rows = int(declared[2])
        columns = column_index_from_string(declared[1].decode().upper())
        if rows * columns <= _MAX_CELLS:
            return _references_beyond(rows, get_column_letter(columns))
    return _references_beyond(199_999, "AD")


def _references_beyond(rows: int, letters: str) -> re.Pattern[bytes]:
    """A search for ``r="<ref>"`` with a row after ``rows`` or a column after ``letters``,
    factored so that an ordinary reference fails after a character or two."""

    def either_case(char: str) -> str:
        return f"[{char}{char.lower()}]"

    columns = [f"[A-Za-z]{{{len(letters) + 1}}}"]
    for i, char in enumerate(letters):
        if char < "Z":
            following = chr(ord(char) + 1)
            prefix = "".join(either_case(c) for c in letters[:i])
            columns.append(f"{prefix}[{following}-Z{following.lower()}-z][A-Za-z]{{{len(letters) - i - 1}}}")
    digits = str(rows)
    later_rows = [f"[0-9]{{{len(digits) + 1}}}"]
    for i, digit in enumerate(digits):
        if digit < "9":
            later_rows.append(f'{digits[:i]}[{int(digit) + 1}-9][0-9]{{{len(digits) - i - 1}}}"')
    return re.compile(f'r="(?:{"|".join(columns)}|[A-Za-z]{{1,3}}+(?:{"|".join(later_rows)}))'.encode())


def _find_uncalculated(block: bytes, found: dict[tuple[int, int], str]) -> None:
    position = block.find(b"<f")
    while position >= 0:
        start = block.rfind(b"<c ", 0, position)
        end = block.find(b"</c>", position)
        match = _CELL_ATTRS_RE.match(block, start)
        if start >= 0 and end >= 0 and match:
            cell = block[start:end]
            kind = _TYPE_ATTR_RE.search(match[3])
            if not _VALUE_RE.search(cell) and (kind is None or kind[1].decode() not in _TEXT_TYPES):
                letters, digits = match[1].decode().upper(), match[2].decode()
                found[(int(digits) - 1, column_index_from_string(letters) - 1)] = letters + digits
        position = block.find(b"<f", end if end >= 0 else position + 2)


def _scan_sheet_exactly(stream: IO[bytes], sheet_name: str) -> dict[tuple[int, int], str]:
    """The slow, exact scan: follows calamine's placement of cells with and without references."""
    state = {"row": -1, "column": -1, "max_row": -1, "max_column": -1, "has_value": False, "has_formula": False}
    cell_ref: list[str | None] = [None]
    cell_type: list[str | None] = [None]
    value_text: list[str] = []
    in_value = [False]
    uncalculated: dict[tuple[int, int], str] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "row":
            ref = attrs.get("r", "")
            state["row"] = int(ref) - 1 if ref.isdigit() else state["row"] + 1
            state["column"] = -1
        elif name == "c":
            match = _REF_RE.fullmatch(attrs.get("r", ""))
            if match:
                state["column"] = column_index_from_string(match[1].upper()) - 1
                state["row"] = int(match[2]) - 1
            else:
                state["column"] += 1
            cell_ref[0], cell_type[0] = attrs.get("r"), attrs.get("t")
            state["has_value"] = state["has_formula"] = False
            value_text.clear()
        elif name in ("v", "is", "f"):
            state["has_value"] = True
            state["has_formula"] = state["has_formula"] or name == "f"
            in_value[0] = name == "v"

    def end(tag: str) -> None:
        name = _local(tag)
        if name == "v":
            in_value[0] = False
        elif name == "c" and state["has_value"]:
            state["max_row"] = max(state["max_row"], state["row"])
            state["max_column"] = max(state["max_column"], state["column"])
            if (state["max_row"] + 1) * (state["max_column"] + 1) > _MAX_CELLS:
                raise _too_wide(sheet_name, state["row"], state["column"])
            cached = "".join(value_text).strip()
            if state["has_formula"] and not cached and (cell_type[0] or "n") not in _TEXT_TYPES and cell_ref[0]:
                uncalculated[(state["row"], state["column"])] = cell_ref[0]

    def text(data: str) -> None:
        if in_value[0]:
            value_text.append(data)

    parser = _xml_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.ParseFile(stream)
    except expat.ExpatError as e:
        raise SpreadsheetError(
            _("The sheet “%(sheet)s” could not be read; it may be damaged.") % {"sheet": sheet_name}
        ) from e
    return uncalculated


def _too_wide(sheet_name: str, row: int, column: int) -> SpreadsheetError:
    cell = f"{get_column_letter(column + 1)}{row + 1}"
    return SpreadsheetError(
        _(
            "The sheet “%(sheet)s” reaches cell %(cell)s, far beyond the data. Delete the rows and "
            "columns after the data (select them, right-click, Delete), save and upload again."
        )
        % {"sheet": sheet_name, "cell": cell},
        row=row + 1,
        column=get_column_letter(column + 1),
    )


def _csv_sheets(data: bytes, filename: str) -> Iterator[_Sheet]:
    encoding = _text_encoding(data)
    if encoding is None:
        raise _not_a_spreadsheet(filename)

    def records(delimiter: str) -> Iterator[RawRow]:
        text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        try:
            for index, record in enumerate(csv.reader(text, delimiter=delimiter)):
                yield index, list(record)
        except csv.Error as e:
            raise _unreadable(filename) from e

    # Whichever delimiter finds the header wins; each is tried on the first rows only.
    for delimiter in (",", "\t", ";"):
        sheet = _Sheet(name="", rows=records(delimiter))
        yield sheet
        if not sheet.had_rows:
            return


def _text_encoding(data: bytes) -> str | None:
    """The encoding that decodes the whole file as text without control characters, or None."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for offset in range(0, len(data), 1024 * 1024):
                if _CONTROL_RE.search(decoder.decode(data[offset : offset + 1024 * 1024])):
                    return None
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


# --- Writing -------------------------------------------------------------------------------


def write_xlsx(
    *,
    sheet_title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    title: str = "",
    text_columns: Sequence[int] = (),
) -> bytes:
    """An .xlsx file of one sheet: an optional bold title row, a bold header row frozen in place,
    then ``rows``. Columns listed in ``text_columns`` (0-based) are formatted as Text, cells
    and whole column, so ID numbers and phone numbers stay digits when the file is edited.
    Rows are streamed (openpyxl write-only); text is never read as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    text_set = set(text_columns)
    iterator = iter(rows)
    sample = [list(row) for _row, row in zip(range(200), iterator, strict=False)]
    for column, header in enumerate(headers):
        letter = get_column_letter(column + 1)
        widest = max([_display_width(header)] + [_display_width(row[column]) for row in sample if column < len(row)])
        dimension = ColumnDimension(sheet, index=letter, width=min(max(widest + 2, 8), 50))
        if column in text_set:
            dimension.number_format = "@"
        sheet.column_dimensions[letter] = dimension
    header_row = 2 if title else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    bold = Font(bold=True)
    if title:
        cell = WriteOnlyCell(sheet, value=_text(title))
        cell.font = Font(bold=True, size=14)
        cell.alignment = Alignment(horizontal="center")
        sheet.append([cell])
        if len(headers) > 1:
            sheet.merged_cells.add(f"A1:{get_column_letter(len(headers))}1")
    sheet.append([_xlsx_cell(sheet, header, text=False, font=bold) for header in headers])
    for row in _chain(sample, iterator):
        sheet.append([_xlsx_cell(sheet, value, text=column in text_set) for column, value in enumerate(row)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(*, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file in UTF-8 with a BOM (without it Excel reads UTF-8 as the local code page).
    Text that Excel would run as a formula (``=…``, ``+…``, ``@…``) is prefixed with ``'``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return out.getvalue().encode("utf-8")


_SHEET_TITLE_FORBIDDEN_RE = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _sheet_title(title: str) -> str:
    clean = _SHEET_TITLE_FORBIDDEN_RE.sub("_", title).strip("'")[:31]
    return clean or "Sheet1"


def _chain(first: list[list[object]], rest: Iterator[Sequence[object]]) -> Iterator[Sequence[object]]:
    yield from first
    yield from rest


def _display_width(value: object) -> int:
    """Columns of a fixed-width font: Chinese characters take two."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text[:60])


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:_EXCEL_TEXT_LIMIT]


def _xlsx_cell(sheet: Worksheet, value: object, *, text: bool, font: Font | None = None) -> object:
    """The value to append: plain values where openpyxl reads them right (cheaper), a cell where
    it would not (text that looks like a formula or an error code, Text-formatted columns)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if text:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = value.isoformat() if isinstance(value, datetime.date) else str(value)
    elif isinstance(value, int | float | Decimal | datetime.date | datetime.time) and font is None:
        return value
    string = _text(value if isinstance(value, str) else str(value))
    if not text and font is None and not string.startswith("=") and string not in ERROR_CODES:
        return string
    cell = WriteOnlyCell(sheet, value=string)
    cell.data_type = "s"  # never a formula or an error value
    if text:
        cell.number_format = "@"
    if font is not None:
        cell.font = font
    return cell


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER_RE.fullmatch(text):
        return "'" + text
    return text
