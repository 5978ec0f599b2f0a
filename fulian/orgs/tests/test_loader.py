"""Reading division codes from CSV files: codes, levels, the flat extract, china-division."""

from __future__ import annotations

from pathlib import Path

import pytest

from fulian.orgs.choices import Level
from fulian.orgs.loader import (
    SHIPPED_FILE,
    LoadProblem,
    Reading,
    canonical_code,
    level_of,
    read_china_division,
    read_flat,
)
from fulian.orgs.tests.files import FLAT_HEADER, FLAT_ROWS, STREETS, VILLAGES, write_china_division, write_flat


def _only_problem(reading: Reading) -> LoadProblem:
    assert len(reading.problems) == 1, [str(p) for p in reading.problems]
    return reading.problems[0]


# --- canonical_code ------------------------------------------------------------------


@pytest.mark.parametrize("code", ["430000", "430200", "430223", "430281", "430223123", "430223123215"])
def test_a_code_already_in_platform_form_is_kept(code: str) -> None:
    assert canonical_code(code) == code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("430223000000", "430223"),
        ("430200000000", "430200"),
        ("430000000000", "430000"),
        ("430223123000", "430223123"),
        ("430223000", "430223"),
    ],
)
def test_the_12_digit_padded_official_form_is_shortened(raw: str, code: str) -> None:
    assert canonical_code(raw) == code


@pytest.mark.parametrize(("raw", "code"), [("43", "430000"), ("4302", "430200")])
def test_china_divisions_short_province_and_city_codes_are_padded(raw: str, code: str) -> None:
    assert canonical_code(raw) == code


def test_spaces_around_a_code_are_ignored() -> None:
    assert canonical_code(" 430223123215\t") == "430223123215"


def test_full_width_digits_typed_in_excel_become_ordinary_digits() -> None:
    assert canonical_code("４３０２２３") == "430223"


@pytest.mark.parametrize("raw", ["43022A", "abc", "", "   ", "430-223", "430223.0", "4.30223e+11", "٤٣٠٢٢٣"])
def test_a_code_with_anything_but_digits_is_refused_naming_the_code(raw: str) -> None:
    with pytest.raises(ValueError, match="only digits") as e:
        canonical_code(raw)
    assert f"“{raw}”" in str(e.value)


@pytest.mark.parametrize("raw", ["4", "430", "12345", "4302231", "43022312", "4302231232150", "430223123215001"])
def test_a_code_of_the_wrong_length_is_refused_naming_the_code(raw: str) -> None:
    with pytest.raises(ValueError, match="expected 6") as e:
        canonical_code(raw)
    assert raw in str(e.value)


@pytest.mark.parametrize("raw", ["000000", "001234", "000000000000"])
def test_a_code_without_a_province_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not a division code"):
        canonical_code(raw)


# --- level_of ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("430000", Level.PROVINCE),
        ("430200", Level.CITY),
        ("430223", Level.COUNTY),
        ("430281", Level.COUNTY),  # 醴陵市, a county-level city
        ("430223123", Level.TOWNSHIP),
        ("430223123215", Level.VILLAGE),
        ("430223123215001", Level.GROUP),
    ],
)
def test_the_level_follows_from_the_code(code: str, level: Level) -> None:
    assert level_of(code) == level


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("430223000000", Level.COUNTY),
        ("430200000000", Level.CITY),
        ("430223123000", Level.TOWNSHIP),
        ("4302", Level.CITY),
        ("43", Level.PROVINCE),
    ],
)
def test_the_level_of_a_padded_or_short_code_is_that_of_its_division(code: str, level: Level) -> None:
    assert level_of(code) == level


@pytest.mark.parametrize("code", ["12345", "abc", "", "4302231", "43022312321500"])
def test_the_level_of_a_malformed_code_is_a_value_error_naming_it(code: str) -> None:
    with pytest.raises(ValueError, match="not a division code"):
        level_of(code)


# --- the flat extract ----------------------------------------------------------------


def test_the_shipped_file_reads_without_problems_into_one_city_9_counties_112_townships_1400_villages() -> None:
    reading = read_flat(SHIPPED_FILE)
    assert reading.problems == []
    levels = [d.level for d in reading.divisions.values()]
    assert levels.count(Level.CITY) == 1
    assert levels.count(Level.COUNTY) == 9
    assert levels.count(Level.TOWNSHIP) == 112
    assert levels.count(Level.VILLAGE) == 1400
    assert reading.divisions["430223123215"].parent_code == "430223123"
    assert reading.divisions["430223123"].parent_code == "430223"
    assert reading.divisions["430223"].parent_code == "430200"
    assert reading.divisions["430200"].parent_code is None


