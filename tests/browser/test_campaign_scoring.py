"""In the field (issue 12): a 执委 scores a household on a 360×640 phone under Chromium's
slow-3G emulation — the 12-item 最美庭院 rubric with 2 photos — goes offline before
submitting and comes back online: nothing entered is lost, the sheet arrives once, and the
test prints the taps it took (goal ≤ 30) and the time from opening her list to the
confirmation (goal < 2 minutes), without the scripted pauses."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from fulian.campaigns.models import RaterAssignment, ScoreSheet, SheetPhoto
from fulian.campaigns.tests import helpers as h
from fulian.people.models import Person
from fulian.testing.world import World
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import ARTIFACTS, log_in, scroll_width, shot
from tests.browser.test_accessibility import AXE, violations
from tests.browser.test_touch import MEASURE

# Chromium's DevTools "Slow 3G"-like profile the issue asks for: 400 ms, ~50 KB/s each way.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50 * 1024, "uploadThroughput": 50 * 1024}
PHONE_WIDTH = 360
LATENCY = (
    "(() => { const n = performance.getEntriesByType('navigation')[0]; return n.responseEnd - n.requestStart; })()"
)


class Stopwatch:
    """Time spent by the person, with the test's own pauses (checks, waiting offline) left out."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.since: float | None = time.monotonic()

    def pause(self) -> None:
        assert self.since is not None
        self.spent += time.monotonic() - self.since
        self.since = None

    def resume(self) -> None:
        self.since = time.monotonic()

    @property
    def total(self) -> float:
        return self.spent + (time.monotonic() - self.since if self.since is not None else 0.0)


@pytest.fixture
def rater(live_world: World) -> RaterAssignment:
    """huilong_zhiwei's own record (周桂姣, a 执委 of 回龙村) asked to score 钟桃华's household
    in the city's 最美庭院 round, with the shipped 12-item rubric."""
    campaign = h.campaign(live_world, raters=1)
    who = h.rater(live_world, "huilong", "周桂姣")
    Person.objects.filter(pk=who.pk).update(account=live_world.user("huilong_zhiwei"))
    entry = h.enter(live_world, campaign, head="钟桃华", address="回龙村老屋场3号")
    return h.assign(live_world, h.first_stage(campaign), entry, who)


def _choice(page: Page, item: int, value: str) -> Any:
    return page.locator(f'[data-item="{item}"] label.rt-choice', has=page.locator(f'input[value="{value}"]'))


