"""Bulk assignment by spreadsheet (包干分配表): preview with every row's problems, then all valid
rows or nothing, through the same rules as an assignment made on its page; undo."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from fulian.audit.models import AuditEvent
from fulian.grid import coverage, services
from fulian.grid.choices import Mode
from fulian.grid.imports import ASSIGNMENTS
from fulian.grid.models import Assignment
from fulian.grid.tests.helpers import START, assign, executive
from fulian.grid.tests.test_coverage import direct_counts, summary_counts
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.imports import engine
from fulian.imports.models import ImportBatch
from fulian.imports.problems import shown
from fulian.imports.tests.files import csv_bytes, xlsx
from fulian.people import services as people_services
from fulian.people.models import Post
from fulian.people.tests.helpers import person, post
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

HEADER: list[object] = [
    "执委所在组织",
    "执委姓名",
    "执委手机",
    "包保对象",
    "户主姓名",
    "户主电话",
    "包保方式",
    "开始日期",
    "结束日期",
]


@pytest.fixture
def grid(world: World) -> dict[str, object]:
    """回龙村's 执委 周桂姣 (with her mobile), a township 执委 of 新市镇, households of 回龙村."""
    zhou = post(world, person(world, "huilong", "周桂姣", mobile="13807330001"), "huilong")
    li = post(world, person(world, "xinshi", "李四"), "xinshi")
    jian = household(world, "huilong_group1", "周建国", mobile="13907330101")
    de = household(world, "huilong", "李德福")
    return {"zhou": zhou, "li": li, "jian": jian, "de": de}


def good_rows() -> list[list[object]]:
    return [
        HEADER,
        ["回龙村", "周桂姣", "13807330001", "第一村民小组", "", "", "就近包保", "2025-01-01", ""],
        ["回龙村", "周桂姣", "", "户", "李德福", "", "巡回服务", "2025-01-01", ""],
        ["新市镇", "李四", "", "回龙村", "", "", "Circuit service", "2025-01-01", ""],
    ]


def upload(client, data: bytes, org: str, name: str = "包干分配表.xlsx"):
    return client.post(
        reverse("imports:create", args=["assignments"]), {"org": org, "file": SimpleUploadedFile(name, data)}
    )


