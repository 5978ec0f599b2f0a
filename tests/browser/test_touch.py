"""Fingers over fifty (issue 10): at 360×640 every control a person taps on the list and detail
pages is at least 44×44 CSS pixels, in normal and in large-text mode; nothing runs out of its
card or makes the page scroll sideways; a village 执委 sees several households per screen; the
large-text switch is at the top of the page and its state survives a reload.

What is measured: every visible ``a[href]``, ``button``, ``select``, ``summary``, and for a
checkbox or radio the ``label`` around it (the label is the tap target). The one exception
(WCAG 2.5.5 "inline"): a link inside a sentence of help text or an alert (``.form-text``,
``.alert``) whose text is more than the link's own; a page may have at most two."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect

from fulian.exports.models import ExportJob
from fulian.households.choices import HouseholdCategory
from fulian.households.tests.helpers import household, member
from fulian.imports import services as imports_services
from fulian.imports.tests.files import xlsx
from fulian.orgs import counts
from fulian.people.choices import PostKind
from fulian.people.tests.helpers import person, post
from fulian.testing.ids import id_number
from fulian.testing.world import World
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import log_in, shot
from tests.browser.test_accessibility import violations

# Tap targets, sizes, overflow: measured in the page, returned as lines a person can read.
MEASURE = """() => {
  const seen = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && !el.closest('.visually-hidden, [hidden]');
  };
  const name = (el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
  const small = [], inline = [], overflowing = [];
  const targets = new Set();
  for (const el of document.querySelectorAll('a[href], button, select, summary, input[type=checkbox], input[type=radio]')) {
    if (el.matches('input')) {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (!label) { small.push(`${name(el)} has no label to tap`); continue; }
      targets.add(label);
    } else {
      targets.add(el);
    }
  }
  for (const el of targets) {
    if (!seen(el)) continue;
    const holder = el.parentElement && el.parentElement.closest('.form-text, .alert');
    if (el.matches('a') && holder && holder.textContent.trim() !== el.textContent.trim()) {
      inline.push(name(el));
      continue;
    }
    const r = el.getBoundingClientRect();
    if (r.width < 43.5 || r.height < 43.5) small.push(`${name(el)} is ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  for (const box of document.querySelectorAll('.card, .fl-box, dl, .fl-table tr, .table-responsive, main')) {
    if (!seen(box)) continue;
    if (box.scrollWidth > box.clientWidth + 1) overflowing.push(`${name(box)} ${box.scrollWidth} > ${box.clientWidth}`);
  }
  const page = document.scrollingElement.scrollWidth;
  if (page > window.innerWidth) overflowing.push(`the page is ${page} px wide in a ${window.innerWidth} px window`);
  return {small, inline, overflowing};
}"""


@pytest.fixture
def records(live_world: World) -> dict[str, Any]:
    zhou = person(live_world, "huilong", "周桂姣", mobile="13907331215", id_number=id_number("430223", "19700101"))
    post(live_world, zhou, "huilong", PostKind.CHAIR)
    home = household(
        live_world,
        "huilong",
        "周建国",
        mobile="13907330101",
        id_number=id_number("430223", "19600101", "M"),
        address="株洲市攸县新市镇回龙村第一村民小组12号",
        categories=HouseholdCategory.MILITARY | HouseholdCategory.LEFT_BEHIND,
    )
    member(live_world, home, "周小红", id_number=id_number("430223", "20100101"))
    for n in range(12):
        household(live_world, "huilong", f"李德{n}", mobile=f"139073302{n:02d}", categories=HouseholdCategory.HARDSHIP)
    batch = imports_services.batch_upload(
        actor=live_world.user("xinshi_staff"),
        kind="households",
        org=live_world.org("xinshi"),
        upload=SimpleUploadedFile("台账.xlsx", xlsx([["村", "户主姓名"], ["回龙村", "钟建华"]])),
    )
    counts.refresh()  # a leader's lists read "about N" and their breakdown from it
    job = ExportJob.objects.create(kind="households", requested_by=live_world.user("xinshi_staff"), language="zh-hans")
    return {
        "person": zhou.pk,
        "household": home.pk,
        "village": live_world.org("huilong").pk,
        "batch": batch.pk,
        "job": job.pk,
        "account": live_world.user("huilong_zhiwei").pk,
    }


def _paths(records: dict[str, Any]) -> dict[str, list[str]]:
    """The pages measured, by who opens them."""
    return {
        "xinshi_staff": [
            "/households/",
            f"/households/{records['household']}/",
            f"/households/{records['household']}/edit/",
            "/people/",
            f"/people/{records['person']}/",
            "/orgs/",
            f"/orgs/{records['village']}/",
            "/imports/",
            f"/imports/{records['batch']}/",
            "/exports/",
            f"/exports/{records['job']}/",
        ],
        "security": ["/accounts/", f"/accounts/{records['account']}/"],
        "auditor": ["/audit/"],
        "leader": ["/households/", "/people/"],
    }


def _measure(page: Page, base: str, paths: list[str]) -> dict[str, dict[str, list[str]]]:
    found = {}
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        result = page.evaluate(MEASURE)
        # Inline links are allowed, but few.
        if len(result["inline"]) <= 2:
            del result["inline"]
        problems = {k: v for k, v in result.items() if v}
        if problems:
            found[path] = problems
    return found


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_control_is_a_44_px_target_and_nothing_runs_out_of_its_box(
    browser: Browser, live_server: Any, records: dict[str, Any], size: str, large: bool
) -> None:
    found: dict[str, Any] = {}
    for username, paths in _paths(records).items():
        context = browser.new_context(**(PHONE if size == "phone" else DESKTOP))
        if large:
            context.add_cookies([{"name": "fulian_large_text", "value": "1", "url": live_server.url}])
        try:
            page = context.new_page()
            log_in(page, live_server.url, username)
            found |= _measure(page, live_server.url, paths)
        finally:
            context.close()
    report = [
        f"{path} {kind}: {item}"
        for path, problems in found.items()
        for kind, items in problems.items()
        for item in items
    ]
    assert not report, "\n".join(report)


def test_a_village_zhiwei_sees_several_households_per_phone_screen(
    live_server: Any, records: dict[str, Any], phone: Page
) -> None:
    log_in(phone, live_server.url, "huilong_zhiwei")
    phone.goto(live_server.url + "/households/")
    # A screen of the list: scrolled to its first household (the filter bar above is one screen's top).
    phone.evaluate(
        "window.scrollTo(0, document.querySelector('#household-results tbody tr').getBoundingClientRect().top + window.scrollY)"
    )
    visible = phone.evaluate(
        "[...document.querySelectorAll('#household-results tbody tr')]"
        ".filter(r => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= window.innerHeight; })"
        ".length"
    )
    shot(phone, "touch-zhiwei-households-phone", full_page=False)
    assert visible >= 4


def test_the_large_text_switch_is_at_the_top_says_its_state_and_survives_a_reload(
    live_server: Any, records: dict[str, Any], phone: Page
) -> None:
    log_in(phone, live_server.url, "huilong_zhiwei")
    phone.goto(live_server.url + "/households/")
    switch = phone.locator("header [data-large-text-toggle]")
    expect(switch).to_be_visible()
    box = switch.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 640  # on the first screen, menu closed
    expect(switch).to_have_attribute("aria-pressed", "false")
    expect(switch).to_have_accessible_name("大字模式")
    switch.click()
    expect(phone.locator("html")).to_have_class("large-text")
    expect(switch).to_have_attribute("aria-pressed", "true")
    phone.reload()
    expect(phone.locator("html")).to_have_class("large-text")
    expect(phone.locator("header [data-large-text-toggle]")).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("footer [data-large-text-toggle]")).to_have_attribute("aria-pressed", "true")
    phone.locator("header [data-large-text-toggle]").click()
    phone.reload()
    expect(phone.locator("html")).not_to_have_class("large-text")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_leaders_breakdown_by_county_opens_links_and_meets_wcag(
    browser: Browser, live_server: Any, records: dict[str, Any], size: str
) -> None:
    context = browser.new_context(**(PHONE if size == "phone" else DESKTOP))
    try:
        page = context.new_page()
        log_in(page, live_server.url, "leader")
        page.goto(live_server.url + "/households/")
        expect(page.get_by_test_id("list-total")).to_have_text("约 13 户")
        page.locator(".fl-breakdown > summary").click()
        shot(page, f"touch-leader-breakdown-{size}")
        assert violations(page) == []
        assert page.evaluate(MEASURE)["small"] == []
        page.locator(".fl-breakdown a", has_text="攸县").click()
        expect(page).to_have_url(re.compile(r"org=430223"))
        expect(page.get_by_test_id("list-total")).to_have_text("约 13 户")
    finally:
        context.close()
