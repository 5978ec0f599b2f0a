"""Coverage (不留死角): which households have a responsible 执委, kept exact on every write.

A household is **covered** on a day when an assignment of a village 执委 in force that day
targets the household itself, its group, or its whole village. (A township 执委 who takes a
village, 包村, answers for the village to the township; she does not make its households
covered: that is what the village's own 执委 do, 包片到户. Villages and townships without a
responsible 执委 of the level above are the other gap list, :func:`org_gaps`.)

Two things are kept, both inside the transaction of every write that changes them (an
assignment made, ended or changed; households added, moved, archived, restored, erased,
imported or undone; a contact recorded), by recounting the villages touched:

- ``Household.covered`` and ``Household.last_contact_on``: the lists of the uncovered and of
  the long uncontacted read them with a partial index;
- :class:`~fulian.grid.models.CoverageCount`, per place (a village or a group): households,
  covered, not contacted in 90 days. Figures of any organisation sum these rows.

The calendar changes them too (an assignment starts or ends at midnight, a contact grows 90
days old): :func:`bring_up_to_date` catches up once a day, called by the nightly
``manage.py refresh_coverage`` and, should that not have run, by the first read of the day.
Coverage on a past day is counted from the raw tables instead (:func:`figures_as_of`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from fulian.core.ancestry import LEVEL_COLUMNS, within_q
from fulian.grid.models import Assignment, CoverageCount, CoverageDay, active_q
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

UNCONTACTED_DAYS = 90
# The level whose organisations break down an organisation's figures.
CHILD_LEVEL: dict[str, str] = {
    Level.PROVINCE: Level.CITY,
    Level.CITY: Level.COUNTY,
    Level.COUNTY: Level.TOWNSHIP,
    Level.TOWNSHIP: Level.VILLAGE,
    Level.VILLAGE: Level.GROUP,
}
# The level of the 执委 who answer for an organisation of a level (包乡镇, 包村).
ANSWERING_TIER: dict[str, str] = {Level.TOWNSHIP: Level.COUNTY, Level.VILLAGE: Level.TOWNSHIP, Level.COUNTY: Level.CITY}


def today() -> datetime.date:
    return timezone.localdate()


def uncontacted_q(on: datetime.date, prefix: str = "") -> Q:
    """Households not contacted in the ``UNCONTACTED_DAYS`` days up to ``on`` (or never)."""
    since = on - datetime.timedelta(days=UNCONTACTED_DAYS)
    return Q(**{f"{prefix}last_contact_on__isnull": True}) | Q(**{f"{prefix}last_contact_on__lte": since})


def _active(on: datetime.date, villages: Iterable[int] | None) -> QuerySet[Assignment]:
    active = Assignment.objects.filter(active_q(on), tier=Level.VILLAGE)
    if villages is not None:
        active = active.filter(village_id__in=list(villages))
    return active


def area_covered_q(on: datetime.date, villages: Iterable[int] | None = None) -> Q:
    """Households covered on ``on`` through their group or their whole village (a few thousand
    targets at most: the subqueries are hashed)."""
    active = _active(on, villages)
    whole = active.filter(target_org__level=Level.VILLAGE).values("target_org_id")
    groups = active.filter(target_org__level=Level.GROUP).values("target_org_id")
    return Q(village_id__in=whole) | Q(group_id__in=groups)


def directly_covered(on: datetime.date, villages: Iterable[int] | None = None) -> Exists:
    """Households with an assignment of their own in force on ``on``. An EXISTS, not ``pk IN
    (subquery)``: on PostgreSQL a city's million household assignments do not fit in work_mem,
    and an IN that cannot be hashed is rescanned for every household (a refresh of the city
    ran for minutes without ending); an EXISTS is a semi- or anti-join on its own, and one
    index probe (``grid_assignment_household``) per household inside an OR."""
    return Exists(_active(on, villages).filter(household_id=OuterRef("pk")))


def covered_q(on: datetime.date, villages: Iterable[int] | None = None) -> Q:
    """Households covered on ``on`` (see the module docstring), as a condition on Household;
    ``villages`` narrows the assignments looked at to those villages."""
    return area_covered_q(on, villages) | Q(directly_covered(on, villages))


def _refresh_flags(households: QuerySet[Household], on: datetime.date, villages: Iterable[int] | None) -> None:
    """Set ``covered`` where it changed. Three statements, each one join the planner can do
    well on a city (see :func:`directly_covered`), rather than one OR."""
    villages = None if villages is None else list(villages)
    area, direct = area_covered_q(on, villages), directly_covered(on, villages)
    households.filter(area, covered=False).update(covered=True)
    households.filter(direct, covered=False).update(covered=True)
    households.filter(covered=True).exclude(area).filter(~direct).update(covered=False)


def _recount(households: QuerySet[Household], on: datetime.date) -> list[CoverageCount]:
    columns = ["org_id", *(f"{level}_id" for level in ("city", "county", "township", "village", "group"))]
    rows = (
        households.filter(archived_at__isnull=True)
        .order_by()
        .values(*columns)
        .annotate(
            n=Count("pk"),
            n_covered=Count("pk", filter=Q(covered=True)),
            n_uncontacted=Count("pk", filter=uncontacted_q(on)),
        )
    )
    return [
        CoverageCount(
            **{column: row[column] for column in columns},
            households=row["n"],
            covered=row["n_covered"],
            uncontacted=row["n_uncontacted"],
            counted_on=on,
        )
        for row in rows
    ]


def _store(counts: list[CoverageCount], before: QuerySet[CoverageCount]) -> None:
    """Write the recounted rows over ``before`` (the rows they replace): places left without
    households lose their row."""
    kept = {c.org_id for c in counts}
    gone = [pk for pk, org_id in before.values_list("pk", "org_id") if org_id not in kept]
    for start in range(0, len(gone), 1000):
        CoverageCount.objects.filter(pk__in=gone[start : start + 1000]).delete()
    CoverageCount.objects.bulk_create(
        counts,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["org"],
        update_fields=["households", "covered", "uncontacted", "counted_on"],
    )


def refresh_villages(villages: Iterable[int], *, on: datetime.date | None = None) -> None:
    """Recount the households of these villages: their flags, then their places' summary rows.
    Runs inside the caller's transaction (the write that changed them)."""
    on = on or today()
    for village_id in sorted(set(villages)):
        households = Household.objects.filter(village_id=village_id)
        _refresh_flags(households, on, [village_id])
        _store(_recount(households, on), CoverageCount.objects.filter(village_id=village_id))


