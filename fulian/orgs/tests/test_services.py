"""Writes to the tree: village groups (numbering, names, permissions) and divisions_load
(all or nothing, renames, re-parenting a subtree)."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction

from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.core.scoping import can
from fulian.orgs.choices import Level
from fulian.orgs.loader import Division, LoadError, LoadProblem, Reading
from fulian.orgs.models import INITIALS_MAX_LENGTH, PINYIN_MAX_LENGTH, Organisation
from fulian.orgs.services import divisions_load, group_create, group_create_as_system, group_rename
from fulian.testing.world import World


def _errors(e: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return e.value.message_dict["name"]


# --- group_create ----------------------------------------------------------------------


def test_groups_are_numbered_after_the_existing_first_group(world: World) -> None:
    huilong = world.org("huilong")
    staff = world.user("xinshi_staff")
    assert list(Organisation.objects.filter(parent=huilong).values_list("code", flat=True)) == ["430223123215001"]

    second = group_create(actor=staff, village=huilong, name="第二村民小组")
    third = group_create(actor=staff, village=huilong, name="第三村民小组")

    assert (second.code, third.code) == ("430223123215002", "430223123215003")
    assert second.path == "/430200/430223/430223123/430223123215/430223123215002/"
    assert (second.level, second.depth, second.parent_id) == (Level.GROUP, 5, huilong.pk)
    assert (second.name, second.display_name) == ("第二村民小组", "第二村民小组")
    assert second.name_initials.split()[0] == "decmxz"
    assert "diercunminxiaozu" in second.name_pinyin.split()


def test_a_villages_first_group_is_numbered_001(world: World) -> None:
    group = group_create(actor=world.user("xinshi_staff"), village=world.org("daqiaotou"), name="第一村民小组")
    assert group.code == "430223123202001"


def test_numbering_continues_after_the_highest_number_not_into_a_gap(world: World) -> None:
    huilong = world.org("huilong")
    for name in ("二组", "三组", "四组"):
        group_create_as_system(village=huilong, name=name)
    Organisation.objects.get(code="430223123215002").delete()
    assert group_create_as_system(village=huilong, name="五组").code == "430223123215005"


def test_a_village_with_999_groups_takes_no_more(world: World) -> None:
    huilong = world.org("huilong")
    code = f"{huilong.code}999"
    Organisation.objects.create(
        code=code,
        name="末组",
        display_name="末组",
        level=Level.GROUP,
        parent=huilong,
        path=f"{huilong.path}{code}/",
        depth=5,
    )
    with pytest.raises(ValidationError) as e:
        group_create_as_system(village=huilong, name="又一组")
    assert "999" in _errors(e)[0]


def test_a_group_name_is_trimmed(world: World) -> None:
    group = group_create_as_system(village=world.org("huilong"), name="  第二村民小组\u3000")
    assert group.name == "第二村民小组"


@pytest.mark.parametrize("name", ["第一村民小组", " 第一村民小组 "])
def test_two_groups_of_one_village_cannot_share_a_name(world: World, name: str) -> None:
    count = Organisation.objects.count()
    with pytest.raises(ValidationError) as e:
        group_create(actor=world.user("xinshi_staff"), village=world.org("huilong"), name=name)
    assert "already has a group called 第一村民小组" in _errors(e)[0]
    assert Organisation.objects.count() == count


def test_groups_of_different_villages_may_share_a_name(world: World) -> None:
    group = group_create(actor=world.user("xinshi_staff"), village=world.org("daqiaotou"), name="第一村民小组")
    assert group.parent == world.org("daqiaotou")


@pytest.mark.parametrize("name", ["", "   ", "\u3000"])
def test_a_group_needs_a_name(world: World, name: str) -> None:
    with pytest.raises(ValidationError) as e:
        group_create(actor=world.user("xinshi_staff"), village=world.org("huilong"), name=name)
    assert "Enter the group's name" in _errors(e)[0]


def test_a_group_name_may_be_100_characters_on_every_database(world: World) -> None:
    # Pinyin keys of a long name are longer than their columns: they must be cut, not
    # refused by PostgreSQL (SQLite would store them whole).
    name = "长重行乐" * 25
    group = group_create(actor=world.user("xinshi_staff"), village=world.org("huilong"), name=name)
    group.refresh_from_db()
    assert group.name == name
    assert group.name_pinyin.startswith("zhang") or group.name_pinyin.startswith("chang")
    assert len(group.name_pinyin) <= PINYIN_MAX_LENGTH
    assert len(group.name_initials) <= INITIALS_MAX_LENGTH
    assert Organisation.objects.search(group.name_initials.split()[0][:10]).filter(pk=group.pk).exists()


def test_a_group_name_of_101_characters_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as e:
        group_create(actor=world.user("xinshi_staff"), village=world.org("huilong"), name="组" * 101)
    assert "too long" in _errors(e)[0]


@pytest.mark.parametrize("key", ["xinshi", "youxian", "city", "huilong_group1"])
def test_groups_are_only_added_under_a_village(world: World, key: str) -> None:
    count = Organisation.objects.count()
    with pytest.raises(ValidationError) as e:
        group_create(actor=world.user("city_admin"), village=world.org(key), name="第二村民小组")
    assert "only be added under a village" in _errors(e)[0]
    assert Organisation.objects.count() == count


@pytest.mark.parametrize("username", ["xinshi_staff", "youxian_admin", "city_admin"])
def test_admins_and_staff_above_the_village_may_add_a_group(world: World, username: str) -> None:
    group = group_create(actor=world.user(username), village=world.org("huilong"), name="新组")
    assert group.pk is not None


@pytest.mark.parametrize(
    "username", ["huilong_zhiwei", "leader", "security", "auditor", "yanling_staff", "yanling_admin", "nobody"]
)
def test_others_may_not_add_a_group(world: World, username: str) -> None:
    count = Organisation.objects.count()
    with pytest.raises(PermissionDenied):
        group_create(actor=world.user(username), village=world.org("huilong"), name="新组")
    assert Organisation.objects.count() == count


def test_adding_a_group_is_audited_against_the_group(world: World) -> None:
    group = group_create(actor=world.user("xinshi_staff"), village=world.org("huilong"), name="第二村民小组")
    event = AuditEvent.objects.get(action=Action.CREATE, object_id=str(group.pk), object_type="orgs.organisation")
    assert event.org_path == group.path
    assert event.changes["name"] == [None, "第二村民小组"]


# --- group_rename ----------------------------------------------------------------------


def test_renaming_a_group_updates_its_names_and_pinyin(world: World) -> None:
    group = world.org("huilong_group1")
    renamed = group_rename(actor=world.user("xinshi_staff"), group=group, name=" 回龙一组 ")
    renamed.refresh_from_db()
    assert (renamed.name, renamed.display_name, renamed.code) == ("回龙一组", "回龙一组", "430223123215001")
    assert renamed.name_initials.split()[0] == "hlyz"
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(group.pk)).latest("id")
    assert event.changes["name"] == ["第一村民小组", "回龙一组"]


def test_a_group_may_be_renamed_to_its_own_name(world: World) -> None:
    group = group_rename(actor=world.user("xinshi_staff"), group=world.org("huilong_group1"), name="第一村民小组")
    assert group.name == "第一村民小组"


def test_a_group_cannot_take_the_name_of_a_sibling(world: World) -> None:
    staff = world.user("xinshi_staff")
    second = group_create(actor=staff, village=world.org("huilong"), name="第二村民小组")
    with pytest.raises(ValidationError) as e:
        group_rename(actor=staff, group=second, name="第一村民小组")
    assert "already has a group" in _errors(e)[0]
    second.refresh_from_db()
    assert second.name == "第二村民小组"


def test_a_group_may_take_the_name_of_a_group_in_another_village(world: World) -> None:
    staff = world.user("xinshi_staff")
    group_create(actor=staff, village=world.org("daqiaotou"), name="桥头组")
    renamed = group_rename(actor=staff, group=world.org("huilong_group1"), name="桥头组")
    assert renamed.name == "桥头组"


@pytest.mark.parametrize(("name", "message"), [("  ", "Enter the group's name"), ("组" * 101, "too long")])
def test_a_rename_needs_a_name_that_fits(world: World, name: str, message: str) -> None:
    with pytest.raises(ValidationError) as e:
        group_rename(actor=world.user("xinshi_staff"), group=world.org("huilong_group1"), name=name)
    assert message in _errors(e)[0]
    assert world.org("huilong_group1").name == "第一村民小组"


@pytest.mark.parametrize("key", ["huilong", "xinshi"])
def test_divisions_are_not_renamed_by_hand(world: World, key: str) -> None:
    with pytest.raises(ValidationError) as e:
        group_rename(actor=world.user("city_admin"), group=world.org(key), name="新名")
    assert "official codes" in _errors(e)[0]


@pytest.mark.parametrize("username", ["huilong_zhiwei", "leader", "yanling_admin"])
def test_only_admins_and_staff_above_may_rename_a_group(world: World, username: str) -> None:
    with pytest.raises(PermissionDenied):
        group_rename(actor=world.user(username), group=world.org("huilong_group1"), name="回龙一组")


# --- divisions_load --------------------------------------------------------------------


def _world_reading() -> Reading:
    codes = Organisation.objects.exclude(level=Level.GROUP).select_related("parent")
    return Reading(
        divisions={o.code: Division(o.code, o.name, o.parent.code if o.parent else None, Level(o.level)) for o in codes}
    )


def _paths() -> dict[str, tuple[str, int]]:
    return {o.code: (o.path, o.depth) for o in Organisation.objects.all()}


def test_loading_the_worlds_own_divisions_changes_nothing(world: World) -> None:
    before = _paths()
    result = divisions_load(_world_reading(), source="again")
    assert (result.created, result.renamed, result.moved) == ([], [], [])
    assert result.unchanged == len(before) - 1  # all but the group
    assert _paths() == before
    assert not AuditEvent.objects.filter(object_repr="again").exists()


def test_a_moved_township_takes_its_whole_subtree_along(world: World) -> None:
    reading = Reading(divisions={"430223123": Division("430223123", "新市镇", "430225", Level.TOWNSHIP)})

    result = divisions_load(reading, source="moved")

    assert result.moved == ["430223123"]
    xinshi = world.org("xinshi")
    assert xinshi.parent == world.org("yanling")
    assert (xinshi.path, xinshi.depth) == ("/430200/430225/430223123/", 3)
    huilong = world.org("huilong")
    assert (huilong.path, huilong.depth) == ("/430200/430225/430223123/430223123215/", 4)
    group = world.org("huilong_group1")
    assert (group.path, group.depth) == ("/430200/430225/430223123/430223123215/430223123215001/", 5)
    assert world.org("daqiaotou").path.startswith("/430200/430225/430223123/")
    # the rest of 攸县 stays where it was
    assert world.org("longhu").path == "/430200/430223/430223002/430223002006/"


def test_after_a_move_the_subtree_belongs_to_its_new_county(world: World) -> None:
    divisions_load(
        Reading(divisions={"430223123": Division("430223123", "新市镇", "430225", Level.TOWNSHIP)}), source="moved"
    )
    huilong = world.org("huilong")
    assert can(world.user("yanling_admin"), "orgs.change", huilong)
    assert not can(world.user("youxian_admin"), "orgs.change", huilong)
    assert Organisation.objects.visible_to(world.user("yanling_staff")).filter(pk=huilong.pk).exists() is False
    assert world.org("huilong") in Organisation.objects.visible_to(world.user("xinshi_staff"))


def test_a_move_read_with_the_whole_subtree_reports_only_the_moved_division(world: World) -> None:
    reading = _world_reading()
    reading.divisions["430223123"] = Division("430223123", "新市镇", "430225", Level.TOWNSHIP)
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    result = divisions_load(reading, source="moved")

    assert result.moved == ["430223123"]
    assert world.org("huilong").path == "/430200/430225/430223123/430223123215/"
    assert world.org("huilong_group1").path == "/430200/430225/430223123/430223123215/430223123215001/"
    # one update per organisation whose path changed, not two
    updates = AuditEvent.objects.filter(id__gt=last_event, action=Action.UPDATE)
    moved_ids = sorted(updates.values_list("object_id", flat=True))
    expected = sorted(
        str(pk)
        for pk in Organisation.objects.filter(path__startswith=world.org("xinshi").path).values_list("pk", flat=True)
    )
    assert moved_ids == expected


def test_a_renamed_county_gets_new_display_name_and_pinyin(world: World) -> None:
    reading = Reading(divisions={"430223": Division("430223", "攸州县", "430200", Level.COUNTY)})
    result = divisions_load(reading, source="renamed")
    assert result.renamed == ["430223"]
    youxian = world.org("youxian")
    assert (youxian.name, youxian.display_name, youxian.name_initials.split()[0]) == ("攸州县", "攸州县", "yzx")
    event = AuditEvent.objects.get(action=Action.LOAD, object_repr="renamed")
    assert event.changes == {"source": "renamed", "created": 0, "renamed": ["430223"], "moved": []}


def test_a_reading_with_problems_writes_nothing(world: World) -> None:
    reading = _world_reading()
    reading.divisions["430223123299"] = Division("430223123299", "新村", "430223123", Level.VILLAGE)
    reading.problems.append(LoadProblem("x.csv", 7, "village_code", "bad"))
    count = Organisation.objects.count()
    with pytest.raises(LoadError) as e:
        divisions_load(reading, source="x.csv")
    assert "x.csv row 7, column village_code: bad" in str(e.value)
    assert Organisation.objects.count() == count


def test_a_parent_neither_in_the_reading_nor_stored_is_a_problem(world: World) -> None:
    reading = Reading(
        divisions={
            "430223124": Division("430223124", "孤镇", "430223", Level.TOWNSHIP),
            "430224100201": Division("430224100201", "孤村", "430224100", Level.VILLAGE),
        }
    )
    count = Organisation.objects.count()
    with pytest.raises(LoadError) as e:
        divisions_load(reading, source="orphans")
    assert [(p.column, p.file) for p in e.value.problems] == [("parent", "orphans")]
    assert "430224100" in str(e.value)
    assert Organisation.objects.count() == count


def test_a_failure_half_way_leaves_nothing_written(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from fulian.orgs.loader import SHIPPED_FILE, read_flat

    count = Organisation.objects.count()
    saves = 0
    original = Organisation.save

    def failing_save(self: Organisation, *args: Any, **kwargs: Any) -> None:
        nonlocal saves
        saves += 1
        if saves == 100:
            raise RuntimeError("disk full")
        original(self, *args, **kwargs)

    monkeypatch.setattr(Organisation, "save", failing_save)
    with pytest.raises(RuntimeError):
        divisions_load(read_flat(SHIPPED_FILE), source="shipped")
    assert saves == 100
    assert Organisation.objects.count() == count


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time; the race needs row locks"
)
def test_two_first_groups_added_at_once_get_different_numbers(
    live_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    village = live_world.org("daqiaotou")  # no groups yet: nothing but the village to lock
    both_saving = threading.Barrier(2, timeout=1)
    original = Organisation.save

    def save_when_both_are_ready(self: Organisation, *args: Any, **kwargs: Any) -> None:
        # Without a lock both requests reach here having read "no groups": let them both
        # insert. With the lock the second one waits at the lock, and the first goes on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_saving.wait()
        original(self, *args, **kwargs)

    monkeypatch.setattr(Organisation, "save", save_when_both_are_ready)
    results: list[str] = []

    def add(name: str) -> None:
        try:
            with transaction.atomic():
                results.append(group_create_as_system(village=village, name=name).code)
        except Exception as e:
            results.append(repr(e))
        finally:
            db_connection = connections["default"]
            db_connection.close()

    threads = [threading.Thread(target=add, args=(name,)) for name in ("一组", "二组")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert sorted(results) == ["430223123202001", "430223123202002"]


@pytest.mark.parametrize("name", ["1组", "一队", "第1村民小组", "01组"])
def test_a_village_cannot_have_two_groups_of_one_number(world: World, name: str) -> None:
    # An import finds 第一村民小组 when a row says 1组: two such groups would leave it guessing.
    with pytest.raises(ValidationError) as e:
        group_create(actor=world.user("xinshi_staff"), village=world.org("huilong"), name=name)
    assert _errors(e)[0] == "This village already has group 1, called 第一村民小组."
    second = group_create(actor=world.user("xinshi_staff"), village=world.org("huilong"), name="二组")
    with pytest.raises(ValidationError):
        group_rename(actor=world.user("xinshi_staff"), group=second, name=name)
    assert group_rename(actor=world.user("xinshi_staff"), group=second, name="第二村民小组").name == "第二村民小组"
