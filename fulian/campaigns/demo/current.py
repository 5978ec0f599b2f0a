"""This year's 最美庭院 round of 株洲市, under way: its village stage is being scored.

In 新市镇 (攸县): nominations from the public page (with phones; one 自荐), one naming a
household already nominated (waiting, for staff to merge it), one rejected with its reason, one
still to screen, the others accepted, and the federation's own. 回龙村's households are assigned
to raters among its 执委 — ``huilong_zhiwei`` (周桂姣) on five of them — and some sheets are
scored with photos (drawn per household) while others are missing, so 周桂姣's list has both.
The other villages' entries have no raters yet (for staff to assign).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from fulian.campaigns.choices import CampaignKind, NominationSource
from fulian.campaigns.demo.common import CITY, city_rubric, sheet_values, user
from fulian.campaigns.demo.pictures import courtyard_upload
from fulian.campaigns.models import Campaign, Entry, Nomination, RaterAssignment
from fulian.campaigns.services import nominations, scoring, setup
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

SEED = 2026
HUILONG = "430223123215"
# Other villages of 新市镇 with nominations: 新市村, 大桥头村, 山门村.
XINSHI_VILLAGES = ["430223123212", "430223123202", "430223123206"]
HUILONG_ENTRIES = 8
ZHOU_ENTRIES = 5  # of which she has scored ZHOU_SCORED
ZHOU_SCORED = 3
RATERS = 3
# Made-up phones of nominators from the public page.
PHONES = ["13973310101", "13973310102", "13973310103", "13973310104", "13973310105", "13973310106"]
# Near 回龙村 (攸县新市镇), where the raters' phones say they scored.
LATITUDE, LONGITUDE = 27.02, 113.47


def load() -> str:
    city = Organisation.objects.get(code=CITY)
    today = timezone.localdate()
    if Campaign.objects.filter(org=city, year=today.year, kind=CampaignKind.COURTYARD).exists():
        return "Campaigns: this year's round is already loaded.\n"
    admin, staff = user("city_admin"), user("xinshi_staff")
    pick = random.Random(SEED)  # noqa: S311 - repeatable made-up data
    campaign = setup.campaign_create(
        actor=admin,
        org=city,
        kind=CampaignKind.COURTYARD,
        name="最美庭院",
        year=today.year,
        rubric=city_rubric(admin, city),
        stages=[
            setup.StageSpec(level=level, deadline=today + datetime.timedelta(weeks=weeks), raters=RATERS, quota_count=q)
            for level, weeks, q in (
                (Level.VILLAGE, 3, 2),
                (Level.TOWNSHIP, 7, 2),
                (Level.COUNTY, 11, 1),
                (Level.CITY, 15, 10),
            )
        ],
        description=f"{today.year}年株洲市“最美庭院”创建评选：群众举荐、自荐和妇联推荐，村级初评起逐级评选。",
        nominations_until=today + datetime.timedelta(weeks=2),
        award_title=f"{today.year}年度株洲市“最美庭院”",
    )
    campaign = setup.campaign_open(actor=admin, campaign=campaign)
    huilong = Organisation.objects.get(code=HUILONG)
    homes = list(Household.objects.filter(village=huilong, archived_at__isnull=True).order_by("pk")[:HUILONG_ENTRIES])
    made = _nominations(campaign, staff, huilong, homes)
    stage = setup.stages_of(campaign)[0]
    assigned = _assign(staff, stage, huilong)
    sheets = _score(campaign, staff, assigned, pick)
    return (
        f"Campaigns: this year's round, {made} nominations in 新市镇, "
        f"{Entry.objects.filter(campaign=campaign).count()} households entered, "
        f"{len(assigned)} rater assignments in 回龙村, {sheets} sheets scored.\n"
    )


def _nominations(campaign: Campaign, staff: Any, huilong: Organisation, homes: list[Household]) -> int:
    """The federation nominates six of 回龙村's households and two in each other village; the
    public page brings the rest."""
    federation, by_public = homes[:-2], homes[-2:]
    for household in federation:
        nominations.nomination_create(
            actor=staff, campaign=campaign, household=household, reason="村妇联推荐：庭院整洁，家庭和睦。"
        )
    others = {v.code: v for v in Organisation.objects.filter(code__in=XINSHI_VILLAGES)}
    for code in XINSHI_VILLAGES:
        village = others.get(code)
        if village is None:
            continue
        for household in Household.objects.filter(village=village, archived_at__isnull=True).order_by("pk")[:2]:
            nominations.nomination_create(actor=staff, campaign=campaign, household=household, reason="乡镇妇联推荐。")
    phones = iter(PHONES)
    # 群众举荐 and 自荐 of two 回龙村 households: accepted by the township's staff.
    public = [
        (
            by_public[0],
            NominationSource.PUBLIC,
            "邻居",
            "她家房前屋后种满了花，每天打扫得干干净净，还常帮邻居照看老人。",
        ),
        (by_public[1], NominationSource.SELF, "", "我家坚持垃圾分类，去年改了厕所，院子里种了菜和花，想参加评选。"),
    ]
    for household, source, nominator, reason in public:
        made = nominations.nomination_public(
            campaign=campaign,
            village=huilong,
            name=household.head_name,
            reason=reason,
            phone=next(phones),
            nominator=nominator or household.head_name,
            source=source,
        )
        nominations.nomination_accept(actor=staff, nomination=made, household=household)
    # The same household as one the federation nominated: waiting, for staff to merge.
    nominations.nomination_public(
        campaign=campaign,
        village=huilong,
        name=federation[0].head_name,
        reason="这家人孝老爱亲，院子收拾得很整齐，推荐参评。",
        phone=next(phones),
        nominator="同组村民",
    )
    # A name the registry of 回龙村 does not hold: rejected with the reason.
    rejected = nominations.nomination_public(
        campaign=campaign,
        village=huilong,
        name="刘小芳",
        reason="她家新房刚装修好，很漂亮。",
        phone=next(phones),
        nominator="刘小芳的表姐",
    )
    nominations.nomination_reject(
        actor=staff,
        nomination=rejected,
        reason="经村妇联核实，刘小芳户户籍不在回龙村（已迁往县城），不在本次评选范围。",
    )
    # A nomination in 新市村 from the public page, still to screen.
    xinshi = others.get(XINSHI_VILLAGES[0])
    if xinshi is not None:
        waiting = Household.objects.filter(village=xinshi, archived_at__isnull=True).order_by("pk")[2:3].first()
        if waiting is not None:
            nominations.nomination_public(
                campaign=campaign,
                village=xinshi,
                name=waiting.head_name,
                reason="家里干净整洁，婆媳和睦，是组里公认的好家庭。",
                phone=next(phones),
                nominator="组长",
            )
    return Nomination.objects.filter(campaign=campaign).count()


def _assign(staff: Any, stage: Any, huilong: Organisation) -> list[RaterAssignment]:
    """Three raters per 回龙村 household among its 执委: 周桂姣 on the first five, the others in turn."""
    posts = Post.objects.current().filter(org=huilong).select_related("person").order_by("pk")
    members = [p.person for p in posts if p.person.archived_at is None]
    zhou = Person.objects.filter(account__username="huilong_zhiwei").first()
    others = [m for m in members if zhou is None or m.pk != zhou.pk]
    made: list[RaterAssignment] = []
    turn = 0
    entries = Entry.objects.filter(stage=stage, village=huilong).select_related("household").order_by("pk")
    for n, entry in enumerate(entries):
        chosen = [zhou] if zhou is not None and n < ZHOU_ENTRIES else []
        while len(chosen) < RATERS and others:
            chosen.append(others[turn % len(others)])
            turn += 1
        for person in chosen:
            try:
                made.append(scoring.rater_assign(actor=staff, stage=stage, entry=entry, person=person))
            except ValidationError:  # an interest in the household: she is skipped
                continue
    return made


def _score(campaign: Campaign, staff: Any, assigned: list[RaterAssignment], pick: random.Random) -> int:
    """周桂姣 scored three of her five households on her phone (two photos each); the other raters
    about half of theirs (one photo each, entered by the township's staff)."""
    zhou_user = user("huilong_zhiwei")
    now = timezone.now()
    quality: dict[int, float] = {}
    scored = 0
    zhou_done = 0
    for n, assignment in enumerate(assigned):
        household_id = assignment.entry.household_id
        quality.setdefault(household_id, pick.uniform(0.65, 0.95))
        is_zhou = assignment.person.account_id == zhou_user.pk
        if is_zhou:
            if zhou_done >= ZHOU_SCORED:
                continue
            zhou_done += 1
        elif n % 2:
            continue
        items = list(campaign.rubric.items.all())
        photo_count = 2 if is_zhou else 1
        photos = [
            (items[4].pk if k else None, courtyard_upload(assignment.pk * 10 + k, f"courtyard-{household_id}-{k}"))
            for k in range(photo_count)
        ]
        scoring.sheet_submit(
            actor=zhou_user if is_zhou else staff,
            assignment=assignment,
            values=sheet_values(campaign.rubric, quality[household_id], pick),
            scored_at=now - datetime.timedelta(days=pick.randint(1, 6), hours=pick.randint(0, 8)),
            comment="院子干净，花草打理得好。" if is_zhou else "纸质评分表录入。",
            latitude=f"{LATITUDE + pick.uniform(-0.01, 0.01):.6f}" if is_zhou else None,
            longitude=f"{LONGITUDE + pick.uniform(-0.01, 0.01):.6f}" if is_zhou else None,
            photos=photos,
        )
        scored += 1
    return scored
