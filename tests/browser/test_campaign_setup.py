"""Real-browser flow of setting a campaign up on a phone: the county makes a campaign from the
shipped example with a third stage added by the page's script, opens it, and adds an item to a
rubric in the editor."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from playwright.sync_api import Page, expect

from fulian.campaigns.models import Campaign, Rubric
from fulian.campaigns.tests import helpers as h
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot

PHONE_WIDTH = 360


def test_make_and_open_a_campaign_with_three_stages_on_a_phone(
    live_server: Any, live_world: World, phone: Page
) -> None:
    log_in(phone, live_server.url, "yanling_admin")
    phone.goto(f"{live_server.url}/campaigns/")
    shot(phone, "campaign-setup-10-list-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.goto(f"{live_server.url}/campaigns/new/")
    phone.locator("#id_org_text").fill(live_world.org("yanling").code)
    phone.keyboard.press("Escape")
    phone.locator("#id_name").fill("最美庭院")
    phone.locator("#id_rubric").select_option("tcourtyard")
    phone.locator("#id_award_title").fill(f"{h.YEAR}年度炎陵县最美庭院")
    rows = phone.locator("[data-stage-row]")
    expect(rows).to_have_count(2)
    phone.locator("[data-stage-add]").click()
    expect(rows).to_have_count(3)
    phone.locator("#id_stages-2-level").select_option("county")
    phone.locator("#id_stages-2-deadline").fill(f"{h.YEAR}-12-20")
    phone.locator("#id_stages-2-raters").fill("3")
    phone.locator("#id_stages-2-quota").fill("10")
    shot(phone, "campaign-setup-20-form-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.get_by_test_id("campaign-submit").click()

    expect(phone).to_have_url(re.compile(r"/campaigns/\d+/$"))
    campaign = Campaign.objects.get()
    assert [s.level for s in campaign.stages.order_by("order")] == ["village", "township", "county"]
    expect(phone.get_by_test_id("stage-county")).to_be_visible()
    shot(phone, "campaign-setup-30-detail-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.once("dialog", lambda dialog: dialog.accept())
    open_form = phone.locator(f'form[action="/campaigns/{campaign.pk}/open/"]')
    open_form.locator("button").click()
    expect(open_form).to_have_count(0)
    campaign.refresh_from_db()
    assert campaign.status == "open"


def test_add_an_item_to_a_rubric_in_the_editor_on_a_phone(live_server: Any, live_world: World, phone: Page) -> None:
    rubric = h.rubric(live_world, "yanling", "courtyard_2021")
    count = rubric.items.count()
    log_in(phone, live_server.url, "yanling_admin")
    phone.goto(f"{live_server.url}/campaigns/rubrics/{rubric.pk}/edit/")
    first = phone.locator("[data-section]").first
    first.locator("[data-item-add]").click()
    new = first.locator("[data-item-row]").last
    new.locator('input[name$="-name"]').fill("门窗玻璃明亮")
    new.locator("[data-item-max]").fill("4")
    expect(phone.locator("[data-rubric-total-value]")).not_to_be_empty()
    shot(phone, "campaign-setup-40-rubric-editor-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.locator("form[data-rubric-editor] button[type=submit]").click()

    expect(phone).to_have_url(f"{live_server.url}/campaigns/rubrics/{rubric.pk}/")
    rubric = Rubric.objects.get(pk=rubric.pk)
    assert rubric.items.count() == count + 1
    assert rubric.items.get(name="门窗玻璃明亮").max_points == Decimal(4)
    shot(phone, "campaign-setup-50-rubric-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
