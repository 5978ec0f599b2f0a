"""Display names: the official division name without its committee suffix."""

import pytest

from fulian.orgs.names import display_name


@pytest.mark.parametrize(
    ("official", "shown"),
    [
        ("蔬菜村委会", "蔬菜村"),
        ("回龙村委会", "回龙村"),
        ("龙湖社区居委会", "龙湖社区"),
        ("八叠社区居民委员会", "八叠社区"),
        ("永安社区居民委员会", "永安社区"),
    ],
)
def test_the_committee_suffix_is_dropped(official: str, shown: str) -> None:
    assert display_name(official) == shown


@pytest.mark.parametrize(
    ("official", "shown"),
    [
        ("洣瑶居民委员会", "洣瑶社区"),
        ("湖塘鱼场居民委员会", "湖塘鱼场社区"),
        ("永福居委会", "永福社区"),
        ("农场居委会", "农场社区"),
    ],
)
def test_a_residents_committee_without_shequ_in_its_name_is_a_community(official: str, shown: str) -> None:
    assert display_name(official) == shown


@pytest.mark.parametrize(
    ("official", "shown"),
    [
        ("回龙村村民委员会", "回龙村"),  # the full name on the committee's seal
        ("回龙村民委员会", "回龙村"),
    ],
)
def test_the_full_villagers_committee_name_gives_the_village(official: str, shown: str) -> None:
    assert display_name(official) == shown


def test_a_village_whose_name_ends_in_cun_keeps_it_like_its_neighbour() -> None:
    # 炎陵县 鹿原镇 has 浆村村委会 and, next to it, 桃村村 without a suffix: the village is
    # called 浆村村 the way its neighbour is called 桃村村.
    assert display_name("浆村村委会") == "浆村村"
    assert display_name("桃村村") == "桃村村"
    assert display_name("上村村委会") == "上村村"


@pytest.mark.parametrize(
    "official",
    [
        "红色农场虚拟生活区",
        "炎陵县桃源洞管理局虚拟生活区",
        "醴陵市经济开发区虚拟社区",
        "攸县工业园虚拟社区",
        "东湖管理处社区",
        "下东农场社区",
        "学院社区",
        "东园村",
        "荆村村",
    ],
)
def test_names_without_a_committee_suffix_stay_as_they_are(official: str) -> None:
    assert display_name(official) == official


def test_surrounding_spaces_are_dropped() -> None:
    assert display_name(" 蔬菜村委会\u3000") == "蔬菜村"


def test_the_suffix_only_counts_at_the_end() -> None:
    assert display_name("村委会旧址社区") == "村委会旧址社区"
    assert display_name("居委会路社区居委会") == "居委会路社区"


def test_every_village_in_the_shipped_file_gets_a_short_name_without_committee_words() -> None:
    from fulian.orgs.loader import SHIPPED_FILE, read_flat

    names = [d.name for d in read_flat(SHIPPED_FILE).divisions.values()]
    shown = [display_name(n) for n in names]
    assert not [s for s in shown if s.endswith(("委会", "委员会"))]
    assert all(s for s in shown)
