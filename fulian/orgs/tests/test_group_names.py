"""Village group names: every usual spelling of a group's number is that number."""

import pytest

from fulian.orgs.names import (
    chinese_numeral,
    clean_text,
    group_name,
    group_number,
    group_stem,
    group_style,
    names_close,
)


@pytest.mark.parametrize(
    "spelling",
    [
        "3组",
        "三组",
        "第三组",
        "第3组",
        "三村民小组",
        "第三村民小组",
        "第三村民组",
        "3小组",
        "第三小组",
        "3队",
        "三队",
        "第三生产队",
        "三小队",
        "03组",
        "003",
        "３组",  # full-width digit
        "第 三 组",
        "\u3000三组 ",
        "3",
        "三",
    ],
)
def test_every_usual_spelling_of_group_3_is_3(spelling: str) -> None:
    assert group_number(spelling) == 3


@pytest.mark.parametrize(
    ("spelling", "number"),
    [
        ("十组", 10),
        ("第十村民小组", 10),
        ("十一组", 11),
        ("十九队", 19),
        ("二十组", 20),
        ("二十三组", 23),
        ("第九十九村民小组", 99),
        ("１２组", 12),
        ("120组", 120),
    ],
)
def test_chinese_numerals_up_to_99_and_any_arabic_number(spelling: str, number: int) -> None:
    assert group_number(spelling) == number


@pytest.mark.parametrize(
    "name",
    ["河东组", "长塘", "0组", "零组", "一二组", "十十组", "二十二十组", "组", "第组", "3号组", "三组村", "", "百组"],
)
def test_a_name_that_is_not_a_number_has_none(name: str) -> None:
    assert group_number(name) is None


@pytest.mark.parametrize(("number", "numeral"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九")])
def test_numbers_are_written_in_chinese_numerals_and_read_back(number: int, numeral: str) -> None:
    assert chinese_numeral(number) == numeral
    assert group_number(f"{numeral}组") == number


def test_a_new_group_is_written_3组_unless_its_village_writes_them_otherwise() -> None:
    assert group_name(3) == "3组"
    assert group_name(6, group_style("第一村民小组") or ("", "", "")) == "第六村民小组"
    assert group_name(12, group_style("一队") or ("", "", "")) == "十二队"
    assert group_name(4, group_style("第2组") or ("", "", "")) == "第4组"
    assert group_style("河东组") is None


def test_cells_are_compared_without_spaces_and_in_half_width() -> None:
    assert clean_text(" 河东\u3000组 ") == "河东组"
    assert clean_text("ＡＢ组") == "AB组"
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("河东", "河东组"),
        ("河东组", "河东村民小组"),
        ("河东队", "河东组"),
        ("第河东组", "河东组"),
        ("河东组", "河栋组"),  # one character apart
        ("新屋场组", "新屋组"),  # one character left out
    ],
)
def test_names_the_same_but_for_the_word_for_group_or_one_character_are_close(a: str, b: str) -> None:
    assert names_close(a, b)
    assert names_close(b, a)


@pytest.mark.parametrize(("a", "b"), [("河东组", "河东组"), ("河东组", "长塘组"), ("东组", "西组"), ("河东组", "1组")])
def test_the_same_name_or_a_different_one_is_not_close(a: str, b: str) -> None:
    assert not names_close(a, b)


def test_the_stem_drops_the_longest_word_for_group() -> None:
    assert group_stem("河东村民小组") == "河东"
    assert group_stem("河东生产队") == "河东"
    assert group_stem("组") == "组"