def test_a_small_flat_file_gives_each_division_its_parent(tmp_path: Path) -> None:
    reading = read_flat(write_flat(tmp_path / "v.csv"))
    assert reading.problems == []
    assert {c: (d.name, d.parent_code, d.level) for c, d in reading.divisions.items()} == {
        "430200": ("株洲市", None, Level.CITY),
        "430223": ("攸县", "430200", Level.COUNTY),
        "430225": ("炎陵县", "430200", Level.COUNTY),
        "430223123": ("新市镇", "430223", Level.TOWNSHIP),
        "430223002": ("江桥街道", "430223", Level.TOWNSHIP),
        "430225100": ("霞阳镇", "430225", Level.TOWNSHIP),
        "430223123215": ("回龙村", "430223123", Level.VILLAGE),
        "430223123202": ("大桥头村", "430223123", Level.VILLAGE),
        "430223002006": ("龙湖社区", "430223002", Level.VILLAGE),
        "430225100215": ("蔬菜村委会", "430225100", Level.VILLAGE),
        "430225100001": ("东区社区居委会", "430225100", Level.VILLAGE),
    }


def test_a_missing_column_is_named_with_the_header_row(tmp_path: Path) -> None:
    header = [c for c in FLAT_HEADER if c != "street_name"]
    rows = [[v for c, v in zip(FLAT_HEADER, row, strict=True) if c != "street_name"] for row in FLAT_ROWS]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows, header=header, preamble="# a note\n")))
    assert (problem.file, problem.row, problem.column) == ("v.csv", 2, "street_name")
    assert "v.csv row 2, column street_name" in str(problem)
    assert "village_code, village_name, street_code, county_code, county_name" in problem.message


def test_every_missing_column_is_named(tmp_path: Path) -> None:
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", [["1", "2"]], header=["code", "name"])))
    assert problem.column == ", ".join(FLAT_HEADER)


def test_a_gb18030_file_from_excel_loads(tmp_path: Path) -> None:
    reading = read_flat(write_flat(tmp_path / "v.csv", encoding="gb18030"))
    assert reading.problems == []
    assert reading.divisions["430225100215"].name == "蔬菜村委会"
    assert reading.divisions["430223123"].name == "新市镇"


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = write_flat(tmp_path / "v.csv", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    reading = read_flat(path)
    assert reading.problems == []
    assert reading.divisions["430223123215"].name == "回龙村"


def test_windows_line_endings_blank_lines_and_comments_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    lines = ["# source: a note", ",".join(FLAT_HEADER), "", *(",".join(r) for r in FLAT_ROWS), "", ""]
    path.write_bytes("\r\n".join(lines).encode())
    reading = read_flat(path)
    assert reading.problems == []
    assert len([d for d in reading.divisions.values() if d.level == Level.VILLAGE]) == len(FLAT_ROWS)


def test_rows_of_empty_cells_that_excel_leaves_below_the_data_are_skipped(tmp_path: Path) -> None:
    reading = read_flat(write_flat(tmp_path / "v.csv", [*FLAT_ROWS, ("",) * 6, (" ",) * 6]))
    assert reading.problems == []


def test_a_file_in_another_encoding_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_bytes(",".join(FLAT_HEADER).encode("utf-16"))
    problem = _only_problem(read_flat(path))
    assert problem.file == "v.csv"
    assert "neither UTF-8 nor GB18030" in problem.message


def test_a_missing_or_empty_file_is_a_problem(tmp_path: Path) -> None:
    assert "v.csv" in str(_only_problem(read_flat(tmp_path / "v.csv")))
    (tmp_path / "empty.csv").write_text("# only a comment\n\n")
    assert "empty" in _only_problem(read_flat(tmp_path / "empty.csv")).message


def test_a_village_not_under_its_township_is_reported_with_its_row(tmp_path: Path) -> None:
    rows = [*FLAT_ROWS, ("430223124201", "错位村", "430223123", "新市镇", "430223", "攸县")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows, preamble="# note\n")))
    # line 1 is the note, line 2 the header, the bad row is the 6th data row
    assert (problem.row, problem.column) == (8, "village_code")
    assert "430223124201 does not lie under 430223123" in problem.message
    assert "430223124201" not in read_flat(write_flat(tmp_path / "v.csv", rows)).divisions


