"""Reviewing duty records (issue 13, point 2): 新市镇's staff, at a desk, see the records of
回龙村's 执委 waiting, return one with a reason in place, bulk-confirm the rest; the 执委 then
sees the return, with its reason, on her phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from fulian.duties.tests import helpers as h
from fulian.grid.choices import DEFAULT_WORK_MODES, RecordStatus
from fulian.grid.models import Contact, WorkMode
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import violations

PHONE_WIDTH = 360


@pytest.fixture
def waiting(live_world: World) -> dict[str, Contact]:
    """Three records of 回龙村's 执委 waiting for review: two of 周桂姣 (huilong_zhiwei), one
    with a photo, and one of 李秀英."""
    # The shipped modes come with a migration; a transactional test's flush empties them.
    for position, (name, name_en) in enumerate(DEFAULT_WORK_MODES, start=1):
        WorkMode.objects.get_or_create(name=name, defaults={"name_en": name_en, "position": position * 10})
    zhou = h.zhiwei(live_world, "huilong", "周桂姣", account=live_world.user("huilong_zhiwei"))
    li = h.zhiwei(live_world, "huilong", "李秀英")
    return {
        "blurred": h.record(
            live_world, zhou, note="走访周建国家", photos=[SimpleUploadedFile("p.jpg", jpeg(400, 300))]
        ),
        "talk": h.record(live_world, zhou, note="政策宣讲进村", work_mode="政策宣讲"),
        "li": h.record(live_world, li, note="调解邻里纠纷", work_mode="矛盾调解"),
    }


def test_staff_return_one_and_bulk_confirm_the_rest_and_she_sees_the_return_on_her_phone(
    live_server: Any, waiting: dict[str, Contact], desktop: Page, phone: Page
) -> None:
    log_in(desktop, live_server.url, "xinshi_staff")
    desktop.goto(f"{live_server.url}/duties/")
    expect(desktop.locator("[data-testid=work-review]")).to_contain_text("3")
    desktop.locator("[data-testid=work-review]").click()
    rows = desktop.locator("[data-testid=review-list] > li")
    expect(rows).to_have_count(3)
    blurred = desktop.locator(f"#review-{waiting['blurred'].pk}")
    expect(blurred).to_contain_text("走访周建国家")
    assert desktop.evaluate(f"document.querySelector('#review-{waiting['blurred'].pk} img').naturalWidth") > 0
    assert violations(desktop) == []
    shot(desktop, "duties-review-desktop")

    # Return the one whose photo is unclear, in place.
    blurred.locator("summary").click()
    blurred.locator("input[name=reason]").fill("照片看不清，请补拍")
    blurred.locator("[data-testid=return]").click()
    done = desktop.locator(f"#review-{waiting['blurred'].pk} [data-testid=review-done]")
    expect(done).to_contain_text("周桂姣")
    expect(rows).to_have_count(3)
    expect(desktop.locator("input[name=record]")).to_have_count(2)

    # Tick the rest and confirm them together.
    desktop.locator("[data-tick-all]").check()
    expect(desktop.locator("input[name=record]:checked")).to_have_count(2)
    desktop.locator("[data-testid=bulk-confirm]").click()
    expect(desktop.locator("main .alert-success")).to_contain_text("2")
    expect(desktop.locator("[data-testid=review-empty]")).to_be_visible()
    shot(desktop, "duties-review-done-desktop")
    statuses = dict(Contact.objects.values_list("pk", "status"))
    assert statuses == {
        waiting["blurred"].pk: RecordStatus.RETURNED,
        waiting["talk"].pk: RecordStatus.CONFIRMED,
        waiting["li"].pk: RecordStatus.CONFIRMED,
    }

    # 周桂姣 sees the return, and why, on her phone; the page fits it.
    log_in(phone, live_server.url, "huilong_zhiwei")
    expect(phone.locator("[data-testid=home-returned]")).to_be_visible()
    phone.locator("[data-testid=home-returned]").click()
    returned = phone.locator("[data-testid=work-returned]")
    expect(returned).to_contain_text("照片看不清，请补拍")
    expect(phone.locator("[data-testid=work-month]")).to_contain_text("2")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    shot(phone, "duties-work-phone")
    returned.locator("a").first.click()
    expect(phone).to_have_url(f"{live_server.url}/grid/contacts/{waiting['blurred'].pk}/")


def test_the_review_list_my_work_and_the_modes_fit_a_phone_and_pass_axe(
    live_server: Any, waiting: dict[str, Contact], phone: Page, desktop: Page
) -> None:
    log_in(phone, live_server.url, "xinshi_staff")
    for path, name in (("/duties/review/", "review"), ("/duties/", "work-staff"), ("/duties/modes/", "modes")):
        phone.goto(live_server.url + path)
        assert scroll_width(phone) <= PHONE_WIDTH, path
        assert violations(phone) == [], path
        shot(phone, f"duties-{name}-phone")
    # The city's administrator changes the list: its forms too, at a desk and at a phone's width
    # (her second factor is asked once: the same code is never taken twice).
    log_in(desktop, live_server.url, "city_admin")
    desktop.goto(f"{live_server.url}/duties/modes/")
    expect(desktop.locator("button[value=retire]")).to_have_count(len(DEFAULT_WORK_MODES))
    assert violations(desktop) == []
    shot(desktop, "duties-modes-admin-desktop")
    desktop.set_viewport_size({"width": PHONE_WIDTH, "height": 640})
    assert scroll_width(desktop) <= PHONE_WIDTH
    shot(desktop, "duties-modes-admin-narrow")
    desktop.locator("input[name=add-name]").fill("巾帼宣讲")
    desktop.locator("[data-testid=mode-add] button[type=submit]").click()
    expect(desktop.locator("main .alert-success")).to_contain_text("巾帼宣讲")
    expect(desktop.locator("[data-testid=modes] > li").last.locator("input[name$='-name']")).to_have_value("巾帼宣讲")
