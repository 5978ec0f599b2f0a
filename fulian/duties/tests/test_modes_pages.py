"""The work modes page (``/duties/modes/``): everyone in duties reads the list; the city's
administrators add, rename, retire, bring back and reorder; bad input is said beside the field."""

from __future__ import annotations

from typing import Any

import pytest

from fulian.grid.models import WorkMode
from fulian.grid.tests.helpers import page_queries
from fulian.testing import html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

MODES = "/duties/modes/"


def names() -> list[str]:
    return list(WorkMode.objects.values_list("name", flat=True))


def post(world: Any, data: dict[str, Any], username: str = "city_admin") -> Any:
    return world.client_for(username).post(MODES, data)


def test_everyone_in_duties_reads_the_list_in_order_and_only_the_city_changes_it(world) -> None:
    page = world.client_for("huilong_zhiwei").get(MODES)
    assert page.status_code == 200
    assert [e.text.strip() for e in html.select(page, "li.fl-mode-row span.fw-semibold")] == names()
    assert not html.select(page, 'button[value="retire"]')
    admin = world.client_for("city_admin").get(MODES)
    assert len(html.select(admin, 'button[value="retire"]')) == len(names())
    assert html.select(admin, '[data-testid="mode-add"]')
    # A county's administrator may not change the city's list, nor may a 执委.
    visit = WorkMode.objects.get(name="入户走访")
    for username in ("youxian_admin", "huilong_zhiwei"):
        assert post(world, {"action": "retire", "mode": visit.pk}, username).status_code == 403
    assert world.client_for("security").get(MODES).status_code == 403
    assert WorkMode.objects.get(pk=visit.pk).active


def test_the_city_adds_renames_retires_and_brings_back_a_mode(world) -> None:
    response = post(world, {"action": "add", "add-name": " 巾帼宣讲 ", "add-name_en": "Women's outreach"})
    assert response.status_code == 302
    added = WorkMode.objects.get(name="巾帼宣讲")
    assert names()[-1] == "巾帼宣讲"
    response = post(
        world,
        {"action": "rename", "mode": added.pk, f"m{added.pk}-name": "巾帼宣讲队", f"m{added.pk}-name_en": "Outreach"},
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.name, added.name_en) == ("巾帼宣讲队", "Outreach")
    assert post(world, {"action": "retire", "mode": added.pk}).status_code == 302
    assert not WorkMode.objects.get(pk=added.pk).active
    page = world.client_for("city_admin").get(MODES)
    assert html.select(page, f'li[data-mode="{added.pk}"] button[value="restore"]')
    assert post(world, {"action": "restore", "mode": added.pk}).status_code == 302
    assert WorkMode.objects.get(pk=added.pk).active


def test_up_and_down_move_a_mode_one_place(world) -> None:
    before = names()
    second = WorkMode.objects.get(name=before[1])
    assert post(world, {"action": "up", "mode": second.pk}).status_code == 302
    assert names() == [before[1], before[0], *before[2:]]
    assert post(world, {"action": "down", "mode": second.pk}).status_code == 302
    assert names() == before
    top = post(world, {"action": "up", "mode": WorkMode.objects.get(name=before[0]).pk})
    assert top.status_code == 400
    assert "already at that end" in top.content.decode()
    assert names() == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "add", "add-name": "政策宣讲"}, "add-name", "There is already a work mode of this name."),
        ({"action": "add", "add-name": "   "}, "add-name", "This field is required."),
        ({"action": "add", "add-name": "宣" * 31}, "add-name", "at most 30 characters"),
    ],
)
def test_a_bad_new_name_is_said_beside_the_field_and_kept(world, data, field, message) -> None:
    count = WorkMode.objects.count()
    response = post(world, data)
    assert response.status_code == 400
    [box] = html.select(response, f'input[name="{field}"]')
    assert (box.get("value") or "").strip() == data[field].strip()
    [error] = [e.text for e in html.select(response, "div.invalid-feedback") if e.text.strip()]
    assert message.lower() in error.lower()
    assert WorkMode.objects.count() == count


def test_renaming_to_a_name_taken_or_empty_is_refused_beside_that_modes_field(world) -> None:
    mode = WorkMode.objects.get(name="入户走访")
    for name, message in (("政策宣讲", "There is already a work mode of this name."), ("", "This field is required.")):
        response = post(world, {"action": "rename", "mode": mode.pk, f"m{mode.pk}-name": name})
        assert response.status_code == 400
        assert message in response.content.decode()
        [row] = html.select(response, f'li[data-mode="{mode.pk}"]')
        assert message in row.text
    assert WorkMode.objects.get(pk=mode.pk).name == "入户走访"


def test_the_last_mode_in_use_is_not_retired(world) -> None:
    *others, last = list(WorkMode.objects.all())
    WorkMode.objects.filter(pk__in=[m.pk for m in others]).update(active=False)
    response = post(world, {"action": "retire", "mode": last.pk})
    assert response.status_code == 400
    assert "Keep at least one work mode in use." in response.content.decode()
    assert WorkMode.objects.get(pk=last.pk).active


@pytest.mark.parametrize(
    "data", [{"action": "fly"}, {"action": "retire", "mode": "abc"}, {"action": "up", "mode": "999999"}]
)
def test_an_unknown_change_or_mode_is_a_400_with_a_message(world, data) -> None:
    response = post(world, data)
    assert response.status_code == 400
    assert html.select(response, ".alert-danger")


def test_the_modes_page_takes_a_constant_number_of_queries(world) -> None:
    client = world.client_for("city_admin")
    client.get(MODES)
    before = page_queries(client, MODES)
    WorkMode.objects.create(name="新模式", position=500)
    assert page_queries(client, MODES) == before
