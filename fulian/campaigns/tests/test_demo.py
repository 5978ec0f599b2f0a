"""The demo's campaigns (``fulian/campaigns/demo/``): the finished 2019 round won by 钟桃华's household,
and this year's round being scored in 回龙村 by 周桂姣 and her fellow 执委."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from fulian.accounts.models import User
from fulian.campaigns.choices import CampaignStatus, NominationStatus, SheetStatus, StageStatus
from fulian.campaigns.models import (
    Award,
    Campaign,
    Entry,
    Nomination,
    Publicity,
    RaterAssignment,
    ScoreSheet,
    SheetPhoto,
)
from fulian.campaigns.services.common import today
from fulian.people.models import Person
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_finished_2019_round_and_one_being_scored_in_huilong(world: World) -> None:
    """One load for all the checks (the full demo takes most of a minute), then a second run."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert any(line.startswith("Campaigns: the 2019 round") for line in out.getvalue().splitlines())

    _zhong_taohua_won_in_2019_and_only_her_county_and_city_see_it()
    _zhou_guijiao_has_households_scored_and_to_score()
    _nominations_wait_to_be_merged_and_one_was_rejected()

    before = _fingerprint()
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "Campaigns: the 2019 round is already loaded." in again.getvalue()
    assert _fingerprint() == before


def _zhong_taohua_won_in_2019_and_only_her_county_and_city_see_it() -> None:
    award = Award.objects.select_related("campaign", "household__village", "stage").get(
        campaign__year=2019, household__head_name="钟桃华"
    )
    assert award.household.village.code == "430225100215"  # 蔬菜村
    assert award.stage.level == "city"
    assert award.certificate_no.startswith(f"430200-2019-{award.campaign_id}-")
    assert award.issued_on.year == 2019
    assert award.campaign.status == CampaignStatus.CLOSED
    assert all(s.status == StageStatus.DONE for s in award.campaign.stages.all())
    notice = Publicity.objects.get(stage=award.stage)
    assert notice.ends_on.year == 2019
    assert notice.ends_on < today()
    # Scored at every level, never by herself (钟桃华 is a 执委 of 蔬菜村).
    sheets = ScoreSheet.objects.filter(entry=award.entry, status=SheetStatus.SUBMITTED)
    assert set(sheets.values_list("stage__level", flat=True)) == {"village", "township", "county", "city"}
    assert not sheets.filter(rater__name="钟桃华").exists()
    assert all(s.submitted_at.year == 2019 for s in sheets)
    for username, sees in (("yanling_admin", True), ("city_admin", True), ("youxian_admin", False)):
        visible = Award.objects.visible_to(User.objects.get(username=username)).filter(pk=award.pk).exists()
        assert visible is sees, username


def _zhou_guijiao_has_households_scored_and_to_score() -> None:
    campaign = Campaign.objects.get(year=today().year, org__code="430200")
    stage = campaign.stages.get(level="village")
    assert stage.status == StageStatus.SCORING
    assert stage.deadline > today()
    zhou = Person.objects.get(account__username="huilong_zhiwei")
    assert zhou.name == "周桂姣"
    mine = RaterAssignment.objects.filter(stage=stage, person=zhou)
    scored = mine.filter(sheets__status=SheetStatus.SUBMITTED)
    assert scored.exists()
    assert mine.exclude(pk__in=scored.values("pk")).exists()
    assert SheetPhoto.objects.filter(sheet__assignment__in=scored).count() >= 2 * scored.count()
    # Different pictures for different households.
    digests = set(SheetPhoto.objects.filter(sheet__stage=stage).values_list("digest", flat=True))
    assert len(digests) == SheetPhoto.objects.filter(sheet__stage=stage).count()
    # Raters of 回龙村 are its 执委; some of their sheets are missing.
    huilong = RaterAssignment.objects.filter(stage=stage, village__code="430223123215")
    assert not huilong.exclude(person__org__code="430223123215").exists()
    assert huilong.filter(sheets__isnull=True).exclude(person=zhou).exists()


def _nominations_wait_to_be_merged_and_one_was_rejected() -> None:
    campaign = Campaign.objects.get(year=today().year, org__code="430200")
    nominations = Nomination.objects.filter(campaign=campaign)
    rejected = nominations.get(status=NominationStatus.REJECTED)
    assert rejected.reject_reason
    public = nominations.filter(source__in=["public", "self"])
    assert public.count() >= 4
    assert all(n.phone for n in public)
    accepted = nominations.filter(status=NominationStatus.ACCEPTED, village__code="430223123215")
    duplicates = nominations.filter(status=NominationStatus.PENDING, village__code="430223123215")
    assert any(accepted.filter(name=d.name).exists() for d in duplicates)
    assert Entry.objects.filter(campaign=campaign, village__code="430223123215").count() == 8


def _fingerprint() -> tuple[Any, ...]:
    return (
        list(Campaign.objects.order_by("id").values_list("id", "year", "status")),
        list(Nomination.objects.order_by("id").values_list("id", "status")),
        list(Entry.objects.order_by("id").values_list("id", "stage_id", "status")),
        list(ScoreSheet.objects.order_by("id").values_list("id", "score")),
        list(Award.objects.order_by("id").values_list("id", "certificate_no")),
    )