def refresh_all(*, on: datetime.date | None = None, villages: Iterable[int] | None = None) -> None:
    """Recount the whole city: the flags (of ``villages`` only, if given: those whose
    assignments started or ended), then every summary row in one GROUP BY."""
    on = on or today()
    with transaction.atomic():
        if villages is None:
            _refresh_flags(Household.objects.all(), on, None)
        else:
            for village_id in sorted(set(villages)):
                _refresh_flags(Household.objects.filter(village_id=village_id), on, [village_id])
        _store(_recount(Household.objects.all(), on), CoverageCount.objects.all())
        CoverageDay.objects.update_or_create(pk=1, defaults={"day": on})


def bring_up_to_date(*, on: datetime.date | None = None) -> bool:
    """Catch up with the calendar once a day: the villages whose assignments started or ended
    since the last day counted get their flags recounted, and every summary row its "not
    contacted in 90 days". Returns whether there was anything to do."""
    on = on or today()
    last = CoverageDay.objects.filter(pk=1).values_list("day", flat=True).first()
    if last is not None and last >= on:
        return False
    with transaction.atomic():
        # One catch-up at a time; a second caller waits, then finds the day done.
        last = CoverageDay.objects.select_for_update().filter(pk=1).values_list("day", flat=True).first()
        if last is not None and last >= on:
            return False
        if last is None:
            refresh_all(on=on)
            return True
        changed = (
            Assignment.objects.filter(tier=Level.VILLAGE)
            .filter(Q(start_date__gt=last, start_date__lte=on) | Q(end_date__gte=last, end_date__lt=on))
            .values_list("village_id", flat=True)
            .distinct()
        )
        refresh_all(on=on, villages=[pk for pk in changed if pk is not None])
    return True


@dataclass
class Figure:
    """Coverage figures of one organisation (or of the households of a village in no group)."""

    org: Organisation | None
    households: int = 0
    covered: int = 0
    uncontacted: int = 0

    @property
    def uncovered(self) -> int:
        return self.households - self.covered

    @property
    def share(self) -> float | None:
        """Covered households as a fraction, None without households."""
        return self.covered / self.households if self.households else None

    @property
    def percent(self) -> str:
        share = self.share
        return "–" if share is None else f"{share * 100:.1f}%"


def _sum(rows: Iterable[dict[str, Any]], key: str) -> dict[int | None, Figure]:
    return {row[key]: Figure(None, row["h"] or 0, row["c"] or 0, row.get("u") or 0) for row in rows}


def figures(org: Organisation) -> tuple[Figure, list[Figure]]:
    """The coverage of ``org`` (fetched through ``visible_to``) and of each organisation below it
    at the next level, in code order; for a village, its groups and then its households in no
    group (``org`` None). Read from the summary: a city's by county is ~15,000 rows summed."""
    bring_up_to_date()
    child_level = CHILD_LEVEL.get(org.level)
    counts = CoverageCount.objects.filter(within_q(org))
    total = counts.aggregate(h=Sum("households"), c=Sum("covered"), u=Sum("uncontacted"))
    whole = Figure(org, total["h"] or 0, total["c"] or 0, total["u"] or 0)
    if child_level is None:
        return whole, []
    column = LEVEL_COLUMNS[child_level]
    by_child = _sum(
        counts.order_by().values(column).annotate(h=Sum("households"), c=Sum("covered"), u=Sum("uncontacted")),
        column,
    )
    return whole, _children(org, child_level, by_child)


def _children(org: Organisation, child_level: str, by_child: dict[int | None, Figure]) -> list[Figure]:
    parts = []
    for child in Organisation.objects.filter(parent=org, level=child_level).order_by("code"):
        figure = by_child.get(child.pk, Figure(None))
        figure.org = child
        parts.append(figure)
    loose = by_child.get(None)
    if loose is not None and loose.households:
        parts.append(loose)  # a village's households in no group
    return parts


