import contextlib
import dataclasses
import io
import json
import os
from typing import Any

import pytest
from django.core.management import call_command

from fulian.households.choices import HouseholdCategory
from fulian.households.models import Household
from fulian.imports import engine
from fulian.imports.tests.files import csv_bytes, xlsx
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

HEADER: list[object] = [
    "乡镇（街道）",
    "村（社区）",
    "村民小组",
    "户主姓名",
    "身份证号码",
    "联系电话",
    "家庭住址",
    "人口数",
    "户类别",
]


def sheet(world: World) -> bytes:
    good = id_number("430223", "19600101", "M", "31")
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows: list[list[object]] = [
        HEADER,
        ["新市镇", "回龙村", "第一村民小组", "周建国", good, "13907330101", "回龙村1组3号", 4, "脱贫户、三留户"],
        ["", "回龙村", "", "李德福", bad_check, "", "", "3", ""],  # wrong check digit
        ["", "回龙村委会", "1组", "王五", 4.30223196001e17, "", "", 2, ""],  # Excel destroyed the ID
        ["", "不存在村", "", "赵六", "", "", "", 2, ""],  # unknown village
        ["", "大桥头村", "", "", "", "", "", 2, ""],  # no name
        ["", "大桥头村", "", "钱七", good, "", "", 2, ""],  # same ID as row 3
        ["", "大桥头村", "", "孙八", "", "13907330102", "", "5人", "军属"],
        [None, None, None, None, None, None, None, None, None],
        ["", "大桥头村", "", "吴九", "", "", "", 2, "富裕户"],  # unknown category
    ]
    return xlsx(rows, title="株洲市攸县新市镇妇联户情台账", merge=["B3:B4"])


