"""The main flows in a real browser: logging in on a phone, browsing and searching the
organisation tree, adding a village group, scope, language and large text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Locator, Page, expect

from fulian.testing.world import PASSWORD, World
from tests.browser.pages import log_in, scroll_width, shot

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360


def tree_node(page: Page, name: str) -> Locator:
    """The tree's <li> for the organisation shown as ``name``."""
    return page.locator(
        "xpath=//ul[@data-testid='org-tree']//li"
        f"[div[contains(concat(' ', @class, ' '), ' fl-tree-row ')]/a[normalize-space(.)='{name}']]"
    )


def tree_toggle(page: Page, name: str) -> Locator:
    return tree_node(page, name).locator("xpath=./div/button[contains(concat(' ', @class, ' '), ' fl-tree-toggle ')]")


def tree_link(page: Page, name: str) -> Locator:
    return tree_node(page, name).locator("xpath=./div/a")


def mark_page(page: Page) -> None:
    """Leave a mark on the window; it survives htmx swaps but not a page load."""
    page.evaluate("window.flSamePage = true")


def assert_same_page(page: Page) -> None:
    assert page.evaluate("window.flSamePage === true"), "the page reloaded; htmx should have swapped in place"


# --- 1. logging in on a phone -----------------------------------------------------------------


