"""The grid demo's plan: the rows to write, checked against the services' rules as they are made."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from fulian.core.bulk import insert_values
from fulian.demo.generate import Generator
from fulian.grid.choices import Mode
from fulian.grid.models import Assignment
from fulian.orgs.models import Organisation


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


def weighted(pick: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    return pick.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def started(pick: random.Random, today: datetime.date) -> datetime.date:
    """When a responsibility began: one to two years ago (the term's start, at the earliest)."""
    return today - datetime.timedelta(days=pick.randint(360, 720))


def partner_name(names: Generator) -> str:
    return names.name("F" if names.random.random() < 0.6 else "M")


def handed_over(
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
