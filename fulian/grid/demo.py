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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from fulian.accounts.models import User
from fulian.core.ancestry import ANCESTRY_FIELDS, ancestries_of
from fulian.core.bulk import insert_many, insert_values
from fulian.demo.generate import Generator
from fulian.grid import coverage
from fulian.grid.choices import ContactMode, Mode
from fulian.grid.models import Assignment, Contact
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

SEED = 1111
HUILONG = "430223123215"
HUILONG_ACCOUNT = "huilong_zhiwei"
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


@dataclass(frozen=True)
class Holder:
    """A current post, as much of it as the plan needs (model objects cost ~0.3 ms each)."""

    post_id: int
    person_id: int
    org_id: int
    start_date: datetime.date
    name: str
    account_id: int | None
    village_id: int | None
    township_id: int | None


@dataclass(frozen=True)
class Home:
    """A household, by where it is."""

    pk: int
    org_id: int
    group_id: int | None
    village_id: int | None
    ancestry: dict[str, int | None]


@dataclass
class Plan:
    """The rows about to be written (``insert_values`` rows), and what is checked while making
    them: no 执委 twice on one target at a time, no second 就近包保 of one target."""

    today: datetime.date
    level_of: dict[int, str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    previous: dict[int, int] = field(default_factory=dict)  # row index → the index it replaces
    taken: set[tuple[int, str, int]] = field(default_factory=set)
    nearby: set[tuple[str, int]] = field(default_factory=set)

    def add(
        self,
        post: Holder,
        *,
        org: Organisation | None = None,
        household: Home | None = None,
        mode: str,
        start: datetime.date,
        end: datetime.date | None = None,
        partner: str = "",
        note: str = "",
        end_reason: str = "",
        previous: int | None = None,
        ancestry: dict[str, int | None] | None = None,
    ) -> int | None:
        """Plan one row; its index (None for a past one her post is too recent for)."""
        start = max(start, post.start_date)
        if end is not None and end < start:
            return None
        if household is not None:
            key, place, ids = ("household", household.pk), household.org_id, household.ancestry
        else:
            assert org is not None
            assert ancestry is not None
            key, place, ids = ("org", org.pk), org.pk, ancestry
        # Only the current rows are checked: the history written here never overlaps them.
        if end is None:
            assert (post.person_id, *key) not in self.taken, (post, key)
            self.taken.add((post.person_id, *key))
            if mode == Mode.NEARBY:
                assert key not in self.nearby, key
                self.nearby.add(key)
        self.rows.append(
            {
                "post_id": post.post_id,
                "person_id": post.person_id,
                "tier": self.level_of[post.org_id],
                "target_org_id": org.pk if org is not None else None,
                "household_id": household.pk if household is not None else None,
                "mode": mode,
                "partner": partner,
                "start_date": start,
                "end_date": end,
                "end_reason": end_reason,
                "note": note,
                "org_id": place,
                **{f"{level}_id": org_id for level, org_id in ids.items()},
            }
        )
        if previous is not None:
            self.previous[len(self.rows) - 1] = previous
        return len(self.rows) - 1

    def busy(self, post: Holder, kind: str, target_id: int) -> bool:
        return (post.person_id, kind, target_id) in self.taken

    def write(self) -> None:
        ids = insert_values(Assignment, self.rows)
        for index, replaced in self.previous.items():
            Assignment.objects.filter(pk=ids[index]).update(previous_id=ids[replaced])


def _weighted(pick: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    return pick.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _started(pick: random.Random, today: datetime.date) -> datetime.date:
    """When a responsibility began: one to two years ago (the term's start, at the earliest)."""
    return today - datetime.timedelta(days=pick.randint(360, 720))


def _zhiwei_of_huilong(posts: list[Holder]) -> Holder | None:
    """The post of the demo account ``huilong_zhiwei``: her person's current post in 回龙村. When
    her account has no person (a roster loaded without it), the village's 周桂姣, or else its
    first 执委 without an account, is linked to it."""
    user = User.objects.filter(username=HUILONG_ACCOUNT).first()
    if user is None or not posts:
        return None
    person = Person.objects.filter(account=user).values_list("pk", flat=True).first()
    if person is None:
        chosen = sorted(posts, key=lambda p: (p.name != "周桂姣", p.account_id is not None, p.post_id))[0]
        if chosen.account_id is not None:
            return None
        Person.objects.filter(pk=chosen.person_id).update(account=user)
        return chosen
    return next((p for p in posts if p.person_id == person), None)


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
            zhou = _zhiwei_of_huilong(members)
            _huilong(plan, names, village, members, zhou, children[village.pk], households[village.pk])
        else:
            _village(
                plan, pick, names, village, members, households[village.pk], ancestry, change=index % CHANGE_EVERY == 0
            )
    plan.write()
    xinshi = next((o.pk for o in orgs if o.code == XINSHI), None)
    contacts = _contacts(plan, pick, zhou, xinshi, posts, households)
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


def _partner(names: Generator) -> str:
    return names.name("F" if names.random.random() < 0.6 else "M")


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
        mode = _weighted(pick, UPPER_MODES)
        if plan.busy(post, "org", area.pk):
            continue
        start = _started(pick, plan.today)
        partner = _partner(names) if mode == Mode.JOINT else ""
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
            start=_started(pick, plan.today),
            partner=_partner(names) if joint else "",
            note="驻村妇女之家" if not joint else "",
            ancestry=ancestry[village.pk],
        )
        return
    uncovered = set(pick.sample(range(len(households)), min(len(households), _weighted(pick, UNCOVERED_PER_VILLAGE))))
    covered = [h for i, h in enumerate(households) if i not in uncovered]
    takers = members[:]
    pick.shuffle(takers)
    at, turn = 0, 0
    while at < len(covered):
        size = pick.randint(2, 5)
        post = takers[turn % len(takers)]
        turn += 1
        mode = _weighted(pick, VILLAGE_MODES)
        start = _started(pick, plan.today)
        partner = _partner(names) if mode == Mode.JOINT else ""
        chunk = covered[at : at + size]
        at += size
        for household in chunk:
            if plan.busy(post, "household", household.pk):
                continue
            if change and household is chunk[0] and len(takers) > 1:
                _handed_over(plan, post, takers[turn % len(takers)], household, mode, start, partner)
                continue
            plan.add(post, household=household, mode=mode, start=start, partner=partner)
        if mode == Mode.CIRCUIT and len(takers) > 1 and pick.random() < 0.3:
            # Many to one: a second 执委 on circuit looks in on the first household too.
            other = takers[turn % len(takers)]
            if other.person_id != post.person_id and not plan.busy(other, "household", chunk[0].pk):
                plan.add(other, household=chunk[0], mode=Mode.CIRCUIT, start=start)


def _handed_over(
    plan: Plan,
    before: Holder,
    after: Holder,
    household: Home,
    mode: str,
    start: datetime.date,
    partner: str = "",
) -> int | None:
    """A household that changed hands half a year ago: the old responsibility ended the day
    before the change, the new one points back to it."""
    on = plan.today - datetime.timedelta(days=180)
    start = min(start, on - datetime.timedelta(days=90))
    old = plan.add(
        before,
        household=household,
        mode=mode,
        partner=partner,
        start=start,
        end=on - datetime.timedelta(days=1),
        end_reason=gettext("Changed from %(date)s") % {"date": on},
    )
    return plan.add(after, household=household, mode=mode, partner=partner, start=on, previous=old)


def _huilong(
    plan: Plan,
    names: Generator,
    village: Organisation,
    members: list[Holder],
    zhou: Holder | None,
    groups: list[Organisation],
    households: list[Home],
) -> None:
    """回龙村, the village of the demo account: 周桂姣 takes its first group and five households;
    others the middle groups and the other households; its last group lost its 执委 sixty days
    ago and its last household in no group was never taken."""
    today = plan.today
    zhou = zhou or members[0]
    others = [p for p in members if p.person_id != zhou.person_id] or [zhou]
    groups = [g for g in groups if g.level == Level.GROUP]
    loose = [h for h in households if h.group_id is None]
    long_ago = today - datetime.timedelta(days=700)
    year_ago = today - datetime.timedelta(days=400)
    group_ancestry = ancestries_of(groups)
    if groups:
        plan.add(zhou, org=groups[0], mode=Mode.NEARBY, start=year_ago, ancestry=group_ancestry[groups[0].pk])
    middle = groups[1:-1] if len(groups) > 2 else []
    for i, group in enumerate(middle):
        post = others[(i // 2) % len(others)]
        joint = i % 2 == 0
        plan.add(
            post,
            org=group,
            mode=Mode.JOINT if joint else Mode.CIRCUIT,
            partner=_partner(names) if joint else "",
            start=year_ago,
            ancestry=group_ancestry[group.pk],
        )
    if len(groups) > 1:
        last = groups[-1]
        plan.add(
            others[-1],
            org=last,
            mode=Mode.NEARBY,
            start=long_ago,
            end=today - datetime.timedelta(days=60),
            end_reason="外出务工，暂停包组",
            ancestry=group_ancestry[last.pk],
        )
    mine, rest = loose[:5], loose[5:-1]
    for i, household in enumerate(mine):
        if i == 0:
            # Her first household: on circuit at first, one to one since last winter.
            on = today - datetime.timedelta(days=300)
            old = plan.add(
                zhou,
                household=household,
                mode=Mode.CIRCUIT,
                start=long_ago,
                end=on - datetime.timedelta(days=1),
                end_reason=gettext("Changed from %(date)s") % {"date": on},
            )
            plan.add(zhou, household=household, mode=Mode.NEARBY, start=on, previous=old)
        else:
            plan.add(zhou, household=household, mode=Mode.NEARBY, start=year_ago)
    for i, household in enumerate(rest):
        post = others[i % len(others)]
        if i == 0 and len(others) > 1:
            _handed_over(plan, post, others[1], household, Mode.NEARBY, long_ago)
        else:
            plan.add(post, household=household, mode=(Mode.STATIONED, Mode.NEARBY)[i % 2], start=year_ago)


# (days ago, how, which of her households by position, whom, where, note)
HER_CONTACTS = (
    (6, ContactMode.VISIT, (0,), "户主及其母亲", "家中", "了解老人就医情况，已联系村医上门"),
    (19, ContactMode.CALL, (1,), "户主", "", "提醒孩子上下学注意安全"),
    (33, ContactMode.ACTIVITY, (0, 1, 5), "三户妇女", "回龙村妇女之家", "家庭教育讲座"),
    (45, ContactMode.MESSAGE, (5,), "户主妻子", "", "转发两癌筛查通知"),
    (97, ContactMode.CALL, (2,), "户主", "", "询问家中用工需求"),
    (120, ContactMode.VISIT, (0,), "户主", "家中", "入户走访"),
    (131, ContactMode.VISIT, (6,), "户主及留守儿童", "家中", "留守儿童学习情况"),
)


def _contacts(
    plan: Plan,
    pick: random.Random,
    zhou: Holder | None,
    xinshi: int | None,
    posts: dict[int, list[Holder]],
    households: dict[int, list[Home]],
) -> int:
    """周桂姣's contacts with her households (recent ones, old ones, none), and a handful by
    other 执委 of 新市镇; the households' last contact dates follow."""
    today = plan.today
    by_group: dict[int, list[Home]] = defaultdict(list)
    by_pk: dict[int, Home] = {}
    for village_households in households.values():
        for household in village_households:
            by_pk[household.pk] = household
            if household.group_id:
                by_group[household.group_id].append(household)
    held: dict[int, list[Home]] = defaultdict(list)
    for row in plan.rows:
        if row["end_date"] is not None or row["tier"] != Level.VILLAGE:
            continue
        if row["household_id"] is not None:
            held[row["person_id"]].append(by_pk[row["household_id"]])
        elif row["target_org_id"] == row["village_id"]:
            held[row["person_id"]].extend(households[row["target_org_id"]])
        else:
            held[row["person_id"]].extend(by_group[row["target_org_id"]])
    contacts: list[Contact] = []
    links: list[list[Home]] = []
    user = User.objects.filter(username=HUILONG_ACCOUNT).first()

    def record(person_id: int, days: int, mode: str, chosen: list[Home], whom: str, where: str, note: str) -> None:
        # Placed as contact_record places it: at the household's place, or their village.
        one_place = len({h.org_id for h in chosen}) == 1
        contact = Contact(
            person_id=person_id,
            mode=mode,
            happened_on=today - datetime.timedelta(days=days),
            whom=whom,
            location=where,
            note=note,
            created_by=user if zhou is not None and person_id == zhou.person_id else None,
            org_id=chosen[0].org_id if one_place else chosen[0].village_id or chosen[0].org_id,
        )
        for level, org_id in chosen[0].ancestry.items():
            setattr(contact, f"{level}_id", None if level == "group" and not one_place else org_id)
        contacts.append(contact)
        links.append(chosen)

    if zhou is not None:
        # Her households: the five in no group first, then her group's.
        mine = sorted(held[zhou.person_id], key=lambda h: (h.group_id is not None, h.pk))
        for days, mode, which, whom, where, note in HER_CONTACTS:
            chosen = [mine[i] for i in which if i < len(mine)]
            if chosen:
                record(zhou.person_id, days, mode, chosen, whom, where, note)
    others = [
        p
        for ps in posts.values()
        for p in ps
        if p.village_id is not None and p.township_id == xinshi and held.get(p.person_id) and p != zhou
    ]
    for post in pick.sample(others, min(12, len(others))):
        chosen = held[post.person_id][: pick.randint(1, 2)]
        mode = pick.choice([ContactMode.VISIT, ContactMode.CALL, ContactMode.MESSAGE])
        record(post.person_id, pick.randint(2, 150), mode, chosen, "户主", "", "")
    insert_many(Contact, contacts)
    through = Contact.households.through
    insert_many(
        through,
        [
            through(contact_id=c.pk, household_id=h.pk)
            for c, chosen in zip(contacts, links, strict=True)
            for h in chosen
        ],
    )
    last = Contact.objects.filter(pk__in=[c.pk for c in contacts]).values("households").annotate(on=Max("happened_on"))
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for found in last:
        by_day[found["on"]].append(found["households"])
    for day, ids in by_day.items():
        Household.objects.filter(pk__in=ids).update(last_contact_on=day)
    return len(contacts)


def _backdate_households(today: datetime.date) -> None:
    """The demo's households were registered before the grid began (some 800 days ago), so that
    coverage as of a past date has households to count."""
    registered = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=800), datetime.time(9)))
    Household.objects.filter(created_at__gt=registered).update(created_at=registered)
