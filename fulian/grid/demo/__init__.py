"""Demo step: the 包干 grid of the whole city, with real gaps to find.

County 执委 take the townships of their county (包乡镇), township 执委 the villages of their
township (包村), village 执委 the groups and households of their village (包组到户), in the
four modes (就近包保, 巡回服务, 驻点服务, 合力联动 with a named grid worker). About 95% of
households end up covered; the gaps are real: in 回龙村 the last group lost its 执委 two
months ago and one household was never taken, a few households here and there in other
villages have nobody, and a few villages (福寿湾村 of 新市镇 among them) have no township 执委.

``huilong_zhiwei`` (周桂姣, chair of 回龙村) answers for a group and five households of her
village: some with recent contacts, some not contacted for months, some never. A few other
执委 recorded contacts too, and some assignments ended or changed hands (history).

Written in bulk (``insert_many``), like the other demo steps, without an audit event per row:
the rows obey the rules ``fulian.grid.services`` enforces (its level, no overlap, 就近包保 one
to one, current posts), which ``fulian/grid/tests/test_demo.py`` checks on the loaded demo.
Deterministic (seeded, dates counted back from the day it is loaded); a second run finds the
grid loaded and changes nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from typing import TextIO

from django.utils import timezone

from fulian.core.ancestry import ANCESTRY_FIELDS, ancestries_of
from fulian.demo.generate import Generator
from fulian.grid import coverage
from fulian.grid.choices import Mode
from fulian.grid.demo.huilong import HUILONG, contacts_of_the_demo, huilong, zhiwei_of_huilong
from fulian.grid.demo.plan import Holder, Home, Plan, handed_over, partner_name, started, weighted
from fulian.grid.models import Assignment
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Post

SEED = 1111
# Villages no township 执委 answers for: one in 新市镇 (福寿湾村), and a few drawn elsewhere.
XINSHI = "430223123"
XINSHI_GAP = "430223123203"
OTHER_GAPS = 3
# Households left without anyone per village (weights): about one in twenty in all.
UNCOVERED_PER_VILLAGE = ((0, 50), (1, 25), (2, 13), (3, 7), (5, 5))
# Modes of a village 执委's households (weights); upper levels take fewer joint ones.
VILLAGE_MODES = ((Mode.NEARBY, 55), (Mode.CIRCUIT, 20), (Mode.STATIONED, 10), (Mode.JOINT, 15))
UPPER_MODES = ((Mode.NEARBY, 55), (Mode.CIRCUIT, 25), (Mode.STATIONED, 12), (Mode.JOINT, 8))
WHOLE_VILLAGE_SHARE = 0.05  # villages where one 执委 is stationed for the whole village
CHANGE_EVERY = 150  # one village in this many had a household change hands


def load(out: TextIO) -> None:
    """Plan the whole grid in memory (checking the services' rules as it goes), write it in bulk,
    record the contacts, then recount coverage once for the city."""
    if Assignment.objects.exists():
        out.write("Grid: already loaded.\n")
        return
    today = coverage.today()
    pick = random.Random(SEED)  # noqa: S311 - repeatable made-up data
    names = Generator(seed=SEED)
    orgs = list(
        Organisation.objects.filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP]).order_by(
            "path"
        )
    )
    ancestry = ancestries_of(orgs)
    children: dict[int, list[Organisation]] = defaultdict(list)
    for org in orgs:
        children[org.parent_id or 0].append(org)
    level_of = {org.pk: org.level for org in orgs}
    posts: dict[int, list[Holder]] = defaultdict(list)
    for row in (
        Post.objects.filter(
            end_date__isnull=True, org__level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE], start_date__lte=today
        )
        .order_by("org_id", "id")
        .values_list(
            "pk", "person_id", "org_id", "start_date", "person__name", "person__account_id", "village_id", "township_id"
        )
    ):
        posts[row[2]].append(Holder(*row))
    households: dict[int, list[Home]] = defaultdict(list)
    for pk, org_id, *ids in (
        Household.objects.filter(archived_at__isnull=True)
        .order_by("id")
        .values_list("pk", "org_id", *(f"{level}_id" for level in ANCESTRY_FIELDS))
    ):
        ancestry_ids = dict(zip(ANCESTRY_FIELDS, ids, strict=True))
        households[ancestry_ids["village"] or 0].append(
            Home(pk, org_id, ancestry_ids["group"], ancestry_ids["village"], ancestry_ids)
        )
    if not posts or not households:
        out.write("Grid: no executive members or households to assign.\n")
        return

    plan = Plan(today, level_of)
    villages = [o for o in orgs if o.level == Level.VILLAGE]
    gaps = _gap_villages(pick, villages)
    for county in (o for o in orgs if o.level == Level.COUNTY):
        _upper(plan, pick, names, posts[county.pk], children[county.pk], ancestry, skip=set())
        for township in children[county.pk]:
            if township.level == Level.TOWNSHIP:
                _upper(plan, pick, names, posts[township.pk], children[township.pk], ancestry, skip=gaps)
    zhou: Holder | None = None
    for index, village in enumerate(villages):
        members = posts[village.pk]
        if not members or not households[village.pk]:
            continue
        if village.code == HUILONG:
            zhou = zhiwei_of_huilong(members)
            huilong(plan, names, village, members, zhou, children[village.pk], households[village.pk])
        else:
            _village(
                plan, pick, names, village, members, households[village.pk], ancestry, change=index % CHANGE_EVERY == 0
            )
    plan.write()
    xinshi = next((o.pk for o in orgs if o.code == XINSHI), None)
    contacts = contacts_of_the_demo(plan, pick, zhou, xinshi, posts, households)
    _backdate_households(today)
    coverage.refresh_all(on=today)
    whole = Household.objects.filter(archived_at__isnull=True)
    covered = whole.filter(covered=True).count()
    total = whole.count()
    out.write(
        f"Grid: {len(plan.rows)} assignments ({sum(1 for r in plan.rows if r['end_date'])} ended), "
        f"{contacts} contacts; {covered} of {total} households covered ({covered / total:.1%}); "
        f"{len(gaps)} villages without a township executive member.\n"
    )


def _gap_villages(pick: random.Random, villages: list[Organisation]) -> set[int]:
    gaps = {v.pk for v in villages if v.code == XINSHI_GAP}
    elsewhere = [v for v in villages if not v.path.startswith(f"/430200/430223/{XINSHI}/") and v.code != HUILONG]
    gaps.update(v.pk for v in pick.sample(elsewhere, min(OTHER_GAPS, len(elsewhere))))
    return gaps


def _upper(
    plan: Plan,
    pick: random.Random,
    names: Generator,
    members: list[Holder],
    areas: list[Organisation],
    ancestry: dict[int, dict[str, int | None]],
    *,
    skip: set[int],
) -> None:
    """A county's 执委 take its townships, or a township's its villages: one each, some a second
    on circuit (many to one), a circuit 执委 a neighbouring area too (one to many)."""
    areas = [a for a in areas if a.level in (Level.TOWNSHIP, Level.VILLAGE) and a.pk not in skip]
    if not members or not areas:
        return
    offset = pick.randrange(len(members))
    for i, area in enumerate(areas):
        post = members[(offset + i) % len(members)]
        mode = weighted(pick, UPPER_MODES)
        if plan.busy(post, "org", area.pk):
            continue
        start = started(pick, plan.today)
        partner = partner_name(names) if mode == Mode.JOINT else ""
        plan.add(post, org=area, mode=mode, start=start, partner=partner, ancestry=ancestry[area.pk])
        if mode == Mode.CIRCUIT and len(areas) > 1:
            neighbour = areas[(i + 1) % len(areas)]
            if not plan.busy(post, "org", neighbour.pk):
                plan.add(post, org=neighbour, mode=Mode.CIRCUIT, start=start, ancestry=ancestry[neighbour.pk])
        if i % 3 == 2 and len(members) > len(areas):
            second = members[(offset + i + len(areas)) % len(members)]
            if second.person_id != post.person_id and not plan.busy(second, "org", area.pk):
                plan.add(second, org=area, mode=Mode.CIRCUIT, start=start, ancestry=ancestry[area.pk])


def _village(
    plan: Plan,
    pick: random.Random,
    names: Generator,
    village: Organisation,
    members: list[Holder],
    households: list[Home],
    ancestry: dict[int, dict[str, int | None]],
    *,
    change: bool,
) -> None:
    """A village's 执委 share its households, a few neighbouring ones each (包片到户), leaving
    the drawn number of households without anyone; in a few villages one 执委 is stationed for
    the whole village instead."""
    if pick.random() < WHOLE_VILLAGE_SHARE:
        post = pick.choice(members)
        joint = pick.random() < 0.5
        plan.add(
            post,
            org=village,
            mode=Mode.JOINT if joint else Mode.STATIONED,
            start=started(pick, plan.today),
            partner=partner_name(names) if joint else "",
            note="驻村妇女之家" if not joint else "",
            ancestry=ancestry[village.pk],
        )
        return
    uncovered = set(pick.sample(range(len(households)), min(len(households), weighted(pick, UNCOVERED_PER_VILLAGE))))
    covered = [h for i, h in enumerate(households) if i not in uncovered]
    takers = members[:]
    pick.shuffle(takers)
    at, turn = 0, 0
    while at < len(covered):
        size = pick.randint(2, 5)
        post = takers[turn % len(takers)]
        turn += 1
        mode = weighted(pick, VILLAGE_MODES)
        start = started(pick, plan.today)
        partner = partner_name(names) if mode == Mode.JOINT else ""
        chunk = covered[at : at + size]
        at += size
        for household in chunk:
            if plan.busy(post, "household", household.pk):
                continue
            if change and household is chunk[0] and len(takers) > 1:
                handed_over(plan, post, takers[turn % len(takers)], household, mode, start, partner)
                continue
            plan.add(post, household=household, mode=mode, start=start, partner=partner)
        if mode == Mode.CIRCUIT and len(takers) > 1 and pick.random() < 0.3:
            # Many to one: a second 执委 on circuit looks in on the first household too.
            other = takers[turn % len(takers)]
            if other.person_id != post.person_id and not plan.busy(other, "household", chunk[0].pk):
                plan.add(other, household=chunk[0], mode=Mode.CIRCUIT, start=start)


def _backdate_households(today: datetime.date) -> None:
    """The demo's households were registered before the grid began (some 800 days ago), so that
    coverage as of a past date has households to count."""
    registered = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=800), datetime.time(9)))
    Household.objects.filter(created_at__gt=registered).update(created_at=registered)
