"""``manage.py load_divisions``: the shipped file, idempotence, renames, all-or-nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.orgs.choices import Level
from fulian.orgs.loader import SHIPPED_FILE
from fulian.orgs.models import Organisation
from fulian.orgs.tests.files import VILLAGES, write_china_division
from fulian.testing.world import World


def load(*args: Any) -> tuple[str, str]:
    """Run the command; its stdout and stderr."""
    out, err = StringIO(), StringIO()
    call_command("load_divisions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts_by_level() -> dict[str, int]:
    rows = Organisation.objects.values("level").annotate(n=Count("id")).order_by()
    return {row["level"]: row["n"] for row in rows}


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Organisation.objects.order_by("code").values_list(
            "code", "name", "display_name", "level", "parent__code", "path", "depth", "name_pinyin", "name_initials"
        )
    )


def shipped_copy(tmp_path: Path, name: str = "zhuzhou.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(SHIPPED_FILE.read_bytes())
    return path


def test_loading_the_shipped_file_gives_one_city_9_counties_112_townships_and_1400_villages(world: World) -> None:
    out, _err = load()
    counts = counts_by_level()
    assert counts[Level.CITY] == 1
    assert counts[Level.COUNTY] == 9
    assert counts[Level.TOWNSHIP] == 112
    assert counts[Level.VILLAGE] == 1400
    assert Level.PROVINCE not in counts
    assert "zhuzhou_villages_2023.csv" in out


def test_the_shipped_file_extends_the_world_without_duplicating_its_organisations(world: World) -> None:
    huilong = world.org("huilong")
    load()
    assert Organisation.objects.get(code=huilong.code).pk == huilong.pk
    assert Organisation.objects.filter(parent=world.org("xinshi")).count() == 27
    root = Organisation.objects.get(parent__isnull=True)
    assert (root.code, root.path, root.depth) == ("430200", "/430200/", 1)
    village = Organisation.objects.get(code="430281400498")
    assert (village.path, village.depth) == ("/430200/430281/430281400/430281400498/", 4)
    assert village.display_name == "醴陵市经济开发区虚拟社区"
    assert Organisation.objects.get(code="430225100215").display_name == "蔬菜村"


def test_loading_twice_changes_nothing(world: World) -> None:
    load()
    before = snapshot()
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="orgs.organisation").count() > 1400

    out, _err = load()

    assert snapshot() == before
    assert not AuditEvent.objects.filter(id__gt=last_event, action=Action.CREATE).exists()
    assert not AuditEvent.objects.filter(id__gt=last_event).exists()
    assert "0 created, 0 renamed, 0 moved" in out


def test_the_load_is_audited_as_one_load_event_naming_the_command(world: World) -> None:
    in_world = Organisation.objects.exclude(level=Level.GROUP).count()
    load()
    event = AuditEvent.objects.filter(action=Action.LOAD).latest("id")
    assert event.actor_name == "manage.py load_divisions"
    assert event.object_repr == "zhuzhou_villages_2023.csv"
    assert event.changes["created"] == 1 + 9 + 112 + 1400 - in_world
    created = AuditEvent.objects.filter(id__lt=event.id, action=Action.CREATE, actor_name="manage.py load_divisions")
    assert created.filter(object_id=str(Organisation.objects.get(code="430281400498").pk)).exists()


def test_a_renamed_village_is_updated_and_the_change_audited(world: World, tmp_path: Path) -> None:
    load()
    path = shipped_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count("430223123215,回龙村,") == 1
    path.write_text(text.replace("430223123215,回龙村,", "430223123215,回龙桥村委会,"), encoding="utf-8")
    huilong = world.org("huilong")
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    out, _err = load("--file", str(path))

    huilong.refresh_from_db()
    assert huilong.name == "回龙桥村委会"
    assert huilong.display_name == "回龙桥村"
    assert huilong.name_pinyin.split()[0] == "huilongqiaocun"
    assert huilong.name_initials.split()[0] == "hlqc"
    assert huilong.path == "/430200/430223/430223123/430223123215/"
    assert ": 0 created, 1 renamed, 0 moved," in out
    events = AuditEvent.objects.filter(id__gt=last_event)
    update = events.get(action=Action.UPDATE)
    assert update.object_id == str(huilong.pk)
    assert update.org_id == huilong.pk
    assert update.changes["name"] == ["回龙村", "回龙桥村委会"]
    assert update.changes["display_name"] == ["回龙村", "回龙桥村"]
    assert "name_pinyin" not in update.changes  # derived from the name: not the log's business
    assert not events.filter(action=Action.CREATE).exists()
    assert events.get(action=Action.LOAD).changes["renamed"] == ["430223123215"]


def test_a_file_with_one_bad_row_loads_nothing_and_says_where(world: World, tmp_path: Path) -> None:
    path = shipped_copy(tmp_path, "bad.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append("43022312399X,坏村,430223123,新市镇,430223,攸县")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot()
    events = AuditEvent.objects.count()
    err = StringIO()

    with pytest.raises(CommandError, match=r"Nothing was loaded: 1 problem\(s\) in bad.csv"):
        call_command("load_divisions", "--file", str(path), stdout=StringIO(), stderr=err)

    assert snapshot() == before
    assert AuditEvent.objects.count() == events
    assert f"bad.csv row {len(lines)}, column village_code" in err.getvalue()
    assert "43022312399X" in err.getvalue()


def test_a_bad_row_late_in_the_file_does_not_leave_earlier_rows_loaded(world: World, tmp_path: Path) -> None:
    path = shipped_copy(tmp_path, "late.csv")
    with path.open("a", encoding="utf-8") as f:
        f.write("430223123299,远村,430225100,霞阳镇,430225,炎陵县\n")
    count = Organisation.objects.count()
    with pytest.raises(CommandError):
        load("--file", str(path))
    assert not Organisation.objects.filter(code="430281400498").exists()
    assert Organisation.objects.count() == count


def test_many_problems_are_listed_up_to_fifty_then_counted(world: World, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = [f"43022312{n:04d},村{n},430223123,新市镇,430223,攸县" for n in range(60)]
    path.write_text("village_code,village_name,street_code,street_name,county_code,county_name\n" + "\n".join(rows))
    err = StringIO()
    with pytest.raises(CommandError, match="60 problem"):
        call_command("load_divisions", "--file", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 51
    assert lines[-1] == "… and 10 more problems"


def test_a_missing_file_is_a_command_error(world: World, tmp_path: Path) -> None:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_divisions", "--file", str(tmp_path / "nope.csv"), stdout=StringIO(), stderr=err)
    assert "nope.csv" in err.getvalue()


def test_a_county_loads_from_a_china_division_folder(world: World, tmp_path: Path) -> None:
    villages = (VILLAGES[0], [*VILLAGES[1], "430225100299,新建村委会,430225100,43,4302,430225"])
    folder = write_china_division(tmp_path / "dist", villages=villages)

    out, _err = load("--from-dir", str(folder), "--code", "430225")

    new = Organisation.objects.get(code="430225100299")
    assert new.parent == world.org("xiayang")
    assert (new.display_name, new.level, new.depth) == ("新建村", Level.VILLAGE, 4)
    assert new.path == "/430200/430225/430225100/430225100299/"
    assert ": 1 created, 0 renamed, 0 moved," in out
    assert not Organisation.objects.filter(code__startswith="4301").exists()


def test_a_city_loads_from_a_china_division_folder_onto_the_same_organisations(world: World, tmp_path: Path) -> None:
    folder = write_china_division(tmp_path / "dist")
    before = snapshot()
    out, _err = load("--from-dir", str(folder), "--code", "4302")
    assert snapshot() == before
    assert ": 0 created, 0 renamed, 0 moved," in out


def test_from_dir_needs_a_code(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--code"):
        load("--from-dir", str(write_china_division(tmp_path / "dist")))


def test_an_unknown_code_loads_nothing_and_names_the_code(world: World, tmp_path: Path) -> None:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "load_divisions",
            "--from-dir",
            str(write_china_division(tmp_path / "dist")),
            "--code",
            "430299",
            stdout=StringIO(),
            stderr=err,
        )
    assert "430299" in err.getvalue()
    assert not Organisation.objects.filter(code="430299").exists()


def test_a_code_without_a_folder_is_refused_rather_than_loading_the_whole_city(world: World) -> None:
    count = Organisation.objects.count()
    with pytest.raises(CommandError, match="--from-dir"):
        load("--code", "430223")
    assert Organisation.objects.count() == count


def test_a_file_and_a_folder_together_are_refused(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="either"):
        load("--file", str(SHIPPED_FILE), "--from-dir", str(write_china_division(tmp_path / "dist")), "--code", "4302")


def test_a_header_without_rows_is_a_problem_not_a_success(world: World, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("village_code,village_name,street_code,street_name,county_code,county_name\n\n,,,,,\n")
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_divisions", "--file", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == "empty.csv: The file has a header but no rows of data."
