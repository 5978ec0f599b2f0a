"""Real-browser flow of the annual 述职: a 执委 writes her words on a 360×640 phone; staff read
her report as printed on A4 (the print media, a PDF of A4 pages)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from fulian.duties.models import Report
from fulian.duties.tests import helpers as h
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot

PHONE_WIDTH = 360


def test_she_writes_her_words_on_a_phone_and_the_report_prints_on_a4(
    live_server: Any, live_world: World, phone: Page, desktop: Page
) -> None:
    who = h.zhiwei(live_world, "huilong", "周桂姣", account=live_world.user("huilong_zhiwei"))
    h.record(live_world, who)
    log_in(phone, live_server.url, "huilong_zhiwei")
    phone.goto(f"{live_server.url}/duties/reports/mine/")
    expect(phone.get_by_test_id("report")).to_contain_text("周桂姣")
    phone.locator("#id_narrative").fill("今年走访了全村妇女，调解家庭纠纷三起。")
    phone.locator("[data-testid=narrative-form] button[type=submit]").click()
    expect(phone.get_by_test_id("narrative")).to_contain_text("调解家庭纠纷三起")
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "duties-report-10-mine-phone")

    report = Report.objects.get(person=who)
    log_in(desktop, live_server.url, "xinshi_staff")
    desktop.goto(f"{live_server.url}/duties/reports/{report.pk}/")
    desktop.emulate_media(media="print")
    expect(desktop.locator(".fl-header")).to_be_hidden()
    expect(desktop.locator("[data-print]")).to_be_hidden()
    shot(desktop, "duties-report-20-print")
    pdf = desktop.pdf(prefer_css_page_size=True)
    # A4 portrait: 595 × 842 points.
    assert b"/MediaBox [0 0 595" in pdf or b"/MediaBox [0 0 594.9" in pdf
