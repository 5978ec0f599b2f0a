"""Real-browser flow of 包干: staff assign households of 回龙村 to a village 执委 on a phone,
find them in the list and end one."""

from __future__ import annotations

import datetime
import re
from typing import Any

from playwright.sync_api import Page, expect

from fulian.grid.choices import Mode
from fulian.grid.models import Assignment
from fulian.grid.tests.helpers import assign, executive
from fulian.households.tests.helpers import household
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot

PHONE_WIDTH = 360


def test_assign_two_households_see_them_and_end_one_on_a_phone(
    live_server: Any, live_world: World, phone: Page
) -> None:
    post = executive(live_world, "huilong", "周桂姣")
    executive(live_world, "huilong", "李秀英")
    first = household(live_world, "huilong_group1", "周建国")
    second = household(live_world, "huilong", "李德福")
    household(live_world, "huilong", "王三")
    log_in(phone, live_server.url, "xinshi_staff")

    phone.goto(f"{live_server.url}/grid/assignments/new/")
    phone.locator("#id_search").fill("zgj")
    phone.locator("main form[role=search] button[type=submit]").click()
    choices = phone.get_by_test_id("post-choices")
    expect(choices).to_contain_text("周桂姣")
    expect(choices).not_to_contain_text("李秀英")
    shot(phone, "grid-assign-10-pick-phone")
    choices.get_by_text("周桂姣").click()

    expect(phone).to_have_url(re.compile(rf"\?post={post.pk}$"))
    phone.locator(f"#target-h{first.pk}").check()
    phone.locator(f"#target-h{second.pk}").check()
    phone.locator("input[name=mode][value=circuit]").check()
    expect(phone.get_by_test_id("assign-submit")).to_contain_text("(2)")
    shot(phone, "grid-assign-20-form-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.get_by_test_id("assign-submit").click()

    expect(phone).to_have_url(re.compile(rf"/grid/assignments/\?person={post.person_id}$"))
    results = phone.locator("#assignment-results")
    expect(results).to_contain_text("周建国")
    expect(results).to_contain_text("李德福")
    expect(results).not_to_contain_text("王三")
    shot(phone, "grid-assign-30-list-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    made = Assignment.objects.get(household=second)
    results.locator(f'a[href="/grid/assignments/{made.pk}/"]').click()

    expect(phone.locator("main h1")).to_contain_text("李德福")
    shot(phone, "grid-assign-40-detail-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.locator(f'a[href="/grid/assignments/{made.pk}/end/"]').click()
    phone.locator("input[name=end_reason]").fill("外出务工")
    shot(phone, "grid-assign-50-end-phone")
    phone.locator("main form button[type=submit]").click()

    expect(phone).to_have_url(f"{live_server.url}/grid/assignments/{made.pk}/")
    expect(phone.locator("main")).to_contain_text("外出务工")
    made.refresh_from_db()
    assert made.end_date is not None
    assert Assignment.objects.get(household=first).end_date is None


def test_the_pages_on_a_desktop(live_server: Any, live_world: World, desktop: Page) -> None:
    """Screenshots of the list, the form of a township 执委 and a changed assignment's page."""
    village_post = executive(live_world, "huilong", "周桂姣")
    other = executive(live_world, "huilong", "周红")
    township_post = executive(live_world, "xinshi", "李四")
    (made,) = assign(live_world, village_post, household(live_world, "huilong", "周建国"), mode=Mode.NEARBY)
    assign(live_world, township_post, live_world.org("huilong"), mode=Mode.JOINT, partner="王网格")
    from fulian.grid import services

    services.assignment_change(
        actor=live_world.user("city_admin"), assignment=made, on=datetime.date(2024, 6, 1), post=other
    )
    log_in(desktop, live_server.url, "xinshi_staff")
    desktop.goto(f"{live_server.url}/grid/assignments/")
    expect(desktop.locator("#assignment-results")).to_contain_text("王网格")
    shot(desktop, "grid-assign-60-list-desktop")
    desktop.goto(f"{live_server.url}/grid/assignments/new/?post={township_post.pk}")
    expect(desktop.locator("main")).to_contain_text("大桥头村")
    shot(desktop, "grid-assign-70-form-desktop")
    desktop.goto(f"{live_server.url}/grid/assignments/{made.pk}/")
    expect(desktop.get_by_test_id("history")).to_contain_text("周红")
    shot(desktop, "grid-assign-80-detail-desktop")


def test_the_assignment_pages_pass_axe_on_a_phone(live_server: Any, live_world: World, phone: Page) -> None:
    """WCAG 2.1 AA (axe-core) on the list, the choice of 执委, the form, an assignment's page and
    its end and change forms."""
    from tests.browser.test_accessibility import audit_pages

    post = executive(live_world, "huilong", "周桂姣")
    executive(live_world, "huilong", "周红")
    (made,) = assign(live_world, post, household(live_world, "huilong_group1", "周建国"), mode=Mode.NEARBY)
    for i in range(10):
        household(live_world, "huilong", f"李{i}号")
    log_in(phone, live_server.url, "xinshi_staff")
    base = "/grid/assignments/"
    paths = [base, f"{base}new/", f"{base}new/?post={post.pk}", f"{base}{made.pk}/", f"{base}{made.pk}/end/"]
    paths.append(f"{base}{made.pk}/change/")
    assert audit_pages(phone, live_server.url, paths) == {}