def test_she_scores_a_household_offline_and_the_sheet_arrives_once(
    live_server: Any, rater: RaterAssignment, phone: Page, tmp_path: Any
) -> None:
    items = {item.name: item for item in rater.stage.campaign.rubric.items.all()}
    assert len(items) == 12
    photos = []  # camera-sized, for the phone to shrink
    for n in range(2):
        # Blotchy colours that compress like a photo: ~0.9 MB at 2400×1800, ~190 KB once shrunk.
        bands = [Image.effect_noise((200, 150), 40 + 5 * n) for _band in range(3)]
        picture = tmp_path / f"IMG_000{n + 1}.jpg"
        Image.merge("RGB", bands).resize((2400, 1800), Image.Resampling.BICUBIC).save(picture, "JPEG", quality=95)
        photos.append(str(picture))

    log_in(phone, live_server.url, "huilong_zhiwei")
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    taps = 0

    def tap(locator: Any) -> None:
        nonlocal taps
        locator.click()
        taps += 1

    clock = Stopwatch()
    phone.goto(f"{live_server.url}/campaigns/mine/")  # from the home page: one tap
    taps += 1
    row = phone.locator(f'[data-assignment="{rater.pk}"]')
    expect(row).to_contain_text("钟桃华")
    clock.pause()
    assert phone.evaluate(LATENCY) >= 400  # the emulation is on
    shot(phone, "campaigns-my-sheets-phone", full_page=False)
    assert scroll_width(phone) <= PHONE_WIDTH
    clock.resume()

    tap(row.locator("a.rt-row-go"))
    expect(phone).to_have_url(re.compile(rf"/campaigns/assignments/{rater.pk}/score/$"))
    expect(phone.locator("[data-running-total]")).to_contain_text("/ 100")  # the script has run
    clock.pause()
    shot(phone, "campaigns-score-sheet-phone", full_page=False)
    assert scroll_width(phone) <= PHONE_WIDTH
    clock.resume()

    # One tap per points item; 8½ takes two; the green item is not applicable here.
    scores = {
        "室内整洁，物品摆放有序": "9",
        "厨房灶台干净，餐具整齐": "8",
        "卫生厕所达标，无异味": "10",
        "绿化美化，种花种草": "na",
        "垃圾分类投放": "4.5",
        "家庭成员身心健康，崇尚科学，积极向上": "14",
        "家庭关系和睦，孝老爱亲": "8",
        "邻里关系融洽，互帮互助": "6",
        "有家规家训，传承好家风": "5",
    }
    for name, value in scores.items():
        tap(_choice(phone, items[name].pk, value))
    tap(phone.locator(f'[data-item="{items["厨房灶台干净，餐具整齐"].pk}"] label.rt-half'))
    # Two faults found on the walls; the courtyard is clean; the veto item stays "No".
    plus = phone.locator(f'[data-item="{items["墙面地面干净，无乱贴乱画"].pk}"] [data-step="1"]')
    tap(plus)
    tap(plus)
    # Two photos (each: the camera button, then the shutter).
    for name, picture in zip(("室内整洁，物品摆放有序", "庭院整洁，无垃圾杂物乱堆"), photos, strict=True):
        phone.locator(f'input[name="photo_{items[name].pk}"]').set_input_files(picture)
        taps += 2
    expect(phone.locator(".rt-thumb img")).to_have_count(2)
    total = phone.locator("[data-running-total]")
    expect(total).to_contain_text("84 / 90")

    # A reload (the phone's browser killed the tab): everything comes back from the phone.
    clock.pause()
    phone.reload()
    expect(phone.locator("[data-draft-notice]")).to_be_visible()
    expect(phone.locator(".rt-thumb img")).to_have_count(2)
    expect(total).to_contain_text("84 / 90")
    expect(phone.locator(f'input[name="item_{items["厨房灶台干净，餐具整齐"].pk}_half"]')).to_be_checked()
    shot(phone, "campaigns-score-sheet-restored-phone")

    # Out of coverage when she presses "submit": kept on the phone, nothing sent.
    phone.context.set_offline(True)
    clock.resume()
    tap(phone.locator("[data-submit]"))
    expect(phone.locator("[data-offline-notice]")).to_be_visible()
    clock.pause()
    shot(phone, "campaigns-score-sheet-offline-phone", full_page=False)
    assert ScoreSheet.objects.count() == 0
    phone.wait_for_timeout(2000)

    # Back in coverage (still slow 3G): the phone sends the sheet by itself.
    phone.context.set_offline(False)
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    clock.resume()
    expect(phone.locator("[data-testid=score-done]")).to_be_visible(timeout=60_000)
    clock.pause()
    shot(phone, "campaigns-score-done-phone")
    # Still on slow 3G once back online: the confirmation took its 400 ms of latency at least.
    assert phone.evaluate(LATENCY) >= 400

    sheet = ScoreSheet.objects.get()
    assert SheetPhoto.objects.filter(sheet=sheet).count() == 2
    assert sheet.raw == Decimal("84")
    assert sheet.possible == Decimal("90")
    assert sheet.items[str(items["厨房灶台干净，餐具整齐"].pk)] == {"v": "8.5"}
    assert sheet.items[str(items["绿化美化，种花种草"].pk)] == {"na": True}
    assert sheet.items[str(items["墙面地面干净，无乱贴乱画"].pk)] == {"faults": 2, "v": "9.0"}
    # The photos were shrunk on the phone before they were sent.
    for photo in SheetPhoto.objects.filter(sheet=sheet):
        assert max(photo.image.width, photo.image.height) <= 1280
    # Her list: the household is scored; the draft is gone from the phone.
    phone.goto(f"{live_server.url}/campaigns/mine/")
    expect(row.locator("[data-testid=done]")).to_be_visible()
    phone.goto(f"{live_server.url}/campaigns/assignments/{rater.pk}/score/")
    expect(phone.locator("[data-testid=score-done]")).to_be_visible()
    assert ScoreSheet.objects.count() == 1
    print(f"\nIn the field: {taps} taps, {clock.total:.1f} s from opening the list to the confirmation (slow 3G)")
    assert taps <= 30
    assert clock.total < 120


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_her_pages_have_44_px_targets_no_sideways_scrolling_and_pass_axe(
    browser: Browser, live_server: Any, rater: RaterAssignment, size: str, large: bool
) -> None:
    context = browser.new_context(**(PHONE if size == "phone" else DESKTOP))
    if large:
        context.add_cookies([{"name": "fulian_large_text", "value": "1", "url": live_server.url}])
    found: dict[str, Any] = {}
    try:
        page = context.new_page()
        log_in(page, live_server.url, "huilong_zhiwei")
        for path in ("/campaigns/mine/", f"/campaigns/assignments/{rater.pk}/score/"):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            result = page.evaluate(MEASURE)
            if len(result["inline"]) <= 2:
                del result["inline"]
            problems = {k: v for k, v in result.items() if v}
            axe = violations(page) if AXE.exists() else []
            if axe:
                problems["axe"] = axe
            if problems:
                found[path] = problems
    finally:
        context.close()
    assert not found, found


def test_an_item_left_out_is_named_beside_it_and_the_sheet_goes_with_the_position_once_scored(
    live_server: Any, rater: RaterAssignment, phone: Page
) -> None:
    items = list(rater.stage.campaign.rubric.items.filter(kind="points"))
    # This phone lets the page know where it is (霞阳镇, more or less).
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 26.4871, "longitude": 113.7753, "accuracy": 30})
    log_in(phone, live_server.url, "huilong_zhiwei")
    phone.goto(f"{live_server.url}/campaigns/assignments/{rater.pk}/score/")
    expect(phone.locator("[data-position]")).to_contain_text("30")
    for item in items[:-1]:
        _choice(phone, item.pk, "5").click()
    phone.locator("[data-submit]").click()
    missing = phone.locator(f'[data-errors-for="{items[-1].pk}"]')
    expect(missing).to_contain_text(items[-1].name)
    expect(phone.locator(".rt-has-error")).to_have_count(1)
    expect(phone.locator("[data-offline-notice]")).to_be_hidden()
    missing.locator("xpath=..").screenshot(path=str(ARTIFACTS / "campaigns-score-sheet-error-phone.png"))
    assert ScoreSheet.objects.count() == 0
    _choice(phone, items[-1].pk, "4").click()
    phone.locator("[data-submit]").click()
    expect(phone.locator("[data-testid=score-done]")).to_be_visible()
    sheet = ScoreSheet.objects.get()
    assert sheet.items[str(items[-1].pk)] == {"v": "4"}
    assert (sheet.latitude, sheet.longitude) == (Decimal("26.487100"), Decimal("113.775300"))
