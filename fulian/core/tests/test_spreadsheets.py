"""Rosters as officials upload them: real files, built with openpyxl or by LibreOffice."""

import codecs
import datetime
import io
import os
import resource
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from fulian.core.spreadsheets import (
    Row,
    SpreadsheetError,
    Table,
    normalise_header,
    read_table,
    to_date,
    write_csv,
    write_xlsx,
    xlsx_scan,
)

FILES = Path(__file__).parent / "files"
COLUMNS = {
    "name": ["姓名", "名字"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码"],
    "mobile": ["手机", "手机号", "联系电话"],
    "village": ["村", "所在村"],
    "birth_date": ["出生日期"],
}
ID_1 = "430223199001011235"
ID_2 = "43022319850315002X"


def xlsx(build: Callable[[Worksheet], None]) -> bytes:
    """An .xlsx of one sheet, filled by ``build``."""
    workbook = Workbook()
    build(workbook.active)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read(data: bytes, name: str = "roster.xlsx", **options: object) -> Table:
    return read_table(data, name, columns=COLUMNS, **options)  # type: ignore[arg-type]


def refused(data: bytes, name: str = "roster.xlsx", **options: object) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read(data, name, **options)
    return caught.value


def roster(ws: Worksheet) -> None:
    """A township roster as it comes in: a merged title, a header with notes, villages merged."""
    ws["A1"] = "株洲市攸县新市镇妇联执委花名册"
    ws.merge_cells("A1:F1")
    ws.append(["序号", "＊姓名", "身份证号码（必填）", "手机", "村", "出生日期(yyyy-mm-dd)"])
    ws.append([1, "张桃华", ID_1, 13807330001, "回龙村", datetime.date(1990, 1, 1)])
    ws.append([2, "李秀英", ID_2, 13807330002, None, "1985-03-15"])
    ws.append([3, "王芳", 4.30223197712240e17, 13807330003, None, 28483])
    ws.merge_cells("E3:E5")
    ws.append([4, "钟桃华", "430223196805050027", "13807330004", "新市村", datetime.datetime(1968, 5, 5)])
    ws.append([None, " ", "\u3000", None, None, None])  # looks empty
    ws.append([6, None, None, None, None, None])  # only the unmapped 序号 column


# --- Finding the table -----------------------------------------------------------------------


def test_a_roster_is_read_below_its_title_with_columns_named_in_many_ways() -> None:
    table = read(xlsx(roster))
    assert table.title == "株洲市攸县新市镇妇联执委花名册"  # merged across A1:F1, once
    assert table.header_row == 2
    assert table.fields == ["name", "id_number", "mobile", "village", "birth_date"]
    assert table.column_letters == {"name": "B", "id_number": "C", "mobile": "D", "village": "E", "birth_date": "F"}
    assert table.columns["name"] == "＊姓名"
    assert table.columns["id_number"] == "身份证号码（必填）"
    assert table.sheet == "Sheet"


def test_merged_cells_are_filled_blank_rows_skipped_and_rows_numbered_as_in_excel() -> None:
    table = read(xlsx(roster))
    assert [row.number for row in table.rows] == [3, 4, 5, 6]
    assert [row.values["village"] for row in table.rows] == ["回龙村", "回龙村", "回龙村", "新市村"]
    assert table.rows[0] == Row(
        number=3,
        values={
            "name": "张桃华",
            "id_number": ID_1,
            "mobile": 13807330001,  # Excel stores 13807330001.0
            "village": "回龙村",
            "birth_date": datetime.date(1990, 1, 1),
        },
    )


def test_numbers_come_back_as_int_except_ones_too_big_for_excel() -> None:
    table = read(xlsx(roster))
    assert type(table.rows[0].values["mobile"]) is int
    big = table.rows[2].values["id_number"]
    assert isinstance(big, float)  # left for the ID parser to call truncated
    assert big == 4.3022319771224e17
    assert table.rows[3].values["mobile"] == "13807330004"  # text stays text


def test_dates_as_cells_as_text_and_as_serial_numbers() -> None:
    dates = [row.values["birth_date"] for row in read(xlsx(roster)).rows]
    assert dates[1] == "1985-03-15"
    assert dates[2] == 28483
    assert [to_date(value) for value in dates] == [
        datetime.date(1990, 1, 1),
        datetime.date(1985, 3, 15),
        datetime.date(1977, 12, 24),
        datetime.date(1968, 5, 5),
    ]


def test_row_numbers_match_excel_when_the_table_starts_below_and_right() -> None:
    def build(ws: Worksheet) -> None:
        ws["C3"] = "花名册"
        ws["C5"], ws["D5"], ws["E5"] = "姓名", "手机", "备注"
        ws["C6"], ws["D6"] = "张桃华", 13807330001
        ws["E8"] = "这一行没有姓名和手机"  # blank: only an unmapped column
        ws["C9"] = "李秀英"

    table = read(xlsx(build))
    assert table.header_row == 5
    assert table.title == "花名册"
    assert table.column_letters == {"name": "C", "mobile": "D"}
    assert [(row.number, row.values["name"]) for row in table.rows] == [(6, "张桃华"), (9, "李秀英")]


def test_header_text_is_normalised() -> None:
    assert normalise_header(" 身份证号\n(必填) ") == "身份证号"
    assert normalise_header("＊出生日期（yyyy-mm-dd）") == "出生日期"
    assert normalise_header("【手机】号") == "号"
    assert normalise_header("Mobile Phone*") == "mobilephone"
    assert normalise_header("公民\u3000身份号码：") == "公民身份号码"
    assert normalise_header(None) == ""


def test_a_two_row_header_takes_each_columns_lowest_name() -> None:
    def build(ws: Worksheet) -> None:
        ws.append(["姓名", "身份证号", "联系电话", None])
        ws.append([None, None, "手机", "座机"])
        ws.merge_cells("A1:A2")
        ws.merge_cells("B1:B2")
        ws.merge_cells("C1:D1")
        ws.append(["张桃华", ID_1, 13807330001, "0731-1234567"])

    table = read(xlsx(build))
    assert table.header_row == 2
    assert table.column_letters == {"name": "A", "id_number": "B", "mobile": "C"}
    assert [row.number for row in table.rows] == [3]


def test_the_first_visible_sheet_with_a_header_is_read() -> None:
    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes["A1"] = "填表说明：身份证号请设为文本格式"
    lists = workbook.create_sheet("下拉选项")
    lists.append(["村", "姓名"])
    lists.sheet_state = "hidden"
    people = workbook.create_sheet("花名册")
    people.append(["姓名", "手机"])
    people.append(["张桃华", 13807330001])
    out = io.BytesIO()
    workbook.save(out)

    table = read(out.getvalue())
    assert table.sheet == "花名册"
    assert table.rows[0].values == {"name": "张桃华", "mobile": 13807330001}


def test_a_formula_never_calculated_is_reported_on_its_cell() -> None:
    def build(ws: Worksheet) -> None:
        ws.append(["姓名", "手机", "备注"])
        ws.append(["张桃华", "=13807330000+1", "=1+1"])  # openpyxl stores no result
        ws.append(["李秀英", 13807330002, None])

    table = read(xlsx(build))
    first, second = table.rows
    assert first.values["mobile"] is None
    assert first.errors == {"mobile": first.errors["mobile"]}  # not the unmapped 备注 column
    assert "Cell B2 holds a formula whose result was never calculated" in first.errors["mobile"]
    assert second.errors == {}


def test_a_row_whose_only_value_is_an_uncalculated_formula_is_kept() -> None:
    def build(ws: Worksheet) -> None:
        ws.append(["姓名", "手机"])
        ws.append([None, "=1+1"])

    assert read(xlsx(build)).rows[0].errors.keys() == {"mobile"}


# --- Files from office software ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["roster.xls", "roster-libreoffice.xlsx"])
def test_files_saved_by_office_software(name: str) -> None:
    table = read_table(
        (FILES / name).read_bytes(),
        name,
        columns={**COLUMNS, "age": ["年龄"]},
    )
    assert table.title == "株洲市攸县新市镇妇联执委花名册"
    assert table.header_row == 2
    assert table.column_letters["age"] == "G"
    assert [row.number for row in table.rows] == [3, 4, 5, 6]
    assert [row.values["village"] for row in table.rows] == ["回龙村", "回龙村", "回龙村", "新市村"]
    assert [row.values["age"] for row in table.rows] == [34, 39, None, None]  # calculated by LibreOffice
    assert table.rows[0].values["mobile"] == 13807330001
    assert isinstance(table.rows[2].values["id_number"], float)
    assert [to_date(row.values["birth_date"]) for row in table.rows] == [
        datetime.date(1990, 1, 1),
        datetime.date(1985, 3, 15),
        datetime.date(1977, 12, 24),
        datetime.date(1968, 5, 5),
    ]
    assert all(not row.errors for row in table.rows)


# --- CSV ----------------------------------------------------------------------------------------

CSV_TEXT = "花名册\n姓名,身份证号,手机\n张桃华,430223199001011235,13807330001\n,,\n李秀英,43022319850315002X,\n"


@pytest.mark.parametrize(
    "data",
    [
        CSV_TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + CSV_TEXT.encode("utf-8"),
        CSV_TEXT.encode("gb18030"),
        CSV_TEXT.replace(",", "\t").encode("gb18030"),
        CSV_TEXT.replace(",", ";").encode("utf-8"),
        CSV_TEXT.replace(",", "\t").encode("utf-16"),  # Excel's "Unicode text"
        CSV_TEXT.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gb18030-tab", "semicolon", "utf-16-tab", "crlf"],
)
def test_csv_in_the_encodings_and_separators_excel_writes(data: bytes) -> None:
    table = read(data, "roster.csv")
    assert table.title == "花名册"
    assert table.header_row == 2
    assert table.sheet == ""
    assert [(row.number, row.values) for row in table.rows] == [
        (3, {"name": "张桃华", "id_number": ID_1, "mobile": "13807330001"}),
        (5, {"name": "李秀英", "id_number": ID_2, "mobile": None}),
    ]


def test_a_csv_row_with_a_line_break_in_a_cell_is_one_row() -> None:
    data = '姓名,村\n"张桃华","回龙村\n三组"\n李秀英,新市村\n'.encode()
    assert [(row.number, row.values["village"]) for row in read(data, "a.csv").rows] == [
        (2, "回龙村\n三组"),
        (3, "新市村"),
    ]


# --- Whole-file problems ------------------------------------------------------------------------


def test_files_that_are_not_spreadsheets_are_refused_by_content() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        archive.writestr("word/document.xml", "<w:document xmlns:w='urn:w'><w:body/></w:document>")
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<document-content/>")
    for data, name in [
        (png, "roster.xlsx"),
        (docx.getvalue(), "roster.xlsx"),
        (ods.getvalue(), "roster.ods"),
        (b"PK\x03\x04 broken zip", "roster.xlsx"),
        (bytes(range(256)) * 4, "roster.csv"),
    ]:
        error = refused(data, name)
        assert f"“{name}” is not a spreadsheet" in error.message
        assert ".xlsx, .xls, .csv" in error.message


def test_an_xlsx_named_csv_is_still_read_as_xlsx() -> None:
    assert read(xlsx(roster), "roster.csv").header_row == 2


def test_a_password_protected_workbook_is_explained() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le")
    assert "protected by a password" in refused(ole2).message


def test_empty_files() -> None:
    assert "is empty" in refused(b"").message
    assert "has no rows" in refused(xlsx(lambda ws: None)).message
    assert "has no rows" in refused(b"\n\n,,\n", "a.csv").message
    header_only = refused(xlsx(lambda ws: ws.append(["姓名", "手机"])))
    assert "header row (row 1) but no data rows" in header_only.message
    assert "no data rows" in refused("姓名,手机\n,\n".encode(), "a.csv").message


def test_a_file_over_the_size_limit() -> None:
    error = refused(b"x" * 3 * 1024 * 1024, max_bytes=2 * 1024 * 1024)
    assert error.message.startswith("The file is 3 MB; files of up to 2 MB can be uploaded.")


def test_too_many_rows_stops_at_the_limit() -> None:
    def build(ws: Worksheet) -> None:
        ws.append(["姓名", "手机"])
        for n in range(6):
            ws.append([f"人{n}", 13807330000 + n])

    assert len(read(xlsx(build), max_rows=6).rows) == 6
    error = refused(xlsx(build), max_rows=5)
    assert "more than 5 rows of data" in error.message
    assert error.row == 7

    def endless() -> Iterator[bytes]:
        yield "姓名,手机\n".encode()
        for n in range(1000):
            yield f"人{n},1380733{n:04d}\n".encode()

    csv_error = refused(b"".join(endless()), "a.csv", max_rows=100)
    assert "more than 100 rows" in csv_error.message
    assert csv_error.row == 102


def test_no_header_row_lists_the_expected_columns() -> None:
    def build(ws: Worksheet) -> None:
        for n in range(20):
            ws.append([f"第{n}行", "内容"])
        ws.append(["姓名", "手机"])  # row 21: too far down

    error = refused(xlsx(build))
    assert "No header row was found in the first 15 rows" in error.message
    assert "姓名, 身份证号, 手机, 村, 出生日期" in error.message


def test_a_missing_required_column_is_named() -> None:
    # An unknown required field is a programming error, not a problem of the file.
    with pytest.raises(ValueError, match="gender"):
        read(xlsx(roster), required=["gender"])

    def build(ws: Worksheet) -> None:
        ws.append(["姓名", "手机"])
        ws.append(["张桃华", 13807330001])

    error = refused(xlsx(build), required=["name", "id_number"])
    assert error.message == (
        "Required columns are missing from the header (row 1): 身份证号 / 身份证号码 / 公民身份号码."
    )
    assert error.row == 1


def test_two_columns_meaning_the_same_field_are_refused() -> None:
    def build(ws: Worksheet) -> None:
        ws.append(["姓名", "身份证号", "手机", "公民身份号码"])
        ws.append(["张桃华", ID_1, 13807330001, ID_1])

    error = refused(xlsx(build))
    assert error.message == "Columns B (“身份证号”) and D (“公民身份号码”) are the same column; keep one."
    assert (error.row, error.column) == (1, "D")


def test_a_stray_cell_far_below_the_data_is_refused_before_it_is_loaded() -> None:
    def build(ws: Worksheet) -> None:
        ws.append(["姓名", "手机"])
        ws.append(["张桃华", 13807330001])
        ws["XFD1048576"] = "x"  # loading this sheet naively needs 550 GB

    error = refused(xlsx(build))
    assert "reaches cell XFD1048576" in error.message
    assert (error.row, error.column) == (1048576, "XFD")


def rewrite_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    """The .xlsx with its first sheet's XML edited, as other programs than Excel might write it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            target.writestr(member, content)
    return out.getvalue()


def small_roster(ws: Worksheet) -> None:
    ws.append(["姓名", "手机", "备注"])
    ws.append(["张桃华", "=13807330000+1", None])
    ws.append(["李秀英", 13807330002, "XFD"])


def test_a_stray_cell_written_in_lower_case_is_found_by_the_exact_scan() -> None:
    data = rewrite_sheet(xlsx(small_roster), b'r="C3"', b'r="xfd1048576"')
    assert "reaches cell XFD1048576" in refused(data).message


@pytest.fixture
def exact_scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sheets that needed the exact (slow) scan."""
    scanned: list[str] = []
    exact = xlsx_scan._scan_sheet_exactly

    def spy(stream: IO[bytes], sheet_name: str) -> dict[tuple[int, int], str]:
        scanned.append(sheet_name)
        return exact(stream, sheet_name)

    monkeypatch.setattr(xlsx_scan, "_scan_sheet_exactly", spy)
    return scanned


def test_unusual_xml_is_scanned_exactly_with_the_same_result(exact_scans: list[str]) -> None:
    usual = read(xlsx(small_roster))
    assert exact_scans == []
    assert usual.rows[0].errors.keys() == {"mobile"}
    # Attributes spaced differently and cells without references: valid XML that Excel never writes.
    for old, new in [(b'<c r="', b'<c  r="'), (b'<c r="C3"', b"<c")]:
        unusual = read(rewrite_sheet(xlsx(small_roster), old, new))
        assert unusual.rows == usual.rows
    assert exact_scans == ["Sheet", "Sheet"]


def test_cells_without_references_count_towards_the_budget(exact_scans: list[str]) -> None:
    # 20,000 cells without references continue row 3 to the right: 3 rows of them fit the budget,
    # 400 rows would not.
    filler = b"<c><v>1</v></c>" * 20_000
    data = rewrite_sheet(xlsx(small_roster), b"</row></sheetData>", filler + b"</row></sheetData>")
    assert [row.number for row in read(data).rows] == [2, 3]
    far = rewrite_sheet(data, b"</sheetData>", b'<row r="400"><c r="A400"><v>1</v></c></row></sheetData>')
    assert "reaches cell A400" in refused(far).message
    assert exact_scans == ["Sheet", "Sheet"]


def test_a_dimension_that_understates_the_sheet_does_not_hide_a_far_cell(exact_scans: list[str]) -> None:
    data = xlsx(small_roster)
    assert b'<dimension ref="A1:C3"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    within = rewrite_sheet(data, b"</sheetData>", b'<row r="300000"><c r="C300000"><v>1</v></c></row></sheetData>')
    assert [row.number for row in read(within).rows] == [2, 3]  # 300,000 × 3 cells: fine
    beyond = rewrite_sheet(data, b"</sheetData>", b'<row r="300000"><c r="AZ300000"><v>1</v></c></row></sheetData>')
    assert "reaches cell AZ300000" in refused(beyond).message
    assert exact_scans == []


@pytest.mark.parametrize(
    ("rows", "letters", "reference", "beyond"),
    [
        (50001, "AN", "AN50001", False),
        (50001, "AN", "an50001", False),
        (50001, "AN", "AM49999", False),
        (50001, "AN", "B5", False),
        (50001, "AN", "AO1", True),
        (50001, "AN", "ao2", True),
        (50001, "AN", "BA1", True),
        (50001, "AN", "AAA1", True),
        (50001, "AN", "A50002", True),
        (50001, "AN", "A60000", True),
        (50001, "AN", "A100000", True),
        (199_999, "AD", "AC150000", False),
        (199_999, "AD", "XFD1048576", True),
        (9, "Z", "Y9", False),
        (9, "Z", "AA1", True),
        (9, "Z", "A10", True),
    ],
)
def test_the_quick_check_finds_references_beyond_a_rectangle(
    rows: int, letters: str, reference: str, beyond: bool
) -> None:
    pattern = xlsx_scan._references_beyond(rows, letters)
    assert bool(pattern.search(f'<c r="{reference}" t="n">'.encode())) is beyond


def test_a_wide_but_short_sheet_is_measured_and_read(exact_scans: list[str]) -> None:
    def build(ws: Worksheet) -> None:
        ws.append(["姓名", "手机", *(f"列{n}" for n in range(200))])
        ws.append(["张桃华", 13807330001, *range(200)])

    assert read(xlsx(build)).rows[0].values == {"name": "张桃华", "mobile": 13807330001}
    assert exact_scans == []  # column GT is past the quick check, but the XML is usual


# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(1990, 1, 2),
        datetime.datetime(1990, 1, 2, 8, 30),
        32875,
        32875.5,
        19900102,
        "1990-01-02",
        "1990/1/2",
        "1990.01.02",
        "19900102",
        "1990年1月2日",
        "1990-01-02 00:00:00",
        " １９９０－０１－０２ ",
    ],
)
def test_to_date_reads_what_officials_type(value: object) -> None:
    assert to_date(value) == datetime.date(1990, 1, 2)