def report_for(world: World, data: bytes, *args: str) -> dict:
    path = world_file(data)
    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("import_households", str(path), "--org", world.org("xinshi").code, "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def world_file(data: bytes, name: str = "台账.xlsx") -> "object":
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    path = folder / name
    path.write_bytes(data)
    return path


def test_the_preview_names_every_problem_by_row_and_column_and_writes_nothing(world: World) -> None:
    report = report_for(world, sheet(world))
    assert report["rows"] == 8
    assert report["valid_rows"] == 2
    assert report["rows_with_problems"] == 6
    assert report["title"] == "株洲市攸县新市镇妇联户情台账"
    by_row: dict[int, list[tuple[str, str, str]]] = {}
    for p in report["problems"]:
        by_row.setdefault(p["row"], []).append((p["column"], p["header"], p["message"]))
    assert by_row[4][0][:2] == ("E", "身份证号码")
    assert "check digit" in by_row[4][0][2]
    assert by_row[5][0][:2] == ("E", "身份证号码")
    assert by_row[5][0][2].startswith("Excel has stored the ID number 4.30223196001e+17 as a number, which keeps only")
    assert by_row[6][0][:2] == ("B", "村（社区）")
    assert "不存在村" in by_row[6][0][2]
    assert by_row[7][0][:2] == ("D", "户主姓名")
    assert "row 3" in by_row[8][0][2]
    assert by_row[11][0][:2] == ("I", "户类别")
    assert "富裕户" in by_row[11][0][2]
    assert 10 not in by_row  # the blank row is skipped, its number not reused
    assert not Household.objects.exists()


def test_commit_writes_the_valid_rows_with_their_places(world: World) -> None:
    report = report_for(world, sheet(world), "--commit")
    assert report["imported"] == 2
    zhou = Household.objects.get(head_name="周建国")
    assert zhou.org == world.org("huilong_group1")
    assert zhou.township_id == world.org("xinshi").pk
    assert zhou.categories == HouseholdCategory.LIFTED_OUT_OF_POVERTY | HouseholdCategory.LEFT_BEHIND
    assert zhou.members_count == 4
    assert zhou.mobile == "13907330101"
    sun = Household.objects.get(head_name="孙八")
    assert sun.members_count == 5
    assert sun.village_id == world.org("daqiaotou").pk
    again = report_for(world, sheet(world), "--commit")
    assert again["imported"] == 0
    assert again["valid_rows"] == 0
    assert any("already registered" in p["message"] for p in again["problems"])


def test_gb18030_csv_and_a_village_level_import_without_a_village_column(world: World) -> None:
    data = csv_bytes([["户主", "手机号", "家庭人口"], ["周建国", "13907330101", "3"], ["李德福", "", "2"]])
    path = world_file(data, "回龙村.csv")
    out = io.StringIO()
    call_command("import_households", str(path), "--org", world.org("huilong").code, "--commit", stdout=out)
    assert set(Household.objects.values_list("head_name", "village_id")) == {
        ("周建国", world.org("huilong").pk),
        ("李德福", world.org("huilong").pk),
    }


def test_a_file_outside_the_target_is_not_found_there(world: World) -> None:
    data = xlsx([["村", "户主姓名"], ["蔬菜村", "钟建华"]])
    report = report_for(world, data)
    assert report["valid_rows"] == 0
    assert "蔬菜村" in report["problems"][0]["message"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not a spreadsheet"),
        (xlsx([["村", "户主姓名"]]), "no data rows"),
        (xlsx([["甲", "乙"], ["1", "2"]]), "header"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(world: World, data: bytes, words: str) -> None:
    evaluation = engine.evaluate(engine.kind_named("households"), data, "x.xlsx", org=world.org("xinshi"), actor=None)
    assert words in evaluation.file_error.lower() or words in evaluation.file_error


def test_too_many_rows_are_refused_before_checking(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "MAX_ROWS", 5)
    data = xlsx([["村", "户主姓名"], *[["回龙村", f"周{n}"] for n in range(6)]])
    evaluation = engine.evaluate(engine.kind_named("households"), data, "x.xlsx", org=world.org("xinshi"), actor=None)
    assert "more than 5 rows" in evaluation.file_error


def test_formulas_without_results_are_named(world: World) -> None:
    data = xlsx([["村", "户主姓名", "人口数"], ["回龙村", "周建国", "=1+2"]])
    evaluation = engine.evaluate(engine.kind_named("households"), data, "x.xlsx", org=world.org("xinshi"), actor=None)
    assert evaluation.valid == 0
    assert "formula" in evaluation.problems[0].message


def test_a_big_file_cleaned_by_two_processes_gives_the_same_report(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = sheet(world)
    kind = engine.kind_named("households")
    alone = engine.evaluate(kind, data, "x.xlsx", org=world.org("xinshi"), actor=None)
    monkeypatch.setattr(engine, "PARALLEL_ROWS", 2)
    split = engine.evaluate(kind, data, "x.xlsx", org=world.org("xinshi"), actor=None)
    assert split.report() == alone.report()
    assert [(n, r["head_name"], r["org"]) for n, r in split.records] == [
        (n, r["head_name"], r["org"]) for n, r in alone.records
    ]


def test_the_second_half_is_cleaned_in_another_process(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = engine.kind_named("households")
    assert kind.pack is not None
    assert kind.unpack is not None
    pack, unpack = kind.pack, kind.unpack
    cleaned_by: list[int] = []

    def unpack_noting(context: engine.Context, packed: tuple[int, Any]) -> Any:
        cleaned_by.append(packed[0])
        return unpack(context, packed[1])

    # ``pack`` runs where the record was cleaned and says which process that was.
    noting = dataclasses.replace(kind, pack=lambda record: (os.getpid(), pack(record)), unpack=unpack_noting)
    engine.evaluate(noting, sheet(world), "x.xlsx", org=world.org("xinshi"), actor=None)
    assert cleaned_by == []  # a small file: one process, nothing packed
    monkeypatch.setattr(engine, "PARALLEL_ROWS", 2)
    split = engine.evaluate(noting, sheet(world), "x.xlsx", org=world.org("xinshi"), actor=None)
    # The records of the second half (钱七 and 孙八; its other two rows have problems) came back
    # packed by one other process.
    assert split.total == 8
    assert len(cleaned_by) == 2
    assert len(set(cleaned_by)) == 1
    assert os.getpid() not in cleaned_by


def test_a_failure_in_the_second_process_is_raised_here(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = engine.kind_named("households")

    def broken(record: Any) -> Any:
        raise LookupError("packing failed")

    monkeypatch.setattr(engine, "PARALLEL_ROWS", 2)
    with pytest.raises(LookupError, match="packing failed"):
        engine.evaluate(
            dataclasses.replace(kind, pack=broken), sheet(world), "x.xlsx", org=world.org("xinshi"), actor=None
        )
