"""Real-browser flows of the coverage pages: the charts draw on a phone without a refusal from
the Content-Security-Policy, a tap shows a bar's numbers, the table drills down a level."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from fulian.grid.tests.helpers import assign, executive
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import audit_pages
from tests.browser.test_touch import MEASURE

PHONE_WIDTH = 360


def _grid(world: World) -> None:
    """新市镇: 回龙村 with 4 households in its group 1 (covered) and 2 in no group; 大桥头村 with
    3 (uncovered); a township 执委 takes 回龙村. 江桥街道 龙湖社区: 2, uncovered."""
    for i in range(4):
        household(world, "huilong_group1", f"组一户{i}")
    for i in range(2):
        household(world, "huilong", f"散户{i}")
    for i in range(3):
        household(world, "daqiaotou", f"大桥户{i}")
    for i in range(2):
        household(world, "longhu", f"龙湖户{i}")
    assign(world, executive(world), world.org("huilong_group1"))
    assign(world, executive(world, "xinshi", "李四"), world.org("huilong"))


def test_the_coverage_chart_draws_on_a_phone_and_the_table_drills_down(
    live_server: Any, live_world: World, phone: Page
) -> None:
    _grid(live_world)
    log_in(phone, live_server.url, "xinshi_staff")
    phone.get_by_role("button", name="菜单").click()
    # (By address: the menu's words are translated when the lead merges the translations.)
    phone.locator('#fl-nav a[href="/grid/coverage/"]').click()
    expect(phone.locator("main h1")).to_contain_text("新市镇")
    bars = phone.locator('[data-testid="coverage-bar-chart"]')
    expect(bars).to_have_attribute("data-drawn", "1")
    expect(bars.locator("canvas")).to_have_count(1)
    expect(phone.locator('[data-testid="coverage-treemap"] canvas')).to_have_count(1)
    expect(phone.locator('[data-testid="coverage-share"]')).to_have_text("44.4%")
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "60-coverage-township-phone")
    # A tap on a bar shows its numbers (drawn on the canvas: nothing to read but no error).
    bars.scroll_into_view_if_needed()
    box = bars.locator("canvas").bounding_box()
    assert box is not None
    phone.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    shot(phone, "61-coverage-tap-phone", full_page=False)
    phone.locator('[data-testid="coverage-table"]').get_by_role("link", name="回龙村").click()
    expect(phone).to_have_url(re.compile(rf"/grid/coverage/{live_world.org('huilong').pk}/$"))
    expect(phone.locator("main h1")).to_contain_text("回龙村")
    expect(phone.locator('[data-testid="coverage-table"]')).to_contain_text("第一村民小组")
    expect(phone.locator('[data-testid="coverage-bar-chart"] canvas')).to_have_count(1)
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "62-coverage-village-phone")
    phone.locator(f'main a[href="/grid/coverage/{live_world.org("huilong").pk}/uncovered/"]').first.click()
    expect(phone.locator("#uncovered-results")).to_contain_text("散户0")
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "63-uncovered-phone")


def test_the_county_coverage_and_its_gaps_on_a_desktop(live_server: Any, live_world: World, desktop: Page) -> None:
    _grid(live_world)
    log_in(desktop, live_server.url, "xinshi_staff")
    shot(desktop, "64-home-staff-desktop")
    desktop.goto(f"{live_server.url}/grid/coverage/{live_world.org('xinshi').pk}/?sort=worst")
    expect(desktop.locator('[data-testid="coverage-bar-chart"]')).to_have_attribute("data-drawn", "1")
    expect(desktop.locator('[data-testid="coverage-treemap"]')).to_have_attribute("data-drawn", "1")
    shot(desktop, "65-coverage-township-desktop")
    desktop.locator(f'[data-testid="gap-counts"] a[href="/grid/coverage/{live_world.org("xinshi").pk}/gaps/"]').click()
    expect(desktop.locator('[data-testid="gaps-table"]')).to_contain_text("大桥头村")
    shot(desktop, "66-gaps-desktop")


def test_a_leader_sees_the_city_chart_on_her_home_page(live_server: Any, live_world: World, desktop: Page) -> None:
    _grid(live_world)
    log_in(desktop, live_server.url, "leader")
    chart = desktop.locator('[data-testid="home-leader"] [data-testid="coverage-bar-chart"]')
    expect(chart).to_have_attribute("data-drawn", "1")
    expect(desktop.locator('[data-testid="home-leader"] [data-testid="coverage-table"]')).to_contain_text("攸县")
    shot(desktop, "67-home-leader-desktop")


def test_the_coverage_pages_pass_axe_on_a_phone_and_a_desktop(
    live_server: Any, live_world: World, phone: Page, desktop: Page
) -> None:
    _grid(live_world)
    xinshi, huilong = live_world.org("xinshi").pk, live_world.org("huilong").pk
    paths = [
        "/",
        f"/grid/coverage/{xinshi}/",
        f"/grid/coverage/{huilong}/?sort=worst",
        f"/grid/coverage/{xinshi}/?on=2099-01-01",
        f"/grid/coverage/{xinshi}/uncovered/",
        f"/grid/coverage/{xinshi}/gaps/",
    ]
    for page in (phone, desktop):
        log_in(page, live_server.url, "xinshi_staff")
        assert audit_pages(page, live_server.url, paths) == {}
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "leader")
    assert audit_pages(phone, live_server.url, ["/"]) == {}
    shot(phone, "68-home-leader-phone")


def test_an_executive_member_sees_her_households_on_her_phone(live_server: Any, live_world: World, phone: Page) -> None:
    for i in range(3):
        household(live_world, "huilong_group1", f"组一户{i}")
    post = executive(live_world)
    Person.objects.filter(pk=post.person_id).update(account=live_world.user("huilong_zhiwei"))
    assign(live_world, post, live_world.org("huilong_group1"))
    log_in(phone, live_server.url, "huilong_zhiwei")
    mine = phone.locator('[data-testid="home-mine"]')
    expect(mine.locator("[data-figure=mine]")).to_have_text("3")
    expect(mine.locator('[data-testid="home-due"]')).to_contain_text("组一户0")
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "69-home-member-phone")


def test_every_tap_target_of_the_coverage_pages_is_big_enough_on_a_phone(
    live_server: Any, live_world: World, phone: Page
) -> None:
    _grid(live_world)
    xinshi, huilong = live_world.org("xinshi").pk, live_world.org("huilong").pk
    log_in(phone, live_server.url, "xinshi_staff")
    found = {}
    for path in [
        "/",
        f"/grid/coverage/{xinshi}/",
        f"/grid/coverage/{huilong}/",
        f"/grid/coverage/{xinshi}/uncovered/",
        f"/grid/coverage/{xinshi}/gaps/",
    ]:
        phone.goto(live_server.url + path)
        measured = phone.evaluate(MEASURE)
        problems = measured["small"] + measured["overflowing"]
        if problems:
            found[path] = problems
    assert found == {}
