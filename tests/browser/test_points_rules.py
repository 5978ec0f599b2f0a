"""攸县's administrator keeps the points rules on a 360×640 phone (issue 14 point 1): from the
list of schemes to the draft of the next version, she adds a rule (a bad number first, said
beside the field), then adopts the version with the decision that approved it; it is read-only
afterwards. Each page fits the phone, its controls are 44 px targets, and axe finds nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from playwright.sync_api import Page, expect

from fulian.points.choices import VersionStatus
from fulian.points.models import SchemeVersion
from fulian.points.services import schemes as service
from fulian.points.tests.helpers import scheme
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import violations
from tests.browser.test_duty_record import work_modes
from tests.browser.test_touch import MEASURE

PHONE_WIDTH = 360


def fits(page: Page) -> None:
    """Nothing runs sideways, every control is a full target, and axe finds nothing."""
    assert scroll_width(page) <= PHONE_WIDTH
    measured = page.evaluate(MEASURE)
    assert measured["small"] == [], measured["small"]
    assert measured["overflowing"] == [], measured["overflowing"]
    assert violations(page) == []


def test_she_adds_a_rule_to_the_draft_and_adopts_it_on_her_phone(
    live_server: Any, live_world: World, phone: Page, desktop: Page
) -> None:
    work_modes()
    made = scheme(live_world, "youxian")
    draft = service.version_new(actor=live_world.user("city_admin"), scheme=made, valid_from=datetime.date(2027, 1, 1))
    log_in(phone, live_server.url, "youxian_admin")
    phone.goto(f"{live_server.url}/points/schemes/")
    expect(phone.get_by_test_id("applies")).to_contain_text("攸悠我行积分")
    fits(phone)
    phone.locator("[data-testid=schemes] a", has_text="攸悠我行积分").click()
    expect(phone.locator(f"tr[data-version='{draft.pk}'] [data-status=draft]")).to_be_visible()
    fits(phone)
    phone.locator(f"tr[data-version='{draft.pk}'] a").click()
    expect(phone.get_by_test_id("draft")).to_be_visible()
    shot(phone, "points-rules-10-draft-phone")
    fits(phone)

    phone.get_by_test_id("rule-create").click()
    form = phone.get_by_test_id("rule-form")
    form.locator("#id_name").fill("政策宣讲")
    award_level = form.locator("#id_award_level")
    form.locator("input[name=source][value=award]").check()
    expect(award_level).to_be_visible()
    expect(form.locator("#id_work_mode")).to_be_hidden()  # the form shows what the source names
    form.locator("input[name=source][value=duty]").check()
    expect(award_level).to_be_hidden()
    form.locator("#id_work_mode").select_option(label="政策宣讲")
    form.locator("#id_points").fill("0")
    form.locator("#id_daily_cap").fill("6")
    form.locator("#id_yearly_cap").fill("200")
    form.get_by_test_id("save").click()
    error = phone.locator("#id_points ~ .invalid-feedback")
    expect(error).to_be_visible()
    expect(phone.locator("#id_name")).to_have_value("政策宣讲")
    shot(phone, "points-rules-20-rule-refused-phone")
    fits(phone)
    phone.locator("#id_points").fill("3")
    phone.get_by_test_id("save").click()
    expect(phone.locator("main .alert-success")).to_be_visible()
    row = phone.locator("tr[data-rule]", has_text="政策宣讲")
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("6 / 200")
    shot(phone, "points-rules-30-rule-added-phone")
    fits(phone)

    # The draft's other forms fit the phone too.
    for form_url in ("version_settings", "category_create", "level_create", "honour_create"):
        phone.goto(live_server.url + reverse(f"points:{form_url}", args=[draft.pk]))
        expect(phone.get_by_test_id("save")).to_be_visible()
        fits(phone)
    phone.goto(live_server.url + reverse("points:version_detail", args=[draft.pk]))
    phone.get_by_test_id("adopt").click()
    phone.locator("#id_adopted_on").fill("2026-12-20")
    phone.locator("#id_decision").fill("2026年12月县妇联执委会表决通过")
    fits(phone)
    phone.once("dialog", lambda dialog: dialog.accept())  # "Adopt this version? It can no longer change."
    phone.get_by_test_id("save").click()
    expect(phone.get_by_test_id("frozen")).to_be_visible()
    expect(phone.get_by_test_id("rule-create")).to_have_count(0)
    shot(phone, "points-rules-40-adopted-phone")
    fits(phone)
    adopted = SchemeVersion.objects.get(pk=draft.pk)
    assert (adopted.status, adopted.adopted_on) == (VersionStatus.ADOPTED, datetime.date(2026, 12, 20))
    assert adopted.rules.filter(name="政策宣讲", points=3).exists()

    # A 执委 of 回龙村 reads the adopted rules on a desktop too, with nothing to change.
    log_in(desktop, live_server.url, "huilong_zhiwei")
    desktop.goto(live_server.url + reverse("points:version_detail", args=[draft.pk]))
    expect(desktop.get_by_test_id("frozen")).to_be_visible()
    expect(desktop.locator("tr[data-rule]", has_text="政策宣讲")).to_be_visible()
    expect(desktop.locator("main form")).to_have_count(0)
    shot(desktop, "points-rules-50-zhiwei-desktop")
    assert violations(desktop) == []
