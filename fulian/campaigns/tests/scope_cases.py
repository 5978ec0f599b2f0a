"""Campaign records of 炎陵县 (a campaign of the county, a household of 霞阳镇 蔬菜村): 新市镇's
staff must never see them. Each part of the campaign pages and the API adds its routes in its
own ``scope_<part>.py``; the records are made here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fulian.campaigns.choices import ConflictReason, FlagKind
from fulian.campaigns.models import (
    Award,
    Campaign,
    Conflict,
    Entry,
    Flag,
    Nomination,
    Objection,
    Publicity,
    RaterAssignment,
    Result,
    Rubric,
    ScoreSheet,
    Stage,
)
from fulian.campaigns.services import nominations, publicity, ranking
from fulian.campaigns.tests import helpers as h
from fulian.testing.scope import ScopeCase

OUTSIDER = "xinshi_staff"
INSIDER = "yanling_admin"


def make_campaign(world: Any, **kwargs: Any) -> Campaign:
    return h.campaign(world, "yanling", ("village", "township"), raters=1, **kwargs)


def make_rubric(world: Any) -> Rubric:
    return h.rubric(world, "yanling")


def make_nomination(world: Any) -> Nomination:
    return nominations.nomination_public(
        campaign=make_campaign(world),
        village=world.org("shucai"),
        name="钟桃华",
        reason="庭院整洁，种满花草",
        phone="13800138000",
    )


def make_entry(world: Any, campaign: Campaign | None = None) -> Entry:
    return h.enter(world, campaign or make_campaign(world), "shucai", "钟桃华")


def make_result(world: Any) -> Result:
    return make_entry(world).results.get()


def make_rater_assignment(world: Any, campaign: Campaign | None = None) -> RaterAssignment:
    entry = make_entry(world, campaign)
    who = h.rater(world, "shucai", "钟桂兰", username="zhong_guilan")
    return h.assign(world, entry.stage, entry, who)


def make_sheet(world: Any, campaign: Campaign | None = None) -> ScoreSheet:
    return h.score(world, make_rater_assignment(world, campaign), Decimal("0.9"))


def make_conflict(world: Any) -> Conflict:
    who = h.rater(world, "shucai", "钟桂兰")
    household = h.household(world, "shucai", "钟建华")
    conflict = Conflict(person=who, household=household, reason=ConflictReason.RELATIVE, note="亲戚")
    conflict.place(household.org, household.ancestry)
    conflict.save()
    return conflict


def make_flag(world: Any) -> Flag:
    entry = make_entry(world)
    flag = Flag(stage=entry.stage, kind=FlagKind.AGREEMENT, entry=entry, measure=Decimal("25"))
    flag.place(entry.org, entry.ancestry)
    flag.save()
    return flag


def make_ranked_stage(world: Any) -> Stage:
    """A township stage ranked, its list not yet published (the household promoted from its
    village)."""
    campaign = make_campaign(world, publicity_days=5)
    sheet = make_sheet(world, campaign)
    actor = world.user("city_admin")
    ranking.stage_rank(actor=actor, stage=sheet.stage)
    ranking.stage_promote(actor=actor, stage=sheet.stage)
    township = campaign.stages.get(level="township")
    entry = Entry.objects.get(pk=sheet.entry_id)
    who = h.rater(world, "xiayang", "钟秀兰", username="zhong_xiulan")
    h.score(world, h.assign(world, township, entry, who), Decimal("0.9"))
    ranking.stage_rank(actor=actor, stage=township)
    return township


def make_publicity(world: Any) -> Publicity:
    """A township stage ranked and published."""
    return publicity.publicity_open(actor=world.user("city_admin"), stage=make_ranked_stage(world))


def make_objection(world: Any) -> Objection:
    notice = make_publicity(world)
    entry = Result.objects.get(stage=notice.stage, proposed=True).entry
    return publicity.objection_lodge(publicity=notice, entry=entry, reason="门前堆放杂物", phone="13800138001")


def make_award(world: Any) -> Award:
    """A one-stage campaign of the county: its village winner is awarded."""
    campaign = h.campaign(world, "yanling", ("village",), raters=1)
    sheet = make_sheet(world, campaign)
    actor = world.user("city_admin")
    ranking.stage_rank(actor=actor, stage=sheet.stage)
    ranking.stage_promote(actor=actor, stage=sheet.stage)
    return Award.objects.get(entry_id=sheet.entry_id)


def _case(model: Any, make: Any, **routes: Any) -> ScopeCase:
    return ScopeCase(model=model, make=make, outsider=OUTSIDER, insider=INSIDER, **routes)


CASES = [
    _case(Campaign, make_campaign),
    _case(Rubric, make_rubric),
    _case(Nomination, make_nomination),
    _case(Entry, make_entry),
    _case(Result, make_result),
    _case(RaterAssignment, make_rater_assignment),
    _case(ScoreSheet, make_sheet),
    _case(Conflict, make_conflict),
    _case(Flag, make_flag),
    _case(Publicity, make_publicity),
    _case(Objection, make_objection),
    _case(Award, make_award),
]

# Each part's routes (pages and API), in its own module, so that parts are written apart.
for _part in ("setup", "nominations", "rater", "review", "progress", "api", "printing"):
    try:
        _module = __import__(f"fulian.campaigns.tests.scope_{_part}", fromlist=["CASES"])
    except ModuleNotFoundError:
        continue
    CASES.extend(_module.CASES)
