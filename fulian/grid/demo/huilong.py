"""The grid demo in 回龙村, the village of the demo account ``huilong_zhiwei`` (周桂姣): her groups and
households, the gaps left there, and the contacts she and a few other 执委 of 新市镇 recorded."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db.models import Max
from django.utils.translation import gettext

from fulian.accounts.models import User
from fulian.core.ancestry import ancestries_of
from fulian.core.bulk import insert_many
from fulian.demo.generate import Generator
from fulian.grid.choices import ContactMode, Mode
from fulian.grid.demo.plan import Holder, Home, Plan, handed_over, partner_name
from fulian.grid.models import Contact
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person

HUILONG = "430223123215"
HUILONG_ACCOUNT = "huilong_zhiwei"


def zhiwei_of_huilong(posts: list[Holder]) -> Holder | None:
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


def huilong(
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
            partner=partner_name(names) if joint else "",
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
            handed_over(plan, post, others[1], household, Mode.NEARBY, long_ago)
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


def contacts_of_the_demo(
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
