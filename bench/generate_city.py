"""A city-scale data set for the people and household benchmarks, loaded through COPY.

What it makes (defaults; ``--households`` scales the registry, the roster stays full size):

- 1,300,000 households spread over the 1,400 Zhuzhou villages (villages differ in size; half
  of 回龙村's households sit in its five groups), each with ~2.3 members listed (spouse,
  children, parents, grandchildren) and the categories a village reports (脱贫户, 三留户 …;
  留守儿童, 留守老人, 留守妇女 … on members);
- an executive committee (执委) in one open term for every federation: chair, vice-chairs and
  members for the city, each county and township, chair, two part-time vice-chairs and members
  per village, ~20,000 posts in all; 50,000 volunteers and a few backbone activists per
  village (about 74,000 people);
- search targets: ``钟桃华`` heads ~40 households and 21 people (among them the seed chair of
  霞阳镇蔬菜村); the demo accounts (``city_admin``, ``xinshi_staff`` …) and bench accounts at the
  village and group level (``bench_village``, ``bench_group``).

Every person has a valid 18-digit ID number built from her county's code, a unique phone per
household head, both stored as the app stores them (AES-GCM ciphertext + keyed HMAC, the same
keys and format as ``fulian.core.personal``), and pinyin search keys from
``fulian.core.validation.name_keys`` (cached: names repeat).

How it loads (PostgreSQL only):

1. The foreign keys and secondary indexes of the big tables are dropped (their DDL is saved in
   the table ``bench_saved_ddl`` first, so an interrupted load is repaired by the next run);
   ``--keep-indexes`` keeps the indexes (only foreign keys are dropped).
2. Worker processes (``--workers``, default: one per core) build the rows as COPY text, one
   village "sheet" (≤ 400 households) per task; the sheets are shuffled across the city, as
   imports arrive over time. The main process streams them with psycopg 3's ``cursor.copy()``
   into ``households_household`` on one connection and ``households_householdmember`` on a
   second, each ``COPY ... FREEZE`` in the transaction that truncated the table, and spools the
   same bytes to a file.
3. Indexes and unique constraints are rebuilt on two connections at once, the foreign keys are
   added ``NOT VALID`` and validated, the tables analysed, the id sequences moved on.
4. The physical floor: the spooled bytes are COPYed again, the same way (two connections,
   FREEZE), into empty tables ``LIKE`` the real ones in the state the load had (primary key,
   no secondary index); with ``--floor-with-indexes`` also into tables ``LIKE ... INCLUDING
   ALL`` (every index in place), to compare keeping the indexes against drop and rebuild.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulian_bench FULIAN_DEV_KEYS=1 \\
        .venv/bin/python bench/generate_city.py --households 1300000 [--workers 2] [--keep-indexes]
        [--floor-with-indexes] [--no-floor]

Prints one JSON object per figure. The database must already be migrated (``manage.py
migrate``); bench/people_scale.py does that. Refuses to run on a database whose name does not
contain "bench": it empties the household and roster tables.
"""

from __future__ import annotations

import argparse
import binascii
import datetime
import hashlib
import json
import math
import multiprocessing
import os
import queue
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django
from django.apps import apps

if not apps.ready:
    django.setup()

import psycopg
from django.conf import settings
from django.db import connection
from psycopg.copy import QueuedLibpqWriter

from fulian.core.validation import name_keys

HOUSEHOLD_TABLE = "households_household"
MEMBER_TABLE = "households_householdmember"
PERSON_TABLE = "people_person"
POST_TABLE = "people_post"
TERM_TABLE = "people_term"
BIG_TABLES = (HOUSEHOLD_TABLE, MEMBER_TABLE, PERSON_TABLE, POST_TABLE)
LOADED_TABLES = (*BIG_TABLES, TERM_TABLE)
# The grid's rows point at the households and posts a reload replaces: emptied with them
# (bench/grid_scale.py makes its assignment set again).
GRID_TABLES = (
    "grid_contact_households",
    "grid_contact_members",
    "grid_contactphoto",
    "grid_contact",
    "grid_assignment",
    "grid_coveragecount",
    "grid_coverageday",
)
# So do the duties rows (bench/duties_scale.py writes its records and requests again).
DUTIES_TABLES = (
    "duties_requestphoto",
    "duties_requeststep",
    "duties_request",
    "duties_entry",
    "duties_assessment",
    "duties_report",
)
# So do the points ledger's rows, which point at persons, households, records and awards
# (bench/points_scale.py writes its accounts and entries again); the schemes stay.
POINTS_TABLES = (
    "points_stockmove",
    "points_entry",
    "points_claim",
    "points_honour",
    "points_order",
    "points_accountyear",
    "points_account",
    "points_item",
    "points_store",
)
# So do an evaluation campaign's rows (bench/campaign_scale.py writes its round again); the
# holiday calendar stays.
CAMPAIGN_TABLES = (
    "campaigns_sheetphoto",
    "campaigns_flag",
    "campaigns_reminderrun",
    "campaigns_vote",
    "campaigns_objection",
    "campaigns_publicity",
    "campaigns_award",
    "campaigns_scoresheet",
    "campaigns_raterassignment",
    "campaigns_result",
    "campaigns_entry",
    "campaigns_nomination",
    "campaigns_conflict",
    "campaigns_stage",
    "campaigns_campaign",
    "campaigns_rubricitem",
    "campaigns_rubricsection",
    "campaigns_rubric",
)

HOUSEHOLD_COLUMNS = (
    "id, head_name, search_keys, id_number, id_hash, mobile, mobile_hash, mobile_tail_hash, address, "
    "members_count, members_count_manual, categories, notes, created_at, updated_at, city_id, county_id, "
    "group_id, org_id, township_id, village_id"
)
MEMBER_COLUMNS = (
    "name, search_keys, relation, gender, birth_date, id_number, id_hash, categories, "
    "city_id, county_id, group_id, household_id, org_id, township_id, village_id"
)
PERSON_COLUMNS = (
    "id, name, search_keys, gender, birth_date, id_number, id_hash, mobile, mobile_hash, mobile_tail_hash, "
    "ethnicity, "
    "political_status, education, occupation, address, skills, photo, backbone_since, volunteer_since, notes, "
    "created_at, updated_at, account_id, city_id, county_id, group_id, org_id, township_id, village_id"
)
POST_COLUMNS = (
    "id, kind, is_representative, start_date, end_date, city_id, county_id, group_id, org_id, person_id, "
    "township_id, village_id, term_id"
)
TERM_COLUMNS = "id, number, start_date, end_date, ended_on, org_id"
COLUMNS = {
    HOUSEHOLD_TABLE: HOUSEHOLD_COLUMNS,
    MEMBER_TABLE: MEMBER_COLUMNS,
    PERSON_TABLE: PERSON_COLUMNS,
    POST_TABLE: POST_COLUMNS,
    TERM_TABLE: TERM_COLUMNS,
}

