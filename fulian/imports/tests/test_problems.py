"""Import problems say who, where and how to fix, in the language of whoever reads them."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from fulian.core.spreadsheets import read_table
from fulian.imports import engine, services
from fulian.imports.models import ImportBatch, Status
from fulian.imports.problems import LINKS, MESSAGES, NOTICES, shown
from fulian.imports.tests.files import xlsx
from fulian.people.choices import PostKind
from fulian.people.models import Term
from fulian.people.tests.helpers import person, post
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

PEOPLE = engine.kind_named("people")
HOUSEHOLDS = engine.kind_named("households")
HEADER = ["序号", "姓名", "性别", "身份证号", "联系电话", "村（社区）", "职务"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def good_id() -> str:
    return id_number("430223", "19780512", "F", "21")


def roster() -> bytes:
    bad = good_id()[:-1] + ("0" if good_id()[-1] != "0" else "1")
    return xlsx(
        [
            HEADER,
            [1, "周丽华", "女", good_id(), "13807331234", "回龙村", "执委"],
            [2, "李娟", "女", "", "1380733000", "回龙村", "执委"],  # 10 digits
            [3, "王芳", "女", bad, "", "回龙村", "执委"],  # wrong check digit
            [None] * 7,
            ["填表人：张三", None, None, None, "填报日期：2026-11-29"],
            ["审核人：李四"],
        ],
        title="新市镇妇联执委花名册",
    )


def upload(world: World, data: bytes, *, language: str, org: str = "xinshi", kind: str = "people") -> ImportBatch:
    with translation.override(language):
        batch = services.batch_upload(
            actor=world.user("xinshi_staff"), kind=kind, org=world.org(org), upload=SimpleUploadedFile("r.xlsx", data)
        )
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEWED, batch.message
    return batch


def page(world: World, batch: ImportBatch, language: str) -> str:
    client = world.client_for("xinshi_staff")
    response = client.get(reverse("imports:detail", args=[batch.pk]), headers={"accept-language": language})
    return unescape(response.content.decode())


def test_a_batch_checked_in_chinese_reads_in_english_and_the_reverse(world: World) -> None:
    for checked_in in ("zh-hans", "en"):
        batch = upload(world, roster(), language=checked_in)
        english, chinese = page(world, batch, "en"), page(world, batch, "zh-hans")
        assert "The phone number “1380733000” has 10 digits" in english
        assert "联系电话“1380733000”只有10位" in chinese
        assert "只有10位" not in english
        assert "has 10 digits" not in chinese
        ImportBatch.objects.filter(pk=batch.pk).delete()


def test_the_problems_download_is_in_the_readers_language_with_each_rows_name(world: World) -> None:
    from openpyxl import load_workbook

    batch = upload(world, roster(), language="zh-hans")
    client = world.client_for("xinshi_staff")
    response = client.get(reverse("imports:problems", args=[batch.pk]), headers={"accept-language": "en"})
    import io

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    found = [row for row in rows if row and row[0] == 4]
    assert found
    assert found[0][1] == "李娟"
    assert "has 10 digits" in found[0][-1]


def test_every_problem_names_the_value_and_an_id_number_is_masked(world: World) -> None:
    evaluation = engine.evaluate(PEOPLE, roster(), "r.xlsx", org=world.org("xinshi"), actor=None)
    by_row = {p.row: p for p in evaluation.problems}
    assert by_row[4].code == "mobile_digits"
    assert by_row[4].problem.params == {"value": "1380733000", "digits": 10}
    assert by_row[4].name == "李娟"
    bad = by_row[5]
    assert bad.code == "id_check_digit"
    assert bad.name == "王芳"
    masked = bad.problem.params["value"]
    assert masked.startswith("430223")
    assert "*" in masked
    with translation.override("en"):
        assert masked in bad.message
        assert good_id()[:-1] not in bad.message  # the full number is never in the words


def test_the_problem_table_shows_each_rows_name_beside_its_number(world: World) -> None:
    batch = upload(world, roster(), language="en")
    html = page(world, batch, "en")
    row = re.search(r'<td data-label="Row">4</td>\s*<td data-label="Name">(.*?)</td>', html)
    assert row is not None
    assert row.group(1) == "李娟"


def test_footer_lines_below_the_data_are_skipped_and_listed_not_reported(world: World) -> None:
    evaluation = engine.evaluate(PEOPLE, roster(), "r.xlsx", org=world.org("xinshi"), actor=None)
    assert evaluation.total == 3
    assert {p.row for p in evaluation.problems} == {4, 5}  # no "the name is empty" for 填表人
    assert [line["row"] for line in evaluation.footer] == [7, 8]
    assert "填表人：张三" in evaluation.footer[0]["text"]
    assert "填报日期：2026-11-29" in evaluation.footer[0]["text"]
    batch = upload(world, roster(), language="en")
    html = page(world, batch, "en")
    assert "2 lines below the data are no records and were skipped" in html
    assert "Row 7: 填表人：张三" in html


def test_a_row_that_looks_like_a_footer_but_has_a_record_below_is_data() -> None:
    columns: dict[str, Sequence[str]] = {"name": ["姓名"], "id_number": ["身份证号"], "notes": ["备注"]}
    data = xlsx(
        [
            ["姓名", "身份证号", "备注"],
            ["周丽华", "", ""],
            ["备注：待核实", "", ""],  # a label, but a record follows: data
            ["李娟", good_id(), ""],
            ["联系人：张三", good_id(), ""],  # holds an ID number: data, however it starts
            ["合计", "", ""],
        ]
    )
    table = read_table(data, "x.xlsx", columns=columns)
    assert [row.number for row in table.rows] == [2, 3, 4, 5]
    assert table.footer == [(6, "合计")]


def test_the_last_real_row_is_kept(world: World) -> None:
    data = xlsx([HEADER, [1, "周丽华", "女", "", "", "回龙村", "执委"], [2, "李娟", "女", "", "", "回龙村", "执委"]])
    evaluation = engine.evaluate(PEOPLE, data, "r.xlsx", org=world.org("xinshi"), actor=None)
    assert evaluation.valid == 2
    assert evaluation.footer == []


def test_a_second_chair_names_the_federation_the_holder_and_links_to_the_roster(world: World) -> None:
    post(world, person(world, name="赵琴月"), kind=PostKind.CHAIR)
    data = xlsx([HEADER, [1, "陈红梅", "女", "", "", "回龙村", "主席"]])
    batch = upload(world, data, language="zh-hans")
    html = page(world, batch, "en")
    huilong = world.org("huilong")
    assert f"{huilong.display_name} already has a chair in term 1: 赵琴月." in html
    assert "End her post or open the next term (change-over)" in html
    roster_url = reverse("people:roster", args=[huilong.pk])
    assert f'<a href="{roster_url}">Roster and change-over of {huilong.display_name}</a>' in html
    item = world.api_for("xinshi_staff").get(f"/api/v1/imports/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    problem = item["report"]["problems"][0]
    assert problem["code"] == "chair_taken"
    assert problem["params"]["holder"] == "赵琴月"
    assert problem["link"] == roster_url
    assert problem["message"].startswith(f"{huilong.display_name}第1届已有主席：赵琴月。")


def test_posts_into_a_term_past_its_end_are_flagged(world: World) -> None:
    post(world, person(world, name="赵琴月"), kind=PostKind.CHAIR)
    Term.objects.filter(org=world.org("huilong")).update(end_date=datetime.date(2020, 1, 1))
    data = xlsx([HEADER, [1, "周丽华", "女", "", "", "回龙村", "执委"], [2, "李娟", "女", "", "", "大桥头村", "执委"]])
    evaluation = engine.evaluate(PEOPLE, data, "r.xlsx", org=world.org("xinshi"), actor=None)
    assert evaluation.valid == 2  # flagged, not refused
    codes = {notice.code: notice for notice in evaluation.notices}
    assert codes["term_overdue"].params["rows"] == "2"
    assert codes["term_overdue"].params["end"] == "2020-01-01"
    assert codes["term_first"].params["rows"] == "3"  # 大桥头村 has no term: the import opens one
    batch = upload(world, data, language="zh-hans")
    html = page(world, batch, "en")
    assert "was due to end on 2020-01-01, but has not been changed over" in html


def test_posts_after_a_term_that_ended_say_the_import_opens_the_next(world: World) -> None:
    post(world, person(world, name="赵琴月"), kind=PostKind.CHAIR)
    Term.objects.filter(org=world.org("huilong")).update(ended_on=datetime.date(2024, 9, 1))
    data = xlsx([HEADER, [1, "周丽华", "女", "", "", "回龙村", "执委"]])
    evaluation = engine.evaluate(PEOPLE, data, "r.xlsx", org=world.org("xinshi"), actor=None)
    (notice,) = evaluation.notices
    assert (notice.code, notice.params["last"], notice.params["term"]) == ("term_opened", 1, 2)


def test_the_api_gives_each_problem_its_code_values_name_and_words(world: World) -> None:
    batch = upload(world, roster(), language="zh-hans")
    api = world.api_for("xinshi_staff")
    english = api.get(f"/api/v1/imports/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["report"]
    chinese = api.get(f"/api/v1/imports/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["report"]
    first = english["problems"][0]
    assert set(first) == {"row", "column", "header", "name", "code", "params", "message"}
    assert (first["row"], first["name"], first["code"]) == (4, "李娟", "mobile_digits")
    assert first["params"] == {"value": "1380733000", "digits": 10}
    assert first["message"].startswith("The phone number “1380733000” has 10 digits")
    assert chinese["problems"][0]["message"].startswith("联系电话“1380733000”只有10位")
    assert [line["row"] for line in english["footer_rows"]] == [7, 8]
    assert english["sample"][0]["values"][0][0] == "Organisation"
    assert chinese["sample"][0]["values"][0][0] == "组织"


def test_a_report_stored_before_codes_still_displays(world: World) -> None:
    batch = upload(world, roster(), language="zh-hans")
    problem = {"row": 2, "column": "B", "header": "姓名", "message": "本届已有主席。"}
    old = {
        "rows": 1,
        "valid_rows": 0,
        "rows_with_problems": 1,
        "problems": [problem],
        "sample": [],
    }
    ImportBatch.objects.filter(pk=batch.pk).update(report=old)
    assert "本届已有主席。" in page(world, batch, "en")
    item = world.api_for("xinshi_staff").get(f"/api/v1/imports/{batch.pk}/").json()
    assert item["report"]["problems"][0]["message"] == "本届已有主席。"
    assert shown(problem)["message"] == "本届已有主席。"


def _placeholders(template: Any) -> set[str]:
    return set(PLACEHOLDER.findall(str(template)))


@pytest.mark.parametrize("registry", [MESSAGES, NOTICES, LINKS], ids=["messages", "notices", "links"])
def test_every_code_has_a_template_whose_values_match_in_both_languages(registry: dict[str, Any]) -> None:
    for code, template in registry.items():
        with translation.override("en"):
            english = _placeholders(template)
        with translation.override("zh-hans"):
            chinese = str(template)
        assert _placeholders(chinese) == english, code
        with translation.override("zh-hans"):
            assert re.search("[\u4e00-\u9fff]", chinese), f"{code} has no Chinese"


def test_every_problem_found_in_a_file_fills_its_template(world: World) -> None:
    """Each problem the checks give carries every value its message names (none shows a bare %(x)s)."""
    post(world, person(world, name="赵琴月"), kind=PostKind.CHAIR)
    rows: list[list[object]] = [
        ["村（社区）", "姓名", "性别", "出生日期", "身份证号", "手机号", "政治面貌", "职务", "任职时间", "村民小组"],
        ["回龙村", "甲", "", "", good_id(), "", "", "执委", "", ""],
        ["回龙村", "己", "", "", "", "", "", "主席", "", ""],
        ["回龙村", "庚", "男", "1990-01-01", id_number("430223", "19800101", "F", "22"), "", "", "", "", ""],
        ["回龙村", "", "", "", "12345", "", "", "", "", ""],
        ["回龙村", "乙", "", "明天", "4.30223E+17", "2380733000", "无", "书记", "昨天", ""],
        ["无此村", "丙", "", "", "99022319780512001X", "23807330000", "", "", "", ""],
        ["回龙村", "丁", "", "", "43022319781332002X", "", "", "主席", "", ""],
        ["回龙村", "戊", "", "", "", "", "", "执委", "", "九十九组的很长很长很长很长很长的名字一二三四五六七八九十"],
        ["回龙村", "周丽华", "", "", good_id(), "", "", "", "", ""],
    ]
    evaluation = engine.evaluate(PEOPLE, xlsx(rows), "r.xlsx", org=world.org("xinshi"), actor=None)
    codes = set()
    for problem in evaluation.problems:
        codes.add(problem.code)
        template = MESSAGES[problem.code]
        assert _placeholders(template) <= set(problem.problem.params), problem
        for language in ("en", "zh-hans"):
            with translation.override(language):
                assert "%(" not in problem.message, problem
    assert {"id_length", "id_excel_scientific", "id_area", "id_birth_date", "mobile_invalid", "name_required"} <= codes
    assert {"choice_unknown", "date_invalid", "org_not_found", "chair_taken", "duplicate_id"} <= codes


def test_household_problems_carry_the_head_and_the_value(world: World) -> None:
    rows: list[list[object]] = [
        ["村（社区）", "户主姓名", "身份证号", "联系电话", "人口数", "户类别"],
        ["回龙村", "周建国", "", "", "四口", "富裕户"],
        ["回龙村", "李德福", "", "", 999, ""],
    ]
    evaluation = engine.evaluate(HOUSEHOLDS, xlsx(rows), "h.xlsx", org=world.org("xinshi"), actor=None)
    found = {(p.row, p.code): p for p in evaluation.problems}
    assert found[(2, "members_not_number")].problem.params["value"] == "四口"
    assert found[(2, "category_unknown")].name == "周建国"
    assert found[(3, "members_range")].problem.params["value"] == "999"
    with translation.override("zh-hans"):
        assert found[(2, "category_unknown")].message.startswith("未知类别“富裕户”")


def test_a_post_that_started_in_an_earlier_term_is_flagged(world: World) -> None:
    post(world, person(world, name="赵琴月"), kind=PostKind.CHAIR)  # term 1 from 2021-09-01
    header = [*HEADER, "任职时间"]
    data = xlsx(
        [
            header,
            [1, "周丽华", "女", "", "", "回龙村", "执委", "2016-09-01"],
            [2, "李娟", "女", "", "", "回龙村", "执委", "2022-03-01"],
        ]
    )
    evaluation = engine.evaluate(PEOPLE, data, "r.xlsx", org=world.org("xinshi"), actor=None)
    (notice,) = evaluation.notices
    assert notice.code == "post_before_term"
    assert (notice.params["rows"], notice.params["start"]) == ("2", "2021-09-01")
    with translation.override("zh-hans"):
        assert str(notice).startswith("第2行的任职时间早于")


def test_a_problem_with_the_whole_file_reads_in_the_readers_language(world: World) -> None:
    data = "序号,备注\n1,无\n".encode()
    with translation.override("zh-hans"):
        batch = services.batch_upload(
            actor=world.user("xinshi_staff"),
            kind="people",
            org=world.org("xinshi"),
            upload=SimpleUploadedFile("名单.csv", data),
        )
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert batch.message.startswith("前 15 行中没有找到表头")
    assert "No header row was found in the first 15 rows" in page(world, batch, "en")
    assert "前 15 行中没有找到表头" in page(world, batch, "zh-hans")
    item = world.api_for("xinshi_staff").get(f"/api/v1/imports/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert item["message"].startswith("No header row was found in the first 15 rows")
    assert item["report"]["file_error"] == item["message"]


def test_the_preview_describes_its_rows_in_each_language(world: World) -> None:
    rows: list[list[object]] = [
        ["村（社区）", "户主姓名", "户类别"],
        ["回龙村", "周建国", "脱贫户、单亲家庭"],
    ]
    evaluation = engine.evaluate(HOUSEHOLDS, xlsx(rows), "h.xlsx", org=world.org("xinshi"), actor=None)
    english = dict(evaluation.sample_by_language["en"][0]["values"])
    chinese = dict(evaluation.sample_by_language["zh-hans"][0]["values"])
    assert english["Categories"] == "Lifted out of poverty (脱贫户), Single-parent family (单亲家庭)"
    assert chinese["类别"] == "脱贫户、单亲家庭"


def test_a_short_id_number_is_shown_as_typed_a_long_one_masked() -> None:
    from fulian.imports.problems import cell_text

    assert cell_text("id_number", "4302231") == "4302231"
    assert cell_text("id_number", "43022319780512212") == "430223*******2212"
    assert cell_text("mobile", "1380733000") == "1380733000"
    assert cell_text("notes", "很长" * 40).endswith("…")
    assert len(cell_text("notes", "很长" * 40)) == 40


def test_a_phone_with_the_country_code_is_counted_without_it(world: World) -> None:
    data = xlsx([HEADER, [1, "李娟", "女", "", "+86 138-0733-000", "回龙村", "执委"]])
    evaluation = engine.evaluate(PEOPLE, data, "r.xlsx", org=world.org("xinshi"), actor=None)
    (problem,) = evaluation.problems
    assert problem.problem.params == {"value": "+86 138-0733-000", "digits": 10}
