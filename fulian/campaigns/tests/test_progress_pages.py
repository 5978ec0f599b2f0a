"""The progress page (figures per stage and organisation, overdue raters by the clock), 公示
pages and objections, the awards list and revoking, the holiday calendar."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fulian.campaigns.choices import EntryStatus, ObjectionStatus
from fulian.campaigns.models import Holiday, Objection
from fulian.campaigns.services import nominations, ranking
from fulian.campaigns.tests import helpers as h
from fulian.campaigns.tests import scope_cases as sc
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

PAST_DEADLINE = 60 * 24 * 40  # minutes: from early December past 31 December


def crafted(world: World) -> Any:
    """A city campaign: 回龙村 two households (one public nomination pending besides), two
    raters' assignments of which one scored; 大桥头村 one household, one assignment, no sheet;
    蔬菜村 (炎陵县) one household with an assignment."""
    campaign = h.campaign(world, levels=("village", "township"), raters=2)
    stage = h.first_stage(campaign)
    a = h.enter(world, campaign, "huilong", "钟桃华")
    b = h.enter(world, campaign, "huilong", "周建国")
    c = h.enter(world, campaign, "daqiaotou", "李德福")
    d = h.enter(world, campaign, "shucai", "王芳")
    nominations.nomination_public(
        campaign=campaign, village=world.org("huilong"), name="刘美", reason="庭院整洁", phone="13800138000"
    )
    huilong_rater = h.rater(world, "huilong", "周桂姣", username="zgj")
    daqiao_rater = h.rater(world, "daqiaotou", "李秀英", username="lxy")
    shucai_rater = h.rater(world, "shucai", "钟桂兰", username="zgl")
    h.score(world, h.assign(world, stage, a, huilong_rater), Decimal("0.9"))
    h.assign(world, stage, b, huilong_rater)
    h.assign(world, stage, c, daqiao_rater)
    h.assign(world, stage, d, shucai_rater)
    return campaign


def figures(page: Any, code: str) -> dict[str, str]:
    row = html.select_one(page, f'[data-stage="village"] [data-testid="progress-row"][data-org={code}]')
    return {str(cell.get("data-figure")): cell.text.strip() for cell in row.select("[data-figure]")}


def total(page: Any) -> dict[str, str]:
    row = html.select_one(page, '[data-stage="village"] [data-testid="progress-total"]')
    return {str(cell.get("data-figure")): cell.text.strip() for cell in row.select("[data-figure]")}


def test_progress_counts_each_village_of_a_township(world: World) -> None:
    campaign = crafted(world)
    url = reverse("campaigns:progress", args=[campaign.pk])
    page = world.client_for("city_admin").get(url, {"org": world.org("xinshi").pk})
    assert page.status_code == 200
    assert figures(page, world.org("huilong").code) == {
        "nominated": "3",
        "pending": "1",
        "entries": "2",
        "assigned": "2",
        "submitted": "1",
        "missing": "1",
        "overdue": "0",
    }
    assert figures(page, world.org("daqiaotou").code)["missing"] == "1"
    assert total(page)["entries"] == "3"  # 蔬菜村 is not in 新市镇


def test_progress_of_the_city_groups_by_county(world: World) -> None:
    campaign = crafted(world)
    page = world.client_for("city_admin").get(reverse("campaigns:progress", args=[campaign.pk]))
    assert figures(page, world.org("youxian").code)["entries"] == "3"
    assert figures(page, world.org("yanling").code)["entries"] == "1"
    assert total(page)["assigned"] == "4"


def test_township_staff_open_on_their_township_and_see_nothing_of_another_county(world: World) -> None:
    campaign = crafted(world)
    page = world.client_for("xinshi_staff").get(reverse("campaigns:progress", args=[campaign.pk]))
    assert page.status_code == 200
    assert total(page)["entries"] == "3"
    refused = world.client_for("xinshi_staff").get(
        reverse("campaigns:progress", args=[campaign.pk]), {"org": world.org("xiayang").pk}
    )
    assert refused.status_code == 404


def test_raters_without_a_sheet_are_overdue_once_the_deadline_has_passed(world: World, clock: Any) -> None:
    campaign = crafted(world)
    url = reverse("campaigns:progress", args=[campaign.pk])
    assert total(world.client_for("city_admin").get(url, {"org": world.org("xinshi").pk}))["overdue"] == "0"
    clock.advance(minutes=PAST_DEADLINE)
    page = world.client_for("city_admin").get(url, {"org": world.org("xinshi").pk})
    assert figures(page, world.org("huilong").code)["overdue"] == "1"
    assert figures(page, world.org("daqiaotou").code)["overdue"] == "1"
    assert total(page)["overdue"] == "2"


def test_a_household_out_of_the_running_has_no_overdue_rater(world: World, clock: Any) -> None:
    campaign = crafted(world)
    campaign.entries.filter(household__head_name="李德福").update(status=EntryStatus.REMOVED)
    clock.advance(minutes=PAST_DEADLINE)
    page = world.client_for("city_admin").get(
        reverse("campaigns:progress", args=[campaign.pk]), {"org": world.org("xinshi").pk}
    )
    assert figures(page, world.org("daqiaotou").code)["overdue"] == "0"


def _queries(client: Any, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_the_progress_page_reads_a_constant_number_of_queries(world: World) -> None:
    campaign = crafted(world)
    url = reverse("campaigns:progress", args=[campaign.pk])
    client = world.client_for("city_admin")
    params = {"org": world.org("xinshi").pk}
    client.get(url, params)
    before = _queries(client, url, params)
    stage = h.first_stage(campaign)
    who = h.rater(world, "daqiaotou", "王丽", username="wl")
    for n in range(4):
        h.assign(world, stage, h.enter(world, campaign, "daqiaotou", f"张{n}"), who)
    assert _queries(client, url, params) == before


def test_the_overdue_list_shows_the_township_raters_without_a_sheet(world: World, clock: Any) -> None:
    campaign = crafted(world)
    clock.advance(minutes=PAST_DEADLINE)
    url = reverse("campaigns:progress_raters", args=[campaign.pk])
    page = world.client_for("xinshi_staff").get(url, {"sheet": "overdue"})
    names = sorted(row.select("td")[0].text.strip() for row in html.select(page, "[data-testid=rater-row]"))
    assert names == ["周建国", "李德福"]
    city = world.client_for("city_admin").get(url, {"sheet": "overdue"})
    assert len(html.select(city, "[data-testid=rater-row]")) == 3  # 王芳 of 炎陵县 too
    village = world.client_for("city_admin").get(url, {"sheet": "overdue", "org": world.org("daqiaotou").pk})
    assert [row.select("td")[0].text.strip() for row in html.select(village, "[data-testid=rater-row]")] == ["李德福"]
    submitted = world.client_for("city_admin").get(url, {"sheet": "submitted"})
    assert len(html.select(submitted, "[data-testid=rater-row]")) == 1


def test_the_rater_list_and_the_campaign_list_read_a_constant_number_of_queries(world: World) -> None:
    campaign = crafted(world)
    client = world.client_for("city_admin")
    url = reverse("campaigns:progress_raters", args=[campaign.pk])
    home = reverse("campaigns:progress_home")
    client.get(url)
    before, before_home = _queries(client, url, {}), _queries(client, home, {})
    stage = h.first_stage(campaign)
    who = h.rater(world, "daqiaotou", "王丽", username="wl")
    for n in range(3):
        h.assign(world, stage, h.enter(world, campaign, "daqiaotou", f"张{n}"), who)
        h.campaign(world, "yanling", ("village",))
    assert _queries(client, url, {}) == before
    assert _queries(client, home, {}) == before_home


# --- 公示 -----------------------------------------------------------------------------------


def _ranked_stage(world: World) -> Any:
    from fulian.campaigns.tests.scope_progress import make_ranked_stage

    return make_ranked_stage(world)


def test_publishing_shows_the_end_day_and_publishes(world: World, english_pages: None) -> None:
    stage = _ranked_stage(world)
    client = world.client_for("yanling_admin")
    url = reverse("campaigns:publicity_open", args=[stage.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "working days" in html.text(page, '[data-testid="period"]')
    assert stage.campaign.name in html.select_one(page, "textarea[name=notice]").text
    start = datetime.date(2026, 9, 30)
    Holiday.objects.update_or_create(day=datetime.date(2026, 10, 1), defaults={"name": "国庆节"})
    preview = client.post(url, {"starts_on": "2026-12-31", "notice": "公示", "preview": "1"})
    assert preview.status_code == 200
    done = client.post(url, {"starts_on": "", "notice": "公示", "contact": "0733-1234567"})
    assert done.status_code == 400
    assert start  # the calendar's own tests check the working-day arithmetic
    published = client.post(
        url, {"starts_on": timezone.localdate().isoformat(), "notice": "公示", "contact": "0733-1234567"}
    )
    assert published.status_code == 302
    assert stage.publicity.contact == "0733-1234567"


def test_the_page_warns_when_the_calendar_does_not_know_the_year(world: World, english_pages: None) -> None:
    stage = _ranked_stage(world)
    Holiday.objects.all().delete()
    page = world.client_for("yanling_admin").get(reverse("campaigns:publicity_open", args=[stage.pk]))
    assert "no days for" in html.text(page, '[data-testid="calendar-warning"]')


def test_a_viewer_may_not_publish(world: World) -> None:
    stage = _ranked_stage(world)
    assert world.client_for("leader").get(reverse("campaigns:publicity_open", args=[stage.pk])).status_code == 403


def test_an_open_objection_is_counted_on_the_publicity_page(world: World, english_pages: None) -> None:
    objection = sc.make_objection(world)
    client = world.client_for("yanling_admin")
    page = client.get(reverse("campaigns:publicity_detail", args=[objection.publicity.pk]))
    assert "1 open objections" in html.text(page, '[data-testid="open-objections"]')
    assert "awards cannot be issued" in html.text(page, '[data-testid="open-objections"]')


def test_investigate_then_uphold_removes_the_household(world: World, english_pages: None) -> None:
    objection = sc.make_objection(world)
    client = world.client_for("yanling_admin")
    url = reverse("campaigns:objection_detail", args=[objection.pk])
    assert client.post(url, {"status": ObjectionStatus.INVESTIGATING}).status_code == 302
    refused = client.post(url, {"status": ObjectionStatus.UPHELD, "outcome": ""})
    assert refused.status_code == 400
    assert client.post(url, {"status": ObjectionStatus.UPHELD, "outcome": "属实"}).status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert objection.entry.status == EntryStatus.REMOVED
    page = client.get(reverse("campaigns:publicity_detail", args=[objection.publicity.pk]))
    assert html.select(page, '[data-testid="removed"]')
    again = client.post(url, {"status": ObjectionStatus.DISMISSED, "outcome": "x"})
    assert again.status_code == 400
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.UPHELD


def test_a_closed_objection_refuses_a_second_outcome(world: World, english_pages: None) -> None:
    objection = sc.make_objection(world)
    client = world.client_for("yanling_admin")
    url = reverse("campaigns:objection_detail", args=[objection.pk])
    assert client.post(url, {"status": ObjectionStatus.DISMISSED, "outcome": "不属实"}).status_code == 302
    page = client.post(url, {"status": ObjectionStatus.UPHELD, "outcome": "属实"})
    assert page.status_code == 400
    assert "already closed" in page.content.decode()


def test_a_viewer_sees_an_objection_but_may_not_handle_it(world: World) -> None:
    objection = sc.make_objection(world)
    url = reverse("campaigns:objection_detail", args=[objection.pk])
    assert world.client_for("leader").get(url).status_code == 200
    assert world.client_for("leader").post(url, {"status": "dismissed", "outcome": "x"}).status_code == 403


# --- Awards ---------------------------------------------------------------------------------


def test_the_award_list_shows_the_awards_and_revoking_needs_a_reason(world: World, english_pages: None) -> None:
    award = sc.make_award(world)
    client = world.client_for("yanling_admin")
    page = client.get(reverse("campaigns:award_list", args=[award.campaign.pk]))
    assert award.certificate_no in html.text(page, '[data-testid="awards"]')
    url = reverse("campaigns:award_detail", args=[award.pk])
    certificate = html.select_one(client.get(url), "[data-testid=certificate]").get("href")
    assert certificate == reverse("campaigns:certificate", args=[award.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "材料不实"}).status_code == 302
    award.refresh_from_db()
    assert award.revoke_reason == "材料不实"
    standing = client.get(reverse("campaigns:award_list", args=[award.campaign.pk]), {"revoked": "0"})
    assert not html.select(standing, '[data-testid="award"]')


def awarded(world: World, n: int) -> Any:
    """A one-stage campaign of 炎陵县 whose ``n`` households of 蔬菜村 are all awarded."""
    campaign = h.campaign(world, "yanling", ("village",), raters=1, quota=n)
    stage = h.first_stage(campaign)
    who = h.rater(world, "shucai", f"评分员{n}", username=f"rater{n}")
    for k in range(n):
        h.score(world, h.assign(world, stage, h.enter(world, campaign, "shucai", f"钟{n}{k}"), who))
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    ranking.stage_promote(actor=world.user("city_admin"), stage=stage)
    assert campaign.awards.count() == n
    return campaign


def test_the_award_list_reads_a_constant_number_of_queries(world: World) -> None:
    client = world.client_for("yanling_admin")
    one, three = awarded(world, 1), awarded(world, 3)
    client.get(reverse("campaigns:award_list", args=[one.pk]))
    assert _queries(client, reverse("campaigns:award_list", args=[one.pk]), {}) == _queries(
        client, reverse("campaigns:award_list", args=[three.pk]), {}
    )


# --- Holiday calendar -----------------------------------------------------------------------


def test_the_city_staff_add_a_day_and_a_county_may_not(world: World) -> None:
    url = reverse("campaigns:holidays")
    added = world.client_for("city_admin").post(url, {"day": "2031-10-01", "workday": "0", "name": "国庆节"})
    assert added.status_code == 302
    assert Holiday.objects.get(day=datetime.date(2031, 10, 1)).name == "国庆节"
    corrected = world.client_for("city_admin").post(url, {"day": "2031-10-01", "workday": "1", "name": "调休"})
    assert corrected.status_code == 302
    assert Holiday.objects.get(day=datetime.date(2031, 10, 1)).workday
    assert world.client_for("yanling_admin").post(url, {"day": "2031-10-02", "name": "x"}).status_code == 403
    page = world.client_for("yanling_admin").get(url)
    assert page.status_code == 200
    assert html.select(page, '[data-year="2031"] [data-testid="day"]')
    assert not html.select(page, "[data-testid=holiday-form]")