def test_a_township_not_under_its_county_is_reported(tmp_path: Path) -> None:
    rows = [("430225100215", "蔬菜村委会", "430225100", "霞阳镇", "430223", "攸县")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows)))
    assert (problem.row, problem.column) == (2, "street_code")
    assert "does not lie under 430223" in problem.message


def test_a_county_of_another_city_is_reported(tmp_path: Path) -> None:
    rows = [("430102001001", "五一村社区居委会", "430102001", "文艺路街道", "430102", "芙蓉区")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows)))
    assert (problem.row, problem.column) == (2, "county_code")
    assert "430102 does not lie under 430200" in problem.message


def test_the_same_code_twice_with_different_names_is_reported_at_the_second_row(tmp_path: Path) -> None:
    rows = [*FLAT_ROWS, ("430223123215", "回龙新村", "430223123", "新市镇", "430223", "攸县")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows)))
    assert (problem.row, problem.column) == (7, "village_code")
    assert "430223123215 appears twice" in problem.message
    assert "回龙村" in problem.message
    assert "回龙新村" in problem.message


def test_a_township_named_differently_on_two_rows_is_reported(tmp_path: Path) -> None:
    rows = [FLAT_ROWS[0], ("430223123202", "大桥头村", "430223123", "新市乡", "430223", "攸县")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows)))
    assert (problem.row, problem.column) == (3, "street_code")
    assert "新市镇" in problem.message
    assert "新市乡" in problem.message


def test_the_same_row_twice_is_not_a_problem(tmp_path: Path) -> None:
    reading = read_flat(write_flat(tmp_path / "v.csv", [FLAT_ROWS[0], FLAT_ROWS[0]]))
    assert reading.problems == []


def test_a_malformed_code_is_reported_with_its_row_and_column(tmp_path: Path) -> None:
    rows = [FLAT_ROWS[0], ("43022312320X", "大桥头村", "430223123", "新市镇", "430223", "攸县")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows)))
    assert (problem.row, problem.column) == (3, "village_code")
    assert "43022312320X" in problem.message


def test_a_code_in_the_wrong_column_is_reported(tmp_path: Path) -> None:
    # A township code in the county column would become a "county" under the city.
    rows = [("430223123215", "回龙村", "430223123215", "新市镇", "430223123", "攸县")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows)))
    assert (problem.row, problem.column) == (2, "county_code")
    assert problem.message == "430223123 is the code of a township; this column holds codes of a county."


def test_a_village_without_a_name_is_reported(tmp_path: Path) -> None:
    rows = [("430223123215", " ", "430223123", "新市镇", "430223", "攸县")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows)))
    assert (problem.row, problem.column) == (2, "village_code")
    assert "name of 430223123215 is empty" in problem.message


def test_a_name_too_long_to_store_is_reported(tmp_path: Path) -> None:
    rows = [("430223123215", "回" * 101, "430223123", "新市镇", "430223", "攸县")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows)))
    assert (problem.row, problem.column) == (2, "village_code")
    assert "100" in problem.message


def test_a_short_row_is_reported_naming_the_first_missing_value(tmp_path: Path) -> None:
    rows = [FLAT_ROWS[0], ("430223123202", "大桥头村", "430223123")]
    problem = _only_problem(read_flat(write_flat(tmp_path / "v.csv", rows)))
    assert (problem.row, problem.column) == (3, "street_name")


def test_every_bad_row_is_reported_not_only_the_first(tmp_path: Path) -> None:
    rows = [
        ("43022312321X", "回龙村", "430223123", "新市镇", "430223", "攸县"),
        *FLAT_ROWS[1:],
        ("430223124201", "错位村", "430223123", "新市镇", "430223", "攸县"),
    ]
    reading = read_flat(write_flat(tmp_path / "v.csv", rows))
    assert [(p.row, p.column) for p in reading.problems] == [(2, "village_code"), (7, "village_code")]


# --- china-division's dist/ folder ---------------------------------------------------


def test_a_city_loads_from_files_whose_columns_are_in_different_orders(tmp_path: Path) -> None:
    reading = read_china_division(write_china_division(tmp_path / "dist"), "430200")
    assert reading.problems == []
    assert {c: (d.name, d.parent_code, d.level) for c, d in reading.divisions.items()} == {
        "430200": ("株洲市", None, Level.CITY),
        "430223": ("攸县", "430200", Level.COUNTY),
        "430225": ("炎陵县", "430200", Level.COUNTY),
        "430223123": ("新市镇", "430223", Level.TOWNSHIP),
        "430223002": ("江桥街道", "430223", Level.TOWNSHIP),
        "430225100": ("霞阳镇", "430225", Level.TOWNSHIP),
        "430223123215": ("回龙村", "430223123", Level.VILLAGE),
        "430223123202": ("大桥头村", "430223123", Level.VILLAGE),
        "430223002006": ("龙湖社区", "430223002", Level.VILLAGE),
        "430225100215": ("蔬菜村委会", "430225100", Level.VILLAGE),
    }


