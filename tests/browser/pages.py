"""Helpers the browser tests share: screenshots, logging in, measuring the page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from fulian.accounts.testing import code_for
from fulian.testing.world import PASSWORD, TOTP_SECRET

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot of this step in test-artifacts/: the whole page, or what the window shows
    (use that for pages with sticky parts, which a whole-page picture draws in the wrong place)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{slug(name)}.png"), full_page=full_page)


def log_in(page: Page, base_url: str, identifier: str, password: str = PASSWORD) -> None:
    """Log in through the login page and wait for the home page. The world's officers and the
    city's administrator are asked for a code next: it is computed from the world's secret."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=identifier]").fill(identifier)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/(accounts/login/code/)?$"))
    if page.url.endswith("/accounts/login/code/"):
        enter_code(page, code_for(TOTP_SECRET))
    expect(page).to_have_url(f"{base_url}/")


def enter_code(page: Page, code: str) -> None:
    """Type a code into the code step (or the enrolment step) and send it."""
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").click()


def scroll_width(page: Page) -> int:
    """The width of the page's content in CSS pixels: more than the window means sideways scrolling."""
    return page.evaluate("document.scrollingElement.scrollWidth")
