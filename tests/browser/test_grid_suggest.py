"""Real-browser flows of the load page and of the suggestion that fills a village's gaps."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from fulian.grid.choices import Mode
from fulian.grid.models import Assignment
from fulian.grid.tests.helpers import assign
from fulian.households import services as household_services
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.orgs.services import group_create_as_system
from fulian.people import services as people_services
from fulian.people.models import Post
from fulian.people.tests.helpers import post
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import audit_pages, violations

PHONE_WIDTH = 360


def _huilong_with_gaps(world: World) -> list[Post]:
    """回龙村: three groups, 10 households, three 执委 (two living in a group); group 1 covered
    already, the rest not."""
    village = world.org("huilong")
    groups = [world.org("huilong_group1")]
    groups += [group_create_as_system(village=village, name=name) for name in ("第二村民小组", "第三村民小组")]
    admin = world.user("city_admin")
    names = ["周建国", "李德福", "王秀兰", "刘春生", "陈桂香", "张国强", "赵丽华", "黄志明", "吴玉梅", "孙建平"]
    for n, name in enumerate(names[:9]):
        household_services.household_create(actor=admin, org=groups[n % 3], values={"head_name": name})
    household(world, "huilong", names[9])  # in no group
    posts = []
    for name, home in (("周桂姣", groups[0]), ("李秀英", groups[2]), ("王春花", village)):
        who = people_services.person_create(actor=admin, org=home, values={"name": name})
        posts.append(post(world, who, "huilong"))
    assign(world, posts[0], groups[0], mode=Mode.NEARBY)
    return posts


def test_staff_confirm_the_suggestion_on_a_phone_and_the_village_is_covered(
    live_server: Any, live_world: World, phone: Page
) -> None:
    _huilong_with_gaps(live_world)
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/grid/load/{live_world.org('huilong').pk}/")
    expect(phone.locator("[data-testid=load-buckets]")).to_be_visible()
    expect(phone.locator("#load-chart svg")).to_be_visible()
    shot(phone, "60-grid-load-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.locator(f"a[href='/grid/load/{live_world.org('huilong').pk}/rule/']").click()
    phone.locator("#id_min_households").fill("10")
    phone.locator("#id_max_households").fill("4")
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator("#id_max_households")).to_have_value("4")
    expect(phone.locator(".invalid-feedback")).to_be_visible()
    shot(phone, "60b-grid-load-rule-error-phone")
    phone.go_back()
    phone.go_back()
    phone.locator(f"a[href='/grid/suggest/{live_world.org('huilong').pk}/']").click()
    coverage_line = phone.locator("[data-testid=suggest-coverage]")
    expect(coverage_line).not_to_contain_text("100.0%")
    expect(phone.locator("[data-testid=suggest-row]").first).to_be_visible()
    shot(phone, "61-grid-suggest-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert not violations(phone)
    phone.locator("[data-testid=suggest-confirm]").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    expect(coverage_line).to_contain_text("100.0%")
    expect(phone.locator("[data-testid=suggest-reason]")).to_be_visible()
    shot(phone, "62-grid-suggest-done-phone")
    assert scroll_width(phone) <= PHONE_WIDTH


def test_the_load_page_and_the_suggestion_on_a_desktop(live_server: Any, live_world: World, desktop: Page) -> None:
    posts = _huilong_with_gaps(live_world)
    log_in(desktop, live_server.url, "xinshi_staff")
    desktop.goto(f"{live_server.url}/grid/load/{live_world.org('xinshi').pk}/")
    expect(desktop.locator("#load-chart svg")).to_be_visible()
    shot(desktop, "63-grid-load-desktop")
    desktop.goto(f"{live_server.url}/grid/suggest/{live_world.org('huilong').pk}/")
    expect(desktop.locator("[data-testid=suggest-row]").first).to_be_visible()
    desktop.locator("[data-testid=suggest-row] details summary").first.click()
    shot(desktop, "64-grid-suggest-desktop")
    # Somebody takes the household in no group meanwhile: the confirmation is refused, on its row.
    loose = Household.objects.get(head_name="孙建平")
    assign(live_world, posts[2], loose)
    before = Assignment.objects.count()
    desktop.locator("[data-testid=suggest-confirm]").click()
    refused = desktop.locator("[data-testid=suggest-row] .alert-danger")
    expect(refused).to_contain_text("孙建平")
    assert Assignment.objects.count() == before
    shot(desktop, "65-grid-suggest-stale-desktop")
    problems = audit_pages(
        desktop,
        live_server.url,
        [
            f"/grid/load/{live_world.org('xinshi').pk}/",
            f"/grid/load/{live_world.org('xinshi').pk}/rule/",
            f"/grid/suggest/{live_world.org('huilong').pk}/",
        ],
    )
    assert not problems, problems
