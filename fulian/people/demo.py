"""Demo step: executive committees for every federation, backbone activists and volunteers.

Every village federation gets a chair, two part-time vice-chairs and 10–15 executive members;
every township at least 25 members, every county and the city a committee of their own. The
people of the seed story hold their posts: 钟桃华 (chair, 霞阳镇蔬菜村), 周桂姣 (chair,
新市镇回龙村, the demo account ``huilong_zhiwei``) and 朱社文 (vice-chair, 江桥街道龙湖社区).
"""

from __future__ import annotations

import datetime
from typing import TextIO

from fulian.accounts.models import User
from fulian.core.ancestry import ancestries_of
from fulian.core.bulk import insert_many
from fulian.core.validation import name_keys
from fulian.demo.generate import ETHNICITIES, OCCUPATIONS, SKILLS, FakePerson, Generator
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.choices import Education, PoliticalStatus, PostKind
from fulian.people.models import Person, Post, Term

TERM_START = datetime.date(2021, 9, 1)
TERM_END = datetime.date(2026, 8, 31)
# code → (name, post, mobile, account username)
SEED_PEOPLE: dict[str, list[tuple[str, PostKind, str, str | None]]] = {
    "430225100215": [("钟桃华", PostKind.CHAIR, "13907331215", None)],
    "430223123215": [("周桂姣", PostKind.CHAIR, "13807330005", "huilong_zhiwei")],
    "430223002006": [("朱社文", PostKind.VICE_CHAIR, "13907332006", None)],
}


def _county_code(org: Organisation) -> str:
    return org.path.strip("/").split("/")[1] if org.depth > 1 else org.code


def _person(fake: FakePerson, org: Organisation, ancestry: dict[str, int | None], gen: Generator) -> Person:
    pick = gen.random
    person = Person(
        name=fake.name,
        search_keys=name_keys(fake.name),
        gender=fake.gender,
        birth_date=fake.birth_date,
        ethnicity=pick.choice(ETHNICITIES),
        political_status=pick.choice([PoliticalStatus.PARTY_MEMBER, PoliticalStatus.MASSES, PoliticalStatus.MASSES]),
        education=pick.choice([Education.JUNIOR, Education.SECONDARY, Education.SECONDARY, Education.COLLEGE]),
        occupation=pick.choice(OCCUPATIONS),
        address=f"{org.display_name}{pick.randint(1, 12)}组",
        skills="，".join(pick.sample(SKILLS, 2)),
    )
    person.set_id_number(fake.id_number)
    person.set_mobile(fake.mobile)
    person.place(org, ancestry)
    return person


def _committee_size(org: Organisation, gen: Generator) -> list[PostKind]:
    members = {
        Level.VILLAGE: gen.random.randint(10, 15),
        Level.TOWNSHIP: gen.random.randint(25, 30),
        Level.COUNTY: 30,
        Level.CITY: 35,
    }[Level(org.level)]
    vices = [PostKind.PART_TIME_VICE_CHAIR] * 2 if org.level == Level.VILLAGE else [PostKind.VICE_CHAIR] * 2
    return [PostKind.CHAIR, *vices, *[PostKind.MEMBER] * members]


def load(out: TextIO) -> None:
    if Person.objects.exists():
        out.write("People: already loaded.\n")
        return
    gen = Generator(seed=2026)
    orgs = list(Organisation.objects.filter(level__in=[Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]))
    ancestry = ancestries_of(orgs)
    terms = Term.objects.bulk_create(
        [Term(org=org, number=1, start_date=TERM_START, end_date=TERM_END) for org in orgs]
    )
    term_of = {t.org_id: t for t in terms}
    accounts = {u.username: u for u in User.objects.filter(username__in=["huilong_zhiwei"])}
    people: list[Person] = []
    planned: list[tuple[int, Organisation, PostKind, bool]] = []
    for org in orgs:
        area = _county_code(org)
        kinds = _committee_size(org, gen)
        seeds = SEED_PEOPLE.get(org.code, [])
        for _name, seed_kind, _mobile, _account in seeds:
            # A seed's post is kept as the story tells it (朱社文 is 龙湖社区's vice-chair).
            if seed_kind not in kinds[:3]:
                kinds[1] = seed_kind
        for index, kind in enumerate(kinds):
            seed = next((s for s in seeds if s[1] == kind), None) if index < 3 else None
            if seed is not None:
                seeds = [s for s in seeds if s is not seed]
                fake = gen.person(area, gender="F", youngest=35, oldest=62)
                fake.name, fake.mobile = seed[0], seed[2]
            else:
                fake = gen.person(area, gender="F" if gen.random.random() < 0.93 else "M", youngest=25, oldest=65)
            person = _person(fake, org, ancestry[org.pk], gen)
            if seed is not None and seed[3] in accounts:
                person.account = accounts[seed[3]]
            if gen.random.random() < 0.15:
                person.volunteer_since = datetime.date(2022, 3, 8) + datetime.timedelta(days=gen.random.randint(0, 900))
            planned.append((len(people), org, kind, kind == PostKind.MEMBER and gen.random.random() < 0.3))
            people.append(person)
        if org.level == Level.VILLAGE:
            # Backbone activists being trained towards the committee, and volunteers.
            for _ in range(gen.random.randint(2, 4)):
                person = _person(gen.person(area, gender="F", youngest=25, oldest=55), org, ancestry[org.pk], gen)
                person.backbone_since = datetime.date(2024, 1, 1) + datetime.timedelta(days=gen.random.randint(0, 600))
                people.append(person)
            for _ in range(gen.random.randint(3, 6)):
                person = _person(gen.person(area, youngest=18, oldest=68), org, ancestry[org.pk], gen)
                person.volunteer_since = datetime.date(2021, 1, 1) + datetime.timedelta(
                    days=gen.random.randint(0, 1700)
                )
                people.append(person)
    insert_many(Person, people)
    posts = []
    for index, org, kind, representative in planned:
        post = Post(
            person=people[index],
            term=term_of[org.pk],
            kind=kind,
            is_representative=representative,
            start_date=TERM_START,
        )
        post.place(org, ancestry[org.pk])
        posts.append(post)
    insert_many(Post, posts)
    out.write(f"People: {len(people)} people, {len(posts)} posts in {len(terms)} committees.\n")
