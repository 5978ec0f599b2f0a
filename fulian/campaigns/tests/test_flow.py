"""A whole round through the services: nomination to award."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fulian.campaigns.choices import EntryStatus, ObjectionStatus, Outcome, StageStatus
from fulian.campaigns.models import Award, Nomination, Result
from fulian.campaigns.services import publicity, ranking, scoring
from fulian.campaigns.tests import helpers as h

pytestmark = pytest.mark.django_db


def test_a_round_from_nomination_to_award(world, clock):
    campaign = h.campaign(world, levels=("village", "township"), raters=2, quota=1, publicity_days=5)
    village, township = list(campaign.stages.order_by("order"))
    best = h.enter(world, campaign, head="钟桃华")
    other = h.enter(world, campaign, head="周建国")
    [h.rater(world, name=n, username=u) for n, u in (("周桂姣", "zgj"), ("李秀英", "lxy"))]
    outcome = scoring.raters_assign(actor=world.user("city_admin"), stage=village, org=world.org("huilong"))
    assert outcome["assigned"] == 4
    assert outcome["short"] == []
    for assignment in village.raters_assigned.all():
        h.score(world, assignment, Decimal(1) if assignment.entry == best else Decimal("0.5"))
    summary = ranking.stage_rank(actor=world.user("city_admin"), stage=village)
    assert summary == {"results": 2, "ranked": 2, "proposed": 1}
    top = Result.objects.get(stage=village, entry=best)
    assert (top.rank, top.score, top.proposed) == (1, Decimal("100.00"), True)
    ranking.stage_promote(actor=world.user("city_admin"), stage=village)
    best.refresh_from_db()
    other.refresh_from_db()
    assert best.stage == township
    assert other.status == EntryStatus.OUT

    township_rater = h.rater(world, org="xinshi", name="王丽", username="wl")
    for who in (township_rater,):
        h.assign(world, township, best, who)
    h.score(world, township.raters_assigned.get(), Decimal("0.9"))
    ranking.stage_rank(actor=world.user("city_admin"), stage=township)
    notice = publicity.publicity_open(actor=world.user("city_admin"), stage=township)
    objection = publicity.objection_lodge(publicity=notice, entry=best, reason="院子堆放杂物", phone="13800138000")
    clock.advance(minutes=60 * 24 * 10)
    with pytest.raises(ValidationError, match="objection is still open"):
        ranking.stage_promote(actor=world.user("city_admin"), stage=township)
    publicity.objection_handle(
        actor=world.user("city_admin"), objection=objection, status=ObjectionStatus.DISMISSED, outcome="经核实，已清理"
    )
    ranking.stage_promote(actor=world.user("city_admin"), stage=township)
    award = Award.objects.get()
    assert award.household == best.household
    assert award.certificate_no.endswith("-0001")
    assert Result.objects.get(stage=township).outcome == Outcome.AWARDED
    township.refresh_from_db()
    assert township.status == StageStatus.DONE
    with pytest.raises(ValidationError, match="already promoted"):
        ranking.stage_promote(actor=world.user("city_admin"), stage=township)


def test_a_rater_never_scores_a_household_she_nominated(world):
    campaign = h.campaign(world)
    stage = h.first_stage(campaign)
    own = h.enter(world, campaign, head="钟桃华")
    who = h.rater(world, name="周桂姣", username="zgj")
    Nomination.objects.filter(household=own.household).update(nominator_person=who)
    with pytest.raises(ValidationError, match="may not score"):
        h.assign(world, stage, own, who)
    outcome = scoring.raters_assign(actor=world.user("city_admin"), stage=stage, org=world.org("huilong"))
    assert outcome["assigned"] == 0
    assert outcome["short"][0][1] == 3


def test_a_second_sheet_and_a_stranger_are_refused(world):
    campaign = h.campaign(world)
    stage = h.first_stage(campaign)
    entry = h.enter(world, campaign)
    who = h.rater(world, username="zgj")
    assignment = h.assign(world, stage, entry, who)
    sheet = h.score(world, assignment)
    again, created = scoring.sheet_submit(
        actor=world.user("zgj"), assignment=assignment, values=h.values_for(campaign), client_key=sheet.client_key
    )
    assert again == sheet
    assert not created
    with pytest.raises(ValidationError, match="already submitted"):
        h.score(world, assignment)
    with pytest.raises(PermissionDenied):
        scoring.sheet_submit(actor=world.user("huilong_zhiwei"), assignment=assignment, values=h.values_for(campaign))
