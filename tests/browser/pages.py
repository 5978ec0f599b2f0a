"""Helpers the browser tests share: screenshots, logging in, measuring the page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from fulian.core.testing.world import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot of this step in test-artifacts/: the whole page, or what the window shows
    (use that for pages with sticky parts, which a whole-page picture draws in the wrong place)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{slug(name)}.png"), full_page=full_page)


def log_in(page: Page, base_url: str, identifier: str, password: str = PASSWORD) -> None:
    """Log in through the login page and wait for the home page."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=identifier]").fill(identifier)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def scroll_width(page: Page) -> int:
    """The width of the page's content in CSS pixels: more than the window means sideways scrolling."""
    return page.evaluate("document.scrollingElement.scrollWidth")
