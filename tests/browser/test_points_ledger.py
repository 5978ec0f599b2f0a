"""Points by hand in the browser (issue 14, point 2): 新市镇's staff award 30 points on a 360×640
phone, finding her by pinyin; more than the scheme's 20 makes a claim, which 攸县's administrator
confirms on a desktop, then takes back (冲正) with a reason; the reconciliation finds it exact."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from fulian.duties.tests import helpers as h
from fulian.points.choices import ClaimStatus, EntryKind
from fulian.points.models import Account, Claim, Entry
from fulian.points.tests.helpers import scheme
from fulian.testing.world import World
from tests.browser.conftest import DESKTOP
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import violations

PHONE_WIDTH = 360


def test_an_award_over_the_threshold_is_confirmed_by_a_second_reviewer_then_reversed(
    browser: Browser, live_server: Any, live_world: World, phone: Page
) -> None:
    scheme(live_world)
    her = h.zhiwei(live_world, "huilong", "周桂姣")
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/points/post/")
    expect(phone.locator("[data-testid=post-threshold]")).to_contain_text("20")
    phone.locator("#ledger-find").fill("zgj")
    choice = phone.locator("#ledger-found label.fl-req-choice", has=phone.locator(f"input[value=p{her.pk}]"))
    expect(choice).to_contain_text("周桂姣")
    choice.click()
    form = phone.locator("form.fl-req-form")
    form.locator("input[name=points]").fill("30")
    form.locator("input[name=reason]").fill("组织妇女参加防溺水宣传")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert not violations(phone)
    shot(phone, "points-post-phone")
    form.locator("button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/points/claims/\d+/$"))
    expect(phone.locator("[data-testid=claim-asked]")).to_be_visible()
    claim = Claim.objects.get()
    assert (claim.amount, claim.status) == (30, ClaimStatus.PENDING)
    assert not Entry.objects.exists()
    assert scroll_width(phone) <= PHONE_WIDTH
    assert not violations(phone)
    shot(phone, "points-claim-phone")

    county = browser.new_context(**DESKTOP)
    try:
        page = county.new_page()
        log_in(page, live_server.url, "youxian_admin")
        page.goto(f"{live_server.url}/points/claims/")
        page.locator(f"[data-claim='{claim.pk}'] a.fl-req-link").click()
        assert not violations(page)
        page.locator("details[data-action=confirm] button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/points/entries/\d+/$"))
        expect(page.locator("[data-amount]")).to_have_text("+30")
        assert Account.objects.get(person=her).balance == 30
        assert not violations(page)
        shot(page, "points-entry-desktop")
        reverse = page.locator("details[data-action=reverse]")
        reverse.locator("summary").click()
        reverse.locator("input[name=reason]").fill("活动未实际开展")
        reverse.locator("button[type=submit]").click()
        expect(page.locator("[data-testid=entry-reverses]")).to_be_visible()
        expect(page.locator("[data-amount]")).to_have_text("-30")
        expect(page.locator("details[data-action=reverse]")).to_have_count(0)
        assert Entry.objects.filter(kind=EntryKind.REVERSAL).count() == 1
        assert Account.objects.get(person=her).balance == 0
        # The decided claim under "all"; the reconciliation of 攸县 finds the ledger exact.
        page.goto(f"{live_server.url}/points/claims/?status=all")
        expect(page.locator(f"[data-claim='{claim.pk}']")).to_contain_text("周桂姣")
        assert not violations(page)
        page.goto(f"{live_server.url}/points/reconcile/")
        page.locator("main form button[name=run]").click()
        expect(page.locator("[data-testid=reconcile-ok]")).to_be_visible()
        expect(page.locator("[data-accounts]")).to_have_text("1")
        assert not violations(page)
        shot(page, "points-reconcile-desktop")
    finally:
        county.close()
