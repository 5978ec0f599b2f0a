"""The load of the 执委 (issue 11, "balance the load"): how many households each current 执委 of
an organisation's subtree answers for, read with a few GROUP BY queries, and the rule of the
organisation (``LoadRule``: "1+10+N", each keeps in touch with at least 10 households).

Counting rules (docs: /work/dec-load.md):

- the 执委 are the people holding a current post in the subtree (a person with two posts is
  one 执委);
- her households on a day are those of her assignments in force that day and placed in the
  subtree: each household taken directly, every current household of each group she took and
  of a whole village she took (sums of ``CoverageCount``). A household two 执委 answer for
  counts for each of them;
- a county or township 执委's 包乡镇 / 包村 targets are areas, not households: counted apart.
  The minimum concerns the 执委 who answer for households, so one with areas is never listed
  under it.
"""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from fulian.core.ancestry import within_q
from fulian.core.scoping import AnyUser, require
from fulian.grid import coverage
from fulian.grid.models import Assignment, CoverageCount, LoadRule, active_q
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

DEFAULT_MIN = 10  # "1+10+N"
LIST_CAP = 50  # the longest list a page shows; the count says how many there are
TOP = 10
# Histogram buckets: (lowest, highest or None for "and more").
BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 4), (5, 9), (10, 19), (20, 49), (50, None))


@dataclass
class Load:
    """One 执委's load: households she answers for, and areas (包乡镇 / 包村) she takes."""

    person_id: int
    households: int = 0
    areas: int = 0
    person: Person | None = None

    @property
    def name(self) -> str:
        return self.person.name if self.person is not None else ""

    @property
    def unassigned(self) -> bool:
        return not self.households and not self.areas


@dataclass
class Bucket:
    low: int
    high: int | None
    count: int = 0

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low}+"
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass
class Rule:
    """The rule in force at an organisation: its own, or the nearest above, or the default."""

    min_households: int = DEFAULT_MIN
    max_households: int | None = None
    org: Organisation | None = None  # where it is set; None = the default


@dataclass
class LoadFigures:
    """The load of the current 执委 of ``org``'s subtree on ``on``. Lists are capped at
    ``LIST_CAP`` (their ``*_count`` says how many there are)."""

    org: Organisation
    on: datetime.date
    rule: Rule
    executives: int = 0
    households_total: int = 0  # sum of the loads (a household two answer for counts twice)
    with_areas: int = 0
    buckets: list[Bucket] = field(default_factory=list)
    most: list[Load] = field(default_factory=list)
    least: list[Load] = field(default_factory=list)
    under_min: list[Load] = field(default_factory=list)
    under_min_count: int = 0
    over_max: list[Load] = field(default_factory=list)
    over_max_count: int = 0
    unassigned: list[Load] = field(default_factory=list)
    unassigned_count: int = 0

    @property
    def average(self) -> float | None:
        takers = self.executives - self.with_areas
        return self.households_total / takers if takers > 0 else None


def rule_for(org: Organisation) -> Rule:
    """The nearest ``LoadRule`` at or above ``org`` (one query over its ancestors' codes)."""
    codes = [c for c in org.path.strip("/").split("/") if c]
    rules = list(LoadRule.objects.filter(org__code__in=codes).select_related("org"))
    if not rules:
        return Rule()
    nearest = max(rules, key=lambda r: len(r.org.path))
    return Rule(nearest.min_households, nearest.max_households, nearest.org)


def household_loads(assignments: QuerySet[Assignment], counts: QuerySet[CoverageCount]) -> dict[int, Load]:
    """Per person, the households of ``assignments`` (already narrowed to those in force) and
    her areas; the households of a group or village are read from ``counts``, which must
    include the places of those groups and villages. Three GROUP BY queries."""
    loads: dict[int, Load] = {}

    def of(person_id: int) -> Load:
        load = loads.get(person_id)
        if load is None:
            load = loads[person_id] = Load(person_id)
        return load

    # COUNT(*), not of the id: the county's count reads the (county, person, dates) index alone.
    direct = assignments.filter(household__isnull=False).order_by().values_list("person_id").annotate(n=Count("*"))
    for person_id, n in direct:
        of(person_id).households += n
    taken = list(
        assignments.filter(target_org__isnull=False).order_by().values_list("person_id", "tier", "target_org_id")
    )
    if taken:
        # The groups and villages of the rows' places: a group's households are the rows of
        # that group, a village's all rows of the village.
        by_group = dict(
            counts.filter(group__isnull=False).order_by().values_list("group_id").annotate(h=Sum("households"))
        )
        by_village = dict(
            counts.filter(village__isnull=False).order_by().values_list("village_id").annotate(h=Sum("households"))
        )
        for person_id, tier, target_id in taken:
            load = of(person_id)
            if tier != Level.VILLAGE:
                load.areas += 1  # 包乡镇 / 包村: the area answers to her, its households to the village's 执委
            elif target_id in by_group:
                load.households += by_group[target_id]
            else:
                load.households += by_village.get(target_id, 0)
    return loads