def test_to_date_counts_excel_serials_around_its_1900_leap_year_bug() -> None:
    assert to_date(1) == datetime.date(1900, 1, 1)
    assert to_date(59) == datetime.date(1900, 2, 28)
    assert to_date(61) == datetime.date(1900, 3, 1)


@pytest.mark.parametrize("value", [None, True, 0, 60, 80_000, "1990-13-01", "1990", "一九九〇年", "90-1-2"])
def test_to_date_refuses_what_is_not_a_date(value: object) -> None:
    with pytest.raises(ValueError, match=r"not a date|does not exist|month"):
        to_date(value)


# --- Writing --------------------------------------------------------------------------------


def test_write_xlsx_round_trips_and_keeps_id_and_phone_numbers_as_text() -> None:
    rows = (
        [name, id_number, mobile, village, birth]
        for name, id_number, mobile, village, birth in [
            ("张桃华", ID_1, 13807330001, "回龙村", datetime.date(1990, 1, 1)),
            ('=HYPERLINK("x")', ID_2, "13807330002", None, None),
        ]
    )
    data = write_xlsx(
        sheet_title="执委/花名册",
        headers=["姓名", "身份证号", "手机", "村", "出生日期"],
        rows=rows,
        title="新市镇妇联执委花名册",
        text_columns=[1, 2],
    )

    table = read(data)
    assert table.title == "新市镇妇联执委花名册"
    assert table.header_row == 2
    assert table.sheet == "执委_花名册"
    assert table.rows[0].values == {
        "name": "张桃华",
        "id_number": ID_1,
        "mobile": "13807330001",
        "village": "回龙村",
        "birth_date": datetime.date(1990, 1, 1),
    }
    assert table.rows[1].values["name"] == '=HYPERLINK("x")'  # text, never a formula

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A3"
    assert sheet["A1"].font.b
    assert sheet["A2"].font.b
    assert "A1:E1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet["B3"].number_format == "@"
    assert sheet["B3"].data_type == "s"
    assert sheet["A4"].data_type == "s"
    assert sheet.column_dimensions["B"].number_format == "@"  # new rows typed in stay text
    assert sheet.column_dimensions["B"].width >= 20  # 18 digits fit


