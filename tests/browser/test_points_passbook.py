"""huilong_zhiwei reads her points passbook (积分存折) on a 360×640 phone (issue 14, point 3): her
balance large, this year's points, her level and place, each entry with where it came from, her
household's tab, her code for the store counter; no sideways scrolling, every target 44 px, no
accessibility finding; the printable year opens from it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fulian.duties.tests import helpers as h
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.points.models import Entry
from fulian.points.services import ledger
from fulian.points.tests.helpers import credit, scheme
from fulian.testing.ids import id_number
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import violations
from tests.browser.test_duty_record import work_modes
from tests.browser.test_touch import MEASURE

PHONE_WIDTH = 360


@pytest.fixture
def her(live_world: World) -> Person:
    work_modes()
    scheme(live_world)
    who = h.zhiwei(live_world, "huilong", "周桂姣", account=live_world.user("huilong_zhiwei"))
    home = household(live_world, "huilong", "周建国", id_number=id_number())
    Person.objects.filter(pk=who.pk).update(id_hash=home.id_hash)
    account = ledger.account_for(person=who)
    today = datetime.date.today()
    credit(account, 12, "b:1", on=today - datetime.timedelta(days=3))
    credit(account, 5, "b:2", on=today - datetime.timedelta(days=2))
    ledger.reverse(Entry.objects.get(idempotency_key="b:2"), reason="重复录入")
    credit(ledger.account_for(household=home), 20, "b:home", on=today)
    return who


def test_she_reads_her_passbook_on_her_phone(live_server: Any, her: Person, phone: Page) -> None:
    log_in(phone, live_server.url, "huilong_zhiwei")
    phone.goto(f"{live_server.url}/points/")
    expect(phone.get_by_test_id("passbook-balance")).to_have_text("12")
    expect(phone.get_by_test_id("passbook-level")).to_contain_text("一星")
    expect(phone.get_by_test_id("passbook-places")).to_contain_text("回龙村")
    rows = phone.locator("[data-testid=passbook-entries] tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first.locator("[data-reversal]")).to_be_visible()
    expect(rows.first).to_contain_text("-5")
    expect(rows.last.locator("[data-provenance=manual]")).to_be_visible()
    shot(phone, "points-passbook-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    measured = phone.evaluate(MEASURE)
    assert measured["small"] == [], measured["small"]
    assert violations(phone) == []
    phone.get_by_test_id("passbook-qr").locator("summary").click()
    expect(phone.get_by_test_id("passbook-qr").locator("svg")).to_be_visible()
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.get_by_test_id("passbook-tabs").locator("a").nth(1).click()
    expect(phone.get_by_test_id("passbook-balance")).to_have_text("20")
    shot(phone, "points-passbook-household-phone")
    assert violations(phone) == []
    phone.locator("a[href*='/print/']").click()
    expect(phone.get_by_test_id("passbook-print")).to_contain_text("周建国")
    assert violations(phone) == []


def test_staff_read_the_accounts_ranks_and_honours_on_a_phone(live_server: Any, her: Person, phone: Page) -> None:
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/points/")
    expect(phone).to_have_url(f"{live_server.url}/points/accounts/")
    expect(phone.locator("[data-testid=account-results] tbody tr")).to_have_count(2)
    shot(phone, "points-accounts-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    phone.locator("#id_search").fill("zgj")
    expect(phone.locator("[data-testid=account-results] tbody tr")).to_have_count(1)
    expect(phone.locator("[data-testid=account-results]")).to_contain_text("周桂姣")
    phone.goto(f"{live_server.url}/points/ranks/")
    expect(phone.locator("[data-testid=ranks] tbody tr")).to_have_count(1)
    shot(phone, "points-ranks-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    phone.goto(f"{live_server.url}/points/honours/")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
