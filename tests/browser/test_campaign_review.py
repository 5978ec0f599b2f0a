"""A reviewer on a phone and a desktop (issue 12, point 4): the ranking of 回龙村 with its quota,
a row adjusted with a reason in place (htmx), and the stage, flags and sheet pages readable at
360 px without sideways scrolling and without accessibility findings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from fulian.campaigns import flags
from fulian.campaigns.choices import Decision
from fulian.campaigns.models import Result, ScoreSheet
from fulian.campaigns.services import ranking
from fulian.campaigns.tests import helpers as h
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot
from tests.browser.test_accessibility import AXE, violations

PHONE_WIDTH = 360


@pytest.fixture
def ranked(live_world: World) -> dict[str, Any]:
    """新市镇's own campaign: three 回龙村 households scored by two raters each, ranked, flagged."""
    campaign = h.campaign(live_world, "xinshi", raters=2, quota=1)
    stage = h.first_stage(campaign)
    raters = [h.rater(live_world, name=n) for n in ("周桂姣", "李秀英")]
    entries = {}
    for head, fractions in (("钟桃华", ("1", "0.9")), ("周建国", ("0.8", "0.4")), ("李德福", ("0.6", "0.6"))):
        entry = h.enter(live_world, campaign, head=head)
        entries[head] = entry
        for who, fraction in zip(raters, fractions, strict=True):
            photos = [(None, SimpleUploadedFile("p.jpg", jpeg()))] if head == "钟桃华" else []
            h.score(live_world, h.assign(live_world, stage, entry, who), Decimal(fraction), photos=photos)
    ranking.stage_rank(actor=live_world.user("city_admin"), stage=stage)
    flags.flags_find(stage)
    return {"stage": stage, "entries": entries}


def test_a_reviewer_adjusts_a_row_of_the_ranking_on_a_phone(live_server: Any, ranked: dict[str, Any], phone: Page):
    stage = ranked["stage"]
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/campaigns/stages/{stage.pk}/ranking/")
    expect(phone.locator("h2").first).to_contain_text("回龙村")
    expect(phone.locator(".alert-warning")).to_be_visible()  # the uncleared flag
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "campaign-review-ranking-phone")
    result = Result.objects.get(stage=stage, entry=ranked["entries"]["周建国"])
    row = phone.locator(f"[data-result='{result.pk}']")
    row.locator("select[name=decision]").select_option(Decision.INCLUDE)
    row.locator("input[name=reason]").fill("庭院整治进步大")
    row.locator("button[type=submit]").click()
    expect(phone.locator(f"[data-result='{result.pk}']")).to_contain_text("庭院整治进步大")
    assert phone.url.endswith(f"/campaigns/stages/{stage.pk}/ranking/")  # the row, not a new page
    result.refresh_from_db()
    assert (result.decision, result.proposed) == (Decision.INCLUDE, True)
    assert scroll_width(phone) <= PHONE_WIDTH
    shot(phone, "campaign-review-ranking-adjusted-phone")


def test_the_review_pages_read_on_a_phone_without_findings(live_server: Any, ranked: dict[str, Any], phone: Page):
    stage = ranked["stage"]
    sheet = ScoreSheet.objects.filter(photos__isnull=False).first()
    assert sheet is not None
    log_in(phone, live_server.url, "xinshi_staff")
    pages = {
        "stage": f"/campaigns/stages/{stage.pk}/",
        "flags": f"/campaigns/stages/{stage.pk}/flags/",
        "promote": f"/campaigns/stages/{stage.pk}/promote/",
        "raters": f"/campaigns/entries/{ranked['entries']['钟桃华'].pk}/raters/",
        "sheet": f"/campaigns/sheets/{sheet.pk}/",
    }
    found = {}
    for name, path in pages.items():
        phone.goto(live_server.url + path)
        phone.wait_for_load_state("networkidle")
        shot(phone, f"campaign-review-{name}-phone")
        assert scroll_width(phone) <= PHONE_WIDTH, name
        problems = violations(phone) if AXE.exists() else []  # axe-core comes with `npm ci`
        if problems:
            found[name] = problems
    assert not found, found
    phone.goto(live_server.url + pages["sheet"])
    photo = phone.locator("img").first
    expect(photo).to_be_visible()
    assert phone.evaluate("img => img.naturalWidth", photo.element_handle()) > 0
