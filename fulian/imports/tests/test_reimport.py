"""Re-importing a corrected sheet: a row matching a stored record in the importer's scope updates
it (old → new) or leaves it unchanged; adds and updates are written together or not at all."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from fulian.audit.models import AuditEvent
from fulian.core.personal import keyed_hash, mask_mobile
from fulian.households import services as households
from fulian.households.choices import HouseholdCategory
from fulian.households.models import Household
from fulian.imports import engine, services
from fulian.imports.models import ImportBatch
from fulian.imports.problems import shown_all
from fulian.imports.tests.files import xlsx
from fulian.people import imports as people_imports
from fulian.people import services as people
from fulian.people.choices import Education, PostKind
from fulian.people.models import Person, Post
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

ZHOU = id_number("430223", "19690815", "F", "41")
LI = id_number("430223", "19750302", "F", "42")
WANG = id_number("430223", "19800101", "F", "43")
HEADER = ["姓名", "身份证号", "手机号", "所在村", "村民小组", "文化程度", "住址", "职务", "任职时间"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def roster(*rows: Sequence[object]) -> bytes:
    return xlsx([HEADER, *rows], title="新市镇妇联执委花名册")  # rows start at 3


FIRST: list[list[object]] = [
    ["周桂姣", ZHOU, "13907330201", "回龙村", "", "高中", "回龙村3组", "主席", "2021-09-01"],
    ["李秀英", LI, "13907330202", "回龙村", "", "初中", "", "", ""],
    ["谭梅", "", "13907330203", "大桥头村", "", "", "", "执委", "2021-09-01"],  # no ID number
]


def upload(world: World, kind: str, data: bytes, *, org: str = "xinshi", by: str = "xinshi_staff") -> ImportBatch:
    batch = services.batch_upload(
        actor=world.user(by), kind=kind, org=world.org(org), upload=SimpleUploadedFile("台账.xlsx", data)
    )
    batch.refresh_from_db()
    assert batch.status == "previewed", batch.message
    return batch


def commit(world: World, batch: ImportBatch, by: str = "xinshi_staff") -> ImportBatch:
    services.batch_commit(actor=world.user(by), batch=batch, sha256=batch.sha256, valid_rows=batch.report["valid_rows"])
    batch.refresh_from_db()
    return batch


def imported(world: World, kind: str, data: bytes, **kwargs: Any) -> ImportBatch:
    batch = commit(world, upload(world, kind, data, **kwargs))
    assert batch.status == "imported", batch.message
    return batch


def page(world: World, url: str, language: str = "en") -> str:
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client.get(url).content.decode()


def updates(batch: ImportBatch) -> list[dict[str, Any]]:
    """The report's updates with each change as [label, old, new]."""
    return [{**u, "changes": [[c["label"], c["old"], c["new"]] for c in u["changes"]]} for u in batch.report["updates"]]


def zhou() -> Person:
    return Person.objects.get(id_hash=keyed_hash(ZHOU))


# --- people ------------------------------------------------------------------------------------


def test_the_same_roster_imported_again_leaves_everyone_unchanged(world: World) -> None:
    first = imported(world, "people", roster(*FIRST))
    assert (first.added, first.updated) == (3, 0)
    again = upload(world, "people", roster(*FIRST))
    report = again.report
    assert report["problems"] == []
    assert (report["new_rows"], report["updated_rows"], report["unchanged_rows"]) == (0, 0, 3)
    assert report["valid_rows"] == 3
    # Nothing to import: the page says so instead of offering a button.
    text = page(world, reverse("imports:detail", args=[again.pk]))
    assert "Nothing to import: every valid row matches what is stored." in text
    assert reverse("imports:commit", args=[again.pk]) not in text
    assert again.report["unchanged"] == [
        {"row": 3, "name": "周桂姣"},
        {"row": 4, "name": "李秀英"},
        {"row": 5, "name": "谭梅"},
    ]
    assert "3 rows match their stored records and change nothing" in text