SHEET_SIZE = 400  # households per village "sheet" (one import); sheets are shuffled city-wide
MAX_MEMBERS = 5  # members listed per household at most (spouse, 2 children, a parent, a grandchild)
# Every age range used for household members spans at least DAY_CLASSES days (13 years).
# keyed_hash upper-cases what it hashes: fulian.core.personal.mobile_tail_hash's prefix, so.
TAIL = "MOBILE-TAIL:"
PLANTED_NAME = "钟桃华"
PLANTED_EVERY = 100  # one sheet in this many has a household headed by 钟桃华
TODAY = datetime.date(2026, 1, 1)
# ID numbers are unique without a shared set: a person's number within her county (p) picks
# the 3-digit sequence (p % 500 → 100 sequences × 5 gender digits) and the residue of her birth
# day (p // 500 mod DAY_CLASSES); every age range spans more than DAY_CLASSES days.
DAY_CLASSES = 4700
CODES = 500
COUNTY_CAPACITY = CODES * DAY_CLASSES
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
NULL = "\\N"


# --- fast personal-data helpers (same output as fulian.core.personal) ------------------------


class Sealer:
    """``encrypt`` and ``keyed_hash`` of ``fulian.core.personal`` without the per-call set-up:
    one AESGCM object, nonces drawn in bulk from os.urandom, the HMAC's inner and outer SHA-256
    states computed once (HMAC-SHA256 by its definition, RFC 2104)."""

    def __init__(self) -> None:
        from fulian.core.personal import _keys

        self.key_id, keys = _keys()
        self.aes = keys[self.key_id]
        self.aad = self.key_id.encode()
        self.prefix = self.key_id + ":"
        key = settings.FULIAN_HASH_KEY.encode()
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        self._nonces = b""
        self._at = 0

    def _nonce(self) -> bytes:
        if self._at >= len(self._nonces):
            self._nonces = os.urandom(12 * 4096)
            self._at = 0
        nonce = self._nonces[self._at : self._at + 12]
        self._at += 12
        return nonce

    def encrypt(self, plain: str) -> str:
        nonce = self._nonce()
        sealed = self.aes.encrypt(nonce, plain.encode(), self.aad)
        return self.prefix + binascii.b2a_base64(nonce + sealed, newline=False).decode()

    def hash(self, plain: str) -> str:
        """keyed_hash(plain) for a value already stripped and upper-case (digits here)."""
        inner = self._inner.copy()
        inner.update(plain.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


_KEYS: dict[str, str] = {}


def keys_of(name: str) -> str:
    """name_keys with an unbounded cache (a city has ~150,000 distinct names; name_keys keeps
    100,000)."""
    keys = _KEYS.get(name)
    if keys is None:
        keys = _KEYS[name] = name_keys(name)
    return keys


class IdNumbers:
    """Valid GB 11643 ID numbers, unique within a county by construction (see DAY_CLASSES)."""

    def __init__(self) -> None:
        self._area_sum: dict[str, int] = {}
        self._days: dict[int, tuple[str, str, int]] = {}
        self._code_sum = [
            (f"{code % 100:02d}", code // 100, (code % 100 // 10) * _WEIGHTS[14] + (code % 10) * _WEIGHTS[15])
            for code in range(CODES)
        ]

    def area_sum(self, area: str) -> int:
        total = self._area_sum.get(area)
        if total is None:
            total = self._area_sum[area] = sum(int(d) * w for d, w in zip(area, _WEIGHTS[:6], strict=True))
        return total

    def day(self, ordinal: int) -> tuple[str, str, int]:
        """(YYYYMMDD, ISO date, weighted digit sum) of a day."""
        found = self._days.get(ordinal)
        if found is None:
            date = datetime.date.fromordinal(ordinal)
            ymd = f"{date:%Y%m%d}"
            found = (ymd, date.isoformat(), sum(int(d) * w for d, w in zip(ymd, _WEIGHTS[6:14], strict=True)))
            self._days[ordinal] = found
        return found

    def make(
        self, rnd: Callable[[], float], area: str, p: int, gender: str, youngest: int, oldest: int
    ) -> tuple[str, str]:
        """(ID number, ISO birth date) of person ``p`` of the county ``area``."""
        lo = TODAY.toordinal() - oldest * 365
        hi = TODAY.toordinal() - youngest * 365
        residue = (p // CODES) % DAY_CLASSES
        first = lo + (residue - lo) % DAY_CLASSES
        ordinal = first + DAY_CLASSES * int(rnd() * ((hi - first) // DAY_CLASSES + 1))
        ymd, iso, day_sum = self.day(ordinal)
        seq, sex_index, seq_sum = self._code_sum[p % CODES]
        sex = ("13579" if gender == "M" else "02468")[sex_index]
        total = self.area_sum(area) + day_sum + seq_sum + int(sex) * _WEIGHTS[16]
        return f"{area}{ymd}{seq}{sex}{_CHECK[total % 11]}", iso


# --- the plan --------------------------------------------------------------------------------


@dataclass
class Place:
    """An organisation rows are placed at, with its ancestry as COPY text."""

    org_id: int
    ancestry: str  # city, county, group, org, township, village (the COPY column order)


@dataclass
class Sheet:
    """One village's import sheet: a task for a worker."""

    index: int
    seed: int
    village_id: int
    village_name: str
    area: str
    place: Place
    groups: list[Place]
    households: int
    first_id: int
    person_base: int  # first person number within the county (for unique ID numbers)
    planted: bool
    created_at: str


@dataclass
class Plan:
    sheets: list[Sheet]
    households: int
    places: dict[int, Place] = field(default_factory=dict)


def _ancestry_text(org_id: int, ancestry: dict[str, int | None]) -> str:
    def col(v: int | None) -> str:
        return NULL if v is None else str(v)

    return "\t".join(
        [
            col(ancestry["city"]),
            col(ancestry["county"]),
            col(ancestry["group"]),
            str(org_id),
            col(ancestry["township"]),
            col(ancestry["village"]),
        ]
    )


def plan_city(households: int, seed: int) -> Plan:
    """Households per village (villages differ in size), cut into sheets, shuffled city-wide."""
    from fulian.core.ancestry import ancestries_of
    from fulian.orgs.choices import Level
    from fulian.orgs.models import Organisation

    orgs = list(Organisation.objects.order_by("path"))
    ancestry = ancestries_of(orgs)
    places = {o.pk: Place(o.pk, _ancestry_text(o.pk, ancestry[o.pk])) for o in orgs}
    villages = [o for o in orgs if o.level == Level.VILLAGE]
    groups: dict[int, list[Place]] = {}
    for o in orgs:
        if o.level == Level.GROUP:
            groups.setdefault(o.parent_id or 0, []).append(places[o.pk])
    pick = random.Random(seed)  # noqa: S311 - made-up data, repeatable
    weights = [pick.uniform(0.4, 1.6) for _ in villages]
    total = sum(weights)
    sizes = [int(households * w / total) for w in weights]
    for i in sorted(range(len(villages)), key=lambda i: -(households * weights[i] / total - sizes[i]))[
        : households - sum(sizes)
    ]:
        sizes[i] += 1
    sheets: list[Sheet] = []
    for village, size in zip(villages, sizes, strict=True):
        count = max(1, math.ceil(size / SHEET_SIZE))
        for k in range(count):
            n = size // count + (1 if k < size % count else 0)
            if n:
                sheets.append(
                    Sheet(
                        index=0,
                        seed=0,
                        village_id=village.pk,
                        village_name=village.display_name,
                        area=village.path.strip("/").split("/")[1],
                        place=places[village.pk],
                        groups=groups.get(village.pk, []),
                        households=n,
                        first_id=0,
                        person_base=0,
                        planted=False,
                        created_at="",
                    )
                )
    pick.shuffle(sheets)
    next_id = 1
    county_persons: dict[str, int] = {}
    start = datetime.datetime(2023, 3, 1, 9, tzinfo=datetime.UTC)
    for index, sheet in enumerate(sheets):
        sheet.index = index
        sheet.seed = seed * 1_000_003 + index
        sheet.first_id = next_id
        next_id += sheet.households
        sheet.person_base = county_persons.get(sheet.area, 0)
        county_persons[sheet.area] = sheet.person_base + sheet.households * (1 + MAX_MEMBERS)
        sheet.planted = index % PLANTED_EVERY == 0
        sheet.created_at = (start + datetime.timedelta(minutes=index * 7)).isoformat()
    over = {area: n for area, n in county_persons.items() if n > COUNTY_CAPACITY}
    if over:
        raise SystemExit(f"Too many people per county for unique ID numbers: {over} (capacity {COUNTY_CAPACITY}).")
    return Plan(sheets=sheets, households=households, places=places)


# --- building rows (in worker processes) -------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _worker_init() -> None:
    if not apps.ready:
        django.setup()
    _WORKER["sealer"] = Sealer()
    _WORKER["ids"] = IdNumbers()


def build_sheet(sheet: Sheet) -> tuple[int, bytes, bytes, int, int, float]:
    """COPY text of one sheet's households and members: (index, households, members, counts,
    CPU seconds). Names follow ``fulian.demo.generate`` (its surname pool and given-name
    characters), drawn with ``random()`` directly: ``choice``/``randint`` cost 3-5 times more."""
    from fulian.demo.generate import FEMALE_CHARS, MALE_CHARS, MOBILE_PREFIXES, SURNAME_POOL
    from fulian.households.choices import HouseholdCategory, MemberCategory
    from fulian.households.demo import HOUSEHOLD_SHARES

    cpu = time.process_time()
    if not _WORKER:
        _worker_init()
    sealer: Sealer = _WORKER["sealer"]
    ids: IdNumbers = _WORKER["ids"]
    rnd = random.Random(sheet.seed).random  # noqa: S311 - made-up data, repeatable
    shares = [(int(c), s) for c, s in HOUSEHOLD_SHARES.items()]
    left_behind_flag = int(HouseholdCategory.LEFT_BEHIND)
    woman, child_lb, elderly = (
        int(MemberCategory.LEFT_BEHIND_WOMAN),
        int(MemberCategory.LEFT_BEHIND_CHILD),
        int(MemberCategory.LEFT_BEHIND_ELDERLY),
    )
    in_difficulty, disabled = int(MemberCategory.CHILD_IN_DIFFICULTY), int(MemberCategory.DISABLED)
    surnames, n_surnames = SURNAME_POOL, len(SURNAME_POOL)
    given = {"F": (FEMALE_CHARS, len(FEMALE_CHARS)), "M": (MALE_CHARS, len(MALE_CHARS))}
    prefixes, n_prefixes = MOBILE_PREFIXES, len(MOBILE_PREFIXES)

    def name(gender: str) -> str:
        chars, n = given[gender]
        first = chars[int(rnd() * n)]
        return surnames[int(rnd() * n_surnames)] + (first + chars[int(rnd() * n)] if rnd() < 0.8 else first)

    def given_name(gender: str) -> str:
        chars, n = given[gender]
        return chars[int(rnd() * n)] + chars[int(rnd() * n)]

    encrypt = sealer.encrypt
    digest = sealer.hash
    make_id = ids.make
    area = sheet.area
    p = sheet.person_base
    hh_lines: list[str] = []
    mem_lines: list[str] = []
    places = [(pl.ancestry, *_split_ancestry(pl.ancestry)) for pl in [sheet.place, *sheet.groups]]
    n_groups = len(sheet.groups)
    stamp = f"{sheet.created_at}\t{sheet.created_at}"
    village = sheet.village_name

    def member(m_name: str, relation: str, g: str, youngest: int, oldest: int, flags: int) -> None:
        nonlocal p
        m_id, birth = make_id(rnd, area, p, g, youngest, oldest)
        p += 1
        mem_lines.append(
            f"{m_name}\t{keys_of(m_name)}\t{relation}\t{g}\t{birth}\t{encrypt(m_id)}\t{digest(m_id)}\t{flags}\t"
            f"{before}\t{hid}\t{after}\n"
        )

    for n in range(sheet.households):
        hid = sheet.first_id + n
        anc, before, after = places[1 + n % n_groups] if n_groups and n % 2 == 0 else places[0]
        head_gender = "M" if rnd() < 0.8 else "F"
        head_name = PLANTED_NAME if sheet.planted and n == 0 else name(head_gender)
        if sheet.planted and n == 0:
            head_gender = "F"
        head_id, _birth = make_id(rnd, area, p, head_gender, 30, 80)
        p += 1
        mobile = prefixes[int(rnd() * n_prefixes)] + f"{int(rnd() * 100_000_000):08d}"
        categories = 0
        for flag, share in shares:
            if rnd() < share:
                categories |= flag
        left_behind = categories & left_behind_flag
        start = p
        if rnd() < 0.78:
            g = "F" if head_gender == "M" else "M"
            member(name(g), "spouse", g, 28, 78, woman if left_behind and g == "F" else 0)
        for _ in range(int(rnd() * 3)):
            g = "M" if rnd() < 0.5 else "F"
            flags = child_lb if left_behind else (in_difficulty if rnd() < 0.01 else 0)
            member(head_name[0] + given_name(g), "child", g, 3, 16, flags)
        if rnd() < 0.38:
            g = "F" if rnd() < 0.6 else "M"
            member(name(g), "parent", g, 70, 92, elderly if left_behind else (disabled if rnd() < 0.03 else 0))
        if rnd() < 0.14:
            g = "M" if rnd() < 0.5 else "F"
            member(head_name[0] + given_name(g), "grandchild", g, 0, 13, child_lb if left_behind else 0)
        members = p - start
        p = start + MAX_MEMBERS
        address = f"{village}{1 + int(rnd() * 12)}组{1 + int(rnd() * 80)}号"
        # The head is not listed: the list gives 1 + members; someone unlisted, a size by hand.
        unlisted = rnd() < 0.3
        hh_lines.append(
            f"{hid}\t{head_name}\t{keys_of(head_name)}\t{encrypt(head_id)}\t{digest(head_id)}\t"
            f"{encrypt(mobile)}\t{digest(mobile)}\t{digest(TAIL + mobile[-4:])}\t{address}\t"
            f"{1 + members + unlisted}\t{'t' if unlisted else 'f'}\t{categories}\t\t{stamp}\t{anc}\n"
        )
    return (
        sheet.index,
        "".join(hh_lines).encode(),
        "".join(mem_lines).encode(),
        len(hh_lines),
        len(mem_lines),
        time.process_time() - cpu,
    )


def _split_ancestry(ancestry: str) -> tuple[str, str]:
    """The ancestry COPY text is city, county, group, org, township, village; a member's
    household_id sits between group and org (Django's column order): (before, after)."""
    city, county, group, rest = ancestry.split("\t", 3)
    return f"{city}\t{county}\t{group}", rest


# --- the roster (built in the main process: ~74,000 people) ------------------------------------


@dataclass
class RosterOrg:
    pk: int
    level: str
    code: str
    name: str
    area: str  # the county code (the city's own code for the city)
    ancestry: str


def roster_inputs() -> tuple[list[RosterOrg], dict[str, int]]:
    """What build_roster needs from the database (it runs in a worker, without one)."""
    from fulian.accounts.models import User
    from fulian.orgs.models import Organisation

    orgs = list(Organisation.objects.order_by("path"))
    places = {o.pk: Place(o.pk, _ancestry_text(o.pk, a)) for o, a in zip(orgs, _ancestries(orgs), strict=True)}
    accounts = dict(User.objects.filter(username__in=["huilong_zhiwei"]).values_list("username", "pk"))
    return [
        RosterOrg(
            o.pk,
            o.level,
            o.code,
            o.display_name,
            o.path.strip("/").split("/")[1] if o.depth > 1 else o.code,
            places[o.pk].ancestry,
        )
        for o in orgs
    ], accounts


def _ancestries(orgs: list[Any]) -> list[dict[str, int | None]]:
    from fulian.core.ancestry import ancestries_of

    found = ancestries_of(orgs)
    return [found[o.pk] for o in orgs]


def build_roster(
    orgs: list[RosterOrg], accounts: dict[str, int], executives: int, volunteers: int, seed: int
) -> tuple[dict[str, bytes], float]:
    """Terms, people and posts as COPY text (and the CPU seconds it took)."""
    from fulian.demo.generate import ETHNICITIES, FEMALE_CHARS, MALE_CHARS, MOBILE_PREFIXES, OCCUPATIONS, SKILLS
    from fulian.demo.generate import SURNAME_POOL as SURNAMES
    from fulian.orgs.choices import Level
    from fulian.people.choices import Education, PoliticalStatus, PostKind
    from fulian.people.demo import SEED_PEOPLE, TERM_END, TERM_START

    cpu = time.process_time()
    if not _WORKER:
        _worker_init()
    sealer: Sealer = _WORKER["sealer"]
    ids: IdNumbers = _WORKER["ids"]
    pick = random.Random(seed)  # noqa: S311 - made-up data, repeatable
    rnd = pick.random
    now = "2024-05-01T09:00:00+08:00"
    federations = [o for o in orgs if o.level in (Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)]
    villages = [o for o in federations if o.level == Level.VILLAGE]
    groups = [o for o in orgs if o.level == Level.GROUP]
    terms: list[str] = []
    term_of: dict[int, int] = {}
    for i, org in enumerate(federations, start=1):
        term_of[org.pk] = i
        terms.append(f"{i}\t1\t{TERM_START}\t{TERM_END}\t{NULL}\t{org.pk}\n")
    # Committee sizes: fixed above the villages, the rest of ``executives`` shared by villages.
    chair, vice, part_time, member = (
        PostKind.CHAIR.value,
        PostKind.VICE_CHAIR.value,
        PostKind.PART_TIME_VICE_CHAIR.value,
        PostKind.MEMBER.value,
    )
    statuses = [PoliticalStatus.PARTY_MEMBER.value, PoliticalStatus.MASSES.value, PoliticalStatus.MASSES.value]
    schooling = [Education.JUNIOR.value, Education.SECONDARY.value, Education.SECONDARY.value, Education.COLLEGE.value]
    sizes: dict[int, list[str]] = {}
    for org in federations:
        if org.level == Level.CITY:
            sizes[org.pk] = [chair, vice, vice] + [member] * 35
        elif org.level == Level.COUNTY:
            sizes[org.pk] = [chair, vice, vice] + [member] * 30
        elif org.level == Level.TOWNSHIP:
            sizes[org.pk] = [chair, vice, vice] + [member] * pick.randint(25, 30)
    above = sum(len(v) for v in sizes.values())
    village_members = max(0, executives - above - 3 * len(villages))
    base, extra = divmod(village_members, len(villages))
    lucky = set(pick.sample(range(len(villages)), extra))
    for i, org in enumerate(villages):
        sizes[org.pk] = [chair, part_time, part_time] + [member] * (base + (1 if i in lucky else 0))

    people: list[str] = []
    posts: list[str] = []
    numbers: dict[str, int] = {}  # people numbered per county, for unique ID numbers

    def name(gender: str) -> str:
        chars = FEMALE_CHARS if gender == "F" else MALE_CHARS
        first = chars[int(rnd() * len(chars))]
        given = first + chars[int(rnd() * len(chars))] if rnd() < 0.8 else first
        return SURNAMES[int(rnd() * len(SURNAMES))] + given

    def person(
        org: RosterOrg,
        youngest: int,
        oldest: int,
        *,
        gender: str = "",
        full_name: str = "",
        mobile: str = "",
        backbone: str = NULL,
        volunteer: str = NULL,
        account: str = NULL,
    ) -> int:
        pid = len(people) + 1
        gender = gender or ("F" if rnd() < 0.5 else "M")
        full_name = full_name or name(gender)
        mobile = mobile or MOBILE_PREFIXES[int(rnd() * len(MOBILE_PREFIXES))] + f"{int(rnd() * 1e8):08d}"
        p = numbers.get(org.area, 0)
        numbers[org.area] = p + 1
        id_number, birth = ids.make(rnd, org.area, p, gender, youngest, oldest)
        skills = "，".join(pick.sample(SKILLS, 2))
        people.append(
            f"{pid}\t{full_name}\t{keys_of(full_name)}\t{gender}\t{birth}\t"
            f"{sealer.encrypt(id_number)}\t{sealer.hash(id_number)}\t{sealer.encrypt(mobile)}\t{sealer.hash(mobile)}\t"
            f"{sealer.hash(TAIL + mobile[-4:])}\t"
            f"{ETHNICITIES[int(rnd() * len(ETHNICITIES))]}\t{statuses[int(rnd() * 3)]}\t{schooling[int(rnd() * 4)]}\t"
            f"{OCCUPATIONS[int(rnd() * len(OCCUPATIONS))]}\t{org.name}{1 + int(rnd() * 12)}组\t"
            f"{skills}\t\t{backbone}\t{volunteer}\t\t{now}\t{now}\t{account}\t{org.ancestry}\n"
        )
        return pid

    def some_day(start: datetime.date, days: int) -> str:
        return (start + datetime.timedelta(days=int(rnd() * days))).isoformat()

    for org in federations:
        seeds = list(SEED_PEOPLE.get(org.code, []))
        for index, kind in enumerate(sizes[org.pk]):
            seed_person = next((s for s in seeds if s[1].value == kind), None) if index < 3 else None
            volunteer = some_day(datetime.date(2022, 3, 8), 900) if rnd() < 0.15 else NULL
            if seed_person is not None:
                seeds.remove(seed_person)
                account = str(accounts.get(seed_person[3] or "", NULL))
                pid = person(org, 35, 62, gender="F", full_name=seed_person[0], mobile=seed_person[2], account=account)
            else:
                pid = person(org, 25, 65, gender="F" if rnd() < 0.93 else "M", volunteer=volunteer)
            representative = "t" if kind == member and rnd() < 0.3 else "f"
            posts.append(
                f"{len(posts) + 1}\t{kind}\t{representative}\t{TERM_START}\t{NULL}\t"
                f"{_post_ancestry(org.ancestry, pid)}\t{term_of[org.pk]}\n"
            )
    # Backbone activists (2-4 a village) and volunteers (shared by villages and 回龙村's groups).
    for org in villages:
        for _ in range(pick.randint(2, 4)):
            person(org, 25, 55, gender="F", backbone=some_day(datetime.date(2024, 1, 1), 600))
    homes = villages + groups
    for n in range(volunteers):
        org = homes[int(rnd() * len(homes))]
        gender = "F" if rnd() < 0.7 else "M"
        planted = PLANTED_NAME if n % 2500 == 0 else ""
        person(
            org,
            18,
            68,
            gender="F" if planted else gender,
            full_name=planted,
            volunteer=some_day(datetime.date(2021, 1, 1), 1700),
        )
    tables = {
        TERM_TABLE: "".join(terms).encode(),
        PERSON_TABLE: "".join(people).encode(),
        POST_TABLE: "".join(posts).encode(),
    }
    return tables, time.process_time() - cpu


def _post_ancestry(ancestry: str, person_id: int) -> str:
    # POST_COLUMNS: city, county, group, org, person, township, village
    city, county, group, org, rest = ancestry.split("\t", 4)
    return f"{city}\t{county}\t{group}\t{org}\t{person_id}\t{rest}"


# --- DDL: what is dropped around the load and rebuilt after -------------------------------------


@dataclass
class Ddl:
    kind: str  # "index", "unique", "fk"
    table: str
    name: str
    definition: str  # CREATE INDEX … for indexes; the constraint definition otherwise
    size: int = 0


SAVED_DDL = "bench_saved_ddl"
LOAD_FIGURES = "bench_load_figures"  # the last load's figures, printed again when it is reused


def capture_ddl(conn: psycopg.Connection[Any], *, indexes: bool) -> list[Ddl]:
    """The secondary indexes, unique constraints and foreign keys of (and into) the big tables."""
    with conn.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {SAVED_DDL} (kind text, tbl text, name text, definition text, size bigint)"
        )
        cur.execute(f"SELECT kind, tbl, name, definition, size FROM {SAVED_DDL}")  # noqa: S608
        saved = [Ddl(*row) for row in cur.fetchall()]
        if saved:
            print(f"# restoring {len(saved)} objects saved by an interrupted load", file=sys.stderr)
            return saved
        tables = list(LOADED_TABLES)
        found: list[Ddl] = []
        cur.execute(
            """
            SELECT c.conname, t.relname, pg_get_constraintdef(c.oid), c.contype,
                   coalesce(pg_relation_size(c.conindid), 0)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            LEFT JOIN pg_class r ON r.oid = c.confrelid
            WHERE (c.contype = 'f' AND (t.relname = ANY(%s) OR r.relname = ANY(%s)))
               OR (c.contype = 'u' AND t.relname = ANY(%s))
            ORDER BY t.relname, c.conname
            """,
            (tables, tables, list(BIG_TABLES)),
        )
        for name, table, definition, contype, size in cur.fetchall():
            if contype == "f":
                found.append(Ddl("fk", table, name, definition))
            elif indexes:
                found.append(Ddl("unique", table, name, definition, size))
        if indexes:
            cur.execute(
                """
                SELECT i.relname, t.relname, pg_get_indexdef(i.oid), pg_relation_size(i.oid)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relname = ANY(%s) AND NOT x.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                                  AND c.contype IN ('p', 'u', 'x'))
                ORDER BY t.relname, i.relname
                """,
                (list(BIG_TABLES),),
            )
            found += [Ddl("index", table, name, definition, size) for name, table, definition, size in cur]
        with cur.copy(f"COPY {SAVED_DDL} (kind, tbl, name, definition, size) FROM STDIN") as copy:
            for d in found:
                copy.write_row((d.kind, d.table, d.name, d.definition, d.size))
    conn.commit()
    return found


def drop_ddl(conn: psycopg.Connection[Any], ddl: list[Ddl]) -> None:
    with conn.cursor() as cur:
        for d in ddl:
            if d.kind in ("fk", "unique"):
                cur.execute(f'ALTER TABLE {d.table} DROP CONSTRAINT IF EXISTS "{d.name}"')
        for d in ddl:
            if d.kind == "index":
                cur.execute(f'DROP INDEX IF EXISTS "{d.name}"')
    conn.commit()


def run_parallel(
    connect: Callable[[], psycopg.Connection[Any]], statements: Iterable[str], threads: int = 2, setup: str = ""
) -> list[tuple[str, float]]:
    """Execute statements on ``threads`` connections at once; (statement, seconds) each."""
    work: queue.Queue[str] = queue.Queue()
    for s in statements:
        work.put(s)
    done: list[tuple[str, float]] = []
    errors: list[BaseException] = []

    def run() -> None:
        with connect() as conn:
            conn.autocommit = True
            if setup:
                conn.execute(setup)
            while True:
                try:
                    statement = work.get_nowait()
                except queue.Empty:
                    return
                start = time.perf_counter()
                try:
                    conn.execute(statement)
                except BaseException as e:  # re-raised in the caller
                    errors.append(e)
                    return
                done.append((statement, time.perf_counter() - start))

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return done


BUILD_SETUP = "SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 0"


def rebuild_ddl(connect: Callable[[], psycopg.Connection[Any]], ddl: list[Ddl]) -> dict[str, float]:
    """Indexes (largest first, two connections at once), unique constraints from their
    indexes, then foreign keys added NOT VALID and validated. Returns seconds per phase."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    builds = [d for d in ddl if d.kind in ("index", "unique")]
    # Largest first (GIN trigram indexes of the biggest tables are the long poles).
    order = {HOUSEHOLD_TABLE: 2, MEMBER_TABLE: 3, PERSON_TABLE: 1, POST_TABLE: 0}
    builds.sort(key=lambda d: (" gin " in d.definition.lower(), order.get(d.table, 0), d.size), reverse=True)
    statements = []
    for d in builds:
        if d.kind == "index":
            statements.append(d.definition)
        else:
            columns = d.definition[d.definition.index("(") :]
            statements.append(f'CREATE UNIQUE INDEX "{d.name}" ON {d.table} {columns}')
    for statement, seconds in run_parallel(connect, statements, setup=BUILD_SETUP):
        name = statement.split('"')[1] if '"' in statement else statement.split()[2 if "UNIQUE" not in statement else 3]
        timings[f"index:{name}"] = seconds
    with connect() as conn, conn.cursor() as cur:
        for d in ddl:
            if d.kind == "unique":
                cur.execute(f'ALTER TABLE {d.table} ADD CONSTRAINT "{d.name}" UNIQUE USING INDEX "{d.name}"')
        conn.commit()
    timings["index_build_s"] = time.perf_counter() - start
    start = time.perf_counter()
    fks = [d for d in ddl if d.kind == "fk"]
    with connect() as conn, conn.cursor() as cur:
        for d in fks:
            cur.execute(f'ALTER TABLE {d.table} ADD CONSTRAINT "{d.name}" {d.definition} NOT VALID')
        conn.commit()
    # VALIDATE locks its own table against another VALIDATE: one thread per table.
    by_table: dict[str, list[str]] = {}
    for d in fks:
        by_table.setdefault(d.table, []).append(f'ALTER TABLE {d.table} VALIDATE CONSTRAINT "{d.name}"')
    run_parallel(connect, ["; ".join(s) for s in sorted(by_table.values(), key=len, reverse=True)])
    timings["fk_validate_s"] = time.perf_counter() - start
    with connect() as conn:
        conn.execute(f"DELETE FROM {SAVED_DDL}")  # noqa: S608
    return timings


# --- the load --------------------------------------------------------------------------------


def connect_factory() -> Callable[[], psycopg.Connection[Any]]:
    db = settings.DATABASES["default"]
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    params = {k: v for k, v in params.items() if v}

    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(**params)

    return connect


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (0 if unknown)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def host_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def figure(name: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "value": round(value, 2) if isinstance(value, float) else value, "unit": unit, **extra}


def ensure_accounts() -> None:
    """The Zhuzhou tree, the demo accounts, and bench accounts at the village and group level."""
    from fulian.accounts import demo as accounts_demo
    from fulian.accounts.choices import Role
    from fulian.accounts.models import RoleGrant, User
    from fulian.demo import DEMO_PASSWORD
    from fulian.orgs import demo as orgs_demo
    from fulian.orgs.models import Organisation

    devnull = open(os.devnull, "w")  # noqa: SIM115
    orgs_demo.load(devnull)
    accounts_demo.load(devnull)
    for username, code in (("bench_village", "430223123215"), ("bench_group", "430223123215001")):
        org = Organisation.objects.get(code=code)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=username, org=org)
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleGrant.objects.get_or_create(user=user, org=org, role=Role.STAFF)


def generate(
    *,
    households: int = 1_300_000,
    executives: int = 20_000,
    volunteers: int = 50_000,
    workers: int | None = None,
    keep_indexes: bool = False,
    floor: bool = True,
    floor_with_indexes: bool = False,
    seed: int = 1300,
    emit: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Empty and reload the household and roster tables; return (and emit) the figures."""
    figures: list[dict[str, Any]] = []

    def out(f: dict[str, Any]) -> None:
        figures.append(f)
        if emit:
            emit(f)

    if connection.vendor != "postgresql":
        raise SystemExit("generate_city loads through PostgreSQL's COPY: set DATABASE_URL to a PostgreSQL database.")
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        raise SystemExit("Refusing to empty a database whose name does not contain 'bench'.")
    workers = workers or os.cpu_count() or 2
    ensure_accounts()
    connect = connect_factory()
    t_plan = time.perf_counter()
    plan = plan_city(households, seed)
    plan_s = time.perf_counter() - t_plan
    spool_dir = Path(tempfile.mkdtemp(prefix="fulian-bench-spool-"))
    try:
        return _load(
            plan, plan_s, spool_dir, connect, out, figures, executives, volunteers, workers, keep_indexes, floor,
            floor_with_indexes, seed,
        )  # fmt: skip
    finally:
        shutil.rmtree(spool_dir, ignore_errors=True)


def _load(
    plan: Plan,
    plan_s: float,
    spool_dir: Path,
    connect: Callable[[], psycopg.Connection[Any]],
    out: Callable[[dict[str, Any]], None],
    figures: list[dict[str, Any]],
    executives: int,
    volunteers: int,
    workers: int,
    keep_indexes: bool,
    floor: bool,
    floor_with_indexes: bool,
    seed: int,
) -> list[dict[str, Any]]:
    spool = {t: open(spool_dir / f"{t}.copy", "wb") for t in LOADED_TABLES}  # noqa: SIM115
    counts = dict.fromkeys(LOADED_TABLES, 0)

    # Timed from here: worker start-up (spawned, so they share nothing with this process's
    # database connections) overlaps dropping the indexes.
    start = time.perf_counter()
    main_cpu = time.process_time()
    host_cpu = host_busy_seconds()
    build_cpu = 0.0
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, initializer=_worker_init) as pool, connect() as one, connect() as two:
        roster_task = pool.apply_async(build_roster, (*roster_inputs(), executives, volunteers, seed + 1))
        sheets = pool.imap(build_sheet, plan.sheets, chunksize=1)
        with connect() as admin:
            ddl = capture_ddl(admin, indexes=not keep_indexes)
            drop_ddl(admin, ddl)
        for conn in (one, two):
            conn.execute("SET synchronous_commit = off")
        one.execute(
            f"TRUNCATE {HOUSEHOLD_TABLE}, {POST_TABLE}, {PERSON_TABLE}, {TERM_TABLE}, {', '.join(GRID_TABLES)}, "
            f"{', '.join(POINTS_TABLES)}, {', '.join(CAMPAIGN_TABLES)}, {', '.join(DUTIES_TABLES)} "
            "RESTART IDENTITY"
        )
        two.execute(f"TRUNCATE {MEMBER_TABLE} RESTART IDENTITY")
        with (
            one.cursor() as c1,
            two.cursor() as c2,
            c1.copy(
                f"COPY {HOUSEHOLD_TABLE} ({HOUSEHOLD_COLUMNS}) FROM STDIN WITH (FREEZE)", writer=QueuedLibpqWriter(c1)
            ) as hh,
            c2.copy(
                f"COPY {MEMBER_TABLE} ({MEMBER_COLUMNS}) FROM STDIN WITH (FREEZE)", writer=QueuedLibpqWriter(c2)
            ) as mem,
        ):
            log(f"pool started, copying (+{time.perf_counter() - start:.1f}s)")
            for _index, hh_bytes, mem_bytes, n_hh, n_mem, cpu in sheets:
                if _index % 500 == 0:
                    log(f"sheet {_index}/{len(plan.sheets)} (+{time.perf_counter() - start:.1f}s)")
                hh.write(hh_bytes)
                mem.write(mem_bytes)
                spool[HOUSEHOLD_TABLE].write(hh_bytes)
                spool[MEMBER_TABLE].write(mem_bytes)
                counts[HOUSEHOLD_TABLE] += n_hh
                counts[MEMBER_TABLE] += n_mem
                build_cpu += cpu
        log(f"households copied (+{time.perf_counter() - start:.1f}s)")
        roster, roster_cpu = roster_task.get()
        build_cpu += roster_cpu
        for t, data in roster.items():
            spool[t].write(data)
            counts[t] = data.count(b"\n")
        with one.cursor() as c1:
            for table in (TERM_TABLE, PERSON_TABLE, POST_TABLE):
                with c1.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN WITH (FREEZE)") as copy:
                    copy.write(roster[table])
        backend_cpu = sum(process_cpu(conn.info.backend_pid) for conn in (one, two))
        one.commit()
        two.commit()
        log(f"committed (+{time.perf_counter() - start:.1f}s)")
    copy_s = time.perf_counter() - start
    main_cpu = time.process_time() - main_cpu
    host_cpu = host_busy_seconds() - host_cpu
    other_cores = max(0.0, host_cpu - main_cpu - build_cpu - backend_cpu) / copy_s
    for f in spool.values():
        f.close()
    rows = sum(counts.values())

    start = time.perf_counter()
    timings = rebuild_ddl(connect, ddl)
    with connect() as conn:
        conn.autocommit = True
        for table in LOADED_TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"  # noqa: S608
            )
    t_analyze = time.perf_counter()
    run_parallel(connect, [f"ANALYZE {t}" for t in LOADED_TABLES])
    timings["analyze_s"] = time.perf_counter() - t_analyze
    after_s = time.perf_counter() - start
    total_s = copy_s + after_s

    for table in LOADED_TABLES:
        out(figure(f"city_rows_{table}", counts[table], "rows"))
    out(figure("city_members_per_household", counts[MEMBER_TABLE] / max(1, counts[HOUSEHOLD_TABLE]), "members"))
    out(
        figure(
            "load_spool_bytes", sum((spool_dir / f"{t}.copy").stat().st_size for t in LOADED_TABLES), "bytes", rows=rows
        )
    )
    out(figure("load_plan_s", plan_s, "s", note="households per village and sheets (before the timed load)"))
    out(figure("load_build_cpu_s", build_cpu, "s", workers=workers, note="worker CPU building the rows"))
    out(figure("load_main_cpu_s", main_cpu, "s", note="main process: feeding COPY and the spool file"))
    out(figure("load_postgres_cpu_s", backend_cpu, "s", note="the two COPY backends"))
    out(
        figure(
            "load_other_processes_cores",
            other_cores,
            "cores",
            note="CPU used by other processes during the COPY phase (of 2 cores): noise",
        )
    )
    copy_rate = rows / copy_s
    floor_rate = None
    if floor:
        floor_s = raw_copy(connect, spool_dir, with_indexes=False)
        floor_rate = rows / floor_s
    out(
        figure(
            "load_copy_rows_per_s",
            copy_rate,
            "rows/s",
            seconds=round(copy_s, 2),
            rows=rows,
            indexes="kept" if keep_indexes else "dropped (FKs too)",
            note="building rows (encryption, hashes, pinyin) in workers + COPY FREEZE, 2 connections",
            **(
                {
                    "floor": "raw_copy_same_rows_rows_per_s",
                    "floor_value": round(floor_rate, 2),
                    "ratio": round(copy_rate / floor_rate, 3),
                }
                if floor_rate
                else {}
            ),
        )
    )
    slowest = sorted(((k[6:], v) for k, v in timings.items() if k.startswith("index:")), key=lambda kv: -kv[1])
    out(
        figure(
            "load_index_build_s",
            timings["index_build_s"],
            "s",
            indexes=len([d for d in ddl if d.kind != "fk"]),
            note="two connections at once, maintenance_work_mem 1GB",
            seconds_each={name: round(seconds, 1) for name, seconds in slowest},
            index_mb=index_sizes(connect),
        )
    )
    out(figure("load_fk_validate_s", timings["fk_validate_s"], "s", fks=len([d for d in ddl if d.kind == "fk"])))
    out(figure("load_analyze_s", timings["analyze_s"], "s"))
    out(
        figure(
            "load_total_rows_per_s",
            rows / total_s,
            "rows/s",
            seconds=round(total_s, 2),
            note="COPY phase + index rebuild + FK validation + ANALYZE",
        )
    )
    if floor and floor_rate:
        out(figure("raw_copy_same_rows_rows_per_s", floor_rate, "rows/s", note="same bytes, PK only, 2 connections"))
        rebuild_rate = rows / (rows / floor_rate + timings["index_build_s"])
        out(
            figure(
                "raw_copy_then_build_indexes_rows_per_s",
                rebuild_rate,
                "rows/s",
                note="raw COPY without secondary indexes + the index rebuild measured above",
            )
        )
        if floor_with_indexes and not keep_indexes:
            with_s = raw_copy(connect, spool_dir, with_indexes=True)
            out(
                figure(
                    "raw_copy_into_indexed_tables_rows_per_s",
                    rows / with_s,
                    "rows/s",
                    seconds=round(with_s, 2),
                    peer="raw_copy_then_build_indexes_rows_per_s",
                    peer_value=round(rebuild_rate, 2),
                    ratio=round((rows / with_s) / rebuild_rate, 3),
                    note="same bytes into LIKE ... INCLUDING ALL tables (every index kept during COPY)",
                )
            )
    with connect() as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {LOAD_FIGURES} (at timestamptz, figures jsonb)")
        conn.execute(f"DELETE FROM {LOAD_FIGURES}")  # noqa: S608
        conn.execute(f"INSERT INTO {LOAD_FIGURES} VALUES (now(), %s)", (json.dumps(figures),))  # noqa: S608
    return figures


def index_sizes(connect: Callable[[], psycopg.Connection[Any]]) -> dict[str, float]:
    """Secondary indexes of the big tables → MB."""
    with connect() as conn:
        rows = conn.execute(
            """
            SELECT i.relname, pg_relation_size(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisprimary ORDER BY 2 DESC
            """,
            (list(BIG_TABLES),),
        ).fetchall()
    return {name: round(size / 2**20, 1) for name, size in rows}


def raw_copy(connect: Callable[[], psycopg.Connection[Any]], spool_dir: Path, *, with_indexes: bool) -> float:
    """Seconds to COPY the spooled bytes into fresh tables like the real ones, two connections
    at once as the load did (households and the roster on one, members on the other)."""
    like = "INCLUDING ALL" if with_indexes else "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS"
    lanes = [[TERM_TABLE, PERSON_TABLE, POST_TABLE, HOUSEHOLD_TABLE], [MEMBER_TABLE]]
    conns = [connect(), connect()]
    for conn in conns:
        conn.execute("SET synchronous_commit = off")
    for lane, conn in zip(lanes, conns, strict=True):
        for table in lane:
            conn.execute(f"DROP TABLE IF EXISTS bench_floor_{table}")
            conn.execute(f"CREATE TABLE bench_floor_{table} (LIKE {table} {like})")
            if not with_indexes:
                conn.execute(f"ALTER TABLE bench_floor_{table} ADD PRIMARY KEY (id)")
    errors: list[BaseException] = []

    def run(lane: list[str], conn: psycopg.Connection[Any]) -> None:
        try:
            with conn.cursor() as cur:
                for table in lane:
                    with (
                        open(spool_dir / f"{table}.copy", "rb") as f,
                        cur.copy(f"COPY bench_floor_{table} ({COLUMNS[table]}) FROM STDIN WITH (FREEZE)") as copy,
                    ):
                        while block := f.read(1 << 20):
                            copy.write(block)
            conn.commit()
        except BaseException as e:  # re-raised below
            errors.append(e)

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(lane, conn)) for lane, conn in zip(lanes, conns, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    for lane, conn in zip(lanes, conns, strict=True):
        conn.autocommit = True
        for table in lane:
            conn.execute(f"DROP TABLE IF EXISTS bench_floor_{table}")
        conn.close()
    if errors:
        raise errors[0]
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=1_300_000)
    parser.add_argument("--executives", type=int, default=20_000)
    parser.add_argument("--volunteers", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=None, help="row-building processes (default: one per core)")
    parser.add_argument("--keep-indexes", action="store_true", help="load with the secondary indexes in place")
    parser.add_argument("--no-floor", action="store_true", help="skip the raw COPY floor")
    parser.add_argument(
        "--floor-with-indexes", action="store_true", help="also time a raw COPY into tables with every index"
    )
    parser.add_argument("--seed", type=int, default=1300)
    args = parser.parse_args(argv)
    generate(
        households=args.households,
        executives=args.executives,
        volunteers=args.volunteers,
        workers=args.workers,
        keep_indexes=args.keep_indexes,
        floor=not args.no_floor,
        floor_with_indexes=args.floor_with_indexes,
        seed=args.seed,
        emit=lambda f: print(json.dumps(f, ensure_ascii=False), flush=True),
    )


if __name__ == "__main__":
    main()
