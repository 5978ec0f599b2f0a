"""Imports create the village groups their rows name: listed per village in the preview (one
group however its number is spelled, names close to an existing group flagged), created with
the rows in one transaction, audited, and never twice."""

from collections.abc import Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from fulian.audit.models import AuditEvent
from fulian.core import permissions
from fulian.households import imports as household_imports
from fulian.households.models import Household
from fulian.imports import engine
from fulian.imports.models import ImportBatch
from fulian.imports.problems import shown
from fulian.imports.tests.files import xlsx
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.orgs.services import group_create_as_system, group_rename
from fulian.people.models import Person
from fulian.testing.world import World

pytestmark = pytest.mark.django_db
HEADER = ["乡镇（街道）", "村（社区）", "村民小组", "户主姓名", "联系电话"]


def households(*rows: Sequence[object]) -> bytes:
    return xlsx([HEADER, *rows])


def upload(client: Any, data: bytes, org: str, kind: str = "households") -> ImportBatch:
    response = client.post(
        reverse("imports:create", args=[kind]), {"org": org, "file": SimpleUploadedFile("台账.xlsx", data)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.order_by("-id").first()  # type: ignore[return-value]


def commit(client: Any, batch: ImportBatch) -> ImportBatch:
    client.post(
        reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": batch.report["valid_rows"]}
    )
    batch.refresh_from_db()
    return batch


def groups_of(world: World, village: str) -> list[str]:
    return list(Organisation.objects.filter(parent=world.org(village)).order_by("code").values_list("name", flat=True))


def evaluate(world: World, data: bytes, *, org: str = "xinshi", actor: Any = None) -> engine.Evaluation:
    return engine.evaluate(engine.kind_named("households"), data, "x.xlsx", org=world.org(org), actor=actor)


SPELLINGS_FILE = [
    ["新市镇", "回龙村", "3组", "周一", "13907330201"],
    ["新市镇", "回龙村", "三组", "周二", "13907330202"],
    ["新市镇", "回龙村", "第三村民小组", "周三", "13907330203"],
    ["新市镇", "回龙村", "３队", "周四", "13907330204"],
    ["新市镇", "回龙村", "回龙村第三生产队", "周五", "13907330205"],
    ["新市镇", "回龙村", "1组", "周六", "13907330206"],  # the world's 第一村民小组
    ["新市镇", "回龙村", "一队", "周七", "13907330207"],
    ["新市镇", "大桥头村", "十二组", "李一", "13907330208"],
    ["新市镇", "大桥头村", "河东组", "李二", "13907330209"],
    ["新市镇", "大桥头村", "", "李三", "13907330210"],
]


def test_the_preview_lists_each_new_group_once_per_village_with_its_rows_and_spellings(world: World) -> None:
    evaluation = evaluate(world, households(*SPELLINGS_FILE))
    report = evaluation.report()
    assert report["valid_rows"] == 10, report["problems"]
    assert report["new_groups_count"] == 3
    # The world's 回龙村 writes its groups 第一村民小组: its new group 3 is written the same way.
    assert report["new_groups"] == [
        {
            "village": world.org("daqiaotou").code,
            "village_name": "大桥头村",
            "township_name": "新市镇",
            "groups": [
                {"name": "12组", "rows": 1, "spellings": ["十二组"], "close_to": [], "close_to_new": []},
                {"name": "河东组", "rows": 1, "spellings": [], "close_to": [], "close_to_new": []},
            ],
        },
        {
            "village": world.org("huilong").code,
            "village_name": "回龙村",
            "township_name": "新市镇",
            "groups": [
                {
                    "name": "第三村民小组",
                    "rows": 5,
                    "spellings": ["3组", "3队", "三组", "回龙村第三生产队"],
                    "close_to": [],
                    "close_to_new": [],
                }
            ],
        },
    ]
    assert groups_of(world, "huilong") == ["第一村民小组"]  # nothing written
    sample = {item["row"]: dict(item["values"]) for item in report["sample"]}
    assert sample[2]["Village or group"] == "第三村民小组 (new group)"
    assert sample[7]["Village or group"] == "第一村民小组"


def test_an_existing_group_is_found_whatever_the_spelling_and_none_is_added(world: World) -> None:
    group_create_as_system(village=world.org("huilong"), name="第三村民小组")
    report = evaluate(world, households(*SPELLINGS_FILE[:7])).report()
    assert report["valid_rows"] == 7
    assert report["new_groups"] == []


def test_a_name_close_to_an_existing_group_is_flagged_and_still_imported(world: World) -> None:
    group_create_as_system(village=world.org("daqiaotou"), name="河东组")
    data = households(
        ["", "大桥头村", "河东", "李一", ""],
        ["", "大桥头村", "河栋组", "李二", ""],
        ["", "大桥头村", "河东组", "李三", ""],  # the existing one: not new, not flagged
        ["", "大桥头村", "4组", "李四", ""],
    )
    report = evaluate(world, data).report()
    groups = {g["name"]: g for g in report["new_groups"][0]["groups"]}
    assert groups["河东"]["close_to"] == ["河东组"]
    assert groups["河东"]["close_to_new"] == ["河栋组"]
    assert groups["河栋组"]["close_to"] == ["河东组"]
    assert groups["4组"]["close_to"] == []
    assert report["valid_rows"] == 4  # a flag warns; it does not stop the row


def test_commit_creates_the_groups_with_the_rows_in_order_and_audits_each(world: World) -> None:
    client = world.client_for("xinshi_staff")
    batch = commit(client, upload(client, households(*SPELLINGS_FILE), world.org("xinshi").code))
    assert batch.status == "imported", batch.message
    assert groups_of(world, "huilong") == ["第一村民小组", "第三村民小组"]
    assert groups_of(world, "daqiaotou") == ["12组", "河东组"]
    third = Organisation.objects.get(parent=world.org("huilong"), name="第三村民小组")
    assert (third.code, third.level, third.path) == (
        "430223123215002",
        Level.GROUP,
        f"{world.org('huilong').path}430223123215002/",
    )
    placed = Household.objects.filter(org=third)
    assert placed.count() == 5
    assert set(placed.values_list("group_id", "village_id")) == {(third.pk, world.org("huilong").pk)}
    assert Household.objects.get(head_name="周六").org == world.org("huilong_group1")
    new = Organisation.objects.filter(parent__in=[world.org("huilong"), world.org("daqiaotou")]).exclude(
        pk=world.org("huilong_group1").pk
    )
    created = AuditEvent.objects.filter(
        action="create", object_id__in=[str(pk) for pk in new.values_list("pk", flat=True)]
    )
    assert sorted(created.values_list("object_repr", "actor_name")) == [
        ("12组", "xinshi_staff"),
        ("河东组", "xinshi_staff"),
        ("第三村民小组", "xinshi_staff"),
    ]
    event = AuditEvent.objects.get(action="import")
    assert sorted(event.changes["groups"]) == ["回龙村 第三村民小组", "大桥头村 12组", "大桥头村 河东组"]


def test_a_failure_after_the_groups_were_made_writes_no_group_and_no_row(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = world.client_for("xinshi_staff")
    batch = upload(client, households(*SPELLINGS_FILE), world.org("xinshi").code)
    before = Organisation.objects.count()

    def broken(model: Any, rows: Any) -> None:
        raise DatabaseError("the disk is full")

    monkeypatch.setattr(household_imports, "insert_values", broken)
    assert commit(client, batch).status == "failed"
    assert Organisation.objects.count() == before
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(
        action="create", object_type="orgs.organisation", actor_name="xinshi_staff"
    ).exists()


def test_two_uploads_naming_one_new_group_add_it_once(world: World) -> None:
    first, second = world.client_for("xinshi_staff"), world.client_for("youxian_admin")
    a = upload(first, households(["", "回龙村", "5组", "周一", ""]), world.org("xinshi").code)
    b = upload(second, households(["", "回龙村", "第五村民小组", "周二", ""]), world.org("youxian").code)
    assert a.report["new_groups_count"] == b.report["new_groups_count"] == 1
    assert commit(first, a).status == "imported"
    # b's preview is stale: its commit looks again under the lock and uses the group a added.
    assert commit(second, b).status == "imported", b.message
    assert groups_of(world, "huilong") == ["第一村民小组", "第五村民小组"]
    assert set(Household.objects.values_list("org__name", flat=True)) == {"第五村民小组"}
    c = upload(first, households(["", "回龙村", "五组", "周三", ""]), world.org("xinshi").code)
    assert c.report["new_groups"] == []  # a new preview sees the group


def test_a_commit_that_would_add_a_group_the_preview_did_not_list_is_refused(world: World) -> None:
    third = group_create_as_system(village=world.org("huilong"), name="3组")
    client = world.client_for("xinshi_staff")
    batch = upload(client, households(["", "回龙村", "3组", "周一", ""]), world.org("xinshi").code)
    assert batch.report["new_groups"] == []
    group_rename(actor=world.user("xinshi_staff"), group=third, name="老三组")
    batch = commit(client, batch)
    assert batch.status == "previewed"
    assert "第三村民小组" in batch.message  # in the style of the village's groups
    assert batch.report["new_groups_count"] == 1
    assert not Household.objects.exists()
    assert groups_of(world, "huilong") == ["第一村民小组", "老三组"]


def test_a_village_outside_the_uploaders_subtree_is_still_not_found(world: World) -> None:
    client = world.client_for("yanling_staff")
    data = households(["", "回龙村", "3组", "周一", ""], ["", "蔬菜村", "3组", "钟二", ""])
    batch = upload(client, data, world.org("xiayang").code)
    assert batch.report["valid_rows"] == 1
    assert batch.report["problems"][0]["row"] == 2
    assert "回龙村" in shown(batch.report["problems"][0])["message"]
    assert [v["village_name"] for v in batch.report["new_groups"]] == ["蔬菜村"]


def test_without_the_right_to_manage_the_villages_organisations_the_row_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Today whoever may import households may also add groups; were the table to part them,
    # the row says why it stops.
    monkeypatch.setitem(permissions._TABLE, "orgs.change", frozenset())
    evaluation = evaluate(
        world,
        households(["", "回龙村", "3组", "周一", ""], ["", "回龙村", "1组", "周二", ""]),
        actor=world.user("xinshi_staff"),
    )
    assert evaluation.valid == 1
    (problem,) = evaluation.problems
    assert (problem.row, problem.column, problem.header) == (2, "C", "村民小组")
    assert "may not add groups" in problem.message
    assert evaluation.new_groups == []


def test_the_command_line_adds_groups_as_it_imports(world: World) -> None:
    kind = engine.kind_named("households")
    data = households(["", "回龙村", "7组", "周一", ""], ["", "回龙村", "七组", "周二", ""])
    evaluation = evaluate(world, data)
    group_create_as_system(village=world.org("huilong"), name="七队")  # added meanwhile
    _result, written = engine.write(
        kind, data, "x.xlsx", org=world.org("xinshi"), actor=None, expected_sha256=evaluation.sha256, prior=evaluation
    )
    assert written == 2
    assert groups_of(world, "huilong") == ["第一村民小组", "七队"]
    assert set(Household.objects.values_list("org__name", flat=True)) == {"七队"}


def test_two_processes_cleaning_a_big_file_plan_the_same_groups(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["", "回龙村", f"{n % 4 + 2}组", f"周{n}", f"139073302{n:02d}"] for n in range(12)]
    rows += [["", "大桥头村", "河东", "李一", ""], ["", "大桥头村", "河东组", "李二", ""]]
    data = households(*rows)
    alone = evaluate(world, data)
    monkeypatch.setattr(engine, "PARALLEL_ROWS", 2)
    split = evaluate(world, data)
    assert split.report() == alone.report()
    assert split.report()["new_groups_count"] == 6
    kind = engine.kind_named("households")
    _result, written = engine.write(
        kind, data, "x.xlsx", org=world.org("xinshi"), actor=None, expected_sha256=split.sha256, prior=split
    )
    assert written == 14
    assert groups_of(world, "huilong") == [
        "第一村民小组",
        "第二村民小组",
        "第三村民小组",
        "第四村民小组",
        "第五村民小组",
    ]


def test_a_roster_naming_a_new_group_adds_it(world: World) -> None:
    client = world.client_for("xinshi_staff")
    data = xlsx(
        [["村（社区）", "村民小组", "姓名", "性别", "手机号"], ["回龙村", "2组", "周桂姣", "女", "13907330301"]]
    )
    batch = commit(client, upload(client, data, world.org("xinshi").code, kind="people"))
    assert batch.status == "imported", batch.message
    person = Person.objects.get()
    assert person.org.name == "第二村民小组"
    assert person.group_id == person.org_id


def test_the_preview_page_lists_the_new_groups_and_flags_close_names(world: World) -> None:
    group_create_as_system(village=world.org("daqiaotou"), name="河东组")
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    batch = upload(client, households(*SPELLINGS_FILE, ["", "大桥头村", "河东", "李四", ""]), world.org("xinshi").code)
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "3 village groups this import will add" in page
    assert "The import also adds 3 village groups" in page
    assert "第三村民小组" in page
    assert "回龙村第三生产队" in page
    assert "close to existing 河东组" in page
    assert "1 new group has a name close to another group" in page
    batch = commit(client, batch)
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Village groups added by this import" in page


def test_the_api_preview_lists_the_new_groups(world: World) -> None:
    api = world.api_for("xinshi_staff")
    created = api.post(
        reverse("api:import-list"),
        {
            "kind": "households",
            "org": world.org("xinshi").code,
            "file": SimpleUploadedFile("t.xlsx", households(*SPELLINGS_FILE)),
        },
        format="multipart",
    )
    report = created.json()["report"]
    assert report["new_groups_count"] == 3
    assert report["new_groups"][1]["groups"][0]["rows"] == 5
    assert (
        world.api_for("yanling_admin").get(reverse("api:import-detail", args=[created.json()["id"]])).status_code == 404
    )