def test_a_corrected_roster_updates_what_changed_and_keeps_what_the_sheet_leaves_empty(world: World) -> None:
    first = imported(world, "people", roster(*FIRST))
    corrected = roster(
        # a new phone and education; the address cell left empty keeps the stored one
        ["周桂姣", ZHOU, "13907330299", "回龙村", "", "本科", "", "主席", "2021-09-01"],
        ["李秀英", LI, "13907330202", "回龙村", "", "初中", "", "执委", "2022-01-01"],  # a post added
        ["谭梅", "", "13907330203", "大桥头村", "", "", "", "执委", "2021-09-01"],
        ["王芳", WANG, "13907330204", "大桥头村", "", "", "", "", ""],  # new
    )
    batch = upload(world, "people", corrected)
    report = batch.report
    assert report["problems"] == []
    assert (report["new_rows"], report["updated_rows"], report["unchanged_rows"]) == (1, 2, 1)
    assert updates(batch) == [
        {
            "row": 3,
            "name": "周桂姣",
            "changes": [
                ["Mobile number", mask_mobile("13907330201"), mask_mobile("13907330299")],
                ["Education", str(Education.SECONDARY.label), str(Education.BACHELOR.label)],
            ],
        },
        {"row": 4, "name": "李秀英", "changes": [["Post", "", "Executive member, 回龙村"]]},
    ]
    assert [item["row"] for item in report["sample"]] == [6]  # the sample shows the adds
    batch = commit(world, batch)
    assert batch.status == "imported", batch.message
    assert (batch.imported, batch.added, batch.updated) == (3, 1, 2)
    stored = zhou()
    assert (stored.mobile, stored.education, stored.address) == ("13907330299", Education.BACHELOR, "回龙村3组")
    assert stored.import_batch == first.pk  # still the row its first import added
    assert Person.objects.get(name="王芳").import_batch == batch.pk
    li = Person.objects.get(name="李秀英")
    assert li.posts.get().kind == PostKind.MEMBER
    assert li.posts.get().import_batch == batch.pk
    assert stored.posts.count() == 1  # her chair post stays as it is, not a second chair
    # Each updated record has its own audit event with its changes, personal data masked.
    event = AuditEvent.objects.filter(action="update", object_type="people.person", object_id=str(stored.pk)).get()
    assert event.changes == {
        "mobile": [mask_mobile("13907330201"), mask_mobile("13907330299")],
        "education": [Education.SECONDARY.value, Education.BACHELOR.value],
    }
    assert AuditEvent.objects.filter(action="create", object_type="people.post", object_id=str(li.posts.get().pk))
    assert AuditEvent.objects.get(action="import", object_id=str(batch.pk)).changes["updated"] == 2


