"""Demo step: households for every village, with members and the categories that matter."""

from __future__ import annotations

import datetime
from typing import TextIO

from fulian.core.ancestry import ancestries_of
from fulian.core.bulk import insert_many
from fulian.core.validation import name_keys
from fulian.demo.generate import Generator
from fulian.households.choices import HouseholdCategory, MemberCategory, Relation
from fulian.households.models import Household, HouseholdMember
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

HOUSEHOLDS_PER_VILLAGE = 20
# Category → share of households (roughly what a Hunan village reports).
HOUSEHOLD_SHARES = {
    HouseholdCategory.LIFTED_OUT_OF_POVERTY: 0.12,
    HouseholdCategory.SUBSISTENCE_ALLOWANCE: 0.06,
    HouseholdCategory.EXTREME_HARDSHIP: 0.01,
    HouseholdCategory.HARDSHIP: 0.05,
    HouseholdCategory.MILITARY: 0.02,
    HouseholdCategory.LEFT_BEHIND: 0.15,
    HouseholdCategory.DISABILITY: 0.04,
    HouseholdCategory.SINGLE_PARENT: 0.02,
}


def load(out: TextIO) -> None:
    if Household.objects.exists():
        out.write("Households: already loaded.\n")
        return
    gen = Generator(seed=1300)
    pick = gen.random
    places = list(Organisation.objects.filter(level__in=[Level.VILLAGE, Level.GROUP]).order_by("path"))
    ancestry = ancestries_of(places)
    groups_of: dict[int, list[Organisation]] = {}
    for org in places:
        if org.level == Level.GROUP:
            groups_of.setdefault(org.parent_id or 0, []).append(org)
    households: list[Household] = []
    family: list[list[tuple[str, Relation, datetime.date, str, int]]] = []
    for village in (o for o in places if o.level == Level.VILLAGE):
        area = village.path.strip("/").split("/")[1]
        for n in range(HOUSEHOLDS_PER_VILLAGE):
            groups = groups_of.get(village.pk)
            org = groups[n % len(groups)] if groups and n % 2 == 0 else village
            head = gen.person(area, gender="M" if pick.random() < 0.8 else "F", youngest=30, oldest=80)
            categories = sum(c.value for c, share in HOUSEHOLD_SHARES.items() if pick.random() < share)
            household = Household(
                head_name=head.name,
                search_keys=name_keys(head.name),
                address=f"{village.display_name}{pick.randint(1, 12)}组{pick.randint(1, 60)}号",
                categories=categories,
            )
            household.set_id_number(head.id_number)
            household.set_mobile(head.mobile)
            household.place(org, ancestry[org.pk])
            members: list[tuple[str, Relation, datetime.date, str, int]] = []
            if pick.random() < 0.7:
                spouse = gen.person(area, gender="F" if head.gender == "M" else "M", youngest=28, oldest=78)
                flags = (
                    MemberCategory.LEFT_BEHIND_WOMAN
                    if categories & HouseholdCategory.LEFT_BEHIND and spouse.gender == "F"
                    else 0
                )
                members.append((spouse.name, Relation.SPOUSE, spouse.birth_date, spouse.id_number, int(flags)))
            for _ in range(pick.randint(0, 2)):
                child = gen.person(area, youngest=3, oldest=16)
                flags = MemberCategory.LEFT_BEHIND_CHILD if categories & HouseholdCategory.LEFT_BEHIND else 0
                members.append(
                    (head.name[0] + child.name[-2:], Relation.CHILD, child.birth_date, child.id_number, int(flags))
                )
            if pick.random() < 0.3:
                elder = gen.person(area, youngest=70, oldest=92)
                flags = MemberCategory.LEFT_BEHIND_ELDERLY if categories & HouseholdCategory.LEFT_BEHIND else 0
                members.append((elder.name, Relation.PARENT, elder.birth_date, elder.id_number, int(flags)))
            # The head is not listed among the members: the list gives 1 + members. Some families
            # have someone unlisted, a size written by hand.
            extra = pick.randint(0, 1)
            household.members_count = 1 + len(members) + extra
            household.members_count_manual = bool(extra)
            households.append(household)
            family.append(members)
    insert_many(Household, households)
    rows = []
    for household, members in zip(households, family, strict=True):
        for name, relation, birth, id_number, flags in members:
            member = HouseholdMember(
                household=household,
                name=name,
                search_keys=name_keys(name),
                relation=relation,
                gender=id_number and ("M" if int(id_number[16]) % 2 else "F"),
                birth_date=birth,
                categories=flags,
            )
            member.set_id_number(id_number)
            member.place(household.org, household.ancestry)
            rows.append(member)
    insert_many(HouseholdMember, rows)
    out.write(f"Households: {len(households)} households with {len(rows)} members listed.\n")
