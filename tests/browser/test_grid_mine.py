"""A 执委 on her phone (issue 11, point 6): her households with the due first, a visit recorded
with a photo in a few taps, the household no longer due; what she typed survives a reload."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from fulian.grid import coverage, services
from fulian.grid.choices import DEFAULT_WORK_MODES, ContactMode
from fulian.grid.models import WorkMode
from fulian.grid.tests.helpers import assign, executive
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World
from tests.browser.conftest import DESKTOP, PHONE
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
    """huilong_zhiwei's own record (a 执委 of 回龙村, linked to her account) and her households:
    two never contacted, one visited last month."""
    work_modes()
    post = executive(live_world, "huilong", "周桂姣")
    Person.objects.filter(pk=post.person_id).update(account=live_world.user("huilong_zhiwei"))
    homes = {
        name: household(live_world, "huilong", name, mobile=mobile, address=address)
        for name, mobile, address in [
            ("周建国", "13907330101", "回龙村第一村民小组12号"),
            ("李德福", "13907330102", ""),
            ("王桂英", "", "回龙村老屋场3号，靠近村部的那栋两层楼房"),
        ]
    }
    assign(live_world, post, *homes.values())
    services.contact_record(
        actor=live_world.user("city_admin"),
        person=post.person,
        mode=ContactMode.CALL,
        happened_on=coverage.today() - datetime.timedelta(days=30),
        households=[homes["王桂英"]],
    )
    return {"post": post, "homes": homes}


def _row(page: Page, her: dict[str, Any], name: str) -> Any:
    return page.locator(f"[data-household='{her['homes'][name].pk}']")


def test_she_sees_her_households_records_a_visit_with_a_photo_and_it_is_no_longer_due(
    live_server: Any, her: dict[str, Any], phone: Page, tmp_path: Any
) -> None:
    picture = tmp_path / "IMG_0001.jpg"
    picture.write_bytes(jpeg(800, 600))
    log_in(phone, live_server.url, "huilong_zhiwei")
    phone.goto(f"{live_server.url}/grid/mine/")
    rows = phone.locator("[data-testid=mine-list] > li")
    expect(rows).to_have_count(3)
    home = _row(phone, her, "周建国")
    expect(home.locator("[data-testid=due]")).to_be_visible()
    expect(home).to_contain_text("139****0101")
    expect(_row(phone, her, "王桂英").locator("[data-testid=due]")).to_have_count(0)
    expect(rows.last).to_contain_text("王桂英")  # the due first
    shot(phone, "grid-mine-phone", full_page=False)
    assert scroll_width(phone) <= PHONE_WIDTH

    home.locator(".fl-mine-record").click()
    expect(phone).to_have_url(re.compile(r"/grid/contacts/new/\?household=\d+$"))
    form = phone.locator("form.fl-contact-form")
    expect(form.locator("select[name=mode]")).to_have_value("visit")
    expect(form.locator("input[name=whom]")).to_have_value("周建国")
    form.locator("label.fl-mode", has_text="入户走访").click()
    form.locator("textarea[name=note]").fill("入户走访，家中一切安好")
    form.locator("input[name=location]").fill("家中")
    form.locator("input[name=photos]").set_input_files(str(picture))
    shot(phone, "grid-contact-form-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    form.locator("button[data-save]").click()

    expect(phone).to_have_url(f"{live_server.url}/grid/mine/")
    expect(phone.locator("main .alert-success")).to_contain_text("周建国")
    expect(_row(phone, her, "周建国").locator("[data-testid=due]")).to_have_count(0)
    expect(rows.last).to_contain_text("周建国")  # contacted today: last
    shot(phone, "grid-mine-after-phone", full_page=False)
    contact = her["post"].person.contacts.get(mode=ContactMode.VISIT)
    assert contact.photos.count() == 1
    # Her contact, with its photo served through the scoped view.
    phone.goto(f"{live_server.url}/grid/contacts/{contact.pk}/")
    image = phone.locator("main img")
    expect(image).to_have_attribute("src", re.compile(r"^/grid/contacts/photos/\d+/$"))
    image.scroll_into_view_if_needed()  # below the fold on a phone: loaded lazily
    phone.wait_for_function("document.querySelector('main img').naturalWidth > 0")
    shot(phone, "grid-contact-detail-phone")


def test_what_she_typed_survives_a_reload_and_is_forgotten_once_saved(
    live_server: Any, her: dict[str, Any], phone: Page
) -> None:
    log_in(phone, live_server.url, "huilong_zhiwei")
    url = f"{live_server.url}/grid/contacts/new/?household={her['homes']['李德福'].pk}"
    phone.goto(url)
    note = phone.locator("textarea[name=note]")
    note.fill("电话没人接，改天再去")
    phone.locator("label.fl-mode", has_text="矛盾调解").click()
    phone.locator("select[name=mode]").select_option("call")
    phone.reload()
    expect(note).to_have_value("电话没人接，改天再去")
    expect(phone.locator("select[name=mode]")).to_have_value("call")
    expect(phone.locator("label.fl-mode", has_text="矛盾调解").locator("input")).to_be_checked()
    expect(phone.locator("[data-draft-notice]")).to_be_visible()
    phone.locator("form.fl-contact-form button[data-save]").click()
    expect(phone).to_have_url(f"{live_server.url}/grid/mine/")
    phone.goto(url)
    expect(note).to_have_value("")
    expect(phone.locator("[data-draft-notice]")).to_be_hidden()


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_her_pages_have_44_px_targets_no_sideways_scrolling_and_pass_axe(
    browser: Browser, live_server: Any, her: dict[str, Any], size: str, large: bool
) -> None:
    context = browser.new_context(**(PHONE if size == "phone" else DESKTOP))
    if large:
        context.add_cookies([{"name": "fulian_large_text", "value": "1", "url": live_server.url}])
    paths = ["/grid/mine/", f"/grid/contacts/new/?household={her['homes']['周建国'].pk}", "/grid/contacts/"]
    found: dict[str, Any] = {}
    try:
        page = context.new_page()
        log_in(page, live_server.url, "huilong_zhiwei")
        for path in paths:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            result = page.evaluate(MEASURE)
            if len(result["inline"]) <= 2:
                del result["inline"]
            problems = {k: v for k, v in result.items() if v}
            axe = violations(page)
            if axe:
                problems["axe"] = axe
            if problems:
                found[path] = problems
            name = path.strip("/").split("?")[0].replace("/", "-")
            shot(page, f"grid-{name}-{size}{'-large' if large else ''}", full_page=False)
    finally:
        context.close()
    assert not found, found


def test_staff_record_a_call_for_her_from_the_household_page(
    live_server: Any, her: dict[str, Any], desktop: Page
) -> None:
    home = her["homes"]["李德福"]
    log_in(desktop, live_server.url, "xinshi_staff")
    desktop.goto(f"{live_server.url}/households/{home.pk}/")
    section = desktop.locator("[data-testid=household-contacts]")
    expect(section).to_contain_text("周桂姣")  # who answers for the household
    section.locator("a.btn-primary").click()
    form = desktop.locator("form.fl-contact-form")
    form.locator("select[name=person]").select_option(str(her["post"].person_id))
    form.locator("label.fl-mode", has_text="帮扶关爱").click()
    form.locator("select[name=mode]").select_option("call")
    form.locator("textarea[name=note]").fill("电话回访")
    form.locator("button[data-save]").click()
    expect(desktop).to_have_url(f"{live_server.url}/households/{home.pk}/")
    expect(section.locator(".fl-contact-line")).to_have_count(1)
    expect(section.locator(".fl-contact-line")).to_contain_text("周桂姣")
    shot(desktop, "grid-household-contacts-desktop")
    contact = her["post"].person.contacts.get(mode=ContactMode.CALL, households=home)
    assert contact.created_by.username == "xinshi_staff"
