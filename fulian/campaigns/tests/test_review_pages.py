"""The staff review pages: a stage's progress with raters assigned, ranking, adjusting and
promoting (with the service's refusals shown), the raters of a household, a score sheet with
its photos, and the review flags."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fulian.campaigns.choices import Decision, SheetStatus, StageStatus
from fulian.campaigns.models import Flag, Nomination, RaterAssignment, Result, ScoreSheet
from fulian.campaigns.services import ranking
from fulian.campaigns.tests import helpers as h
from fulian.grid.tests.helpers import page_queries
from fulian.people.tests.helpers import jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def url(name: str, pk: int) -> str:
    return reverse(f"campaigns:{name}", kwargs={"pk": pk})


def scored_round(world: Any, *, quota: int = 1, **kwargs: Any) -> tuple[Any, Any, Any, Any]:
    """A village stage of two 回龙村 households, each scored by two raters: 钟桃华 ahead."""
    campaign = h.campaign(world, raters=2, quota=quota, **kwargs)
    stage = h.first_stage(campaign)
    best = h.enter(world, campaign, head="钟桃华")
    other = h.enter(world, campaign, head="周建国")
    raters = [h.rater(world, name=n) for n in ("周桂姣", "李秀英")]
    for entry, fraction in ((best, Decimal(1)), (other, Decimal("0.6"))):
        for who in raters:
            h.score(world, h.assign(world, stage, entry, who), fraction)
    return campaign, stage, best, other


def test_the_stage_page_counts_households_raters_and_sheets_per_village(world):
    campaign = h.campaign(world, raters=2)
    stage = h.first_stage(campaign)
    first = h.enter(world, campaign, head="钟桃华")
    h.enter(world, campaign, head="周建国")
    h.enter(world, campaign, "shucai", head="钟建华")
    who = h.rater(world, name="周桂姣")
    h.score(world, h.assign(world, stage, first, who))
    h.assign(world, stage, first, h.rater(world, name="李秀英"))
    page = world.client_for("city_admin").get(url("stage", stage.pk)).content.decode()
    assert "回龙村" in page
    assert "蔬菜村" in page
    assert "Assign raters" in page
    # 新市镇's staff see the city's campaign, only for their own villages.
    mine = world.client_for("xinshi_staff").get(url("stage", stage.pk))
    assert mine.status_code == 200
    content = mine.content.decode()
    assert "回龙村" in content
    assert "蔬菜村" not in content
    row = content[content.index("回龙村") :]
    cells = [c.split(">")[-1] for c in row.split("</td>")[1:5]]
    assert cells == ["2", "2", "1", "1"]  # households, raters, sheets, missing
    # A 执委 sees the page but no button.
    member = world.client_for("huilong_zhiwei").get(url("stage", stage.pk)).content.decode()
    assert "Assign raters" not in member
    assert url("stage_rank", stage.pk) not in member


def test_assigning_raters_reports_how_many_and_the_households_short_of_raters(world):
    campaign = h.campaign(world, raters=3)
    stage = h.first_stage(campaign)
    h.enter(world, campaign, head="钟桃华")
    h.rater(world, name="周桂姣")
    h.rater(world, name="李秀英")
    client = world.client_for("xinshi_staff")
    response = client.post(url("stage_assign", stage.pk), {"org": world.org("huilong").pk}, follow=True)
    page = response.content.decode()
    assert "2 raters assigned" in page
    assert "Too few executive members are free for 1 households: 钟桃华 (1 missing)" in page
    assert RaterAssignment.objects.filter(stage=stage).count() == 2
    # A village outside her area is not one she can choose.
    response = client.post(url("stage_assign", stage.pk), {"org": world.org("shucai").pk}, follow=True)
    assert "Choose an organisation" in response.content.decode()


def test_ranking_shows_each_village_with_its_quota_and_rows_in_rank_order(world):
    _campaign, stage, _best, _other = scored_round(world)
    client = world.client_for("city_admin")
    response = client.post(url("stage_rank", stage.pk))
    assert response.status_code == 302
    assert response["Location"] == url("ranking", stage.pk)
    page = client.get(url("ranking", stage.pk)).content.decode()
    assert "2 households · quota 1 · 1 proposed" in page
    assert page.index("钟桃华") < page.index("周建国")
    assert "Proposed" in page
    filtered = client.get(url("ranking", stage.pk), {"org": world.org("shucai").pk}).content.decode()
    assert "钟桃华" not in filtered
    assert client.get(url("ranking", stage.pk), {"org": "999999"}).status_code == 400


def test_an_adjustment_with_htmx_re_renders_the_row_and_a_refusal_is_shown_in_it(world):
    _campaign, stage, _best, other = scored_round(world)
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    result = Result.objects.get(stage=stage, entry=other)
    client = world.client_for("city_admin")
    htmx = {"HTTP_HX_REQUEST": "true"}
    refused = client.post(url("result_adjust", result.pk), {"decision": "include", "reason": ""}, **htmx)
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()
    assert not refused.content.decode().lstrip().startswith("<!DOCTYPE")
    response = client.post(url("result_adjust", result.pk), {"decision": "include", "reason": "庭院整治进步大"}, **htmx)
    row = response.content.decode()
    assert row.lstrip().startswith(f'<tr data-result="{result.pk}">')
    assert "Promoted by the reviewer" in row
    assert "庭院整治进步大" in row
    result.refresh_from_db()
    assert (result.decision, result.proposed) == (Decision.INCLUDE, True)
    # Without htmx: back to the ranking, or a page saying what was refused.
    assert client.post(url("result_adjust", result.pk), {"decision": "auto"}).status_code == 302
    assert client.post(url("result_adjust", result.pk), {"decision": "nonsense"}).status_code == 400


def test_promoting_twice_says_already_promoted_and_counts_nothing_twice(world):
    campaign, stage, best, _other = scored_round(world)
    client = world.client_for("city_admin")
    unranked = client.post(url("stage_promote", stage.pk), {"confirm": "1"})
    assert unranked.status_code == 400
    assert "Rank the stage first" in unranked.content.decode()
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    unconfirmed = client.post(url("stage_promote", stage.pk), {})
    assert unconfirmed.status_code == 400
    assert client.post(url("stage_promote", stage.pk), {"confirm": "1"}).status_code == 302
    township = campaign.stages.get(level="township")
    assert list(Result.objects.filter(stage=township).values_list("entry_id", flat=True)) == [best.pk]
    again = client.post(url("stage_promote", stage.pk), {"confirm": "1"})
    assert again.status_code == 400
    assert "already promoted" in again.content.decode()
    assert Result.objects.filter(stage=township).count() == 1
    stage.refresh_from_db()
    assert stage.status == StageStatus.DONE


def test_promoting_before_the_publicity_is_shown_the_refusal(world):
    _campaign, stage, _best, _other = scored_round(world, levels=("village",), publicity_days=5)
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    response = world.client_for("city_admin").post(url("stage_promote", stage.pk), {"confirm": "1"})
    assert response.status_code == 400
    assert "for 5 working days first" in response.content.decode()


def test_a_stage_of_a_campaign_out_of_reach_is_not_found_and_a_member_cannot_promote(world):
    _campaign, stage, _best, _other = scored_round(world)
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    assert world.client_for("huilong_zhiwei").post(url("stage_promote", stage.pk), {"confirm": "1"}).status_code == 403
    assert world.client_for("xinshi_staff").post(url("stage_rank", stage.pk)).status_code == 403
    assert world.client_for("city_admin").get(url("stage", 999999)).status_code == 404


def test_raters_of_a_household_are_added_refused_on_a_conflict_and_removed_unless_scored(world):
    campaign = h.campaign(world, raters=2)
    stage = h.first_stage(campaign)
    entry = h.enter(world, campaign, head="钟桃华")
    scored = h.rater(world, name="周桂姣")
    h.score(world, h.assign(world, stage, entry, scored))
    free = h.rater(world, name="李秀英")
    nominator = h.rater(world, name="王丽")
    Nomination.objects.filter(household=entry.household).update(nominator_person=nominator)
    client = world.client_for("xinshi_staff")
    page = client.get(url("entry_raters", entry.pk)).content.decode()
    assert "李秀英" in page
    assert "王丽" in page
    assert reverse("campaigns:sheet_detail", kwargs={"pk": ScoreSheet.objects.get().pk}) in page
    refused = client.post(url("entry_raters", entry.pk), {"person": nominator.pk})
    assert refused.status_code == 400
    assert "王丽 may not score this household: she nominated it." in refused.content.decode()
    assert client.post(url("entry_raters", entry.pk), {"person": free.pk}).status_code == 302
    assignment = RaterAssignment.objects.get(entry=entry, person=free)
    assert client.post(url("entry_raters", entry.pk), {"remove": assignment.pk}).status_code == 302
    assert not RaterAssignment.objects.filter(pk=assignment.pk).exists()
    kept = RaterAssignment.objects.get(entry=entry, person=scored)
    response = client.post(url("entry_raters", entry.pk), {"remove": kept.pk})
    assert response.status_code == 400
    assert "supersede her sheet instead" in response.content.decode()


def test_a_sheet_shows_its_items_and_photo_and_is_superseded_with_a_reason(world):
    campaign = h.campaign(world)
    stage = h.first_stage(campaign)
    entry = h.enter(world, campaign)
    assignment = h.assign(world, stage, entry, h.rater(world, name="周桂姣"))
    sheet = h.score(
        world, assignment, Decimal("0.9"), comment="院内整洁", photos=[(None, SimpleUploadedFile("p.jpg", jpeg()))]
    )
    client = world.client_for("xinshi_staff")
    page = client.get(url("sheet_detail", sheet.pk)).content.decode()
    item = campaign.rubric.items.all()[0]
    assert item.name in page
    assert "院内整洁" in page
    assert str(sheet.score) in page
    photo = sheet.photos.get()
    assert url("sheet_photo", photo.pk) in page
    served = client.get(url("sheet_photo", photo.pk))
    assert served["Content-Type"] == "image/jpeg"
    assert client.post(url("sheet_supersede", sheet.pk), {"reason": ""}).status_code == 400
    assert client.post(url("sheet_supersede", sheet.pk), {"reason": "评错了户"}).status_code == 302
    sheet.refresh_from_db()
    assert (sheet.status, sheet.superseded_reason) == (SheetStatus.SUPERSEDED, "评错了户")
    assert "Superseded on" in client.get(url("sheet_detail", sheet.pk)).content.decode()


def test_flags_are_found_listed_cleared_with_a_note_and_bannered_on_the_ranking(world):
    campaign = h.campaign(world, raters=2)
    stage = h.first_stage(campaign)
    entry = h.enter(world, campaign)
    for who, fraction in ((h.rater(world, name="周桂姣"), "1"), (h.rater(world, name="李秀英"), "0.6")):
        h.score(world, h.assign(world, stage, entry, who), Decimal(fraction))
    client = world.client_for("city_admin")
    assert "not cleared yet" not in client.get(url("ranking", stage.pk)).content.decode()
    response = client.post(url("flags_find", stage.pk), follow=True)
    assert "1 flags found" in response.content.decode()
    assert "Low agreement among raters" in response.content.decode()
    assert "not cleared yet" in client.get(url("ranking", stage.pk)).content.decode()
    flag = Flag.objects.get()
    assert client.post(url("flag_clear", flag.pk), {"reason": ""}).status_code == 400
    assert client.post(url("flag_clear", flag.pk), {"reason": "两位评委复核，分差属实"}).status_code == 302
    assert "两位评委复核，分差属实" in client.get(url("flags", stage.pk)).content.decode()
    assert "not cleared yet" not in client.get(url("ranking", stage.pk)).content.decode()


def _many(world: Any, campaign: Any, start: int, n: int) -> None:
    for k in range(start, start + n):
        h.enter(world, campaign, "huilong" if k % 2 else "shucai", head=f"户主{k}")


def test_ranking_stage_and_flag_pages_run_a_constant_number_of_queries(world):
    campaign = h.campaign(world, raters=1)
    stage = h.first_stage(campaign)
    _many(world, campaign, 0, 2)
    client = world.client_for("city_admin")
    pages = [url("ranking", stage.pk), url("stage", stage.pk), url("flags", stage.pk)]
    for page in pages:
        page_queries(client, page)
    before = [page_queries(client, page) for page in pages]
    _many(world, campaign, 2, 6)
    for entry in campaign.entries.all():
        flag = Flag(stage=stage, kind="agreement", entry=entry, measure=Decimal(25), detail={"sheets": []})
        flag.place(entry.org, entry.ancestry)
        flag.save()
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    assert [page_queries(client, page) for page in pages] == before