# Ties are broken by the person's id, so that the lists do not shuffle between two reads.
def most_first(load: Load) -> tuple[int, int]:
    return (-load.households, load.person_id)


def least_first(load: Load) -> tuple[int, int]:
    return (load.households, load.person_id)


def _named(loads: Iterable[Load]) -> None:
    loads = list(loads)
    people = Person.objects.filter(pk__in={load.person_id for load in loads}).select_related("org")
    by_pk = {p.pk: p for p in people}
    for load in loads:
        load.person = by_pk.get(load.person_id)


def load_figures(org: Organisation, *, on: datetime.date | None = None) -> LoadFigures:
    """The load figures of ``org`` (fetched through ``visible_to``): the distribution of
    households per 执委, the most and least loaded, those under the minimum and over the
    maximum of the organisation's rule, and those with no assignment at all. A constant
    number of queries (eight), none per person."""
    on = on or coverage.today()
    coverage.bring_up_to_date()
    figures = LoadFigures(org=org, on=on, rule=rule_for(org))
    people = sorted(set(Post.objects.filter(within_q(org), end_date__isnull=True).values_list("person_id", flat=True)))
    found = household_loads(
        Assignment.objects.filter(within_q(org), active_q(on)), CoverageCount.objects.filter(within_q(org))
    )
    loads = [found.get(pk) or Load(pk) for pk in people]
    figures.executives = len(loads)
    figures.households_total = sum(load.households for load in loads)
    takers = [load for load in loads if not load.areas]
    figures.with_areas = len(loads) - len(takers)
    figures.buckets = [Bucket(low, high) for low, high in BUCKETS]
    for load in takers:
        for bucket in figures.buckets:
            if load.households >= bucket.low and (bucket.high is None or load.households <= bucket.high):
                bucket.count += 1
                break
    # Only the short lists are sorted (a county has thousands of 执委).
    figures.most = [load for load in heapq.nsmallest(TOP, loads, key=most_first) if load.households]
    figures.least = heapq.nsmallest(TOP, takers, key=least_first)
    minimum, maximum = figures.rule.min_households, figures.rule.max_households
    under = sorted((load for load in takers if load.households < minimum), key=least_first)
    figures.under_min, figures.under_min_count = under[:LIST_CAP], len(under)
    over = sorted((load for load in loads if maximum is not None and load.households > maximum), key=most_first)
    figures.over_max, figures.over_max_count = over[:LIST_CAP], len(over)
    idle = [load for load in loads if load.unassigned]
    figures.unassigned, figures.unassigned_count = idle[:LIST_CAP], len(idle)
    _named([*figures.most, *figures.least, *figures.under_min, *figures.over_max, *figures.unassigned])
    return figures


@transaction.atomic
def load_rule_set(*, actor: AnyUser, org: Organisation, min_households: int, max_households: int | None) -> LoadRule:
    """Set ``org``'s own load rule (its subtree follows it unless an organisation below sets
    its own): at least ``min_households`` each (≥ 1), at most ``max_households`` (≥ the
    minimum) or no maximum. Audited by the model."""
    require(actor, "grid.assign", org)
    errors: dict[str, str] = {}
    if min_households < 1:
        errors["min_households"] = _("The minimum must be at least 1.")
    elif max_households is not None and max_households < min_households:
        errors["max_households"] = _("The maximum cannot be below the minimum (%(n)d).") % {"n": min_households}
    if max_households is not None and max_households < 1:
        errors["max_households"] = _("The maximum must be at least 1.")
    if errors:
        raise ValidationError(errors)
    rule = LoadRule.objects.select_for_update().filter(org=org).first()
    if rule is None:
        rule = LoadRule(org=org)
    rule.min_households = min_households
    rule.max_households = max_households
    rule.save()
    return rule


def as_chart(figures: LoadFigures) -> dict[str, Any]:
    """The histogram's data for the page's chart (``json_script``)."""
    return {
        "labels": [bucket.label for bucket in figures.buckets],
        "counts": [bucket.count for bucket in figures.buckets],
        "minimum": figures.rule.min_households,
        "name": _("Executive members"),
        "axis": _("Households each"),
    }
