"""The organisation picker in a real browser: typed initials, picked with the keyboard, on a phone."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from fulian.households.models import Household
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import violations

PHONE_WIDTH = 360


def test_type_hlc_pick_huilong_with_the_keyboard_and_register_a_household(
    live_server: Any, live_world: World, phone: Page
) -> None:
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/households/new/")
    box = phone.get_by_role("combobox", name="村或村民小组")
    box.click()
    box.press_sequentially("hlc", delay=30)
    options = phone.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_contain_text("新市镇 › 回龙村")
    expect(box).to_have_attribute("aria-expanded", "true")
    shot(phone, "60-org-picker-suggestions-phone", full_page=False)
    assert violations(phone) == []  # the open list too (axe-core, WCAG 2.1 AA)
    assert options.first.bounding_box()["height"] >= 44  # type: ignore[index]
    assert scroll_width(phone) <= PHONE_WIDTH
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id") or "")
    box.press("Enter")
    expect(box).to_have_value("新市镇 › 回龙村")
    expect(box).to_have_attribute("aria-expanded", "false")
    phone.get_by_label("户主", exact=True).fill("周建国")
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator("main h1")).to_contain_text("周建国")
    assert Household.objects.get().org == live_world.org("huilong")


def test_escape_closes_the_list_and_a_list_filter_follows_the_pick(
    live_server: Any, live_world: World, desktop: Page
) -> None:
    log_in(desktop, live_server.url, "xinshi_staff")
    desktop.goto(f"{live_server.url}/households/")
    box = desktop.get_by_role("combobox", name="组织")
    box.press_sequentially("dqt", delay=30)
    listbox = desktop.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_contain_text("大桥头村")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    box.press("ArrowDown")
    expect(listbox.get_by_role("option").first).to_be_visible()
    listbox.get_by_role("option").first.click()
    # The list reloads for the organisation picked, which stays in the URL.
    expect(desktop).to_have_url(re.compile(rf"/households/\?(.*&)?org={live_world.org('daqiaotou').pk}(&|$)"))
