"""Logging in as the platform now asks it, in a real browser on a phone: an officer sets up her
authenticator app at her first login (and later logs in with a recovery code), and a new
account chooses its own password before anything else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyotp
from playwright.sync_api import Page, expect

from fulian.accounts import services
from fulian.accounts.choices import Role
from fulian.accounts.models import TwoFactor
from fulian.testing.world import PASSWORD, World
from tests.browser.pages import enter_code, scroll_width, shot

PHONE_WIDTH = 360
INITIAL = "Erstes-Passw0rt"
OWN = "Mein-Eigenes-Passw0rt"


def _password_step(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=identifier]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()


def _window_shot(page: Page, name: str) -> None:
    """The phone's window as the person sees it, kept in test-artifacts/ and in /tmp."""
    shot(page, name, full_page=False)
    page.screenshot(path=str(Path("/tmp") / f"{name}.png"), full_page=True)


def test_an_officer_sets_up_her_authenticator_on_a_phone_at_her_first_login(
    live_server: Any, live_world: World, phone: Page
) -> None:
    TwoFactor.objects.filter(user__username="security").delete()
    _password_step(phone, live_server.url, "security", PASSWORD)
    expect(phone).to_have_url(f"{live_server.url}/accounts/login/two-factor/")
    qr = phone.get_by_test_id("totp-qr").locator("svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None
    assert 150 <= box["width"] <= PHONE_WIDTH
    _window_shot(phone, "60-enrol-phone")
    assert scroll_width(phone) <= PHONE_WIDTH

    # Skipping the step: nothing opens.
    phone.goto(f"{live_server.url}/accounts/")
    expect(phone).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/$"))
    phone.go_back()
    expect(phone).to_have_url(f"{live_server.url}/accounts/login/two-factor/")

    secret = phone.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert secret == TwoFactor.objects.get(user__username="security").secret
    enter_code(phone, "000000")
    expect(phone.locator("main .invalid-feedback")).to_contain_text("4")  # attempts left
    enter_code(phone, pyotp.TOTP(secret).now())
    codes = phone.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    recovery = codes.nth(0).inner_text().strip()
    _window_shot(phone, "61-recovery-codes-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.get_by_test_id("recovery-codes-done").click()
    expect(phone).to_have_url(f"{live_server.url}/")
    expect(phone.get_by_test_id("home-card")).to_have_count(1)

    # Out, and in again: the code step now; the app's code was just used, a recovery code opens.
    phone.locator(".navbar-toggler").click()
    phone.locator("#fl-nav form[action='/accounts/logout/'] button").click()
    # Wait for the logout to land: a login page opened before it would still find her logged in.
    expect(phone).to_have_url(f"{live_server.url}/accounts/login/")
    _password_step(phone, live_server.url, "security", PASSWORD)
    expect(phone).to_have_url(f"{live_server.url}/accounts/login/code/")
    _window_shot(phone, "62-code-step-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    enter_code(phone, recovery)
    expect(phone).to_have_url(f"{live_server.url}/")


def test_a_new_account_chooses_its_own_password_at_its_first_login(
    live_server: Any, live_world: World, phone: Page
) -> None:
    officer = live_world.user("security")
    account = services.user_create(
        actor=officer, username="new_member", full_name="新执委", org=live_world.org("huilong"), password=INITIAL
    )
    services.role_grant(actor=officer, user=account, org=live_world.org("huilong"), role=Role.MEMBER)
    _password_step(phone, live_server.url, "new_member", INITIAL)
    expect(phone).to_have_url(f"{live_server.url}/accounts/password/")
    expect(phone.get_by_test_id("password-forced")).to_be_visible()
    _window_shot(phone, "63-first-password-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.goto(f"{live_server.url}/orgs/")
    expect(phone).to_have_url(f"{live_server.url}/accounts/password/")

    phone.locator("input[name=current_password]").fill(INITIAL)
    phone.locator("input[name=password]").fill(OWN)
    phone.locator("input[name=confirm]").fill(OWN)
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(f"{live_server.url}/")
    expect(phone.get_by_test_id("home-card")).to_contain_text("回龙村")
    phone.goto(f"{live_server.url}/orgs/")
    expect(phone).to_have_url(f"{live_server.url}/orgs/")
