"""Ranking a stage: the mean of the raters (trimmed from five sheets on), vetoes out, quotas per
organisation, the documented tie rule, adjustments that survive a re-ranking, the public vote."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fulian.campaigns.choices import Decision, EntryStatus, Outcome, StageStatus
from fulian.campaigns.models import Result, Stage
from fulian.campaigns.services import awards, ranking, scoring
from fulian.campaigns.services.ranking import quota_of, trimmed_mean
from fulian.campaigns.tests import helpers as h

pytestmark = pytest.mark.django_db

D = Decimal


def test_the_mean_is_trimmed_from_five_sheets_on():
    assert trimmed_mean(4, D(340), D(100), D(70)) == D("85.00")
    assert trimmed_mean(5, D(430), D(100), D(50)) == D("93.33")


@pytest.mark.parametrize(
    ("count", "share", "size", "quota"), [(2, None, 10, 2), (None, "30", 10, 3), (None, "10", 4, 1), (None, "50", 0, 0)]
)
def test_a_quota_is_a_number_or_a_share_rounded_up(count, share, size, quota):
    stage = Stage(quota_count=count, quota_share=D(share) if share else None)
    assert quota_of(stage, size) == quota


def _stage_with(world, scores_by_household, *, quota=1, raters=None, **kwargs):
    """A village stage of 回龙村 whose households got these sheet scores (fractions of full)."""
    raters = raters or max(len(s) for s in scores_by_household.values())
    campaign = h.campaign(world, raters=raters, quota=quota, template="simple", **kwargs)
    stage = h.first_stage(campaign)
    people = [h.rater(world, name=f"评委{n}") for n in range(raters)]
    entries = {}
    for head, fractions in scores_by_household.items():
        entry = h.enter(world, campaign, head=head)
        entries[head] = entry
        for who, fraction in zip(people, fractions, strict=False):
            h.score(world, h.assign(world, stage, entry, who), D(fraction))
    return campaign, stage, entries


def test_five_raters_drop_the_highest_and_the_lowest(world):
    _campaign, stage, entries = _stage_with(world, {"钟桃华": ["1", "0.9", "0.9", "0.9", "0.2"]})
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    result = Result.objects.get(entry=entries["钟桃华"])
    assert result.score == D("90.00")
    assert result.sheets == 5


def test_each_village_ranks_its_own_households_with_its_quota(world):
    campaign = h.campaign(world, raters=1, quota=1)
    stage = h.first_stage(campaign)
    huilong, daqiaotou = h.rater(world, "huilong", "周桂姣"), h.rater(world, "daqiaotou", "李秀英")
    for org, who, head, fraction in [
        ("huilong", huilong, "回龙甲", "0.9"),
        ("huilong", huilong, "回龙乙", "0.8"),
        ("daqiaotou", daqiaotou, "大桥甲", "0.5"),
    ]:
        entry = h.enter(world, campaign, org, head)
        h.score(world, h.assign(world, stage, entry, who), D(fraction))
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    proposed = set(
        Result.objects.filter(stage=stage, proposed=True).values_list("entry__household__head_name", flat=True)
    )
    assert proposed == {"回龙甲", "大桥甲"}


def test_a_veto_disqualifies_whatever_the_score(world):
    campaign = h.campaign(world, raters=1, quota=2)
    stage = h.first_stage(campaign)
    who = h.rater(world)
    vetoed = h.enter(world, campaign, head="钟桃华")
    values = h.values_for(campaign, D(1), veto=True)
    scoring.sheet_submit(actor=world.user("city_admin"), assignment=h.assign(world, stage, vetoed, who), values=values)
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    result = Result.objects.get(entry=vetoed)
    assert result.vetoed
    assert result.rank is None
    assert not result.proposed
    with pytest.raises(ValidationError, match="vetoed"):
        ranking.result_adjust(actor=world.user("city_admin"), result=result, decision=Decision.INCLUDE, reason="x")
    ranking.stage_promote(actor=world.user("city_admin"), stage=stage)
    result.refresh_from_db()
    assert result.outcome == Outcome.DISQUALIFIED
    result.entry.refresh_from_db()
    assert result.entry.status == EntryStatus.DISQUALIFIED


def test_a_tie_goes_to_the_higher_lowest_sheet(world):
    # Both average 85; 钟桃华's lowest sheet is 80, 周建国's 70.
    _campaign, stage, entries = _stage_with(world, {"周建国": ["1", "0.7"], "钟桃华": ["0.9", "0.8"]})
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    first = Result.objects.get(stage=stage, rank=1)
    assert first.entry == entries["钟桃华"]
    assert Result.objects.get(entry=entries["周建国"]).score == D("85.00")


def test_an_adjustment_needs_a_reason_and_survives_ranking_again(world):
    _campaign, stage, entries = _stage_with(world, {"甲": ["1"], "乙": ["0.5"]}, quota=1)
    actor = world.user("city_admin")
    ranking.stage_rank(actor=actor, stage=stage)
    second = Result.objects.get(entry=entries["乙"])
    with pytest.raises(ValidationError):
        ranking.result_adjust(actor=actor, result=second, decision=Decision.INCLUDE, reason="")
    ranking.result_adjust(actor=actor, result=second, decision=Decision.INCLUDE, reason="群众口碑好，村里一致推荐")
    ranking.stage_rank(actor=actor, stage=stage)
    second.refresh_from_db()
    assert second.proposed
    assert not second.within_quota
    assert second.decision_reason == "群众口碑好，村里一致推荐"


def test_a_late_sheet_asks_for_ranking_again_before_promotion(world):
    _campaign, stage, entries = _stage_with(world, {"甲": ["1"]}, raters=2)
    actor = world.user("city_admin")
    ranking.stage_rank(actor=actor, stage=stage)
    late = h.rater(world, name="迟到评委")
    h.score(world, h.assign(world, stage, entries["甲"], late), D("0.6"))
    stage.refresh_from_db()
    assert stage.status == StageStatus.SCORING
    with pytest.raises(ValidationError, match="Rank the stage first"):
        ranking.stage_promote(actor=actor, stage=stage)


def test_the_public_vote_weighs_in_at_the_top_stage(world):
    campaign = h.campaign(world, levels=("village",), raters=1, quota=1, vote_weight=30, template="simple")
    stage = h.first_stage(campaign)
    who = h.rater(world)
    strong, popular = h.enter(world, campaign, head="甲"), h.enter(world, campaign, head="乙")
    h.score(world, h.assign(world, stage, strong, who), D("0.9"))
    h.score(world, h.assign(world, stage, popular, who), D("0.8"))
    for phone in ("13800138001", "13800138002", "13800138003"):
        awards.vote_cast(stage=stage, entry=popular, phone=phone)
    with pytest.raises(ValidationError, match="already voted today"):
        awards.vote_cast(stage=stage, entry=strong, phone="13800138001")
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    # 甲: 0.7 × 90 + 0.3 × 0 = 63; 乙: 0.7 × 80 + 0.3 × 100 = 86.
    assert Result.objects.get(entry=popular).score == D("86.00")
    assert Result.objects.get(entry=strong).score == D("63.00")
    assert Result.objects.get(stage=stage, rank=1).entry == popular


def test_only_the_campaigns_federation_ranks_and_promotes(world):
    _campaign, stage, _entries = _stage_with(world, {"甲": ["1"]})
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        ranking.stage_rank(actor=world.user("xinshi_staff"), stage=stage)
