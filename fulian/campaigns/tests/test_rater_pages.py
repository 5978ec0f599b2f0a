"""A rater on her phone: her list of households to score, the score sheet (one field per item
as a plain form, or values as JSON from the page's script), and every refusal with a clear
message and nothing stored."""

from __future__ import annotations

import datetime
import json
import re
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.campaigns.choices import ConflictReason, ItemKind, StageStatus
from fulian.campaigns.models import Conflict, RaterAssignment, ScoreSheet, SheetPhoto, Stage
from fulian.campaigns.tests import helpers as h
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    """A city campaign with one household of 回龙村 assigned to 周桂姣 (account ``zgj``)."""
    campaign = h.campaign(world, raters=2)
    stage = h.first_stage(campaign)
    who = h.rater(world, name="周桂姣", username="zgj")
    entry = h.enter(world, campaign, head="钟桃华", address="回龙村老屋场3号")
    assignment = h.assign(world, stage, entry, who)
    items = {item.name: item for item in campaign.rubric.items.all()}
    return {"campaign": campaign, "stage": stage, "who": who, "entry": entry, "assignment": assignment, "items": items}


def _url(assignment: RaterAssignment) -> str:
    return reverse("campaigns:score", kwargs={"pk": assignment.pk})


def _fields(setup: dict[str, Any], **changes: str) -> dict[str, str]:
    """A complete plain-form sheet: every points item at its maximum, no faults, no veto."""
    data: dict[str, str] = {"client_key": str(uuid.uuid4()), "comment": "院子很整洁"}
    for item in setup["items"].values():
        if item.kind == ItemKind.POINTS:
            data[f"item_{item.pk}"] = f"{item.max_points.normalize():f}"
        elif item.kind == ItemKind.DEDUCTION:
            data[f"item_{item.pk}"] = "0"
        else:
            data[f"item_{item.pk}"] = "no"
    data.update(changes)
    return data


def _photo(name: str = "a.jpg", size: tuple[int, int] = (800, 600)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(*size), content_type="image/jpeg")


def _nothing_stored() -> None:
    assert ScoreSheet.objects.count() == 0
    assert SheetPhoto.objects.count() == 0


def _media_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# ---- her list ----------------------------------------------------------------------------


