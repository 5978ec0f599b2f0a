"""Bulk nomination by spreadsheet (``campaign_nominations``): uploaded from the campaign's page,
previewed with every bad row named by row and column, the valid rows nominated through the
service, undone while none moved on."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from fulian.campaigns.choices import NominationSource, NominationStatus
from fulian.campaigns.imports import KIND
from fulian.campaigns.models import Entry, Nomination, Result
from fulian.campaigns.tests import helpers as h
from fulian.households import services as household_services
from fulian.imports import engine
from fulian.imports.models import ImportBatch
from fulian.imports.problems import shown
from fulian.imports.tests.files import csv_bytes, xlsx
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

HEADER: list[object] = ["户主姓名", "身份证号", "手机号", "村（社区）", "推荐理由"]


@pytest.fixture
def registry(world: World) -> dict[str, object]:
    """Households of 新市镇 (two heads named 周建国 in 回龙村, told apart by phone), one of 炎陵县."""
    return {
        "jian": h.household(world, "huilong", "周建国", mobile="13907330101"),
        "jian2": h.household(world, "huilong", "周建国", mobile="13907330102"),
        "de": h.household(world, "huilong_group1", "李德福"),
        "qiao": h.household(world, "daqiaotou", "王巧"),
        "far": h.household(world, "shucai", "钟桃华"),
    }


def good_rows() -> list[list[object]]:
    return [
        HEADER,
        ["周建国", "", "13907330101", "回龙村", "庭院整洁，种满花草"],
        ["李德福", "", "", "回龙村", "孝老爱亲"],
        ["王巧", "", "", "大桥头村", ""],
    ]


def upload(client, campaign, data: bytes, org: str, name: str = "推荐名单.xlsx"):
    url = reverse("campaigns:nomination_import", kwargs={"pk": campaign.pk})
    return client.post(url, {"org": org, "file": SimpleUploadedFile(name, data)})


def commit(client, batch: ImportBatch, valid: int):
    return client.post(reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": valid})


def problems(batch: ImportBatch) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    with translation.override("en"):
        for p in batch.report["problems"]:
            found.setdefault(p["row"], []).append((p["header"], shown(p)["message"]))
    return found


def test_an_xlsx_is_previewed_then_its_households_nominated_and_entered(world: World, registry) -> None:
    campaign = h.campaign(world)
    client = world.client_for("xinshi_staff")
    response = upload(client, campaign, xlsx(good_rows(), title="新市镇最美庭院推荐名单"), world.org("xinshi").code)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.report["params"]) == (KIND, {"campaign": campaign.pk})
    assert batch.status == "previewed", batch.message
    assert (batch.report["valid_rows"], batch.report["rows_with_problems"]) == (3, 0), batch.report["problems"]
    assert not Nomination.objects.exists()
    preview = client.get(reverse("imports:detail", args=[batch.pk]), headers={"accept-language": "en"})
    assert preview.status_code == 200
    assert "大桥头村" in preview.content.decode()  # the sample rows as they will be stored
    commit(client, batch, 3)
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("imported", 3), batch.message
    made = list(Nomination.objects.order_by("import_row"))
    assert [(n.import_batch, n.import_row) for n in made] == [(batch.pk, 3), (batch.pk, 4), (batch.pk, 5)]
    assert [n.household for n in made] == [registry["jian"], registry["de"], registry["qiao"]]
    assert {(n.source, n.status) for n in made} == {(NominationSource.FEDERATION, NominationStatus.ACCEPTED)}
    assert made[0].reason == "庭院整洁，种满花草"
    assert Entry.objects.filter(campaign=campaign).count() == 3


def test_a_gb18030_csv_imports(world: World, registry) -> None:
    campaign = h.campaign(world)
    client = world.client_for("xinshi_staff")
    upload(client, campaign, csv_bytes(good_rows(), "gb18030"), world.org("xinshi").code, "推荐名单.csv")
    batch = ImportBatch.objects.get()
    assert batch.report["valid_rows"] == 3, batch.report["problems"]
    commit(client, batch, 3)
    assert Entry.objects.filter(campaign=campaign).count() == 3


def test_every_bad_row_is_named_by_row_and_column_and_only_valid_rows_are_imported(world: World, registry) -> None:
    campaign = h.campaign(world)
    h.enter(world, campaign, head="已入选")
    archived = h.household(world, "huilong", "周归档")
    household_services.household_archive(actor=world.user("city_admin"), household=archived, reason="迁出")
    rows: list[list[object]] = [
        *good_rows(),
        ["无名氏", "", "", "回龙村", ""],  # 5: not found
        ["周建国", "", "", "回龙村", ""],  # 6: two of that name
        ["周建国", "", "13907339999", "回龙村", ""],  # 7: another phone
        ["已入选", "", "", "回龙村", ""],  # 8: already in the campaign
        ["周归档", "", "", "回龙村", ""],  # 9: archived
        ["李德福", "", "", "回龙村", "又一次"],  # 10: row 3 names it already
        ["钟桃华", "", "", "蔬菜村", ""],  # 11: not in 新市镇
        ["王巧", "", "", "大桥头村", "长" * 301],  # 12: reason too long
    ]
    client = world.client_for("xinshi_staff")
    upload(client, campaign, xlsx(rows), world.org("xinshi").code)
    batch = ImportBatch.objects.get()
    found = problems(batch)
    # Rows as Excel numbers them: the header is row 1.
    assert set(found) == {5, 6, 7, 8, 9, 10, 11, 12}, found
    assert found[5] == [("户主姓名", "No household with the head “无名氏” in 回龙村.")]
    assert "2 households in 回龙村 have the head “周建国”" in found[6][0][1]
    assert "another ID number or phone" in found[7][0][1]
    assert found[8] == [("户主姓名", "The household of 已入选 is already in this campaign.")]
    assert found[9] == [("户主姓名", "The household of 周归档 is archived.")]
    assert found[10] == [("户主姓名", "The household of 李德福 is also in row 3 of this file.")]
    assert found[11][0][0] == "村（社区）"
    assert found[12][0][0] == "推荐理由"
    assert (batch.report["valid_rows"], batch.report["rows_with_problems"]) == (3, 8)
    commit(client, batch, 3)
    batch.refresh_from_db()
    assert batch.status == "imported", batch.message
    assert Nomination.objects.filter(import_batch=batch.pk).count() == 3


def test_a_village_outside_the_campaign_is_named_as_such(world: World, registry) -> None:
    campaign = h.campaign(world, "youxian")
    rows: list[list[object]] = [HEADER, ["钟桃华", "", "", "蔬菜村", ""], ["王巧", "", "", "大桥头村", ""]]
    evaluation = engine.evaluate(
        engine.kind_named(KIND),
        xlsx(rows),
        "a.xlsx",
        org=world.org("city"),
        actor=world.user("city_admin"),
        params={"campaign": campaign.pk},
    )
    with translation.override("en"):
        messages = {p.row: p.message for p in evaluation.problems}
    assert list(messages) == [2]
    assert "which runs this campaign" in messages[2]
    assert evaluation.valid == 1


def test_an_id_number_tells_namesakes_apart(world: World, registry) -> None:
    campaign = h.campaign(world)
    number = id_number(seq="34")
    mine = h.household(world, "daqiaotou", "刘芳", id_number=number)
    h.household(world, "daqiaotou", "刘芳")
    rows: list[list[object]] = [HEADER, ["刘芳", number, "", "大桥头村", ""]]
    client = world.client_for("xinshi_staff")
    upload(client, campaign, xlsx(rows), world.org("xinshi").code)
    batch = ImportBatch.objects.get()
    assert batch.report["valid_rows"] == 1, batch.report["problems"]
    commit(client, batch, 1)
    assert Nomination.objects.get().household == mine


def test_an_upload_without_its_campaign_names_the_problem_on_each_row(world: World, registry) -> None:
    client = world.client_for("xinshi_staff")
    client.post(
        reverse("imports:create", args=[KIND]),
        {"org": world.org("xinshi").code, "file": SimpleUploadedFile("a.xlsx", xlsx(good_rows()))},
    )
    batch = ImportBatch.objects.get()
    assert batch.report["valid_rows"] == 0
    assert "campaign's nominations page" in problems(batch)[2][0][1]


def test_the_upload_must_be_for_the_campaigns_area(world: World, registry) -> None:
    campaign = h.campaign(world, "yanling")
    client = world.client_for("city_admin")
    response = upload(client, campaign, xlsx(good_rows()), world.org("xinshi").code)
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_the_template_has_the_chinese_headers(world: World) -> None:
    response = world.client_for("xinshi_staff").get(reverse("imports:template", args=[KIND]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for row in sheet.iter_rows(max_row=3) for cell in row]
    assert {"户主姓名", "身份证号", "手机号", "村（社区）", "推荐理由"} <= set(headers)


def test_an_import_is_undone_unless_a_household_moved_on_since(world: World, registry) -> None:
    campaign = h.campaign(world)
    client = world.client_for("xinshi_staff")
    upload(client, campaign, xlsx(good_rows()), world.org("xinshi").code)
    batch = ImportBatch.objects.get()
    commit(client, batch, 3)
    assert client.post(reverse("imports:undo", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "undone"
    assert not Nomination.objects.exists()
    assert not Entry.objects.exists()
    assert not Result.objects.exists()

    upload(client, campaign, xlsx(good_rows()), world.org("xinshi").code, "again.xlsx")
    again = ImportBatch.objects.get(filename="again.xlsx")
    commit(client, again, 3)
    entry = Entry.objects.get(household=registry["de"])
    h.assign(world, entry.stage, entry, h.rater(world, "huilong", "周桂姣"))
    refused = client.post(reverse("imports:undo", args=[again.pk]), headers={"accept-language": "en"})
    assert refused.status_code == 409
    assert "raters were assigned" in refused.content.decode()
    assert Nomination.objects.filter(import_batch=again.pk).count() == 3


def test_another_county_cannot_see_the_upload(world: World, registry) -> None:
    campaign = h.campaign(world)
    client = world.client_for("xinshi_staff")
    upload(client, campaign, xlsx(good_rows()), world.org("xinshi").code)
    batch = ImportBatch.objects.get()
    assert world.client_for("yanling_admin").get(reverse("imports:detail", args=[batch.pk])).status_code == 404