def _end_of(on: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))


def figures_as_of(org: Organisation, on: datetime.date) -> tuple[Figure, list[Figure]]:
    """The coverage of ``org`` and its children on a past day, counted from the raw tables:
    the households on the books that day (registered by then, not yet archived) and the
    assignments in force that day. Households keep no history of moves: one that moved
    since is counted where it is now."""
    end = _end_of(on)
    households = Household.objects.filter(within_q(org), created_at__lt=end).filter(
        Q(archived_at__isnull=True) | Q(archived_at__gte=end)
    )
    # Covered through a group or the village, counted with the households; then those covered
    # only by an assignment of their own, a semi-join (one OR of both would be a probe per row).
    area = area_covered_q(on)
    aggregate = {"h": Count("pk"), "c": Count("pk", filter=area)}
    only_direct = households.filter(directly_covered(on)).exclude(area)
    child_level = CHILD_LEVEL.get(org.level)
    if child_level is None:
        total = households.aggregate(**aggregate)
        return Figure(org, total["h"], total["c"] + only_direct.count(), 0), []
    column = LEVEL_COLUMNS[child_level]
    by_child = _sum(households.order_by().values(column).annotate(**aggregate), column)
    for row in only_direct.order_by().values(column).annotate(n=Count("pk")):
        by_child.setdefault(row[column], Figure(None)).covered += row["n"]
    whole = Figure(org, sum(f.households for f in by_child.values()), sum(f.covered for f in by_child.values()), 0)
    return whole, _children(org, child_level, by_child)


def org_gaps(org: Organisation, *, on: datetime.date | None = None) -> QuerySet[Organisation]:
    """The townships and villages at or below ``org`` that no 执委 of the level above answers
    for on ``on`` (a village without a township 执委: 包村; a township without a county 执委)."""
    on = on or today()
    answered = Assignment.objects.filter(active_q(on), target_org__isnull=False)
    gaps = Q()
    for level, tier in ANSWERING_TIER.items():
        if level == Level.COUNTY:
            continue  # counties answer to the city's own staff, not to a 执委 of it
        gaps |= Q(level=level) & ~Q(pk__in=answered.filter(tier=tier).values("target_org_id"))
    return Organisation.objects.filter(path__startswith=org.path).exclude(pk=org.pk).filter(gaps).order_by("path")


@dataclass
class Branch:
    """A child organisation's figures with those of its own children (for a treemap)."""

    figure: Figure
    parts: list[Figure]


def figures_two_levels(org: Organisation) -> list[Branch]:
    """The current coverage of the two levels below ``org`` (a county's townships, each with
    its villages; a township's villages with their groups), from the summary grouped by the two
    levels' ancestor columns: one query on the summary and one on the tree. A village has
    one level below it (its groups, and its households in no group); a group none."""
    bring_up_to_date()
    child_level = CHILD_LEVEL.get(org.level)
    if child_level is None:
        return []
    grandchild_level = CHILD_LEVEL.get(child_level)
    if grandchild_level is None:
        return [Branch(figure, []) for figure in figures(org)[1]]
    column, sub_column = LEVEL_COLUMNS[child_level], LEVEL_COLUMNS[grandchild_level]
    rows = list(
        CoverageCount.objects.filter(within_q(org))
        .order_by()
        .values(column, sub_column)
        .annotate(h=Sum("households"), c=Sum("covered"), u=Sum("uncontacted"))
    )
    names = Organisation.objects.in_bulk({row[key] for row in rows for key in (column, sub_column) if row[key]})
    branches: dict[int, Branch] = {}
    for row in rows:
        child = names.get(row[column])
        if child is None:
            continue  # a place right at ``org`` (none: households are placed at a village or group)
        branch = branches.setdefault(child.pk, Branch(Figure(child), []))
        branch.figure.households += row["h"] or 0
        branch.figure.covered += row["c"] or 0
        branch.figure.uncontacted += row["u"] or 0
        # Households of a township's village in no group: the village's own place, one part.
        part = names.get(row[sub_column]) if row[sub_column] else None
        branch.parts.append(Figure(part, row["h"] or 0, row["c"] or 0, row["u"] or 0))
    ordered = sorted(branches.values(), key=lambda b: b.figure.org.code if b.figure.org else "")
    for branch in ordered:
        branch.parts.sort(key=lambda f: (f.org is None, f.org.code if f.org else ""))
    return ordered


def gap_counts(org: Organisation, *, on: datetime.date | None = None) -> dict[str, int]:
    """How many townships and villages at or below ``org`` have no 执委 of the level above
    answering for them (:func:`org_gaps`), by level: ``{"township": 1, "village": 4}``."""
    counted = org_gaps(org, on=on).order_by().values("level").annotate(n=Count("pk"))
    found = {row["level"]: row["n"] for row in counted}
    return {level: found.get(level, 0) for level in (Level.TOWNSHIP, Level.VILLAGE)}
