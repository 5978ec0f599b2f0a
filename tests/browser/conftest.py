"""Real-browser set-up: one Chromium per session, a phone page and a desktop page per test.

The browser is Debian's Chromium (``/usr/bin/chromium``); Playwright's own browser downloads
are never used. Without that binary the browser tests are skipped, except on CI (``CI=true``),
where a missing browser is a failure. Screenshots go to ``test-artifacts/`` (gitignored): the
tests take some at key steps, and every failing test leaves one named after itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.browser.pages import ARTIFACTS, slug
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

HERE = Path(__file__).resolve().parent

PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
# The desktop sends zh-CN too: the platform's users read Chinese, and the language test
# expects the default page to be Chinese.
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"}

expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API runs an asyncio loop in this thread, so Django takes every ORM
    # call from the test (building the world, flushing it) for a call from async code.
    # They are not: lift the check for as long as Playwright runs, and only then.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def _page(browser: Browser, request: pytest.FixtureRequest, kind: str, options: dict[str, Any]) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(**options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Chromium reports each thing the Content-Security-Policy refused (an inline script or style,
    # a script from elsewhere) as a console error; every page a test opens must have none.
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{slug(request.node.name)}-{kind}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the {kind} page: {errors}"
    assert not refused, f"Content-Security-Policy violations on the {kind} page: {refused}"


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 360×640 touch phone at 2× pixels, in Chinese."""
    yield from _page(browser, request, "phone", PHONE)


@pytest.fixture
def desktop(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 1280×800 desktop window, in Chinese."""
    yield from _page(browser, request, "desktop", DESKTOP)
