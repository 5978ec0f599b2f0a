"""Finding organisations by name, pinyin, initials or code, within the searcher's scope."""

from __future__ import annotations

import pytest

from fulian.orgs.models import Organisation
from fulian.orgs.services import group_create_as_system
from fulian.testing.world import World


def found(world: World, username: str, text: str) -> set[str]:
    """Display names of what ``username`` finds for ``text``."""
    visible = Organisation.objects.visible_to(world.user(username))
    return set(visible.search(text).values_list("display_name", flat=True))


@pytest.mark.parametrize("text", ["hlc", "HLC", " hl c ", "hl"])
def test_pinyin_initials_find_huilong(world: World, text: str) -> None:
    assert "回龙村" in found(world, "city_admin", text)


@pytest.mark.parametrize("text", ["huilong", "huilongcun", "HuiLong", "hui long", "longcun"])
def test_full_pinyin_finds_huilong(world: World, text: str) -> None:
    assert "回龙村" in found(world, "city_admin", text)


def test_initials_do_not_find_unrelated_names(world: World) -> None:
    assert found(world, "city_admin", "hlc") == {"回龙村"}


@pytest.mark.parametrize("text", ["回龙", "龙村", "回龙村"])
def test_a_chinese_substring_finds_it(world: World, text: str) -> None:
    assert "回龙村" in found(world, "city_admin", text)


def test_the_official_name_is_searched_too(world: World) -> None:
    # 蔬菜村委会 is shown as 蔬菜村; a search for its official suffix still finds it.
    assert found(world, "city_admin", "蔬菜村委会") == {"蔬菜村"}
    assert {"蔬菜村", "东区社区"} <= found(world, "city_admin", "委会")


def test_a_code_prefix_finds_the_subtree(world: World) -> None:
    assert found(world, "city_admin", "430223123") == {"新市镇", "回龙村", "大桥头村", "第一村民小组"}
    assert found(world, "city_admin", "430223123215") == {"回龙村", "第一村民小组"}
    assert found(world, "city_admin", "430225") == {"炎陵县", "霞阳镇", "蔬菜村", "东区社区"}


def test_a_code_must_match_from_its_start(world: World) -> None:
    assert found(world, "city_admin", "3123215") == set()


def test_an_empty_search_finds_everything_visible(world: World) -> None:
    staff = world.user("xinshi_staff")
    assert Organisation.objects.visible_to(staff).search("  ").count() == 4  # 新市镇, two villages, one group


@pytest.mark.parametrize("text", ["%", "_", "%村%"])
def test_like_wildcards_are_matched_literally(world: World, text: str) -> None:
    assert found(world, "city_admin", text) == set()


def test_polyphonic_names_are_found_by_every_reading(world: World) -> None:
    group_create_as_system(village=world.org("huilong"), name="长塘组")
    assert "长塘组" in found(world, "city_admin", "ctz")
    assert "长塘组" in found(world, "city_admin", "ztz")
    assert "长塘组" in found(world, "city_admin", "changtang")


def test_search_is_scoped_to_the_searchers_subtree(world: World) -> None:
    assert found(world, "xinshi_staff", "蔬菜") == set()
    assert found(world, "xinshi_staff", "scc") == set()
    assert found(world, "xinshi_staff", "430225") == set()
    assert found(world, "yanling_staff", "蔬菜") == {"蔬菜村"}
    assert found(world, "yanling_staff", "hlc") == set()


def test_a_member_finds_only_within_her_village(world: World) -> None:
    assert found(world, "huilong_zhiwei", "龙") == {"回龙村"}  # not 龙湖社区
    assert found(world, "huilong_zhiwei", "dycmxz") == {"第一村民小组"}


def test_someone_without_a_role_finds_nothing(world: World) -> None:
    assert found(world, "nobody", "回龙") == set()
