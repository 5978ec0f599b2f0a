"""Two people at once: two reviewers promoting the same stage, a phone sending the same sheet
twice in parallel. Nothing is counted twice."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from fulian.campaigns.models import Award, Result, ScoreSheet
from fulian.campaigns.services import ranking, scoring
from fulian.campaigns.tests import helpers as h
from fulian.testing.world import World

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")


def _twice(call: Callable[[], Any]) -> list[Any]:
    """Run ``call`` in two threads released together; each returns its result or its error."""
    start = threading.Barrier(2, timeout=10)

    def run(_n: int) -> Any:
        translation.activate("en")  # a thread starts without the test's language
        try:
            start.wait()
            return call()
        except ValidationError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, range(2)))


def test_two_reviewers_promoting_the_same_stage_promote_it_once(live_world: World) -> None:
    world = live_world
    campaign = h.campaign(world, levels=("village", "township"), raters=1, quota=1)
    stage = h.first_stage(campaign)
    who = h.rater(world)
    for head, fraction in (("甲", "0.9"), ("乙", "0.7")):
        h.score(world, h.assign(world, stage, h.enter(world, campaign, head=head), who), Decimal(fraction))
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    outcomes = _twice(lambda: ranking.stage_promote(actor=world.user("city_admin"), stage=stage))
    assert sorted(type(o).__name__ for o in outcomes) == ["ValidationError", "dict"]
    assert "already promoted" in str(next(o for o in outcomes if isinstance(o, ValidationError)))
    township = campaign.stages.get(level="township")
    assert Result.objects.filter(stage=township).count() == 1


def test_two_reviewers_awarding_at_once_issue_each_award_once(live_world: World) -> None:
    world = live_world
    campaign = h.campaign(world, levels=("village",), raters=1, quota=1)
    stage = h.first_stage(campaign)
    who = h.rater(world)
    h.score(world, h.assign(world, stage, h.enter(world, campaign, head="甲"), who))
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    _twice(lambda: ranking.stage_promote(actor=world.user("city_admin"), stage=stage))
    assert Award.objects.filter(campaign=campaign).count() == 1


def test_the_same_sheet_sent_twice_at_once_is_stored_once(live_world: World) -> None:
    world = live_world
    campaign = h.campaign(world)
    stage = h.first_stage(campaign)
    who = h.rater(world, username="zgj")
    assignment = h.assign(world, stage, h.enter(world, campaign), who)
    key = uuid.uuid4()
    values = h.values_for(campaign)

    def send() -> Any:
        return scoring.sheet_submit(actor=world.user("zgj"), assignment=assignment, values=values, client_key=key)

    outcomes = _twice(send)
    assert ScoreSheet.objects.filter(assignment=assignment).count() == 1
    stored = ScoreSheet.objects.get(assignment=assignment)
    assert sorted(created for _sheet, created in outcomes) == [False, True]
    assert {sheet.pk for sheet, _created in outcomes} == {stored.pk}


def test_two_different_sheets_for_one_household_at_once_store_one(live_world: World) -> None:
    world = live_world
    campaign = h.campaign(world)
    stage = h.first_stage(campaign)
    who = h.rater(world, username="zgj")
    assignment = h.assign(world, stage, h.enter(world, campaign), who)

    def send() -> Any:
        return scoring.sheet_submit(actor=world.user("zgj"), assignment=assignment, values=h.values_for(campaign))

    outcomes = _twice(send)
    assert ScoreSheet.objects.filter(assignment=assignment).count() == 1
    assert any(isinstance(o, ValidationError) and "already submitted" in str(o) for o in outcomes)
