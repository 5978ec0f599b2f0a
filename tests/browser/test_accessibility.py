"""WCAG 2.1 AA, checked by axe-core (from npm: node_modules/axe-core) on the pages people use,
at phone and desktop size, in Chinese and in English. Any violation fails, with its rule, its
impact and the first elements it names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page

from fulian.households.tests.helpers import household
from fulian.imports.services import batch_upload
from fulian.imports.tests.files import xlsx
from fulian.people.choices import PostKind
from fulian.people.tests.helpers import person, post
from fulian.testing.world import World
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import log_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page) -> list[str]:
    """axe's findings on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's debugging protocol, not added to the page: the site's
        # Content-Security-Policy allows no inline script, and rightly so.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations.map("
        "v => `${v.id} (${v.impact}): ${v.nodes.length}× ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`))",
        WCAG_AA,
    )
    return list(found)


def audit_pages(page: Page, base: str, paths: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        problems = violations(page)
        if problems:
            found[path] = problems
    return found


@pytest.fixture
def records(live_world: World) -> dict[str, int]:
    zhou = person(live_world, "huilong", "周桂姣", mobile="13907331215")
    post(live_world, zhou, "huilong", PostKind.CHAIR)
    home = household(live_world, "huilong", "周建国", mobile="13907330101")
    # A preview with problems (a second chair, with its link), a notice and a footer line.
    roster = xlsx(
        [
            ["姓名", "联系电话", "村（社区）", "职务"],
            ["陈红梅", "", "回龙村", "主席"],
            ["李娟", "1380733000", "大桥头村", "执委"],
            ["王芳", "", "大桥头村", "执委"],
            ["填表人：张三", "填报日期：2026-11-29"],
        ]
    )
    batch = batch_upload(
        actor=live_world.user("xinshi_staff"),
        kind="people",
        org=live_world.org("xinshi"),
        upload=SimpleUploadedFile("r.xlsx", roster),
    )
    batch.refresh_from_db()
    assert [p["code"] for p in batch.report["problems"]] == ["chair_taken", "mobile_digits"]
    assert batch.report["notices"]
    assert batch.report["footer_rows"]
    # A corrected household list: one row updates 周建国's household, one adds a household.
    sheet = xlsx(
        [
            ["村（社区）", "户主姓名", "联系电话", "住址"],
            ["回龙村", "周建国", "13907330101", "回龙村1组3号"],
            ["回龙村", "李德福", "", ""],
        ]
    )
    upload = batch_upload(
        actor=live_world.user("xinshi_staff"),
        kind="households",
        org=live_world.org("xinshi"),
        upload=SimpleUploadedFile("台账.xlsx", sheet),
    )
    return {
        "person": zhou.pk,
        "household": home.pk,
        "village": live_world.org("huilong").pk,
        "batch": batch.pk,
        "upload": upload.pk,
    }


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_meet_wcag_2_1_aa(
    browser: Browser, live_server: Any, live_world: World, records: dict[str, int], size: str, language: str
) -> None:
    context = browser.new_context(**(PHONE if size == "phone" else DESKTOP))
    try:
        page = context.new_page()
        found = audit_pages(page, live_server.url, ["/accounts/login/"])
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        log_in(page, live_server.url, "xinshi_staff")
        found |= audit_pages(
            page,
            live_server.url,
            [
                "/",
                "/orgs/",
                f"/orgs/{records['village']}/",
                "/people/",
                "/people/?search=zgj",
                f"/people/{records['person']}/",
                f"/people/{records['person']}/edit/",
                "/households/",
                "/households/?org_text=%E8%94%AC%E8%8F%9C%E6%9D%91",  # an organisation not found: its error
                "/households/new/",
                f"/households/{records['household']}/",
                "/imports/",
                "/imports/new/households/",
                f"/imports/{records['batch']}/",
                f"/imports/{records['upload']}/",  # a preview with adds and updates
                "/exports/",
                "/accounts/me/",
            ],
        )
        assert found == {}
    finally:
        context.close()


@pytest.mark.parametrize(
    ("username", "paths"), [("auditor", ["/audit/"]), ("security", ["/accounts/", "/accounts/new/"])]
)
def test_the_officers_pages_meet_wcag_2_1_aa(
    live_server: Any, live_world: World, phone: Page, username: str, paths: list[str]
) -> None:
    log_in(phone, live_server.url, username)
    assert audit_pages(phone, live_server.url, paths) == {}
