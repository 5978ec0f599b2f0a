"""Reading and writing the tables officials keep in Excel (.xlsx, .xls) and CSV.

One module per concern: :mod:`.reading` (the file's type from its content, the rows, dates),
:mod:`.headers` (finding the header row), :mod:`.xlsx_scan` (what an .xlsx must not hand to
calamine), :mod:`.csv_files` (CSV encodings and separators), :mod:`.writing` (.xlsx and CSV
out); :mod:`.base` holds what they share. Callers import from this package.

Measured with ``FULIAN_SPREADSHEET_BENCH=1 pytest -k 100000 fulian/core/tests/test_spreadsheets.py``
(2 shared cores, Python 3.11): a 100,000-row × 12-column .xlsx written by openpyxl (5.5 MB;
64 MB of sheet XML) is read in 2.8 s (3.7 s with the machine busy), peak RSS 274 MB for the
whole pytest process (185–215 MB in a fresh Django process reading only). Of that, calamine
takes about 1.5–2 s, the scan 0.6–0.8 s, turning rows into :class:`Row` about 1 s. A
100,000-row CSV is read in about 1 s.
"""

from fulian.core.spreadsheets.base import ACCEPTED_TYPES, CellValue, Row, SpreadsheetError, Table
from fulian.core.spreadsheets.headers import HEADER_SEARCH_ROWS, normalise_header
from fulian.core.spreadsheets.reading import read_table, to_date
from fulian.core.spreadsheets.writing import write_csv, write_xlsx

__all__ = [
    "ACCEPTED_TYPES",
    "HEADER_SEARCH_ROWS",
    "CellValue",
    "Row",
    "SpreadsheetError",
    "Table",
    "normalise_header",
    "read_table",
    "to_date",
    "write_csv",
    "write_xlsx",
]
