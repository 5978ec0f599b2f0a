"""The finished 2019 round: 株洲市's city-wide 最美庭院, won (among others) by 钟桃华's household of
炎陵县霞阳镇蔬菜村, the seed story.

Run through the services as the federation ran it: nominations by the federation, raters
assigned at each level, sheets submitted on the raters' behalf, each stage ranked and promoted,
the city list published (公示) and the awards issued with their certificate numbers. Where a
service takes "today" (a sheet after the deadline is refused, a 公示 starts today at the
earliest) the round is run now and its rows are dated back to 2019 afterwards.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fulian.campaigns.choices import CampaignKind
from fulian.campaigns.demo.common import CITY, city_rubric, sheet_values, user
from fulian.campaigns.holidays import add_working_days
from fulian.campaigns.models import (
    Award,
    Campaign,
    Entry,
    Nomination,
    Publicity,
    RaterAssignment,
    Rubric,
    ScoreSheet,
    Stage,
)
from fulian.campaigns.services import nominations, publicity, ranking, scoring, setup
from fulian.households import services as households
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person

YEAR = 2019
SEED = 2019
SHUCAI = "430225100215"  # 炎陵县霞阳镇蔬菜村, 钟桃华's village
SEED_HEAD = "钟桃华"
# The villages of the round: two in 炎陵县霞阳镇, two in 攸县新市镇, and the first village of 茶陵县.
VILLAGES = ["430225100215", "430225100202", "430223123215", "430223123212"]
THIRD_COUNTY = "430224"
PER_VILLAGE = 3
# level, deadline, quota; the city list is published for five working days.
STAGES = [
    (Level.VILLAGE, datetime.date(YEAR, 6, 28), 1),
    (Level.TOWNSHIP, datetime.date(YEAR, 8, 30), 1),
    (Level.COUNTY, datetime.date(YEAR, 10, 18), 1),
    (Level.CITY, datetime.date(YEAR, 11, 29), 2),
]
PUBLICITY_DAYS = 5
PUBLISHED_ON = datetime.date(YEAR, 12, 2)
ISSUED_ON = datetime.date(YEAR, 12, 16)
NOMINATED_ON = datetime.date(YEAR, 4, 15)
OPENED_ON = datetime.date(YEAR, 3, 8)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load() -> str:
    city = Organisation.objects.get(code=CITY)
    if Campaign.objects.filter(org=city, year=YEAR, kind=CampaignKind.COURTYARD).exists():
        return "Campaigns: the 2019 round is already loaded.\n"
    admin = user("city_admin")
    pick = random.Random(SEED)  # noqa: S311 - repeatable made-up data
    rubric = city_rubric(admin, city)
    campaign = setup.campaign_create(
        actor=admin,
        org=city,
        kind=CampaignKind.COURTYARD,
        name="最美庭院",
        year=YEAR,
        rubric=rubric,
        stages=[
            setup.StageSpec(
                level=level,
                deadline=deadline,
                raters=3,
                quota_count=quota,
                publicity_days=PUBLICITY_DAYS if level == Level.CITY else 0,
            )
            for level, deadline, quota in STAGES
        ],
        description="2019年株洲市“最美庭院”创建评选活动：村级初评、乡镇复评、县级推荐、市级评审。",
        nominations_open=False,
        award_title="2019年度株洲市“最美庭院”",
    )
    campaign = setup.campaign_open(actor=admin, campaign=campaign)
    quality = _nominate(admin, campaign, pick)
    for stage in setup.stages_of(campaign):
        _run_stage(admin, campaign, stage, quality, pick)
    _date_back(campaign, rubric)
    awards = Award.objects.filter(campaign=campaign)
    seed = awards.filter(household__head_name=SEED_HEAD).first()
    return (
        f"Campaigns: the 2019 round, {Entry.objects.filter(campaign=campaign).count()} households, "
        f"{ScoreSheet.objects.filter(stage__campaign=campaign).count()} sheets, {awards.count()} awards "
        f"({SEED_HEAD}: {seed.certificate_no if seed else 'none'}).\n"
    )


def seed_household(actor: Any) -> Household:
    """钟桃华's household in 蔬菜村: found, or else the village's first household of the registry
    becomes hers (the household demo draws its heads' names at random; the registry keeps its
    size), with her own ID number and phone, so that she is never a rater of it."""
    village = Organisation.objects.get(code=SHUCAI)
    found = Household.objects.filter(head_name=SEED_HEAD, village=village, archived_at__isnull=True).first()
    if found is not None:
        return found
    person = Person.objects.filter(name=SEED_HEAD, org=village).first()
    values: dict[str, Any] = {"head_name": SEED_HEAD, "address": "蔬菜村3组18号"}
    if person is not None:
        values.update(id_number=person.id_number, mobile=person.mobile)
    first = Household.objects.filter(village=village, archived_at__isnull=True).order_by("pk").first()
    if first is None:
        return households.household_create(actor=actor, org=village, values=values)
    return households.household_update(actor=actor, household=first, values=values)


def _villages() -> list[Organisation]:
    codes = list(VILLAGES)
    third = (
        Organisation.objects.filter(level=Level.VILLAGE, path__startswith=f"/{CITY}/{THIRD_COUNTY}/")
        .filter(pk__in=Household.objects.values("village_id"))
        .order_by("path")
        .first()
    )
    if third is not None:
        codes.append(third.code)
    return list(Organisation.objects.filter(code__in=codes).order_by("path"))


def _nominate(admin: Any, campaign: Campaign, pick: random.Random) -> dict[int, float]:
    """The federation's nominations: 钟桃华's household and a few of each village. Returns each
    household's made-up quality (钟桃华's the best)."""
    quality: dict[int, float] = {}
    seed = seed_household(admin)
    for village in _villages():
        chosen = [seed] if village.code == SHUCAI else []
        others = Household.objects.filter(village=village, archived_at__isnull=True).exclude(pk=seed.pk)
        chosen += list(others.order_by("pk")[: PER_VILLAGE - len(chosen)])
        for household in chosen:
            nominations.nomination_create(
                actor=admin,
                campaign=campaign,
                household=household,
                reason="庭院整洁美观，家风和睦，村妇联推荐。",
            )
            quality[household.pk] = 0.96 if household.pk == seed.pk else pick.uniform(0.62, 0.9)
    return quality


def _run_stage(admin: Any, campaign: Campaign, stage: Stage, quality: dict[int, float], pick: random.Random) -> None:
    """Raters assigned per organisation of the stage's level, their sheets, the ranking and the
    promotion (the city stage: 公示 first, then the awards)."""
    deadline = stage.deadline
    # sheet_submit refuses a sheet after the deadline: score "now", date the sheets back below.
    Stage.objects.filter(pk=stage.pk).update(deadline=timezone.localdate())
    column = stage.level_column
    org_ids = set(Entry.objects.filter(stage=stage, status="active").values_list(column, flat=True))
    for org in Organisation.objects.filter(pk__in=org_ids).order_by("path"):
        scoring.raters_assign(actor=admin, stage=stage, org=org)
    scored_on = deadline - datetime.timedelta(days=12)
    for assignment in RaterAssignment.objects.filter(stage=stage).select_related("entry").order_by("pk"):
        day = scored_on + datetime.timedelta(days=pick.randint(0, 9))
        scoring.sheet_submit(
            actor=admin,
            assignment=assignment,
            values=sheet_values(campaign.rubric, quality[assignment.entry.household_id], pick),
            scored_at=_at(day, pick.randint(9, 17)),
            comment="现场查看，纸质评分表录入。",
        )
    Stage.objects.filter(pk=stage.pk).update(deadline=deadline)
    ScoreSheet.objects.filter(stage=stage).update(submitted_at=_at(deadline, 18))
    RaterAssignment.objects.filter(stage=stage).update(created_at=_at(scored_on - datetime.timedelta(days=7)))
    stage.refresh_from_db()
    ranking.stage_rank(actor=admin, stage=stage)
    if stage.publicity_days:
        notice = publicity.publicity_open(
            actor=admin,
            stage=stage,
            notice="经村级初评、乡镇复评、县级推荐、市级评审，拟评定以下家庭为2019年度株洲市“最美庭院”，现予公示。",
            contact="株洲市妇联家庭和儿童工作部 0731-28680000",
        )
        Publicity.objects.filter(pk=notice.pk).update(
            starts_on=PUBLISHED_ON,
            ends_on=add_working_days(PUBLISHED_ON, stage.publicity_days),
            published_at=_at(PUBLISHED_ON, 9),
            closed_at=_at(add_working_days(PUBLISHED_ON, stage.publicity_days), 18),
        )
        stage.refresh_from_db()
        ranking.stage_promote(actor=admin, stage=stage, issued_on=ISSUED_ON)
        done = ISSUED_ON
    else:
        ranking.stage_promote(actor=admin, stage=stage)
        done = deadline + datetime.timedelta(days=5)
    Stage.objects.filter(pk=stage.pk).update(ranked_at=_at(deadline + datetime.timedelta(days=2)), done_at=_at(done))


def _date_back(campaign: Campaign, rubric: Rubric) -> None:
    """The round's own dates in 2019 (the services stamp them with the time they ran)."""
    Campaign.objects.filter(pk=campaign.pk).update(created_at=_at(OPENED_ON), updated_at=_at(ISSUED_ON))
    Nomination.objects.filter(campaign=campaign).update(created_at=_at(NOMINATED_ON), screened_at=_at(NOMINATED_ON))
    Entry.objects.filter(campaign=campaign).update(created_at=_at(NOMINATED_ON))
    Award.objects.filter(campaign=campaign).update(created_at=_at(ISSUED_ON))
    Rubric.objects.filter(Q(pk=rubric.pk), Q(frozen_at__isnull=True) | Q(frozen_at__gt=_at(OPENED_ON))).update(
        created_at=_at(OPENED_ON - datetime.timedelta(days=20)),
        frozen_at=_at(STAGES[0][1] - datetime.timedelta(days=12)),
    )