def test_her_list_shows_her_households_not_yet_scored_first_with_deadline_and_done(
    world: World, setup: dict[str, Any]
) -> None:
    other_entry = h.enter(world, setup["campaign"], head="周建国")
    scored = h.assign(world, setup["stage"], other_entry, setup["who"])
    h.score(world, scored)
    someone_else = h.rater(world, name="李秀英", username="lxy")
    h.assign(world, setup["stage"], setup["entry"], someone_else)
    page = world.client_for("zgj").get(reverse("campaigns:my_sheets"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("钟桃华") < html.index("周建国")  # not yet scored first
    assert "回龙村老屋场3号" in html
    assert "1 still to score" in html
    assert f'data-assignment="{setup["assignment"].pk}"' in html
    assert html.count('data-testid="done"') == 1
    assert html.count('data-testid="to-score"') == 1
    assert reverse("campaigns:score", kwargs={"pk": setup["assignment"].pk}) in html
    # 李秀英 sees only her own.
    theirs = world.client_for("lxy").get(reverse("campaigns:my_sheets")).content.decode()
    assert "周建国" not in theirs
    assert "钟桃华" in theirs


def test_an_overdue_household_is_marked_and_a_stage_no_longer_scored_leaves_the_list(
    world: World, setup: dict[str, Any], clock: Any
) -> None:
    Stage.objects.filter(pk=setup["stage"].pk).update(deadline=datetime.date.today() - datetime.timedelta(days=1))
    html = world.client_for("zgj").get(reverse("campaigns:my_sheets")).content.decode()
    assert 'data-testid="overdue"' in html
    Stage.objects.filter(pk=setup["stage"].pk).update(status=StageStatus.DONE)
    html = world.client_for("zgj").get(reverse("campaigns:my_sheets")).content.decode()
    assert "钟桃华" not in html
    assert 'data-testid="my-sheets-empty"' in html


def test_her_list_takes_the_same_queries_for_one_household_or_many(world: World, setup: dict[str, Any]) -> None:
    client = world.client_for("zgj")
    url = reverse("campaigns:my_sheets")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n, name in enumerate(("周建国", "李德福", "王桂英", "刘美华")):
        entry = h.enter(world, setup["campaign"], head=name)
        made = h.assign(world, setup["stage"], entry, setup["who"])
        if n % 2:
            h.score(world, made)
    client.get(url)  # grants loaded again after the scoring above, as before the first count
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.content.decode().count("data-assignment=") == 5
    assert len(many) == len(one), "\n".join(q["sql"][:200] for q in many.captured_queries)


# ---- the sheet -----------------------------------------------------------------------------


def test_the_sheet_shows_every_item_by_section_with_one_tap_controls(world: World, setup: dict[str, Any]) -> None:
    page = world.client_for("zgj").get(_url(setup["assignment"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="rt-item rt') + html.count('class="rt-item"') >= 12
    for section in ("居室美", "厨卫美", "庭院美", "身心美", "家风", "一票否决"):
        assert section in html
    tidy = setup["items"]["室内整洁，物品摆放有序"]  # 10 points: 0…10 and "+½"
    assert html.count(f'name="item_{tidy.pk}"') == 11
    assert f'name="item_{tidy.pk}_half"' in html
    sorting = setup["items"]["垃圾分类投放"]  # 5 points: half steps, no switch
    assert html.count(f'name="item_{sorting.pk}"') == 11
    assert f'name="item_{sorting.pk}_half"' not in html
    green = setup["items"]["绿化美化，种花种草"]
    assert re.search(rf'name="item_{green.pk}"\s+value="na"', html)  # may be not applicable
    assert not re.search(rf'name="item_{tidy.pk}"\s+value="na"', html)
    veto = setup["items"]["家庭成员有违法犯罪、涉黄赌毒等行为"]
    assert f'name="item_{veto.pk}"' in html
    assert 'capture="environment"' in html
    assert 'name="client_key"' in html


def test_a_plain_form_post_stores_the_sheet_with_half_points_faults_and_photos(
    world: World, setup: dict[str, Any]
) -> None:
    items = setup["items"]
    tidy, walls, green = items["室内整洁，物品摆放有序"], items["墙面地面干净，无乱贴乱画"], items["绿化美化，种花种草"]
    data: dict[str, Any] = _fields(
        setup,
        **{
            f"item_{tidy.pk}": "8",
            f"item_{tidy.pk}_half": "1",
            f"item_{walls.pk}": "3",
            f"item_{green.pk}": "na",
            "scored_at": "2020-05-01T09:30",
            "latitude": "26.4871",
            "longitude": "113.7753",
        },
    )
    data[f"photo_{tidy.pk}"] = _photo("tidy.jpg")
    data["photo_sheet"] = _photo("whole.jpg")
    response = world.client_for("zgj").post(_url(setup["assignment"]), data)
    sheet = ScoreSheet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:score_done", kwargs={"pk": sheet.pk})
    assert sheet.items[str(tidy.pk)] == {"v": "8.5"}
    assert sheet.items[str(walls.pk)] == {"faults": 3, "v": "8.5"}
    assert sheet.items[str(green.pk)] == {"na": True}
    assert sheet.possible == Decimal(90)
    assert sheet.raw == Decimal(87)
    assert sheet.comment == "院子很整洁"
    assert sheet.latitude == Decimal("26.487100")
    assert sheet.scored_at.isoformat().startswith("2020-05-01T01:30")  # 09:30 in Shanghai
    assert sorted((p.item_id for p in sheet.photos.all()), key=str) == sorted([tidy.pk, None], key=str)
    done = world.client_for("zgj").get(response["Location"])
    assert "Sheet received" in done.content.decode()
    assert "96.67" in done.content.decode()
    # Opening the sheet again shows the confirmation.
    again = world.client_for("zgj").get(_url(setup["assignment"]))
    assert again.status_code == 302
    assert again["Location"] == response["Location"]


def test_the_script_sends_values_as_json_and_a_retry_with_the_same_key_arrives_once(
    world: World, setup: dict[str, Any]
) -> None:
    key = str(uuid.uuid4())
    tidy = setup["items"]["室内整洁，物品摆放有序"]
    body = {
        "client_key": key,
        "values": json.dumps(h.values_for(setup["campaign"])),
        "comment": "",
        "scored_at": "",
        "latitude": "",
        "longitude": "",
        f"photo_{tidy.pk}": _photo(),
    }
    client = world.client_for("zgj")
    first = client.post(_url(setup["assignment"]), body, HTTP_ACCEPT="application/json")
    assert first.status_code == 200
    answer = first.json()
    sheet = ScoreSheet.objects.get()
    assert answer == {"ok": True, "redirect": reverse("campaigns:score_done", kwargs={"pk": sheet.pk})}
    body[f"photo_{tidy.pk}"] = _photo()
    again = client.post(_url(setup["assignment"]), body, HTTP_ACCEPT="application/json")
    assert again.json() == answer
    assert ScoreSheet.objects.count() == 1
    assert SheetPhoto.objects.count() == 1
    assert str(sheet.client_key) == key


def test_errors_are_given_by_item_and_nothing_is_stored(world: World, setup: dict[str, Any], settings: Any) -> None:
    items = setup["items"]
    tidy, body_mind = items["室内整洁，物品摆放有序"], items["家庭成员身心健康，崇尚科学，积极向上"]
    values = h.values_for(setup["campaign"])
    values[str(tidy.pk)] = {"v": "11"}
    del values[str(body_mind.pk)]
    response = world.client_for("zgj").post(
        _url(setup["assignment"]),
        {"client_key": str(uuid.uuid4()), "values": json.dumps(values)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["ok"] is False
    assert set(answer["items"]) == {str(tidy.pk), str(body_mind.pk)}
    assert "between 0 and 10" in answer["items"][str(tidy.pk)][0]
    assert "no score yet" in answer["items"][str(body_mind.pk)][0]
    _nothing_stored()
    # The plain form: the message beside its item, what was entered kept.
    data = _fields(setup, **{f"item_{tidy.pk}": "7"})
    del data[f"item_{body_mind.pk}"]
    page = world.client_for("zgj").post(_url(setup["assignment"]), data)
    assert page.status_code == 400
    html = page.content.decode()
    box = html[html.index(f'data-errors-for="{body_mind.pk}"') :][:400]
    assert "has no score yet" in box
    assert re.search(rf'name="item_{tidy.pk}"\s+value="7"\s+checked', html)
    assert "院子很整洁" in html
    _nothing_stored()


def test_a_household_not_hers_is_not_found_and_nothing_is_stored(world: World, setup: dict[str, Any]) -> None:
    h.rater(world, name="李秀英", username="lxy")
    client = world.client_for("lxy")
    assert client.get(_url(setup["assignment"])).status_code == 404
    assert client.post(_url(setup["assignment"]), _fields(setup)).status_code == 404
    _nothing_stored()
    sheet = h.score(world, setup["assignment"])
    assert client.get(reverse("campaigns:score_done", kwargs={"pk": sheet.pk})).status_code == 404


def test_a_second_sheet_is_refused_with_a_clear_message(world: World, setup: dict[str, Any]) -> None:
    client = world.client_for("zgj")
    assert client.post(_url(setup["assignment"]), _fields(setup)).status_code == 302
    again = client.post(_url(setup["assignment"]), _fields(setup), HTTP_ACCEPT="application/json")
    assert again.status_code == 400
    assert "already submitted" in " ".join(again.json()["form"])
    assert ScoreSheet.objects.count() == 1


def test_a_sheet_after_the_deadline_is_refused(world: World, setup: dict[str, Any]) -> None:
    Stage.objects.filter(pk=setup["stage"].pk).update(deadline=datetime.date.today() - datetime.timedelta(days=1))
    client = world.client_for("zgj")
    assert 'data-testid="overdue"' in client.get(_url(setup["assignment"])).content.decode()
    response = client.post(_url(setup["assignment"]), _fields(setup))
    assert response.status_code == 400
    assert "scoring deadline was" in response.content.decode()
    _nothing_stored()


def test_a_sheet_for_a_household_she_has_an_interest_in_is_refused(world: World, setup: dict[str, Any]) -> None:
    household = setup["entry"].household
    conflict = Conflict(person=setup["who"], household=household, reason=ConflictReason.RELATIVE, note="表姐")
    conflict.place(household.org, household.ancestry)
    conflict.save()
    response = world.client_for("zgj").post(_url(setup["assignment"]), _fields(setup), HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "may not score this household" in " ".join(response.json()["form"])
    _nothing_stored()


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (SimpleUploadedFile("notes.pdf", b"%PDF-1.4 not a photo", content_type="application/pdf"), "not a photo"),
        (SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"0" * (30 * 1024 * 1024), content_type="image/jpeg"), "30.0 MB"),
    ],
    ids=["not-an-image", "30-MB"],
)
def test_a_photo_that_is_not_one_or_too_large_is_refused_beside_its_item(
    world: World, setup: dict[str, Any], settings: Any, upload: SimpleUploadedFile, expected: str
) -> None:
    tidy = setup["items"]["室内整洁，物品摆放有序"]
    data: dict[str, Any] = _fields(setup)
    data[f"photo_{tidy.pk}"] = upload
    response = world.client_for("zgj").post(_url(setup["assignment"]), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    messages = response.json()["items"][str(tidy.pk)]
    assert expected in messages[0]
    assert upload.name in messages[0]
    _nothing_stored()
    assert _media_files(settings) == []


def test_staff_enter_a_paper_sheet_for_her(world: World, setup: dict[str, Any]) -> None:
    client = world.client_for("city_admin")
    page = client.get(_url(setup["assignment"]))
    assert "on behalf of 周桂姣" in page.content.decode()
    assert client.post(_url(setup["assignment"]), _fields(setup)).status_code == 302
    sheet = ScoreSheet.objects.get()
    assert sheet.rater == setup["who"]
    assert sheet.submitted_by == world.user("city_admin")
