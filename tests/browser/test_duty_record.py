"""huilong_zhiwei records a duty on a 360×640 phone (issue 13, point 1): her records, "record a
duty", a work mode, the time with the + button, a household from her list and one found by its
initials, a photo; saved once however often she taps, and waiting for review in her list."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fulian.duties.tests import helpers as h
from fulian.grid.choices import DEFAULT_WORK_MODES, RecordStatus
from fulian.grid.models import Contact, WorkMode
from fulian.grid.tests.helpers import assign
from fulian.households.tests.helpers import household
from fulian.people.models import Post
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import violations
from tests.browser.test_touch import MEASURE

PHONE_WIDTH = 360


def work_modes() -> None:
    """The seven default work modes: a migration makes them, and a transactional test's flush
    empties the table after the first test of the session."""
    for position, (name, name_en) in enumerate(DEFAULT_WORK_MODES, start=1):
        WorkMode.objects.get_or_create(name=name, defaults={"name_en": name_en, "position": position})


@pytest.fixture
def her(live_world: World) -> dict[str, Any]:
    work_modes()
    who = h.zhiwei(live_world, "huilong", "周桂姣", account=live_world.user("huilong_zhiwei"))
    homes = [household(live_world, "huilong", name) for name in ("周建国", "李德福")]
    assign(live_world, Post.objects.get(person=who), *homes)
    far = household(live_world, "huilong", "王桂英")  # of her village, not on her list
    return {"person": who, "homes": homes, "far": far}


def test_she_records_a_duty_on_her_phone_and_sees_it_waiting(
    live_server: Any, her: dict[str, Any], phone: Page, tmp_path: Any
) -> None:
    picture = tmp_path / "IMG_0002.jpg"
    picture.write_bytes(jpeg(800, 600))
    log_in(phone, live_server.url, "huilong_zhiwei")
    phone.goto(f"{live_server.url}/duties/records/mine/")
    expect(phone.locator("[data-testid=records-summary]")).to_be_visible()
    shot(phone, "duty-records-mine-empty-phone", full_page=False)
    phone.locator("main a.btn-primary").click()
    form = phone.locator("form.fl-contact-form")
    expect(form).to_be_visible()
    form.locator("label.fl-mode", has_text="政策宣讲").click()
    form.locator(".fl-row", has_text="周建国").click()
    stepper = form.locator("[data-stepper]")
    stepper.locator("[data-step='1']").click()
    stepper.locator("[data-step='1']").click()
    expect(form.locator("select[name=half_hours]")).to_have_value("4")
    form.locator("input[name=find_text]").fill("wgy")
    found = form.locator("[data-found] [data-testid=found-household]")
    expect(found).to_have_count(1)
    found.click()
    expect(form.locator("[data-picked-list] input[name=household]:checked")).to_have_count(2)
    form.locator("textarea[name=note]").fill("宣讲妇女权益保障法")
    form.locator("input[name=photos]").set_input_files(str(picture))
    shot(phone, "duty-record-form-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    measured = phone.evaluate(MEASURE)
    assert measured["small"] == [], measured["small"]
    save = form.locator("button[data-save]")
    save.dblclick()  # a double tap on a weak network
    expect(phone).to_have_url(f"{live_server.url}/duties/records/mine/")
    expect(phone.locator("main .alert-success")).to_contain_text("政策宣讲")
    row = phone.locator(".fl-record").first
    expect(row).to_contain_text("政策宣讲")
    expect(row).to_contain_text("2")
    expect(row.locator("[data-status=pending]")).to_be_visible()
    shot(phone, "duty-records-mine-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    record = Contact.objects.get(person=her["person"])
    assert (record.half_hours, record.status, record.photos.count()) == (4, RecordStatus.PENDING, 1)
    assert set(record.households.all()) == {her["homes"][0], her["far"]}
    row.locator("a").click()
    expect(phone.locator("[data-testid=record-status] [data-status=pending]")).to_be_visible()
    expect(phone.locator("a[href$='/edit/']")).to_be_visible()
    shot(phone, "duty-record-detail-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
