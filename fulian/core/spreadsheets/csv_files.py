"""CSV files: UTF-8 with or without BOM, else GB18030 (what Excel in China writes), or UTF-16
with BOM (Excel's "Unicode text"); comma, tab or semicolon, whichever finds the header. Read as
a stream, so a file with too many rows stops at the limit."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator

from fulian.core.spreadsheets.base import RawRow, Sheet, not_a_spreadsheet, unreadable

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def csv_sheets(data: bytes, filename: str) -> Iterator[Sheet]:
    encoding = _text_encoding(data)
    if encoding is None:
        raise not_a_spreadsheet(filename)

    def records(delimiter: str) -> Iterator[RawRow]:
        text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        try:
            for index, record in enumerate(csv.reader(text, delimiter=delimiter)):
                yield index, list(record)
        except csv.Error as e:
            raise unreadable(filename) from e

    # Whichever delimiter finds the header wins; each is tried on the first rows only.
    for delimiter in (",", "\t", ";"):
        sheet = Sheet(name="", rows=records(delimiter))
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
