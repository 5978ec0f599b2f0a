"""A year of duty records: every 执委 of 新市镇 (a few of them silent for months), a thinner spread
across the city, and 周桂姣's (``huilong_zhiwei``) own, written through the services.

The thousands of other records are written in bulk (``insert_many``), placed exactly as
``fulian.grid.services.contact_record`` places them (at the household's place, their common
village, the village a township 执委 takes, or the 执委's own organisation) and reviewed as
``fulian.duties.services.review`` allows: each confirmed record names the first of the demo's
reviewers whose review list holds it (the village chair ``huilong_zhiwei`` for 回龙村's 执委,
``xinshi_staff`` for 新市镇, the county's or the city's administrator above). Records of the
last week mostly wait for review. The households' last contact dates and the coverage summary
follow, as the service keeps them.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.utils import timezone

from fulian.accounts.models import User
from fulian.audit.recorder import audit_context
from fulian.core.ancestry import ANCESTRY_FIELDS, ancestries_of
from fulian.core.bulk import insert_many
from fulian.duties.services import review
from fulian.grid import coverage, services
from fulian.grid.choices import ContactMode, RecordStatus
from fulian.grid.models import Assignment, Contact, WorkMode
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

SEED = 1313
XINSHI = "430223123"
HUILONG_ACCOUNT = "huilong_zhiwei"
# The demo's reviewers, nearest first: the first whose review list holds a record confirms it.
REVIEWERS = (HUILONG_ACCOUNT, "xinshi_staff", "youxian_admin", "yanling_admin", "city_admin")
SILENT = 6  # 执委 of 新市镇 with no record for the last 90 days and more
SPREAD_SHARE = 0.1  # one 执委 in ten elsewhere in the city records now and then
WAITING_DAYS = 7  # records of the last week mostly wait for review
# Who counts as a leader is the review rule's (part-time vice-chairs too).
LEADERS = review.LEADER_POSTS
# work mode → (how, share of records); the hours in half hours (weights).
MODES = {
    "入户走访": (ContactMode.VISIT, 34),
    "政策宣讲": (ContactMode.ACTIVITY, 12),
    "矛盾调解": (ContactMode.VISIT, 6),
    "帮扶关爱": (ContactMode.CALL, 22),
    "志愿服务": (ContactMode.ACTIVITY, 10),
    "组织活动": (ContactMode.ACTIVITY, 10),
    "建言献策": (ContactMode.OTHER, 6),
}
HALF_HOURS = ((1, 20), (2, 35), (3, 15), (4, 15), (6, 10), (8, 5))
NOTES = {
    "入户走访": ("入户走访，了解家庭近况", "走访留守老人，叮嘱用电安全", "了解孩子就学情况"),
    "政策宣讲": ("宣讲两癌免费筛查政策", "宣讲反家暴法", "宣讲防范电信诈骗"),
    "矛盾调解": ("调解婆媳矛盾，双方达成谅解", "调解邻里宅基地纠纷"),
    "帮扶关爱": ("电话问候独居老人", "为困难家庭联系临时救助", "关心留守儿童学习"),
    "志愿服务": ("参加村环境整治志愿服务", "巾帼志愿者义务理发"),
    "组织活动": ("组织妇女广场舞活动", "组织家庭教育讲座", "组织最美庭院评比动员会"),
    "建言献策": ("就村里路灯安装提出建议", "收集妇女对产业发展的建议"),
}
WHOM = ("村里妇女", "留守妇女", "独居老人", "困难家庭", "村民小组妇女", "参会妇女")
# 周桂姣's own records (days ago, work mode, which of her recently contacted households, whom,
# where, note, half hours): the grid demo's contacts are hers too, the latest (six days ago) still
# waiting for review.
HER_RECORDS = (
    (20, "组织活动", (), "回龙村妇女", "回龙村妇女之家", "组织妇女议事会，商量春节慰问名单", 4),
    (12, "政策宣讲", (), "村民小组妇女", "第一村民小组", "宣讲两癌免费筛查政策", 3),
    (58, "帮扶关爱", (0,), "户主母亲", "家中", "陪老人到镇卫生院复查", 6),
    (76, "志愿服务", (), "巾帼志愿者", "回龙村", "参加村环境整治志愿服务", 4),
    (150, "建言献策", (), "村妇联执委", "村委会", "就村里路灯安装提出建议", 2),
    (201, "矛盾调解", (1,), "户主及其妻子", "家中", "调解夫妻矛盾，双方和好", 3),
    (260, "组织活动", (), "回龙村妇女", "回龙村文化广场", "组织三八节健步走", 6),
    (330, "政策宣讲", (), "村里妇女", "回龙村妇女之家", "宣讲反家暴法", 2),
)
HER_RETURNED = 12  # days ago: returned to her
RETURN_REASON = "没有写明参加人数，请补充后重新提交"
CORRECTED = 58  # days ago: a confirmed record she corrected (the hours)
CORRECTION_REASON = "时长记错了，实际陪同了半天"


@dataclass
class Placed:
    """What the demo knows of a 执委: her person, posts, home place and the households she holds."""

    person_id: int
    org_id: int
    posts: list[tuple[int, str]] = field(default_factory=list)  # (organisation, kind)
    households: list[Household] = field(default_factory=list)
    villages: list[int] = field(default_factory=list)  # villages a township 执委 takes


def load(out: TextIO) -> int:
    """Write the records; returns how many."""
    today = coverage.today()
    pick = random.Random(SEED)  # noqa: S311 - repeatable made-up data
    modes = {m.name: m for m in WorkMode.objects.all()}
    accounts = {u.username: u for u in User.objects.filter(username__in=REVIEWERS)}
    xinshi = Organisation.objects.filter(code=XINSHI).first()
    her = Person.objects.filter(account__username=HUILONG_ACCOUNT).first()
    if xinshi is None or not modes:
        out.write("Duties: no 新市镇 or work modes, no records.\n")
        return 0
    _grid_contacts_get_a_mode(modes)
    written = _her_records(today, her, accounts, modes) if her is not None else 0
    orgs = {o.pk: o for o in Organisation.objects.all()}
    ancestry = ancestries_of(orgs.values())
    people = _executives(today, orgs, exclude=her.pk if her is not None else None)
    reviewers = _reviewers(accounts, orgs)
    mine = set(her.contacts.values_list("households", flat=True)) if her is not None else set()
    mine |= _held_by(her.pk) if her is not None else set()
    contacts: list[Contact] = []
    links: list[list[Household]] = []
    in_xinshi = [p for p in people.values() if orgs[p.posts[0][0]].path.startswith(xinshi.path)]
    silent = {p.person_id for p in pick.sample([p for p in in_xinshi if not _leads(p)], SILENT)}
    elsewhere = [p for p in people.values() if not orgs[p.posts[0][0]].path.startswith(xinshi.path)]
    spread = pick.sample(elsewhere, int(len(elsewhere) * SPREAD_SHARE))
    for placed, (low, high), recent in [
        *((p, (10, 30), True) for p in in_xinshi),
        *((p, (2, 8), False) for p in spread),
    ]:
        days = _days(pick, pick.randint(low, high), silent=placed.person_id in silent, recent=recent)
        taken: dict[int, int] = defaultdict(int)
        for days_ago in days:
            record, households = _record(pick, today, days_ago, placed, orgs, ancestry, modes, mine)
            if taken[days_ago] + record.half_hours > services.DAY_HALF_HOURS:
                continue
            taken[days_ago] += record.half_hours
            _reviewed(pick, today, days_ago, record, reviewers, orgs, ancestry)
            contacts.append(record)
            links.append(households)
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
    _recorded_when_they_happened(contacts)
    _households_contacted(contacts, links)
    coverage.refresh_all(on=today)
    return written + len(contacts)


def _grid_contacts_get_a_mode(modes: dict[str, WorkMode]) -> None:
    """The grid demo's contacts were written before it knew of work modes: each gets the one its
    way of contact maps to (as the migration that brought the modes did) and some time spent."""
    mapping = {
        ContactMode.VISIT: "入户走访",
        ContactMode.ACTIVITY: "组织活动",
        ContactMode.CALL: "帮扶关爱",
        ContactMode.MESSAGE: "帮扶关爱",
        ContactMode.OTHER: "帮扶关爱",
    }
    for how, name in mapping.items():
        Contact.objects.filter(mode=how, work_mode__isnull=True).update(
            work_mode=modes[name], half_hours=4 if how == ContactMode.ACTIVITY else 2
        )


def _her_records(today: datetime.date, her: Person, accounts: dict[str, User], modes: dict[str, WorkMode]) -> int:
    """周桂姣's year, through the services as she and the township's staff would write it: her
    records (on her phone), most confirmed by ``xinshi_staff`` (she chairs 回龙村: the township
    reviews her), one waiting, one returned, one corrected after it was confirmed."""
    user, staff = accounts[HUILONG_ACCOUNT], accounts["xinshi_staff"]
    recent = list(
        Household.objects.filter(contacts__person=her, last_contact_on__gte=today - datetime.timedelta(days=60))
        .distinct()
        .order_by("pk")
    )
    made = 0
    for days_ago, name, which, whom, where, note, half_hours in HER_RECORDS:
        with audit_context(actor=user):
            record = services.contact_record(
                actor=user,
                person=her,
                mode=MODES[name][0],
                happened_on=today - datetime.timedelta(days=days_ago),
                households=[recent[i] for i in which if i < len(recent)],
                whom=whom,
                location=where,
                note=note,
                work_mode=modes[name],
                half_hours=half_hours // 2 if days_ago == CORRECTED else half_hours,
            )
        made += 1
        with audit_context(actor=staff):
            if days_ago == HER_RETURNED:
                review.record_return(actor=staff, record=record, reason=RETURN_REASON)
            else:
                review.record_confirm(actor=staff, record=record)
        if days_ago == CORRECTED:
            with audit_context(actor=user):
                fixed = services.contact_record(
                    actor=user,
                    person=her,
                    mode=record.mode,
                    happened_on=record.happened_on,
                    households=list(record.households.all()),
                    whom=whom,
                    location=where,
                    note=note,
                    work_mode=modes[name],
                    half_hours=half_hours,
                    supersedes=record,
                    correction_reason=CORRECTION_REASON,
                )
            with audit_context(actor=staff):
                review.record_confirm(actor=staff, record=fixed)
            made += 1
    # The grid demo's contacts of hers and of others in 新市镇: the week's wait, the rest confirmed.
    waiting = Contact.objects.filter(status=RecordStatus.PENDING, reviewed_by__isnull=True).exclude(
        happened_on__gte=today - datetime.timedelta(days=WAITING_DAYS)
    )
    for record in waiting.order_by("pk"):
        for name in ("xinshi_staff", "youxian_admin", "city_admin"):
            if name in accounts and review.reviewable(accounts[name], record):
                with audit_context(actor=accounts[name]):
                    review.record_confirm(actor=accounts[name], record=record)
                break
    _reviewed_soon_after(Contact.objects.filter(reviewed_by__isnull=False))
    return made


def _reviewed_soon_after(records: Any) -> None:
    """Reviews written just now were made two days after each record (at most now)."""
    now = timezone.now()
    for record in records:
        on = timezone.make_aware(datetime.datetime.combine(record.happened_on, datetime.time(10)))
        Contact.objects.filter(pk=record.pk).update(
            reviewed_at=min(now, on + datetime.timedelta(days=2)), created_at=min(now, on + datetime.timedelta(hours=9))
        )


def _executives(today: datetime.date, orgs: dict[int, Organisation], *, exclude: int | None) -> dict[int, Placed]:
    """Every person holding a current post (below the city), with the households and villages
    she answers for in the grid."""
    people: dict[int, Placed] = {}
    for person_id, person_org, post_org, kind in (
        Post.objects.filter(end_date__isnull=True, start_date__lte=today)
        .exclude(org__level=Level.CITY)
        .order_by("person_id", "org__path", "pk")
        .values_list("person_id", "person__org_id", "org_id", "kind")
    ):
        if person_id == exclude:
            continue
        people.setdefault(person_id, Placed(person_id, person_org)).posts.append((post_org, kind))
    by_group: dict[int, list[Household]] = defaultdict(list)
    by_village: dict[int, list[Household]] = defaultdict(list)
    by_pk: dict[int, Household] = {}
    for household in Household.objects.filter(archived_at__isnull=True).only(
        "id", "org_id", *(f"{level}_id" for level in ANCESTRY_FIELDS)
    ):
        by_pk[household.pk] = household
        by_village[household.village_id or 0].append(household)
        if household.group_id:
            by_group[household.group_id].append(household)
    for person_id, household_id, target_id, tier in Assignment.objects.filter(
        end_date__isnull=True, person_id__in=list(people)
    ).values_list("person_id", "household_id", "target_org_id", "tier"):
        placed = people[person_id]
        if household_id is not None:
            placed.households.append(by_pk[household_id])
        elif tier == Level.TOWNSHIP and target_id is not None:
            placed.villages.append(target_id)
        elif target_id is not None and orgs[target_id].level == Level.GROUP:
            placed.households.extend(by_group[target_id])
        elif target_id is not None and orgs[target_id].level == Level.VILLAGE:
            placed.households.extend(by_village[target_id])
    return people


def _held_by(person_id: int) -> set[int]:
    """The households 周桂姣 answers for, kept out of others' records: the grid demo promises
    some of hers were never contacted and some not for months."""
    held = set(
        Assignment.objects.filter(person_id=person_id, household__isnull=False).values_list("household_id", flat=True)
    )
    groups = Assignment.objects.filter(person_id=person_id, target_org__isnull=False).values("target_org_id")
    held |= set(Household.objects.filter(org_id__in=groups).values_list("pk", flat=True))
    return held


def _leads(placed: Placed) -> bool:
    return any(kind in LEADERS for _org, kind in placed.posts)


def _days(pick: random.Random, count: int, *, silent: bool, recent: bool) -> list[int]:
    """Days ago of ``count`` records over the year (in 新市镇 one of them in the last week: her
    reviewer has something to do); a silent 执委 stopped over three months ago."""
    if silent:
        return sorted(pick.randint(100, 360) for _ in range(max(1, count // 5)))
    first = pick.randint(0, WAITING_DAYS) if recent else pick.randint(0, 360)
    return sorted([first, *(pick.randint(0, 360) for _ in range(count - 1))])


def _record(
    pick: random.Random,
    today: datetime.date,
    days_ago: int,
    placed: Placed,
    orgs: dict[int, Organisation],
    ancestry: dict[int, dict[str, int | None]],
    modes: dict[str, WorkMode],
    mine: set[int],
) -> tuple[Contact, list[Household]]:
    """One record, placed as ``contact_record`` places it."""
    name = _weighted(pick, [(n, w) for n, (_how, w) in MODES.items()])
    how = MODES[name][0]
    households: list[Household] = []
    own = [h for h in placed.households if h.pk not in mine]
    place_id: int = placed.org_id
    if own and how in (ContactMode.VISIT, ContactMode.CALL) and pick.random() < 0.8:
        households = pick.sample(own, min(len(own), 1 if pick.random() < 0.8 else 2))
        if len({h.org_id for h in households}) == 1:
            place_id = households[0].org_id
        elif len({h.village_id for h in households}) == 1 and households[0].village_id:
            place_id = households[0].village_id
    elif placed.villages and pick.random() < 0.7:
        place_id = pick.choice(placed.villages)  # a township 执委 names the village she took
    record = Contact(
        person_id=placed.person_id,
        mode=how,
        happened_on=today - datetime.timedelta(days=days_ago),
        whom="户主" if households else pick.choice(WHOM),
        location="家中" if households and how == ContactMode.VISIT else "",
        note=pick.choice(NOTES[name]),
        work_mode=modes[name],
        half_hours=_weighted(pick, HALF_HOURS),
    )
    record.place(orgs[place_id], ancestry[place_id])
    return record, households


def _reviewers(accounts: dict[str, User], orgs: dict[int, Organisation]) -> list[tuple[User, Any, set[int], bool]]:
    """Each reviewer's reach as ``review_q`` says it: (account, organisation, persons excluded,
    whether only the non-leaders of that organisation are hers — a chair's)."""
    from fulian.core.scoping import grants_for

    found = []
    for username in REVIEWERS:
        user = accounts.get(username)
        if user is None:
            continue
        if username == HUILONG_ACCOUNT:
            for post in Post.objects.filter(person__account=user, end_date__isnull=True, kind__in=LEADERS):
                members = set(
                    Post.objects.filter(org_id=post.org_id, end_date__isnull=True)
                    .exclude(kind__in=LEADERS)
                    .values_list("person_id", flat=True)
                )
                found.append((user, orgs[post.org_id], members, True))
            continue
        for grant in grants_for(user, "duties.review"):
            leaders = set(
                Post.objects.filter(org_id=grant.org_id, end_date__isnull=True, kind__in=LEADERS).values_list(
                    "person_id", flat=True
                )
            )
            found.append((user, orgs[grant.org_id], leaders, False))
    return found