@pytest.mark.parametrize("code", ["430200", "4302", "430200000000"])
def test_the_city_may_be_given_in_any_form(tmp_path: Path, code: str) -> None:
    reading = read_china_division(write_china_division(tmp_path / "dist"), code)
    assert reading.problems == []
    assert "430223123215" in reading.divisions
    assert "430102" not in reading.divisions


def test_a_county_loads_with_its_city_above_it_and_nothing_of_its_neighbours(tmp_path: Path) -> None:
    reading = read_china_division(write_china_division(tmp_path / "dist"), "430223")
    assert reading.problems == []
    assert sorted(reading.divisions) == [
        "430200",
        "430223",
        "430223002",
        "430223002006",
        "430223123",
        "430223123202",
        "430223123215",
    ]
    assert reading.divisions["430200"].parent_code is None
    assert reading.divisions["430223"].parent_code == "430200"


def test_a_county_may_be_given_in_the_padded_official_form(tmp_path: Path) -> None:
    reading = read_china_division(write_china_division(tmp_path / "dist"), "430223000000")
    assert reading.problems == []
    assert "430223123215" in reading.divisions


def test_an_unknown_code_is_a_problem_naming_it(tmp_path: Path) -> None:
    problem = _only_problem(read_china_division(write_china_division(tmp_path / "dist"), "430299"))
    assert (problem.file, problem.column) == ("--code", "code")
    assert "430299" in problem.message


@pytest.mark.parametrize("code", ["430000", "430223123", "430223123215"])
def test_only_a_city_or_a_county_can_be_loaded(tmp_path: Path, code: str) -> None:
    problem = _only_problem(read_china_division(write_china_division(tmp_path / "dist"), code))
    assert problem.file == "--code"
    assert "city code" in problem.message


def test_a_malformed_code_option_is_a_problem(tmp_path: Path) -> None:
    problem = _only_problem(read_china_division(write_china_division(tmp_path / "dist"), "43O223"))
    assert "43O223" in problem.message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    folder = write_china_division(tmp_path / "dist")
    (folder / "streets.csv").unlink()
    reading = read_china_division(folder, "430200")
    assert "streets.csv" in [p.file for p in reading.problems]


def test_a_missing_parent_column_is_named_with_its_file(tmp_path: Path) -> None:
    header = "code,name,provinceCode,cityCode"
    rows = [",".join(r.split(",")[:2] + r.split(",")[3:]) for r in STREETS[1]]
    folder = write_china_division(tmp_path / "dist", streets=(header, rows))
    problems = read_china_division(folder, "430200").problems
    assert ("streets.csv", 1, "areaCode") in [(p.file, p.row, p.column) for p in problems]


def test_a_village_under_a_street_of_another_county_is_reported(tmp_path: Path) -> None:
    villages = (VILLAGES[0], [*VILLAGES[1], "430223123299,错位村委会,430225100,43,4302,430225"])
    folder = write_china_division(tmp_path / "dist", villages=villages)
    problem = _only_problem(read_china_division(folder, "430200"))
    assert (problem.file, problem.row, problem.column) == ("villages.csv", 7, "code")
    assert "430223123299 does not lie under 430225100" in problem.message


def test_a_row_without_its_parent_code_is_reported(tmp_path: Path) -> None:
    streets = (STREETS[0], [*STREETS[1], "430223124,孤立镇,,43,4302"])
    folder = write_china_division(tmp_path / "dist", streets=streets)
    problem = _only_problem(read_china_division(folder, "430200"))
    assert (problem.file, problem.row, problem.column) == ("streets.csv", 6, "areaCode")


def test_a_gb18030_dist_file_loads(tmp_path: Path) -> None:
    folder = write_china_division(tmp_path / "dist")
    villages = folder / "villages.csv"
    villages.write_bytes(villages.read_text(encoding="utf-8").encode("gb18030"))
    reading = read_china_division(folder, "430225")
    assert reading.problems == []
    assert reading.divisions["430225100215"].name == "蔬菜村委会"
