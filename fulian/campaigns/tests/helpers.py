"""Records for the campaign tests, written through the services (as a city administrator)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant
from fulian.campaigns.choices import CampaignKind
from fulian.campaigns.models import Campaign, Entry, RaterAssignment, Rubric, ScoreSheet, Stage
from fulian.campaigns.services import nominations, scoring, setup
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.people.tests.helpers import person, post
from fulian.testing.world import World

YEAR = datetime.date.today().year
DEADLINES = {
    "village": datetime.date(YEAR, 12, 31),
    "township": datetime.date(YEAR, 12, 31),
    "county": datetime.date(YEAR, 12, 31),
    "city": datetime.date(YEAR, 12, 31),
}


# One item of 100 points and a veto: a sheet's score is exactly the fraction given (ranking tests).
SIMPLE = [
    {"name": "总体印象", "items": [{"name": "整洁美观", "kind": "points", "max_points": "100"}]},
    {"name": "一票否决", "items": [{"name": "违法犯罪", "kind": "veto"}]},
]


def rubric(world: World, org: str = "city", template: str = "courtyard") -> Rubric:
    if template == "simple":
        return setup.rubric_create(actor=world.user("city_admin"), org=world.org(org), name="简表", sections=SIMPLE)
    return setup.rubric_create(actor=world.user("city_admin"), org=world.org(org), name="", template=template)


def campaign(
    world: World,
    org: str = "city",
    levels: tuple[str, ...] = ("village", "township"),
    *,
    raters: int = 3,
    quota: int = 1,
    publicity_days: int = 0,
    open_: bool = True,
    template: str = "courtyard",
    **kwargs: Any,
) -> Campaign:
    """A 最美庭院 campaign of ``org`` with the shipped rubric, opened (its first stage scored)."""
    stages = [
        setup.StageSpec(
            level=level,
            deadline=DEADLINES[level],
            raters=raters,
            quota_count=quota,
            publicity_days=publicity_days if n == len(levels) - 1 else 0,
        )
        for n, level in enumerate(levels)
    ]
    made = setup.campaign_create(
        actor=world.user("city_admin"),
        org=world.org(org),
        kind=CampaignKind.COURTYARD,
        name="最美庭院",
        year=YEAR,
        rubric=rubric(world, org, template),
        stages=stages,
        **kwargs,
    )
    if open_:
        made = setup.campaign_open(actor=world.user("city_admin"), campaign=made)
    return made


def first_stage(campaign_: Campaign) -> Stage:
    return campaign_.stages.order_by("order").first()  # type: ignore[return-value]


def enter(world: World, campaign_: Campaign, org: str = "huilong", head: str = "钟桃华", **values: Any) -> Entry:
    """A household of ``org`` nominated by the federation (so entered at once)."""
    made = household(world, org, head, **values)
    nomination = nominations.nomination_create(actor=world.user("city_admin"), campaign=campaign_, household=made)
    return Entry.objects.get(nomination=nomination)


def rater(world: World, org: str = "huilong", name: str = "周桂姣", username: str | None = None) -> Person:
    """A 执委 of ``org`` with a current post there and, with ``username``, an account (role
    member at ``org``) to score on her phone."""
    who = person(world, org, name)
    post(world, who, org)
    if username:
        user = get_user_model().objects.create_user(username=username, password="Test-Passw0rd!", org=world.org(org))
        RoleGrant.objects.create(user=user, org=world.org(org), role=Role.MEMBER)
        who.account = user
        who.save()
    return who


def assign(world: World, stage: Stage, entry: Entry, who: Person) -> RaterAssignment:
    return scoring.rater_assign(actor=world.user("city_admin"), stage=stage, entry=entry, person=who)


def values_for(campaign_: Campaign, fraction: Decimal = Decimal(1), *, veto: bool = False) -> dict[str, Any]:
    """A complete sheet scoring every points item at ``fraction`` of its maximum (in half points)
    and finding no fault on deduction items."""
    values: dict[str, Any] = {}
    for item in campaign_.rubric.items.all():
        if item.kind == "points":
            values[str(item.pk)] = {"v": str((item.max_points * fraction * 2).quantize(Decimal(1)) / 2)}
        elif item.kind == "deduction":
            values[str(item.pk)] = {"faults": 0}
        else:
            values[str(item.pk)] = {"hit": veto}
    return values


def score(world: World, assignment: RaterAssignment, fraction: Decimal = Decimal(1), **kwargs: Any) -> ScoreSheet:
    actor = assignment.person.account or world.user("city_admin")
    sheet, _created = scoring.sheet_submit(
        actor=actor, assignment=assignment, values=values_for(assignment.stage.campaign, fraction), **kwargs
    )
    return sheet


__all__ = ["Household", "household"]
