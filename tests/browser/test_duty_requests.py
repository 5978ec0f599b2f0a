"""A 她代表 request followed to an answer in the browser (issue 13, point 3): huilong_zhiwei
records it on a 360×640 phone; 新市镇's staff escalate it to 攸县; 攸县 accepts and answers;
she enters the woman's 满意 and it is closed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from fulian.duties.choices import RequestStatus
from fulian.duties.models import Request
from fulian.grid.tests.helpers import assign, executive
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World
from tests.browser.conftest import DESKTOP
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import violations

PHONE_WIDTH = 360


@pytest.fixture
def her(live_world: World) -> dict[str, Any]:
    """huilong_zhiwei's own record (a 执委 and 她代表 of 回龙村) and a household of hers."""
    post = executive(live_world, "huilong", "周桂姣")
    post.is_representative = True
    post.save()
    Person.objects.filter(pk=post.person_id).update(account=live_world.user("huilong_zhiwei"))
    home = household(live_world, "huilong", "周建国")
    assign(live_world, post, home)
    return {"post": post, "home": home}


def _act(page: Page, verb: str, fields: dict[str, str]) -> None:
    """Open a step's form on the request's page, fill it and send it."""
    action = page.locator(f"details[data-action={verb}]")
    if action.get_attribute("open") is None:
        action.locator("summary").click()
    for name, value in fields.items():
        action.locator(f"[name='{verb}-{name}']").fill(value)
    action.locator("button[type=submit]").click()


def test_a_request_recorded_on_her_phone_is_escalated_answered_rated_and_closed(
    browser: Browser, live_server: Any, her: dict[str, Any], phone: Page, tmp_path: Any
) -> None:
    picture = tmp_path / "IMG_0002.jpg"
    picture.write_bytes(jpeg(800, 600))
    log_in(phone, live_server.url, "huilong_zhiwei")
    phone.goto(f"{live_server.url}/duties/requests/new/")
    form = phone.locator("form.fl-req-form")
    expect(form.locator("input[name=kind][value=need]")).to_be_checked()
    form.locator("label.fl-req-choice", has=phone.locator("input[value=jobs]")).click()
    form.locator("label.fl-req-choice", has=phone.locator("input[value=urgent]")).click()
    form.locator("label.fl-req-choice", has=phone.locator(f"input[value=h{her['home'].pk}]")).click()
    form.locator("textarea[name=description]").fill("她想在镇上找一份照顾孩子之余能做的工作")
    form.locator("input[name=photos]").set_input_files(str(picture))
    assert scroll_width(phone) <= PHONE_WIDTH
    assert not violations(phone)
    shot(phone, "duty-request-form-phone")
    form.locator("button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/duties/requests/\d+/$"))
    expect(phone.locator("main .alert-success")).to_contain_text("回龙村")
    made = Request.objects.get()
    assert (made.household, made.urgency, made.photos.count()) == (her["home"], "urgent", 1)
    # Served through the scoped view (lazy: loaded once scrolled to).
    phone.locator(".fl-req-photos img").scroll_into_view_if_needed()
    phone.wait_for_function("document.querySelector('.fl-req-photos img').naturalWidth > 0")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert not violations(phone)
    shot(phone, "duty-request-detail-phone")
    detail = f"{live_server.url}/duties/requests/{made.pk}/"
    phone.goto(f"{live_server.url}/duties/requests/?mine=1")
    expect(phone.locator(f"[data-request='{made.pk}']")).to_contain_text("周建国")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert not violations(phone)
    shot(phone, "duty-request-list-phone")

    # 新市镇 sends it up to the township, then to the county.
    staff = browser.new_context(**DESKTOP)
    try:
        page = staff.new_page()
        log_in(page, live_server.url, "xinshi_staff")
        page.goto(f"{live_server.url}/duties/requests/")
        assert not violations(page)
        shot(page, "duty-request-list-desktop")
        page.locator(f"[data-request='{made.pk}'] a.fl-req-link").click()
        expect(page).to_have_url(detail)
        _act(page, "escalate", {"reason": "村里没有合适的岗位"})
        expect(page.locator("[data-holder]")).to_contain_text("新市镇")
        _act(page, "escalate", {"reason": "需要县就业服务中心对接"})
        expect(page.locator("[data-holder]")).to_contain_text("攸县")
        expect(page.locator("main .alert-success")).to_contain_text("攸县")
        shot(page, "duty-request-escalated-desktop")
    finally:
        staff.close()

    # 攸县 accepts and answers.
    county = browser.new_context(**DESKTOP)
    try:
        page = county.new_page()
        log_in(page, live_server.url, "youxian_admin")
        page.goto(detail)
        _act(page, "accept", {})
        expect(page.locator("[data-status]")).to_have_attribute("data-status", RequestStatus.ACCEPTED)
        _act(page, "answer", {"answer": "已联系县就业服务中心，下周二到镇上面试"})
        expect(page.locator("[data-answer]")).to_contain_text("下周二")
        assert not violations(page)
        shot(page, "duty-request-answered-desktop")
    finally:
        county.close()

    # Back on her phone: she asked the woman, who is satisfied; it is closed.
    phone.goto(detail)
    rate = phone.locator("details[data-action=rate]")
    rate.locator("label.fl-req-choice", has=phone.locator("input[value=satisfied]")).click()
    rate.locator("button[type=submit]").click()
    expect(phone.locator("[data-status]")).to_have_attribute("data-status", RequestStatus.CLOSED)
    expect(phone.locator("[data-satisfaction]")).to_be_visible()
    expect(phone.locator("details[data-action]")).to_have_count(0)
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "duty-request-closed-phone")
    made.refresh_from_db()
    assert made.status == RequestStatus.CLOSED
    assert made.steps.count() == 7  # recorded, escalated twice, accepted, answered, rated, closed
