"""huilong_zhiwei redeems an item of 新市镇's points store on a 360×640 phone (issue 14, point 4):
the stores that serve her, the item, which account pays and how many, a confirmation tapped
twice on a weak network (one order), her pickup code large with its QR code; then 新市镇's
staff type the code at the counter and hand the order over (核销)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fulian.duties.tests import helpers as h
from fulian.points.choices import OrderStatus
from fulian.points.models import Account, Order
from fulian.points.services import ledger
from fulian.points.tests.helpers import credit, shop
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import violations
from tests.browser.test_touch import MEASURE

PHONE_WIDTH = 360


@pytest.fixture
def her(live_world: World) -> Account:
    herself = h.zhiwei(live_world, "huilong", "周桂姣", account=live_world.user("huilong_zhiwei"))
    account = ledger.account_for(person=herself)
    credit(account, 35, "browser:35")
    return account


def test_she_redeems_on_her_phone_and_staff_hand_it_over_by_pickup_code(
    live_server: Any, live_world: World, her: Account, phone: Page, desktop: Page
) -> None:
    store, item = shop(live_world, stock=5, per_person_limit=3)
    store.address = "新市镇妇联办公室（镇政府一楼）"
    store.hours = "工作日 8:30–17:30"
    store.save()
    log_in(phone, live_server.url, "huilong_zhiwei")
    phone.goto(f"{live_server.url}/points/stores/")
    expect(phone.locator("[data-testid=store-balances]")).to_contain_text("35")
    assert violations(phone) == []
    phone.locator(f"[data-store='{store.pk}'] h2 a").click()
    card = phone.locator(f"[data-item='{item.pk}']")
    expect(card).to_contain_text("洗衣液")
    expect(card.locator("[data-testid=stock-left]")).to_contain_text("5")
    shot(phone, "points-store-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    card.locator("a.btn-primary").click()
    form = phone.locator("[data-testid=redeem] form")
    form.locator("input[name=quantity]").fill("2")
    assert phone.evaluate(MEASURE)["small"] == []
    assert violations(phone) == []
    form.locator("button[data-redeem]").click()
    confirm = phone.locator("[data-testid=confirm]")
    expect(confirm).to_contain_text("20")
    expect(confirm).to_contain_text("新市镇妇联办公室")
    shot(phone, "points-redeem-confirm-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    phone.locator("button[data-confirm-redeem]").dblclick()  # a double tap on a weak network
    code = phone.locator("[data-testid=pickup-code]")
    expect(code).to_be_visible()
    expect(phone.locator("[data-testid=pickup] svg")).to_be_visible()
    order = Order.objects.get()
    expect(code).to_have_text(order.pickup_code)
    shot(phone, "points-order-pickup-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    her.refresh_from_db()
    assert (her.balance, Order.objects.count()) == (15, 1)

    log_in(desktop, live_server.url, "xinshi_staff")
    desktop.goto(f"{live_server.url}/points/stores/{store.pk}/counter/")
    desktop.locator("input[name=code]").fill(order.pickup_code)
    desktop.locator("input[name=code]").press("Enter")  # a USB scanner ends with Enter
    found = desktop.locator("[data-testid=counter-order]")
    expect(found).to_contain_text("周桂姣")
    expect(found).to_contain_text("洗衣液")
    assert violations(desktop) == []
    shot(desktop, "points-counter-desktop")
    found.locator("button[data-hand-over]").click()
    expect(desktop.locator("main .alert-success")).to_contain_text("周桂姣")
    expect(desktop.locator("input[name=code]")).to_be_focused()
    assert violations(desktop) == []
    order.refresh_from_db()
    assert order.status == OrderStatus.HANDED_OVER

    phone.goto(f"{live_server.url}/points/orders/mine/")
    expect(phone.locator(f"[data-order='{order.pk}'] [data-status=handed_over]")).to_be_visible()
    assert violations(phone) == []


def test_staff_keep_the_store_on_a_phone_and_redeem_for_her_from_her_qr_code(
    live_server: Any, live_world: World, her: Account, phone: Page
) -> None:
    store, item = shop(live_world, stock=5)
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/points/stores/{store.pk}/")
    expect(phone.locator("[data-testid=store-staff-links]")).to_be_visible()
    assert violations(phone) == []
    phone.locator("[data-testid=store-staff-links] a[href$='/items/new/']").click()
    phone.locator("input[name=name]").fill("免费体检")
    phone.locator("select[name=kind]").select_option("service")
    phone.locator("input[name=price]").fill("30")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator("main .alert-success")).to_contain_text("免费体检")
    phone.goto(f"{live_server.url}/points/items/{item.pk}/")
    stock = phone.locator("[data-testid=stock-form]")
    stock.locator("input[name=delta]").fill("10")
    stock.locator("button[type=submit]").click()
    expect(phone.locator("main .alert-success")).to_contain_text("15")
    shot(phone, "points-item-staff-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    # Her QR code opens her page at the counter: staff redeem for her, then hand it over.
    phone.goto(f"{live_server.url}/points/counter/account/{her.pk}/")
    expect(phone.locator("[data-testid=counter-balance]")).to_have_text("35")
    form = phone.locator("[data-testid=counter-redeem]")
    form.locator(f"input[name=item][value='{item.pk}']").check()
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
    form.locator("button[type=submit]").click()
    phone.locator("[data-testid=hand-over] button").click()
    expect(phone.locator("main .alert-success")).to_contain_text("周桂姣")
    order = Order.objects.get()
    assert (order.status, order.created_by) == (OrderStatus.HANDED_OVER, live_world.user("xinshi_staff"))
    phone.goto(f"{live_server.url}/points/stores/{store.pk}/orders/")
    expect(phone.locator(f"[data-order='{order.pk}']")).to_be_visible()
    shot(phone, "points-orders-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    assert violations(phone) == []
