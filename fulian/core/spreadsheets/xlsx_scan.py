"""The .xlsx pre-scan: what calamine must not be given, found before it is.

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
  no result: the same scan finds those cells, and :attr:`Row.errors` reports them, so the
  value is not silently empty. An .xls formula record always carries a result, so there is
  nothing to detect.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from posixpath import dirname, join, normpath
from typing import IO
from xml.parsers import expat

from django.utils.translation import gettext_noop
from openpyxl.utils import column_index_from_string, get_column_letter

from fulian.core.spreadsheets.base import Scanner, SpreadsheetError, not_a_spreadsheet, unreadable

# Calamine keeps 32 bytes per cell of a sheet's bounding rectangle: 6 million cells is about
# 200 MB, room for 100,000 rows of 60 columns.
_MAX_CELLS = 6_000_000
_MAX_UNZIPPED_BYTES = 300 * 1024 * 1024

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


def xlsx_scanner(data: bytes, filename: str) -> Scanner:
    """Check an .xlsx as a whole (a workbook, not too large unpacked) and return the scan of one
    of its sheets by name, to run before calamine loads that sheet."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise not_a_spreadsheet(filename) from e
    if sum(member.file_size for member in members) > _MAX_UNZIPPED_BYTES:
        raise SpreadsheetError.words(
            gettext_noop("The file is too large once unpacked. Split it into smaller files and upload them one by one.")
        )
    try:
        parts = _xlsx_sheet_parts(archive)
    except (KeyError, expat.ExpatError, zipfile.BadZipFile, ValueError) as e:
        raise unreadable(filename) from e
    if parts is None:
        raise not_a_spreadsheet(filename)

    def scan(name: str) -> dict[tuple[int, int], str]:
        try:
            with archive.open(parts[name]) as stream:
                return _scan_sheet_xml(stream, name)
        except (KeyError, zipfile.BadZipFile, EOFError) as e:
            raise unreadable(filename) from e

    return scan


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
        raise SpreadsheetError.words(
            gettext_noop("The sheet “%(sheet)s” could not be read; it may be damaged."), {"sheet": sheet_name}
        ) from e
    return uncalculated


def _too_wide(sheet_name: str, row: int, column: int) -> SpreadsheetError:
    cell = f"{get_column_letter(column + 1)}{row + 1}"
    return SpreadsheetError.words(
        gettext_noop(
            "The sheet “%(sheet)s” reaches cell %(cell)s, far beyond the data. Delete the rows and "
            "columns after the data (select them, right-click, Delete), save and upload again."
        ),
        {"sheet": sheet_name, "cell": cell},
        row=row + 1,
        column=get_column_letter(column + 1),
    )
