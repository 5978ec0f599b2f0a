import datetime

import pytest

from fulian.imports import engine
from fulian.imports.tests.files import csv_bytes, xlsx
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post, Term
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

KIND = engine.kind_named("people")


def roster() -> bytes:
    zhou = id_number("430223", "19690815", "F", "41")
    li = id_number("430223", "19750302", "F", "42")
    return xlsx(
        [
            [
                "序号",
                "姓名",
                "性别",
                "出生年月",
                "公民身份号码",
                "手机号码",
                "政治面貌",
                "学历",
                "所在村",
                "职务",
                "她代表",
                "任职时间",
            ],
            [
                1,
                "周桂姣",
                "女",
                "1969-08-15",
                zhou,
                "13907330201",
                "中共党员",
                "高中",
                "回龙村",
                "主席",
                "",
                "2021-09-01",
            ],
            [2, "李秀英", "男", "", li, "13907330202", "群众", "初中", "回龙村", "执委", "是", 44440],
            [3, "王芳", "女", "", "", "", "团员", "", "回龙村", "主席", "", ""],  # a second chair
            [4, "谭梅", "女", "1980年1月2日", "", "", "群众", "", "新市镇", "执委", "", ""],
            [5, "刘红", "女", "", "", "", "群众", "", "大桥头村", "骨干", "", "2024-05-01"],
            [6, "陈英", "女", "", "", "", "党员", "", "大桥头村", "志愿者", "", "2023-03-05"],
            [7, "张丽", "女", "", "", "", "党员", "", "大桥头村", "书记", "", ""],  # not a post
        ],
        title="株洲市攸县新市镇妇联执委花名册",
    )


def test_roster_preview_finds_contradictions_and_a_second_chair(world: World) -> None:
    evaluation = engine.evaluate(
        KIND, roster(), "花名册.xlsx", org=world.org("xinshi"), actor=world.user("xinshi_staff")
    )
    problems = {(p.row, p.column): p.message for p in evaluation.problems}
    assert evaluation.total == 7
    assert evaluation.valid == 4
    assert "gender" in problems[(4, "C")].lower()
    assert "row 3" in problems[(5, "J")]
    assert "书记" in problems[(9, "J")]


def test_roster_commit_creates_people_terms_and_posts(world: World) -> None:
    data = roster()  # once: openpyxl writes the time into the file
    evaluation = engine.evaluate(KIND, data, "花名册.xlsx", org=world.org("xinshi"), actor=world.user("xinshi_staff"))
    _evaluation, written = engine.write(
        KIND, data, "花名册.xlsx", org=world.org("xinshi"), actor=world.user("xinshi_staff"),
        expected_sha256=evaluation.sha256, expected_valid=evaluation.valid,
    )  # fmt: skip
    assert written == 4
    chair = Post.objects.get(person__name="周桂姣")
    assert chair.kind == PostKind.CHAIR
    assert chair.term.number == 1
    assert chair.term.start_date == datetime.date(2021, 9, 1)
    assert Person.objects.get(name="周桂姣").birth_date == datetime.date(1969, 8, 15)
    tan = Post.objects.get(person__name="谭梅")
    assert tan.org == world.org("xinshi")
    assert Person.objects.get(name="谭梅").birth_date == datetime.date(1980, 1, 2)
    assert Person.objects.get(name="刘红").backbone_since == datetime.date(2024, 5, 1)
    assert Person.objects.get(name="陈英").volunteer_since == datetime.date(2023, 3, 5)
    assert not Post.objects.filter(person__name__in=["刘红", "陈英"]).exists()
    assert Term.objects.filter(org=world.org("huilong")).count() == 1


def test_a_stale_preview_writes_nothing(world: World) -> None:
    data = roster()  # once: openpyxl writes the time into the file
    evaluation = engine.evaluate(KIND, data, "a.xlsx", org=world.org("xinshi"), actor=None)
    with pytest.raises(engine.StalePreview):
        engine.write(KIND, data, "a.xlsx", org=world.org("xinshi"), actor=None, expected_sha256="0" * 64)
    # The same file imported meanwhile by someone else: the valid count changed, nothing written twice.
    engine.write(KIND, data, "a.xlsx", org=world.org("xinshi"), actor=None, expected_sha256=evaluation.sha256)
    count = Person.objects.count()
    with pytest.raises(engine.StalePreview):
        engine.write(
            KIND, data, "a.xlsx", org=world.org("xinshi"), actor=None,
            expected_sha256=evaluation.sha256, expected_valid=evaluation.valid,
        )  # fmt: skip
    assert Person.objects.count() == count


def test_utf8_bom_csv_roster(world: World) -> None:
    data = "\ufeff姓名,手机号,职务\n周桂姣,13907330201,主席\n".encode()
    evaluation = engine.evaluate(KIND, data, "r.csv", org=world.org("huilong"), actor=None)
    assert evaluation.valid == 1, evaluation.problems
    data = csv_bytes([["姓名", "手机号", "职务"], ["周桂姣", "13907330201", "主席"]], "gb18030")
    assert engine.evaluate(KIND, data, "r.csv", org=world.org("huilong"), actor=None).valid == 1


def test_a_prior_preview_is_checked_again_against_what_was_stored_meanwhile(world: World) -> None:
    data = roster()  # once: openpyxl writes the time into the file
    evaluation = engine.evaluate(KIND, data, "a.xlsx", org=world.org("xinshi"), actor=None)
    engine.write(KIND, data, "a.xlsx", org=world.org("xinshi"), actor=None, expected_sha256=evaluation.sha256)
    count = Person.objects.count()
    with pytest.raises(engine.StalePreview) as stale:
        engine.write(
            KIND, data, "a.xlsx", org=world.org("xinshi"), actor=None,
            expected_sha256=evaluation.sha256, expected_valid=evaluation.valid, prior=evaluation,
        )  # fmt: skip
    assert Person.objects.count() == count
    assert stale.value.evaluation is not None
    assert stale.value.evaluation.valid == 0
    assert any(p.column == "E" for p in stale.value.evaluation.problems)
