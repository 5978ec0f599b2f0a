"""Real-browser flows of archiving a person and of editing a record with a stored phone number,
on a phone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from fulian.people.choices import PostKind
from fulian.people.models import Person
from fulian.people.tests.helpers import person, post
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot

PHONE_WIDTH = 360


def test_archive_a_person_on_a_phone(live_server: Any, live_world: World, phone: Page) -> None:
    zhou = person(live_world, "huilong", "周桂姣")
    post(live_world, zhou, "huilong", PostKind.CHAIR)
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/people/{zhou.pk}/")
    phone.get_by_role("link", name="归档", exact=True).click()
    main = phone.locator("main")
    expect(main).to_contain_text("她在回龙村妇联的主席职务于今日结束")
    shot(phone, "50-person-archive-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.get_by_role("button", name="归档").click()
    expect(main.locator(".invalid-feedback")).to_be_visible()  # the reason is required
    phone.locator("input[name=reason]").fill("迁往长沙")
    phone.get_by_role("button", name="归档").click()
    expect(main.locator(".alert-warning")).to_contain_text("迁往长沙")
    shot(phone, "51-person-archived-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert Person.objects.with_archived().get(pk=zhou.pk).archived_at is not None
    phone.goto(f"{live_server.url}/people/?q=zgj")
    expect(phone.locator("#person-results")).not_to_contain_text("周桂姣")


def test_edit_a_person_without_seeing_her_phone_until_asked(live_server: Any, live_world: World, phone: Page) -> None:
    zhou = person(live_world, "huilong", "周桂姣", mobile="13907331215")
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/people/{zhou.pk}/edit/")
    main = phone.locator("main")
    expect(main).to_contain_text("139****1215")
    expect(main).not_to_contain_text("13907331215")
    expect(phone.locator("input[name=mobile]")).to_have_value("")
    shot(phone, "52-person-edit-masked-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.locator("#stored-mobile button").click()
    expect(phone.locator("#stored-mobile")).to_contain_text("13907331215")
    phone.locator("input[name=address]").fill("回龙村3组")
    phone.get_by_role("button", name="保存").click()
    expect(main.locator("h1")).to_have_text("周桂姣")
    zhou.refresh_from_db()
    assert (zhou.mobile, zhou.address) == ("13907331215", "回龙村3组")