def _reviewed(
    pick: random.Random,
    today: datetime.date,
    days_ago: int,
    record: Contact,
    reviewers: list[tuple[User, Any, set[int], bool]],
    orgs: dict[int, Organisation],
    ancestry: dict[int, dict[str, int | None]],
) -> None:
    """Confirmed by the nearest reviewer whose list holds it, a few days after; the last week's
    mostly still waiting (and those nobody of the demo reviews)."""
    if days_ago <= WAITING_DAYS and pick.random() < 0.9:
        return
    for user, org, persons, chair in reviewers:
        level = org.level
        if record.ancestry.get(level) != org.pk:
            continue
        if (record.person_id in persons) != chair:
            continue
        record.status = RecordStatus.CONFIRMED
        record.reviewed_by = user
        on = record.happened_on + datetime.timedelta(days=min(days_ago, pick.randint(1, 5)))
        record.reviewed_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(pick.randint(8, 17))))
        return


def _weighted(pick: random.Random, choices: Any) -> Any:
    values, weights = zip(*choices, strict=True)
    return pick.choices(values, weights)[0]


def _recorded_when_they_happened(contacts: list[Contact]) -> None:
    """Each record was entered on the evening of its day (``insert_many`` stamps them now)."""
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for contact in contacts:
        by_day[contact.happened_on].append(contact.pk)
    for day, ids in by_day.items():
        at = min(timezone.now(), timezone.make_aware(datetime.datetime.combine(day, datetime.time(20))))
        for start in range(0, len(ids), 2000):
            Contact.objects.filter(pk__in=ids[start : start + 2000]).update(created_at=at)


def _households_contacted(contacts: list[Contact], links: list[list[Household]]) -> None:
    """Each household's last contact: the latest of its stored date and the new records (none
    of them returned or superseded), as ``households_contacted`` keeps it."""
    latest: dict[int, datetime.date] = {}
    for contact, chosen in zip(contacts, links, strict=True):
        for household in chosen:
            if latest.get(household.pk) is None or latest[household.pk] < contact.happened_on:
                latest[household.pk] = contact.happened_on
    stored = dict(Household.objects.filter(pk__in=list(latest)).values_list("pk", "last_contact_on"))
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for pk, on in latest.items():
        before = stored.get(pk)
        if before is None or before < on:
            by_day[on].append(pk)
    for day, ids in by_day.items():
        for start in range(0, len(ids), 2000):
            Household.objects.filter(pk__in=ids[start : start + 2000]).update(last_contact_on=day)