def test_a_different_post_in_the_same_term_is_a_problem_not_a_second_post(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    batch = upload(world, "people", roster(["周桂姣", ZHOU, "", "回龙村", "", "", "", "执委", ""]))
    [problem] = shown_all(batch.report["problems"])
    assert (problem["row"], problem["column"]) == (3, "H")
    assert problem["message"] == "周桂姣 already holds the post Chair in this term; change it on her page."


def test_a_village_named_without_a_group_keeps_her_in_her_group_and_a_group_named_moves_her(world: World) -> None:
    imported(world, "people", roster(["周桂姣", ZHOU, "", "回龙村", "第一村民小组", "", "", "", ""]))
    assert zhou().org == world.org("huilong_group1")
    same = upload(world, "people", roster(["周桂姣", ZHOU, "", "回龙村", "", "", "", "", ""]))
    assert same.report["unchanged_rows"] == 1
    moved = upload(world, "people", roster(["周桂姣", ZHOU, "", "大桥头村", "", "", "", "", ""]))
    assert updates(moved)[0]["changes"] == [["Organisation", "第一村民小组", "大桥头村"]]
    commit(world, moved)
    assert zhou().org == world.org("daqiaotou")
    assert zhou().village_id == world.org("daqiaotou").pk


def test_adds_and_updates_are_written_together_or_not_at_all(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    imported(world, "people", roster(*FIRST))
    corrected = roster(
        ["周桂姣", ZHOU, "13907330299", "回龙村", "", "", "", "", ""],
        ["李秀英", LI, "13907330288", "回龙村", "", "", "", "", ""],
        ["王芳", WANG, "", "大桥头村", "", "", "", "", ""],
    )
    batch = upload(world, "people", corrected)
    assert (batch.added, batch.updated) == (1, 2)
    real, calls = people.person_update, []

    def second_fails(**kwargs: Any) -> Person:
        calls.append(kwargs["person"].name)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return real(**kwargs)

    monkeypatch.setattr(people_imports, "person_update", second_fails)
    assert commit(world, batch).status == "failed"  # the task's failure, written on the batch
    assert calls == ["周桂姣", "李秀英"]
    assert zhou().mobile == "13907330201"  # the first update was rolled back with the rest
    assert not Person.objects.filter(name="王芳").exists()


def test_a_record_changed_since_the_preview_stops_the_commit(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    batch = upload(world, "people", roster(["周桂姣", ZHOU, "13907330299", "回龙村", "", "", "", "", ""]))
    # Someone corrects her record by hand meanwhile: the preview no longer says what would happen.
    people.person_update(actor=world.user("city_admin"), person=zhou(), values={"address": "回龙村5组"})
    batch = commit(world, batch)
    assert batch.status == "previewed"
    assert batch.message == (
        "Since the preview, records this file updates were changed (by someone else or another import). "
        "Nothing was imported; look at the new preview and import again."
    )
    assert zhou().mobile == "13907330201"
    # The new preview is the one to import.
    batch = commit(world, batch)
    assert batch.status == "imported", batch.message
    assert (zhou().mobile, zhou().address) == ("13907330299", "回龙村5组")


def test_the_engine_refuses_a_plan_that_changed(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    data = roster(["周桂姣", ZHOU, "13907330299", "回龙村", "", "", "", "", ""])
    actor, org = world.user("xinshi_staff"), world.org("xinshi")
    evaluation = engine.evaluate(people_imports.PEOPLE, data, "a.xlsx", org=org, actor=actor)
    people.person_update(actor=world.user("city_admin"), person=zhou(), values={"mobile": "13907330277"})
    with pytest.raises(engine.StalePreview):
        engine.write(
            people_imports.PEOPLE, data, "a.xlsx", org=org, actor=actor, expected_sha256=evaluation.sha256,
            expected_valid=evaluation.valid, expected_plan=evaluation.plan, prior=evaluation,
        )  # fmt: skip
    assert zhou().mobile == "13907330277"


def test_a_match_outside_the_importers_scope_stays_a_duplicate_and_names_nothing(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    # 炎陵县's staff: the same ID number on their roster is refused, without saying where she is.
    batch = upload(
        world, "people", roster(["周某", ZHOU, "13900000000", "蔬菜村", "", "", "", "", ""]), org="xiayang",
        by="yanling_staff",
    )  # fmt: skip
    [problem] = shown_all(batch.report["problems"])
    assert problem["message"] == "A person with the ID number 430223********4126 is already on the roster."
    assert batch.report["updates"] == []
    assert batch.report["unchanged_rows"] == 0
    # An upload for one village does not update someone on another village's roster either.
    other = upload(world, "people", roster(["周桂姣", ZHOU, "", "", "", "本科", "", "", ""]), org="daqiaotou")
    assert [p["message"] for p in shown_all(other.report["problems"])] == [
        "A person with the ID number 430223********4126 is already on the roster."
    ]
    assert zhou().education == Education.SECONDARY


def test_an_archived_person_is_not_updated_by_a_reimport(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    people.person_archive(actor=world.user("city_admin"), person=zhou(), reason="moved away")
    batch = upload(world, "people", roster(*FIRST[:1]))
    assert [p["message"] for p in shown_all(batch.report["problems"])] == [
        "A person with the ID number 430223********4126 is in the archive: restore her record instead."
    ]


def test_an_undo_removes_the_added_rows_and_leaves_the_updates(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    batch = imported(
        world,
        "people",
        roster(
            ["周桂姣", ZHOU, "13907330299", "回龙村", "", "", "", "", ""],
            ["李秀英", LI, "", "回龙村", "", "", "", "执委", "2022-01-01"],
            ["王芳", WANG, "", "大桥头村", "", "", "", "", ""],
        ),
    )
    text = page(world, reverse("imports:undo", args=[batch.pk]))
    assert "The 2 stored records this file updated keep their new values" in text
    services.batch_undo(actor=world.user("xinshi_staff"), batch=batch)
    assert not Person.objects.filter(name="王芳").exists()
    assert zhou().mobile == "13907330299"  # not changed back
    assert not Post.objects.filter(person__name="李秀英").exists()  # the post it gave her is removed
    assert Person.objects.filter(name="李秀英").exists()


def test_a_post_it_gave_someone_on_the_roster_that_ended_since_blocks_the_undo(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    batch = imported(
        world,
        "people",
        roster(
            ["李秀英", LI, "", "回龙村", "", "", "", "执委", "2022-01-01"],
            ["王芳", WANG, "", "大桥头村", "", "", "", "", ""],
        ),
    )
    given = Post.objects.get(person__name="李秀英")
    people.post_end(actor=world.user("city_admin"), post=given, on=given.start_date)
    with pytest.raises(services.UndoBlocked) as blocked:
        services.batch_undo(actor=world.user("xinshi_staff"), batch=batch)
    assert [b.as_dict() for b in blocked.value.blockers] == [
        {"row": None, "name": "李秀英", "changes": ["a post from this file was ended or changed"]}
    ]
    assert Person.objects.filter(name="王芳").exists()


def test_an_import_that_only_updated_cannot_be_undone_and_says_why(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    batch = imported(world, "people", roster(["周桂姣", ZHOU, "13907330299", "回龙村", "", "", "", "", ""]))
    text = page(world, reverse("imports:detail", args=[batch.pk]))
    assert reverse("imports:undo", args=[batch.pk]) not in text
    assert "An undo removes only the rows this file added" in text
    with pytest.raises(ValidationError) as refused:
        services.batch_undo(actor=world.user("xinshi_staff"), batch=batch)
    assert "only updated stored records" in refused.value.messages[0]


def test_the_preview_page_lists_each_update_old_to_new(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    with translation.override("zh-hans"):  # uploaded in Chinese: the report's words are Chinese
        batch = upload(world, "people", roster(["周桂姣", ZHOU, "13907330299", "回龙村", "", "", "", "", ""]))
    assert batch.report["updates"][0]["changes"][0]["label"] == "手机号"
    text = page(world, reverse("imports:detail", args=[batch.pk]))
    assert "Rows that update a stored record" in text
    assert '<span class="fl-muted">Mobile number:</span>' in text  # named in the reader's language
    assert "<del>139****0201</del> → <ins>139****0299</ins>" in text
    assert "13907330299" not in text  # masked
    assert "Import: add 0, update 1" in text
    text = page(world, reverse("imports:detail", args=[batch.pk]), "zh-hans")
    assert "更新已有记录的行" in text
    assert "导入：新增 0，更新 1" in text
    assert '<span class="fl-muted">手机号：</span>' in text


def test_the_api_shows_the_counts(world: World) -> None:
    imported(world, "people", roster(*FIRST))
    batch = upload(world, "people", roster(*FIRST[:2], ["王芳", WANG, "", "大桥头村", "", "", "", "", ""]))
    body = world.api_for("xinshi_staff").get(reverse("api:import-detail", args=[batch.pk])).json()
    assert (body["new_rows"], body["updated_rows"], body["unchanged_rows"]) == (1, 0, 2)
    assert body["report"]["updates"] == []


# --- households --------------------------------------------------------------------------------

H_HEADER = ["村（社区）", "村民小组", "户主姓名", "户主身份证号", "联系电话", "家庭人口", "户类别", "住址"]
HEAD = id_number("430223", "19600101", "M", "31")
HEAD2 = id_number("430223", "19620101", "M", "33")


def ledger(*rows: Sequence[object]) -> bytes:
    return xlsx([H_HEADER, *rows])  # rows start at 2


H_FIRST: list[list[object]] = [
    ["回龙村", "第一村民小组", "周建国", HEAD, "13907330101", 4, "脱贫户", "回龙村1组3号"],
    ["大桥头村", "", "孙八", HEAD2, "", "", "", ""],  # no size: it follows the member list
    ["大桥头村", "", "钱七", "", "13907330102", "", "", ""],  # no ID number
]


def test_the_same_household_list_imported_again_leaves_every_household_unchanged(world: World) -> None:
    imported(world, "households", ledger(*H_FIRST))
    sun = Household.objects.get(head_name="孙八")
    assert (sun.members_count, sun.members_count_manual) == (1, False)
    assert Household.objects.get(head_name="周建国").members_count_manual
    again = upload(world, "households", ledger(*H_FIRST))
    assert again.report["problems"] == []
    assert (again.added, again.updated, again.report["unchanged_rows"]) == (0, 0, 3)


def test_a_corrected_household_list_updates_and_its_empty_cells_keep_the_stored_values(world: World) -> None:
    imported(world, "households", ledger(*H_FIRST))
    corrected = ledger(
        ["回龙村", "", "周建国", HEAD, "13907330199", "", "脱贫户、军属", ""],  # group and size kept
        ["大桥头村", "", "孙八", HEAD2, "", 3, "", ""],  # a size written by hand now
        ["大桥头村", "", "钱七", "", "13907330102", "", "", "大桥头村2组"],
    )
    batch = upload(world, "households", corrected)
    assert batch.report["problems"] == []
    assert updates(batch) == [
        {
            "row": 2,
            "name": "周建国",
            "changes": [
                ["Phone", mask_mobile("13907330101"), mask_mobile("13907330199")],
                [
                    "Categories",
                    str(HouseholdCategory.LIFTED_OUT_OF_POVERTY.label),
                    f"{HouseholdCategory.LIFTED_OUT_OF_POVERTY.label}, {HouseholdCategory.MILITARY.label}",
                ],
            ],
        },
        {"row": 3, "name": "孙八", "changes": [["Number of people", "1", "3"]]},
        {"row": 4, "name": "钱七", "changes": [["Address", "", "大桥头村2组"]]},
    ]
    commit(world, batch)
    zhou = Household.objects.get(head_name="周建国")
    assert (zhou.org, zhou.members_count, zhou.address) == (world.org("huilong_group1"), 4, "回龙村1组3号")
    assert zhou.mobile == "13907330199"
    sun = Household.objects.get(head_name="孙八")
    assert (sun.members_count, sun.members_count_manual) == (3, True)
    event = AuditEvent.objects.get(action="update", object_type="households.household", object_id=str(sun.pk))
    assert event.changes == {"members_count": [1, 3], "members_count_manual": [False, True]}


def test_a_household_outside_the_importers_scope_is_not_updated(world: World) -> None:
    imported(world, "households", ledger(*H_FIRST))
    batch = upload(
        world, "households", ledger(["蔬菜村", "", "周某", HEAD, "", 2, "", ""]), org="xiayang", by="yanling_staff"
    )
    assert [p["message"] for p in shown_all(batch.report["problems"])] == [
        "A household with the head's ID number 430223********3114 is already registered."
    ]
    assert "回龙" not in str(batch.report)


def test_a_household_update_that_fails_writes_no_add_either(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from fulian.households import imports as household_imports

    imported(world, "households", ledger(*H_FIRST[:1]))
    batch = upload(
        world, "households",
        ledger(["大桥头村", "", "孙八", HEAD2, "", "", "", ""], ["回龙村", "", "周建国", HEAD, "13907330199", "", "", ""]),
    )  # fmt: skip
    assert (batch.added, batch.updated) == (1, 1)

    def fails(**kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(household_imports, "household_update", fails)
    assert commit(world, batch).status == "failed"
    assert not Household.objects.filter(head_name="孙八").exists()
    assert Household.objects.get(head_name="周建国").mobile == "13907330101"


def test_a_household_member_added_after_the_import_counts_in_its_size(world: World) -> None:
    imported(world, "households", ledger(*H_FIRST))
    sun = Household.objects.get(head_name="孙八")
    households.member_add(actor=world.user("xinshi_staff"), household=sun, values={"name": "孙小", "relation": "child"})
    sun.refresh_from_db()
    assert sun.members_count == 2
    # The list now gives 2 and so does the stored size: the same sheet still changes nothing.
    assert upload(world, "households", ledger(*H_FIRST)).report["unchanged_rows"] == 3