def commit(client, batch: ImportBatch, valid: int):
    return client.post(reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": valid})


def problems_of(
    world: World, rows: list[list[object]], *, org: str = "xinshi", actor: str = "xinshi_staff"
) -> dict[int, list[tuple[str, str]]]:
    """Each row's problems as (header, English message), checked as ``actor`` would upload."""
    evaluation = engine.evaluate(ASSIGNMENTS, xlsx(rows), "a.xlsx", org=world.org(org), actor=world.user(actor))
    found: dict[int, list[tuple[str, str]]] = {}
    with translation.override("en"):
        for p in evaluation.problems:
            found.setdefault(p.row, []).append((p.header, p.message))
    return found


def test_the_upload_page_lists_the_kind_and_its_template_has_the_chinese_headers(world: World) -> None:
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("imports:list")).content.decode()
    assert reverse("imports:create", args=["assignments"]) in page
    assert client.get(reverse("imports:create", args=["assignments"])).status_code == 200
    response = client.get(reverse("imports:template", args=["assignments"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in next(row for row in sheet.iter_rows() if row[1].value == "执委姓名")]
    assert headers[:5] == ["执委所在组织", "执委姓名", "执委身份证号", "执委手机", "包保对象"]
    assert {"户主姓名", "包保方式", "合力联动网格员", "开始日期", "结束日期", "备注"} <= set(headers)
    # A 执委 (no right to assign) is not offered the import.
    assert world.client_for("huilong_zhiwei").get(reverse("imports:create", args=["assignments"])).status_code == 404


def test_an_xlsx_is_previewed_without_writing_then_imported_with_coverage_exact(world: World, grid) -> None:
    client = world.client_for("xinshi_staff")
    assert upload(client, xlsx(good_rows(), title="新市镇包干分配表"), world.org("xinshi").code).status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == "previewed", batch.message
    assert (batch.report["valid_rows"], batch.report["rows_with_problems"]) == (3, 0)
    assert not Assignment.objects.exists()
    page = client.get(reverse("imports:detail", args=[batch.pk]), headers={"accept-language": "en"}).content.decode()
    assert "household of 李德福" in page
    commit(client, batch, 3)
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("imported", 3), batch.message
    made = list(Assignment.objects.order_by("import_row"))
    # Rows as Excel numbers them, below the title row.
    assert [(a.import_batch, a.import_row) for a in made] == [(batch.pk, 3), (batch.pk, 4), (batch.pk, 5)]
    assert [a.target for a in made] == [world.org("huilong_group1"), grid["de"], world.org("huilong")]
    assert [a.mode for a in made] == [Mode.NEARBY, Mode.CIRCUIT, Mode.CIRCUIT]
    assert made[2].tier == "township"
    assert summary_counts() == direct_counts(coverage.today())
    assert Household.objects.filter(covered=True).count() == 2
    # One event for the import, one per assignment (as the service makes them).
    assert AuditEvent.objects.filter(action="import").count() == 1
    assert AuditEvent.objects.filter(object_type="grid.assignment", action="create").count() == 3


def test_a_gb18030_csv_imports(world: World, grid) -> None:
    client = world.client_for("xinshi_staff")
    upload(client, csv_bytes(good_rows(), "gb18030"), world.org("xinshi").code, "包干.csv")
    batch = ImportBatch.objects.get()
    assert batch.report["valid_rows"] == 3, batch.report["problems"]
    commit(client, batch, 3)
    assert Assignment.objects.count() == 3


def test_the_start_date_defaults_to_the_upload_day_and_an_id_number_tells_namesakes_apart(world: World, grid) -> None:
    number = id_number(seq="34")
    namesake = post(world, person(world, "huilong", "周桂姣", id_number=number), "huilong")
    rows: list[list[object]] = [
        ["执委姓名", "执委身份证号", "包保对象", "包保方式"],
        ["周桂姣", number, "第一村民小组", "驻点服务"],
    ]
    evaluation = engine.evaluate(
        ASSIGNMENTS, xlsx(rows), "a.xlsx", org=world.org("huilong"), actor=world.user("xinshi_staff")
    )
    assert not evaluation.problems
    ((_number, entry),) = evaluation.records
    assert entry.post == namesake
    assert entry.start_date == coverage.today()
    # Without her ID number the name is ambiguous, until the other 周桂姣's post there ends.
    rows = [["执委姓名", "包保对象", "包保方式"], ["周桂姣", "第一村民小组", "驻点服务"]]
    found = problems_of(world, rows, org="huilong")
    assert found == {
        2: [("执委姓名", "2 executive members of 回龙村 are named “周桂姣”: add her ID number or mobile number.")]
    }
    people_services.post_end(actor=world.user("city_admin"), post=grid["zhou"], on=datetime.date(2024, 12, 31))
    evaluation = engine.evaluate(
        ASSIGNMENTS, xlsx(rows), "a.xlsx", org=world.org("huilong"), actor=world.user("xinshi_staff")
    )
    assert [entry.post for _number, entry in evaluation.records] == [namesake]


def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_written(world: World, grid) -> None:
    zhou, li = grid["zhou"], grid["li"]
    wang = executive(world, "huilong", "王英")
    ended = executive(world, "huilong", "赵退")
    people_services.post_end(actor=world.user("city_admin"), post=ended, on=datetime.date(2024, 12, 31))
    person(world, "huilong", "周丽华")
    for name in ("周丽华", "周丽华"):
        post(world, person(world, "huilong", name), "huilong")
    household(world, "huilong", "周双")
    household(world, "huilong", "周双")
    assign(world, zhou, world.org("huilong_group1"))
    assign(world, wang, world.org("huilong"), mode=Mode.NEARBY)
    stored = Assignment.objects.count()
    rows: list[list[object]] = [
        HEADER,
        ["回龙村", "无名氏", "", "第一村民小组", "", "", "巡回服务", "2025-01-01", ""],  # 2 unknown 执委
        ["回龙村", "周丽华", "", "第一村民小组", "", "", "巡回服务", "2025-01-01", ""],  # 3 ambiguous 执委
        ["回龙村", "赵退", "", "第一村民小组", "", "", "巡回服务", "2025-01-01", ""],  # 4 her post ended
        ["回龙村", "周桂姣", "", "无此村", "", "", "巡回服务", "2025-01-01", ""],  # 5 unknown target
        ["回龙村", "周桂姣", "", "户", "周双", "", "巡回服务", "2025-01-01", ""],  # 6 ambiguous household
        ["回龙村", "周桂姣", "", "蔬菜村", "", "", "巡回服务", "2025-01-01", ""],  # 7 another county's village
        ["回龙村", "周桂姣", "", "大桥头村", "", "", "巡回服务", "2025-01-01", ""],  # 8 not for her level
        ["回龙村", "周桂姣", "", "第一村民小组", "", "", "巡回服务", "2025-01-01", ""],  # 9 overlaps a stored one
        ["回龙村", "周桂姣", "", "户", "李德福", "", "巡回服务", "2025-01-01", "2025-06-30"],  # 10 fine alone
        ["回龙村", "周桂姣", "", "户", "李德福", "", "驻点服务", "2025-06-01", ""],  # 11 overlaps row 10
        ["回龙村", "周桂姣", "", "回龙村", "", "", "就近包保", "2025-01-01", ""],  # 12 就近包保 taken
        ["回龙村", "周桂姣", "", "户", "周建国", "", "巡回服务", "2025-03-01", "2025-02-01"],  # 13 end before start
        ["回龙村", "周桂姣", "", "户", "周建国", "", "巡回服务", "明天", ""],  # 14 not a date
        ["回龙村", "周桂姣", "", "户", "周建国", "", "包到底", "2025-01-01", ""],  # 15 unknown mode
        ["回龙村", "周桂姣", "", "户", "周建国", "13900000000", "巡回服务", "2025-01-01", ""],  # 16 other phone
        ["新市镇", "李四", "", "回龙村", "", "", "巡回服务", "2020-01-01", ""],  # 17 before her post
        ["回龙村", "周桂姣", "", "", "", "", "巡回服务", "2025-01-01", ""],  # 18 no target
    ]
    found = problems_of(world, rows)
    with translation.override("en"):
        level_rule = ""
        try:
            services.target_check(zhou, world.org("daqiaotou"))
        except ValidationError as error:
            level_rule = error.messages[0]
    assert found == {
        2: [("执委姓名", "No executive member named “无名氏” holds a post at 回龙村.")],
        3: [("执委姓名", "2 executive members of 回龙村 are named “周丽华”: add her ID number or mobile number.")],
        4: [("执委姓名", "赵退's post ended on 2024-12-31: she can no longer take responsibility.")],
        5: [("包保对象", "No organisation named “无此村” in 新市镇.")],
        6: [("户主姓名", "2 households in 回龙村 have the head “周双”: add the head's ID number or phone.")],
        7: [("包保对象", "No organisation named “蔬菜村” in 新市镇.")],
        8: [("包保对象", level_rule)],
        9: [("包保对象", "周桂姣 is already responsible for 第一村民小组 from 2022-01-01.")],
        11: [
            (
                "户主姓名",
                "Row 10 of this file already makes 周桂姣 responsible for household of 李德福 at overlapping dates.",
            )
        ],
        12: [("包保对象", "回龙村 already has 王英 in one-to-one responsibility (就近包保) at that time.")],
        13: [("结束日期", "The assignment cannot end before it starts.")],
        14: [("开始日期", "“明天” is not a date; write it as 1975-03-02.")],
        15: [("包保方式", "“包到底” is not one of: 就近包保、巡回服务、驻点服务、合力联动.")],
        16: [
            (
                "户主姓名",
                "The household of 周建国 in 回龙村 has another ID number or phone than this row gives: check them.",
            )
        ],
        17: [("开始日期", "The assignment cannot start before her post did (2021-09-01).")],
        18: [
            (
                "包保对象",
                "The target is empty: enter a township, village or group, or 户 with the head of household's name.",
            )
        ],
    }
    assert level_rule.startswith("大桥头村 cannot be assigned to an executive member of 回龙村")
    # A village 执委's household elsewhere, and a township 执委 given a household: her level's rule.
    elsewhere = problems_of(
        world,
        [HEADER, ["新市镇", "李四", "", "户", "李德福", "", "巡回服务", "2025-01-01", ""]],
    )
    assert elsewhere == {
        2: [
            (
                "户主姓名",
                "household of 李德福 is not in 新市镇: a village executive member takes households of her own village.",
            )
        ]
    }
    assert li.org == world.org("xinshi")
    assert Assignment.objects.count() == stored


def test_a_joint_assignment_names_its_grid_worker(world: World, grid) -> None:
    header = [*HEADER, "合力联动网格员"]
    row = ["回龙村", "周桂姣", "", "第一村民小组", "", "", "合力联动", "2025-01-01", ""]
    found = problems_of(world, [header, [*row, ""], [*row, "李网格"]])
    assert found == {2: [("合力联动网格员", "Name the grid worker she shares the area with (合力联动).")]}


def test_a_problem_is_kept_as_its_code_and_values_and_worded_when_read(world: World, grid) -> None:
    evaluation = engine.evaluate(
        ASSIGNMENTS,
        xlsx(
            [
                HEADER,
                ["回龙村", "周桂姣", "", "户", "李德福", "", "巡回", "2025-01-01", ""],
                ["回龙村", "周桂姣", "", "户", "李德福", "", "驻点", "2025-03-01", ""],
            ]
        ),
        "a.xlsx",
        org=world.org("xinshi"),
        actor=world.user("xinshi_staff"),
    )
    (problem,) = evaluation.problems
    stored = problem.as_dict()
    assert (stored["row"], stored["column"], stored["code"]) == (3, "E", "assign_overlap_row")
    assert stored["params"] == {"row": 2, "person": "周桂姣", "household": "李德福"}
    with translation.override("en"):
        assert shown(stored)["message"] == (
            "Row 2 of this file already makes 周桂姣 responsible for household of 李德福 at overlapping dates."
        )


def test_a_commit_whose_rows_broke_a_rule_since_the_preview_writes_nothing(world: World, grid) -> None:
    client = world.client_for("xinshi_staff")
    upload(client, xlsx(good_rows()), world.org("xinshi").code)
    batch = ImportBatch.objects.get()
    assert batch.report["valid_rows"] == 3
    # Meanwhile another 执委 takes 第一村民小组 one to one: row 2 now breaks the 就近包保 rule.
    assign(world, executive(world, "huilong", "王英"), world.org("huilong_group1"), mode=Mode.NEARBY)
    commit(client, batch, 3)
    batch.refresh_from_db()
    assert batch.status == "previewed"
    assert batch.report["valid_rows"] == 2
    assert "有效行数由 3 变为 2" in batch.message  # in the uploader's language
    assert Assignment.objects.filter(import_batch__isnull=False).count() == 0
    assert summary_counts() == direct_counts(coverage.today())


def test_only_the_valid_rows_are_imported_when_some_have_problems(world: World, grid) -> None:
    client = world.client_for("xinshi_staff")
    rows: list[list[object]] = [*good_rows(), ["回龙村", "无名氏", "", "第一村民小组", "", "", "巡回服务", "", ""]]
    upload(client, xlsx(rows), world.org("xinshi").code)
    batch = ImportBatch.objects.get()
    assert (batch.report["valid_rows"], batch.report["rows_with_problems"]) == (3, 1)
    commit(client, batch, 3)
    assert Assignment.objects.count() == 3


def test_an_import_is_undone_unless_an_assignment_changed_since(world: World, grid) -> None:
    client = world.client_for("xinshi_staff")
    upload(client, xlsx(good_rows()), world.org("xinshi").code)
    batch = ImportBatch.objects.get()
    commit(client, batch, 3)
    assert Household.objects.filter(covered=True).count() == 2
    assert client.post(reverse("imports:undo", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "undone"
    assert not Assignment.objects.exists()
    assert Household.objects.filter(covered=True).count() == 0
    assert summary_counts() == direct_counts(coverage.today())

    upload(client, xlsx(good_rows()), world.org("xinshi").code, "again.xlsx")
    again = ImportBatch.objects.get(filename="again.xlsx")
    commit(client, again, 3)
    group = Assignment.objects.get(import_batch=again.pk, import_row=2)
    services.assignment_end(actor=world.user("xinshi_staff"), assignment=group, on=coverage.today())
    refused = client.post(reverse("imports:undo", args=[again.pk]), headers={"accept-language": "en"})
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "周桂姣 → 第一村民小组" in text
    assert f"ends on {coverage.today().isoformat()}" in text
    assert Assignment.objects.filter(import_batch=again.pk).count() == 3


def test_another_subtree_cannot_see_the_upload_and_its_targets_are_not_found(world: World, grid) -> None:
    client = world.client_for("xinshi_staff")
    upload(client, xlsx(good_rows()), world.org("xinshi").code)
    batch = ImportBatch.objects.get()
    assert world.client_for("yanling_admin").get(reverse("imports:detail", args=[batch.pk])).status_code == 404
    assert world.client_for("yanling_admin").post(reverse("imports:undo", args=[batch.pk])).status_code == 404
    # 炎陵县's staff giving her own 执委 a village of 攸县, or 攸县's 执委 a village of her own: not
    # found in her area, as a place that does not exist.
    post(world, person(world, "shucai", "陈红"), "shucai")
    found = problems_of(
        world,
        [
            HEADER,
            ["蔬菜村", "陈红", "", "回龙村", "", "", "巡回服务", "", ""],
            ["回龙村", "周桂姣", "", "蔬菜村", "", "", "巡回服务", "", ""],
        ],
        org="xiayang",
        actor="yanling_staff",
    )
    assert found == {
        2: [("包保对象", "No organisation named “回龙村” in 霞阳镇.")],
        3: [("执委所在组织", "No organisation named “回龙村” in 霞阳镇.")],
    }


def test_undoing_a_household_import_is_blocked_by_an_assignment_or_a_contact_not_crashed(world: World) -> None:
    client = world.client_for("xinshi_staff")
    data = xlsx([["村（社区）", "户主姓名", "联系电话"], ["回龙村", "周建国", "13907330101"], ["回龙村", "李德福", ""]])
    client.post(
        reverse("imports:create", args=["households"]),
        {"org": world.org("xinshi").code, "file": SimpleUploadedFile("h.xlsx", data)},
    )
    batch = ImportBatch.objects.get()
    commit(client, batch, 2)
    jian, de = Household.objects.order_by("import_row")
    zhou = executive(world)
    assign(world, zhou, jian, start_date=START)
    services.contact_record(
        actor=world.user("xinshi_staff"),
        person=zhou.person,
        mode="visit",
        happened_on=coverage.today(),
        households=[de],
    )
    refused = client.post(reverse("imports:undo", args=[batch.pk]), headers={"accept-language": "en"})
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "now in other records: assignments" in text
    assert "now in other records: duty records" in text
    assert Household.objects.count() == 2


def test_undoing_a_roster_import_is_blocked_by_her_assignments_not_crashed(world: World) -> None:
    client = world.client_for("xinshi_staff")
    data = xlsx([["村（社区）", "姓名", "职务", "任职时间"], ["回龙村", "周桂姣", "执委", "2021-09-01"]])
    client.post(
        reverse("imports:create", args=["people"]),
        {"org": world.org("xinshi").code, "file": SimpleUploadedFile("r.xlsx", data)},
    )
    batch = ImportBatch.objects.get()
    commit(client, batch, 1)
    batch.refresh_from_db()
    assert batch.status == "imported", batch.message
    assign(world, Post.objects.get(import_batch=batch.pk), world.org("huilong_group1"))
    refused = client.post(reverse("imports:undo", args=[batch.pk]), headers={"accept-language": "en"})
    assert refused.status_code == 409
    assert "now in other records: assignments" in refused.content.decode()
    assert Post.objects.filter(import_batch=batch.pk).exists()


def test_the_preview_runs_the_same_queries_for_2_or_20_rows(world: World, grid) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(20):
        household(world, "huilong", f"户{i}")
    counts = []
    # The uploader's role grants are read once, then kept: a first check reads them.
    for n in (1, 2, 20):
        body: list[list[object]] = [
            ["回龙村", "周桂姣", "", "户", f"户{i}", "", "巡回服务", "2025-01-01", ""] for i in range(n)
        ]
        rows = [HEADER, *body]
        with CaptureQueriesContext(connection) as queries:
            evaluation = engine.evaluate(
                ASSIGNMENTS, xlsx(rows), "a.xlsx", org=world.org("xinshi"), actor=world.user("xinshi_staff")
            )
        assert evaluation.valid == n
        counts.append(len(queries))
    assert counts[1] == counts[2]


def test_the_api_uploads_and_imports_an_assignment_list(world: World, grid) -> None:
    api = world.api_for("xinshi_staff")
    created = api.post(
        reverse("api:import-list"),
        {
            "kind": "assignments",
            "org": world.org("xinshi").code,
            "file": SimpleUploadedFile("a.xlsx", xlsx(good_rows())),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["report"]["valid_rows"]) == ("previewed", 3)
    assert not Assignment.objects.exists()
    done = api.post(reverse("api:import-commit", args=[body["id"]]), {"sha256": body["sha256"], "valid_rows": 3})
    assert done.json()["status"] == "imported"
    assert Assignment.objects.count() == 3