def test_login_on_phone_lands_on_home_with_menu_behind_toggler(
    live_server: Any, live_world: World, phone: Page
) -> None:
    phone.goto(live_server.url + "/")
    expect(phone).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(phone.locator("input[name=identifier]")).to_be_focused()
    shot(phone, "01-login-phone")
    assert scroll_width(phone) <= PHONE_WIDTH

    phone.locator("input[name=identifier]").fill("xinshi_staff")
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()

    expect(phone).to_have_url(live_server.url + "/")
    card = phone.get_by_test_id("home-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("新市镇")
    expect(card.locator("a").first).to_have_attribute("href", f"/orgs/{live_world.org('xinshi').pk}/")
    shot(phone, "02-home-phone")
    assert scroll_width(phone) <= PHONE_WIDTH, "the home page scrolls sideways on a 360px phone"

    # On a phone the menu folds behind the toggler.
    menu = phone.locator("#fl-nav")
    orgs_link = menu.locator("a[href='/orgs/']")
    toggler = phone.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(orgs_link).to_be_hidden()
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # Bootstrap's collapse transition has ended
    expect(orgs_link).to_be_visible()
    expect(menu.locator("form[action='/accounts/logout/'] button")).to_be_visible()
    shot(phone, "03-home-phone-menu-open")
    assert scroll_width(phone) <= PHONE_WIDTH

    orgs_link.click()
    expect(phone).to_have_url(live_server.url + "/orgs/")


def test_login_by_mobile_number(live_server: Any, live_world: World, phone: Page) -> None:
    log_in(phone, live_server.url, "13907330005")
    card = phone.get_by_test_id("home-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("回龙村")
    shot(phone, "04-home-phone-member")
    assert scroll_width(phone) <= PHONE_WIDTH


def test_wrong_password_shows_an_error(live_server: Any, live_world: World, phone: Page) -> None:
    phone.goto(live_server.url + "/accounts/login/")
    phone.locator("input[name=identifier]").fill("xinshi_staff")
    phone.locator("input[name=password]").fill("not-the-password")
    phone.locator("main form button[type=submit]").click()

    error = phone.locator("main .alert-danger")
    expect(error).to_be_visible()
    left = settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES - 1  # attempts left before the lock
    minutes = settings.FULIAN_LOCKOUT_MINUTES
    expect(error).to_have_text(f"用户名、手机号或密码不正确。还可尝试 {left} 次，之后账号将锁定 {minutes} 分钟。")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    expect(phone.locator("input[name=identifier]")).to_have_value("xinshi_staff")
    expect(phone.locator("input[name=password]")).to_have_value("")
    shot(phone, "05-login-wrong-password-phone")
    assert scroll_width(phone) <= PHONE_WIDTH


# --- 2. the organisation tree, search, village groups ---------------------------------------


def test_tree_expands_and_folds_in_place_and_search_is_live(live_server: Any, live_world: World, desktop: Page) -> None:
    log_in(desktop, live_server.url, "city_admin")
    desktop.goto(live_server.url + "/orgs/")
    expect(tree_link(desktop, "株洲市")).to_be_visible()
    expect(tree_node(desktop, "攸县")).to_have_count(0)
    mark_page(desktop)
    children_requests: list[str] = []
    desktop.on("request", lambda r: children_requests.append(r.url) if "/children/" in r.url else None)

    city = tree_toggle(desktop, "株洲市")
    expect(city).to_have_attribute("aria-expanded", "false")
    city.click()
    expect(tree_link(desktop, "攸县")).to_be_visible()
    expect(tree_link(desktop, "炎陵县")).to_be_visible()
    expect(city).to_have_attribute("aria-expanded", "true")
    expect(city).to_have_text("▾")

    tree_toggle(desktop, "攸县").click()
    expect(tree_link(desktop, "新市镇")).to_be_visible()
    expect(tree_link(desktop, "江桥街道")).to_be_visible()
    shot(desktop, "10-tree-expanded-desktop")
    assert_same_page(desktop)
    assert len(children_requests) == 2

    # Folding hides the branch; unfolding shows it again without asking the server.
    city.click()
    expect(city).to_have_attribute("aria-expanded", "false")
    expect(city).to_have_text("▸")
    expect(tree_link(desktop, "攸县")).to_be_hidden()
    expect(tree_link(desktop, "新市镇")).to_be_hidden()
    city.click()
    expect(city).to_have_attribute("aria-expanded", "true")
    expect(tree_link(desktop, "攸县")).to_be_visible()
    expect(tree_link(desktop, "新市镇")).to_be_visible()
    assert len(children_requests) == 2
    assert_same_page(desktop)

    # Live search by pinyin initials.
    desktop.locator("#id_search").fill("hlc")
    results = desktop.get_by_test_id("search-results")
    expect(results).to_be_visible()
    expect(results.get_by_role("link", name="回龙村", exact=True)).to_be_visible()
    expect(desktop).to_have_url(re.compile(r"[?&]search=hlc(&|$)"))
    expect(desktop.get_by_test_id("org-tree")).to_have_count(0)
    assert_same_page(desktop)
    shot(desktop, "11-search-hlc-desktop")

    results.get_by_role("link", name="回龙村", exact=True).click()
    huilong = live_world.org("huilong")
    expect(desktop).to_have_url(f"{live_server.url}/orgs/{huilong.pk}/")
    expect(desktop.locator(".breadcrumb .breadcrumb-item")).to_have_text(["株洲市", "攸县", "新市镇", "回龙村"])
    expect(desktop.locator(".breadcrumb a")).to_have_text(["株洲市", "攸县", "新市镇"])
    expect(desktop.locator("main table").get_by_role("link", name="第一村民小组")).to_be_visible()
    shot(desktop, "12-huilong-desktop")

    # Back to the search results in the browser history.
    desktop.go_back()
    expect(desktop).to_have_url(re.compile(r"[?&]search=hlc(&|$)"))
    expect(desktop.locator("#id_search")).to_have_value("hlc")
    expect(desktop.get_by_test_id("search-results")).to_contain_text("回龙村")


def test_add_village_group_on_phone(live_server: Any, live_world: World, phone: Page) -> None:
    huilong = live_world.org("huilong")
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/orgs/{huilong.pk}/")
    groups = phone.locator("main table")
    expect(groups.get_by_role("link", name="第一村民小组")).to_be_visible()
    shot(phone, "20-huilong-phone")
    phone.locator("#add-group").scroll_into_view_if_needed()
    shot(phone, "20b-huilong-phone-form-window", full_page=False)
    assert scroll_width(phone) <= PHONE_WIDTH

    form = phone.locator("#add-group form")
    name = form.locator("input[name=name]")

    # An empty name: the page answers 400 and the error stands next to the field.
    with phone.expect_response(re.compile(r"/groups/new/$")) as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 400
    field = phone.locator("#add-group .mb-3").filter(has=phone.locator("input[name=name]"))
    expect(field.locator(".invalid-feedback")).to_be_visible()
    expect(name).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(name).to_have_attribute("aria-invalid", "true")
    shot(phone, "21-add-group-empty-phone")
    field.scroll_into_view_if_needed()
    shot(phone, "21b-add-group-empty-phone-window", full_page=False)
    assert scroll_width(phone) <= PHONE_WIDTH

    name.fill("第二村民小组")
    form.locator("button[type=submit]").click()
    expect(phone).to_have_url(f"{live_server.url}/orgs/{huilong.pk}/")
    expect(phone.locator("main .alert-success")).to_contain_text("第二村民小组")
    expect(groups.get_by_role("link", name="第二村民小组")).to_be_visible()
    expect(groups.get_by_role("link", name="第一村民小组")).to_be_visible()
    expect(phone.locator("#add-group .invalid-feedback")).to_have_count(0)
    shot(phone, "22-add-group-done-phone")
    assert scroll_width(phone) <= PHONE_WIDTH


# --- 3. scope ----------------------------------------------------------------------------------


def test_organisation_outside_scope_is_404(live_server: Any, live_world: World, phone: Page) -> None:
    log_in(phone, live_server.url, "xinshi_staff")
    response = phone.goto(f"{live_server.url}/orgs/{live_world.org('shucai').pk}/")
    assert response is not None
    assert response.status == 404
    expect(phone.locator("main h1")).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text("蔬菜")
    expect(phone.locator("main a[href='/']")).to_be_visible()
    shot(phone, "30-404-phone")
    assert scroll_width(phone) <= PHONE_WIDTH


# --- 4. language -------------------------------------------------------------------------------


def test_language_switch(live_server: Any, live_world: World, phone: Page) -> None:
    html = phone.locator("html")
    submit = phone.locator("main form button[type=submit]")
    phone.goto(live_server.url + "/accounts/login/")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(phone.locator("footer button[name=language][value=zh-hans]")).to_have_attribute("aria-current", "true")

    phone.locator("footer button[name=language][value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(phone).to_have_url(live_server.url + "/accounts/login/")
    expect(submit).to_have_text("Log in")
    expect(phone.locator("footer button[name=language][value=en]")).to_have_attribute("aria-current", "true")
    shot(phone, "40-login-english-phone")

    phone.locator("footer button[name=language][value=zh-hans]").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    shot(phone, "41-login-chinese-phone")
    expect(submit).to_have_text("登录")


# --- 5. large text -----------------------------------------------------------------------------


def test_large_text_toggle_survives_reload(live_server: Any, live_world: World, phone: Page) -> None:
    html = phone.locator("html")
    toggle = phone.locator("footer [data-large-text-toggle]")
    phone.goto(live_server.url + "/accounts/login/")
    expect(html).not_to_have_class(re.compile(r"\blarge-text\b"))
    expect(toggle).to_have_attribute("aria-pressed", "false")

    toggle.click()
    expect(html).to_have_class(re.compile(r"\blarge-text\b"))
    expect(toggle).to_have_attribute("aria-pressed", "true")

    phone.reload()
    expect(html).to_have_class(re.compile(r"\blarge-text\b"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert phone.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    shot(phone, "50-login-large-text-phone")

    log_in(phone, live_server.url, "xinshi_staff")
    expect(html).to_have_class(re.compile(r"\blarge-text\b"))
    shot(phone, "51-home-large-text-phone")
    assert scroll_width(phone) <= PHONE_WIDTH, "large text makes the home page scroll sideways"

    toggle.click()
    expect(html).not_to_have_class(re.compile(r"\blarge-text\b"))
    phone.reload()
    expect(html).not_to_have_class(re.compile(r"\blarge-text\b"))


def test_api_documentation_renders_under_the_content_security_policy(live_server: Any, desktop: Page) -> None:
    # Swagger UI's page, served without its inline style and script (the fixture fails on any
    # violation the browser reports).
    desktop.goto(live_server.url + "/api/docs/")
    expect(desktop.locator(".swagger-ui .info .title")).to_contain_text("fulian API")
    expect(desktop.locator(".opblock").first).to_be_visible()