def test_write_xlsx_without_title_freezes_the_header() -> None:
    data = write_xlsx(sheet_title="导出", headers=["姓名"], rows=iter([["张桃华"]]))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "姓名"


def test_write_csv_round_trips_with_a_bom_and_defuses_formulas() -> None:
    data = write_csv(
        headers=["姓名", "身份证号", "手机", "出生日期"],
        rows=[
            ["张桃华", ID_1, 13807330001, datetime.date(1990, 1, 1)],
            ["=1+1", ID_2, "-5", None],
        ],
    )
    assert data.startswith(codecs.BOM_UTF8)
    assert "'=1+1" in data.decode("utf-8-sig")
    table = read(data, "export.csv")
    assert [row.values for row in table.rows] == [
        {"name": "张桃华", "id_number": ID_1, "mobile": "13807330001", "birth_date": "1990-01-01"},
        {"name": "'=1+1", "id_number": ID_2, "mobile": "-5", "birth_date": None},
    ]


# --- Speed (opt-in) ---------------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("FULIAN_SPREADSHEET_BENCH"), reason="set FULIAN_SPREADSHEET_BENCH=1")
def test_reading_100000_rows_takes_seconds(tmp_path: Path) -> None:
    """The figures in the module docstring: run alone, since peak memory is per process."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(["株洲市攸县新市镇妇联执委花名册"])
    sheet.append(
        ["序号", "姓名", "性别", "身份证号", "手机", "出生日期", "民族", "文化程度", "政治面貌", "村", "职务", "备注"]
    )
    for n in range(100_000):
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=n % 15_000)
        id_number = f"43022319900101{n % 10_000:04d}"
        village = f"回龙村{n % 50}"
        sheet.append(
            [
                n + 1,
                f"张{n % 500}华",
                "女",
                id_number,
                13807330000 + n,
                birth,
                "汉族",
                "高中",
                "群众",
                village,
                "执委",
                "无",
            ]
        )
    path = tmp_path / "big.xlsx"
    workbook.save(path)
    data = path.read_bytes()

    started = time.perf_counter()
    table = read(data)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{len(data) / 1e6:.1f} MB file, {len(table.rows)} rows: {seconds:.2f} s, peak {peak_mb:.0f} MB")
    assert len(table.rows) == 100_000
    assert seconds < 10
    assert peak_mb < 400
