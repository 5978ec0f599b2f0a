"""Real-browser look at the duty figures: the chart draws on a phone without a refusal from the
Content-Security-Policy, the page fits 360 px, the silent figure opens its 执委."""

from __future__ import annotations

import datetime
from typing import Any

from playwright.sync_api import Page, expect

from fulian.duties import counting
from fulian.duties.tests import helpers as h
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact, WorkMode
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot

PHONE_WIDTH = 360


def _records(world: World) -> None:
    # The live server's database is emptied between tests, the default work modes with it.
    for position, name in enumerate(("入户走访", "政策宣讲", "矛盾调解")):
        WorkMode.objects.get_or_create(name=name, defaults={"position": position})
    today = coverage.today()
    busy = h.zhiwei(world, "huilong", "周桂姣")
    h.zhiwei(world, "daqiaotou", "李秀英")  # silent: no record
    for days, mode in ((1, "入户走访"), (3, "政策宣讲"), (40, "入户走访"), (70, "矛盾调解")):
        on = today - datetime.timedelta(days=days)
        if on.year == today.year:
            made = h.record(world, busy, on=on, work_mode=mode, half_hours=3)
            Contact.objects.filter(pk=made.pk).update(status=RecordStatus.CONFIRMED)
    # Confirmed by hand here: the summary of confirmed records by month and mode is rebuilt.
    counting.rebuild()
    h.request(world, busy)


def test_the_duty_figures_on_a_phone_and_the_silent_drill_down(
    live_server: Any, live_world: World, phone: Page
) -> None:
    _records(live_world)
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/duties/figures/")
    expect(phone.locator("main h1")).to_contain_text("新市镇")
    chart = phone.locator('[data-testid="duty-mode-chart"]')
    expect(chart).to_have_attribute("data-drawn", "1")
    expect(chart.locator("canvas")).to_have_count(1)
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "90-duty-figures-phone")
    phone.locator('[data-figure="silent"]').click()
    expect(phone.locator('[data-testid="figure-people"]')).to_contain_text("李秀英")
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "91-duty-figures-silent-phone")


def test_the_duty_figures_on_a_desktop(live_server: Any, live_world: World, desktop: Page) -> None:
    _records(live_world)
    log_in(desktop, live_server.url, "xinshi_staff")
    desktop.goto(f"{live_server.url}/duties/figures/")
    expect(desktop.locator('[data-testid="duty-mode-chart"]')).to_have_attribute("data-drawn", "1")
    shot(desktop, "92-duty-figures-desktop")
