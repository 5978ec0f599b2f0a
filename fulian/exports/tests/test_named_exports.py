"""An export says what it holds: its title row and file name carry the organisation and the
filters; a row in a village group names the village; the household export can list each
household's members below it, masked and scoped like the rest."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fulian.audit.models import AuditEvent
from fulian.core.exports import safe_name_part
from fulian.exports.models import ExportJob
from fulian.households.choices import HouseholdCategory, Relation
from fulian.households.tests.helpers import household, member
from fulian.people.tests.helpers import person
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

HEAD_ID = id_number("430223", "19600101", "M")
CHILD_ID = id_number("430223", "20150302", "F")
ENGLISH = {"accept-language": "en"}


@pytest.fixture
def homes(world: World) -> None:
    zhou = household(
        world,
        "huilong",
        "周建国",
        id_number=HEAD_ID,
        mobile="13907330101",
        categories=int(HouseholdCategory.LEFT_BEHIND),
    )
    member(world, zhou, "周小红", relation=Relation.GRANDCHILD, id_number=CHILD_ID, categories=1)
    member(world, zhou, "李秀英", relation=Relation.SPOUSE)
    in_group = household(world, "huilong_group1", "王德福")
    member(world, in_group, "王小明", relation=Relation.CHILD)
    yanling = household(world, "shucai", "炎陵户")  # another county
    member(world, yanling, "炎陵成员")


def _filename(response: Any) -> str:
    disposition = response["Content-Disposition"]
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def _rows(response: Any) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_file_name_and_title_carry_the_organisation_and_the_filters(world: World, homes: None) -> None:
    client = world.client_for("xinshi_staff")
    today = timezone.localdate().isoformat()
    response = client.get(reverse("households:export"), {"org": "430223123"})
    assert _filename(response) == f"户情台账-新市镇-{today}.xlsx"
    assert _rows(response)[0][0] == "户情台账 · 新市镇"
    filtered = client.get(reverse("households:export"), {"org": "430223123215", "category": "32"})
    assert _filename(filtered) == f"户情台账-回龙村-三留户-{today}.xlsx"
    assert _rows(filtered)[0][0] == "户情台账 · 回龙村 · 类别：三留户"
    # No organisation chosen: the requester's whole reach.
    assert _filename(client.get(reverse("households:export"))) == f"户情台账-新市镇-{today}.xlsx"
    people = client.get(reverse("people:export"), {"org": "430223123215001", "format": "csv"})
    assert _filename(people) == f"人员名单-回龙村第一村民小组-{today}.csv"


def test_in_english_the_file_is_named_in_english_and_safe_for_windows(world: World, homes: None) -> None:
    client = world.client_for("xinshi_staff")
    today = timezone.localdate().isoformat()
    response = client.get(reverse("households:export"), {"org": "430223123", "category": "32"}, headers=ENGLISH)
    name = _filename(response)
    assert name == f"households-新市镇-Left-behind household (三留户)-{today}.xlsx"
    assert _rows(response)[0][0] == "Households · 新市镇 · Category: Left-behind household (三留户)"
    searched = client.get(reverse("households:export"), {"search": 'a/b\\c:d*e?"<>|'}, headers=ENGLISH)
    name = _filename(searched)
    assert not set('/\\:*?"<>|') & set(name), name
    assert name.startswith("households-新市镇-a b c d e-")
    assert 'filename="' in searched["Content-Disposition"]  # an ASCII name for old clients too
    assert safe_name_part(" ..名字/../\x00x. ") == "名字 .. x"


def test_a_searched_id_number_is_masked_in_the_file_name_and_the_log(world: World, homes: None) -> None:
    client = world.client_for("xinshi_staff")
    response = client.get(reverse("households:export"), {"search": HEAD_ID, "full": "1"})
    assert HEAD_ID not in _filename(response)
    assert f"{HEAD_ID[:6]}…{HEAD_ID[-4:]}" in _filename(response)
    assert HEAD_ID in [cell for row in _rows(response) for cell in row]  # the full export itself holds it
    event = AuditEvent.objects.get(action="export")
    assert HEAD_ID not in event.changes["filters"]


def test_a_household_in_a_group_names_its_village_and_group(world: World, homes: None) -> None:
    client = world.client_for("xinshi_staff")
    rows = _rows(client.get(reverse("households:export")))
    header = rows[1]
    assert header[1:3] == ["村（社区）", "村民小组"]  # what the household import reads back
    by_head = {row[3]: row for row in rows[2:]}
    assert by_head["王德福"][1:3] == ["回龙村", "第一村民小组"]
    assert by_head["周建国"][1:3] == ["回龙村", None]
    person(world, "huilong_group1", "组里人")
    people = _rows(client.get(reverse("people:export")))
    assert ["回龙村 第一村民小组", "组里人"] in [row[1:3] for row in people]


def test_the_household_export_can_list_the_members_masked(world: World, homes: None) -> None:
    client = world.client_for("xinshi_staff")
    rows = _rows(client.get(reverse("households:export"), {"members": "1"}))
    assert rows[0][0] == "户情台账 · 新市镇（含家庭成员）"
    header = rows[1]
    assert header[10:] == ["家庭成员", "与户主关系", "性别", "出生日期", "成员身份证号", "成员类别"]
    body = rows[2:]
    heads = [row[3] for row in body if row[10] is None]
    assert heads == ["周建国", "王德福"]
    zhou = [row for row in body if row[3] == "周建国"]
    assert [row[10] for row in zhou] == [None, "周小红", "李秀英"]  # each member below her household
    child = zhou[1]
    assert child[11] == "孙子女"
    assert child[14] == f"{CHILD_ID[:6]}********{CHILD_ID[-4:]}"  # masked unless full
    assert child[15] == "留守儿童"
    assert zhou[1][1:4] == ["回龙村", None, "周建国"]  # where the household is, and its head
    assert "炎陵成员" not in [row[10] for row in body]  # another county's members are not hers


def test_a_full_export_with_members_holds_their_numbers_and_is_audited(world: World, homes: None) -> None:
    client = world.client_for("xinshi_staff")
    response = client.get(reverse("households:export"), {"members": "1", "full": "1"})
    cells = [cell for row in _rows(response) for cell in row]
    assert CHILD_ID in cells
    event = AuditEvent.objects.get(action="export")
    assert event.changes["members_included"] is True
    assert event.org == world.org("xinshi")


def test_members_of_another_subtree_are_never_exported(world: World, homes: None) -> None:
    client = world.client_for("yanling_staff")
    rows = _rows(client.get(reverse("households:export"), {"members": "1"}))
    names = {row[3] for row in rows[2:]} | {row[10] for row in rows[2:]}
    assert "炎陵户" in names
    assert "炎陵成员" in names
    assert not {"周建国", "周小红", "王德福", "王小明"} & names
    # Asking for the other county's village is refused (back to the list), never its rows.
    refused = client.get(reverse("households:export"), {"org": "430223123215", "members": "1"})
    assert refused.status_code == 302


@override_settings(FULIAN_EXPORT_SYNC_ROWS=1)
def test_a_background_export_keeps_the_members_option_and_the_requesters_address(
    world: World, homes: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client_for("xinshi_staff")
    client.defaults["REMOTE_ADDR"] = "203.0.113.9"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exports:create"), {"kind": "households", "query": "members=1&full=1"})
    job = ExportJob.objects.get()
    assert (job.members, job.ip, job.status) == (True, "203.0.113.9", "done")
    assert job.filename.startswith("户情台账-新市镇-含成员-")
    event = AuditEvent.objects.get(action="export")
    assert (event.ip, event.org, event.actor_name) == ("203.0.113.9", world.org("xinshi"), "xinshi_staff")
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert CHILD_ID in [cell for row in _rows(download) for cell in row]
