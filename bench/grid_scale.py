"""City-scale benchmark of the 包干 grid (issue 11), on PostgreSQL.

On the city of bench/people_scale.py (1.3 million households, 20,000 执委, in the kept
database ``fulian_bench``), one assignment set covering ~97% of households is written in bulk
(county 执委 → townships, township 执委 → villages, village 执委 → the groups of 回龙村 and
runs of five neighbouring households elsewhere, in the four modes; one village in twenty has
one 执委 stationed for the whole village; a few villages have no township 执委), then
``coverage.refresh_all()`` is timed, then, each as the p50/p95 of ``--repeat`` runs:

- ``coverage.figures`` of the city (by county) and of 新市镇 (by village), read from the summary;
- ``coverage.figures_as_of`` of the city 60 days ago, counted from the raw tables;
- the first page of the city's uncovered households (the query the page runs);
- ``fulian.grid.load.load_figures`` of 攸县, ``fulian.grid.mine.households_of`` of a village 执委,
  ``fulian.grid.suggest.suggest`` of the smallest village (these three are skipped, with a note,
  where their module is not merged yet);
- a write: ``assignment_create`` of a group of 回龙村 (its village's summary recounted),
  rolled back after each run.

Each read is printed beside ONE hand-written SQL query computing the same numbers from the
raw tables (households, assignments and contacts, not the summary), with the ratio (ours ÷
raw: below 1 is faster), and the two answers are compared (``"equal": true``). Then EXPLAIN
(ANALYZE) of the queries the reads ran: a Seq Scan of a big table is reported and fails the run.

Prints one JSON object per figure (``name``, ``value``, ``unit``, ``target``, ``met``, and the
raw query's time and ratio); notes go to stderr prefixed with ``#``. Exit status 1 when two
answers differ or a big table is read by a Seq Scan; a missed time target is printed with
``"met": false``.

Commands (from the project root; the city must be loaded: ``bench/people_scale.py --only load``):

    FULIAN_DEV_KEYS=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulian_bench \\
        .venv/bin/python bench/grid_scale.py [--repeat 50] [--reassign]

``--reassign`` empties the grid and writes the assignment set again (it is otherwise kept, like
the city). On SQLite (no DATABASE_URL) it prints a note and does nothing.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.people_scale import (
    bench_database_url,
    emit,
    ensure_database,
    host_busy,
    migrate,
    note,
    percentile,
)

HUILONG = "430223123215"
XINSHI = "430223123"
YOUXIAN = "430223"
RUN = 5  # households in a row one 执委 takes
GAP_RUN = 33  # one run in this many is left without anyone (~3%)
WHOLE_VILLAGE = 20  # one village in this many: one 执委 stationed for the whole village
NO_TOWNSHIP_ZHIWEI = 100  # one village in this many has no township 执委
BIG_TABLES = {"households_household", "grid_assignment", "people_post", "people_person"}
READS_EVERYTHING = {"grid_figures_as_of_city"}
START = datetime.date(2024, 3, 1)
HISTORY = (datetime.date(2023, 6, 1), datetime.date(2024, 2, 29))
MODES = ("nearby", "nearby", "nearby", "nearby", "nearby", "nearby", "circuit", "circuit", "stationed", "joint")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(p50 ms, p95 ms, the last answer) of ``fn`` run ``repeat`` times after two warm-ups."""
    for _ in range(2):
        answer = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        answer = fn()
        times.append(time.perf_counter() - start)
    return ms(percentile(times, 0.5)), ms(percentile(times, 0.95)), answer


def raw(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# --- the assignment set ----------------------------------------------------------------------


def write_assignments() -> dict[str, Any]:
    """One assignment set over the whole city: upper levels and groups through ``insert_values``
    (COPY), the ~1.2M household rows by one INSERT … SELECT on the server."""
    from django.db import connection, transaction

    from fulian.core.ancestry import ancestries_of
    from fulian.core.bulk import insert_values
    from fulian.grid.models import Assignment
    from fulian.orgs.choices import Level
    from fulian.orgs.models import Organisation
    from fulian.people.models import Post

    start = time.perf_counter()
    orgs = list(Organisation.objects.exclude(level=Level.CITY).order_by("path"))
    ancestry = ancestries_of(orgs)
    children: dict[int, list[Organisation]] = {}
    for org in orgs:
        children.setdefault(org.parent_id or 0, []).append(org)
    posts: dict[int, list[tuple[int, int]]] = {}
    for pk, person_id, org_id in (
        Post.objects.filter(end_date__isnull=True).order_by("id").values_list("pk", "person_id", "org_id")
    ):
        posts.setdefault(org_id, []).append((pk, person_id))
    rows: list[dict[str, Any]] = []

    def add(tier: str, post: tuple[int, int], target: Organisation, mode: str) -> None:
        rows.append(
            {
                "post_id": post[0],
                "person_id": post[1],
                "tier": tier,
                "target_org_id": target.pk,
                "mode": mode,
                "partner": "网格员" if mode == "joint" else "",
                "start_date": START,
                "org_id": target.pk,
                **{f"{level}_id": pk for level, pk in ancestry[target.pk].items()},
            }
        )

    for org in orgs:
        members = posts.get(org.pk, [])
        if not members or org.level not in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE):
            continue
        below = children.get(org.pk, [])
        if org.level == Level.VILLAGE:
            if org.pk % WHOLE_VILLAGE == 0:
                add(Level.VILLAGE, members[0], org, "stationed")
            else:
                groups = [g for g in below if g.level == Level.GROUP][:-1]  # its last group: nobody
                for i, group in enumerate(groups):
                    add(Level.VILLAGE, members[i % len(members)], group, MODES[i % len(MODES)])
            continue
        areas = [a for a in below if a.level == Level.TOWNSHIP or a.pk % NO_TOWNSHIP_ZHIWEI != 7]
        for i, area in enumerate(areas):
            add(org.level, members[i % len(members)], area, MODES[i % len(MODES)])
    with transaction.atomic():
        insert_values(Assignment, rows)
        with connection.cursor() as cursor:
            cursor.execute(HOUSEHOLD_ROWS, {"run": RUN, "gap": GAP_RUN, "whole": WHOLE_VILLAGE, "start": START})
            households = cursor.rowcount
            # History: in one village in 25 the same 执委 answered for the same households before.
            cursor.execute(
                HISTORY_ROWS, {"start": HISTORY[0], "end": HISTORY[1], "reason": "换届前的包保", "every": 25}
            )
            ended = cursor.rowcount
            cursor.execute("ANALYZE grid_assignment")
    return {
        "orgs_and_groups": len(rows),
        "households": households,
        "ended": ended,
        "seconds": round(time.perf_counter() - start, 2),
    }


HOUSEHOLD_ROWS = """
WITH vp AS (
  SELECT p.id AS post_id, p.person_id, p.org_id AS village_id, p.start_date,
         row_number() OVER (PARTITION BY p.org_id ORDER BY p.id) - 1 AS k,
         count(*) OVER (PARTITION BY p.org_id) AS n
  FROM people_post p JOIN orgs_organisation o ON o.id = p.org_id AND o.level = 'village'
  WHERE p.end_date IS NULL
), hh AS (
  SELECT h.id, h.org_id, h.city_id, h.county_id, h.township_id, h.village_id,
         row_number() OVER (PARTITION BY h.village_id ORDER BY h.id) - 1 AS r
  FROM households_household h
  WHERE h.archived_at IS NULL AND h.group_id IS NULL AND h.village_id %% %(whole)s <> 0
)
INSERT INTO grid_assignment (tier, mode, partner, start_date, end_date, end_reason, note, created_at,
                             city_id, county_id, township_id, village_id, group_id, org_id, household_id,
                             target_org_id, person_id, post_id, previous_id, created_by_id)
SELECT 'village',
       (ARRAY['nearby', 'nearby', 'nearby', 'nearby', 'nearby', 'nearby',
              'circuit', 'circuit', 'stationed', 'joint'])[vp.k %% 10 + 1],
       CASE WHEN vp.k %% 10 = 9 THEN '网格员' ELSE '' END,
       GREATEST(vp.start_date, %(start)s::date), NULL, '', '', now(),
       hh.city_id, hh.county_id, hh.township_id, hh.village_id, NULL, hh.org_id, hh.id,
       NULL, vp.person_id, vp.post_id, NULL, NULL
FROM hh JOIN vp ON vp.village_id = hh.village_id AND vp.k = (hh.r / %(run)s) %% vp.n
WHERE (hh.r / %(run)s) %% %(gap)s <> %(gap)s - 1
"""

HISTORY_ROWS = """
INSERT INTO grid_assignment (tier, mode, partner, start_date, end_date, end_reason, note, created_at,
                             city_id, county_id, township_id, village_id, group_id, org_id, household_id,
                             target_org_id, person_id, post_id, previous_id, created_by_id)
SELECT tier, mode, partner, %(start)s, %(end)s, %(reason)s, '', now(), city_id, county_id, township_id,
       village_id, group_id, org_id, household_id, target_org_id, person_id, post_id, NULL, NULL
FROM grid_assignment WHERE tier = 'village' AND household_id IS NOT NULL AND village_id %% %(every)s = 2
"""


# --- the hand-written queries ------------------------------------------------------------------

# Households covered on %(on)s, from the raw tables: an assignment of a village 执委 in force
# that day on the household, its group or its whole village.
ACTIVE = """
active AS (
  SELECT a.household_id, a.target_org_id, o.level
  FROM grid_assignment a LEFT JOIN orgs_organisation o ON o.id = a.target_org_id
  WHERE a.tier = 'village' AND a.start_date <= %(on)s AND (a.end_date IS NULL OR a.end_date >= %(on)s)
    AND a.{column} = %(org)s
), direct AS (SELECT DISTINCT household_id FROM active WHERE household_id IS NOT NULL),
contacted AS (
  SELECT DISTINCT ch.household_id FROM grid_contact c JOIN grid_contact_households ch ON ch.contact_id = c.id
  WHERE c.happened_on > %(since)s AND c.happened_on <= %(on)s
)"""
# (NULL for a household in no group that is not otherwise covered: coalesce before a NOT.)
COVERED = """(d.household_id IS NOT NULL
  OR h.group_id IN (SELECT target_org_id FROM active WHERE level = 'group')
  OR h.village_id IN (SELECT target_org_id FROM active WHERE level = 'village'))"""
FIGURES_SQL = f"""
WITH {ACTIVE}
SELECT h.{{child}}, count(*), count(*) FILTER (WHERE {COVERED}), count(*) FILTER (WHERE k.household_id IS NULL)
FROM households_household h
LEFT JOIN direct d ON d.household_id = h.id
LEFT JOIN contacted k ON k.household_id = h.id
WHERE h.{{column}} = %(org)s AND h.archived_at IS NULL {{extra}}
GROUP BY 1
"""  # noqa: S608 - constant fragments; the values are parameters
UNCOVERED_SQL = f"""
WITH {ACTIVE.replace("{column}", "city_id")}
SELECT h.id FROM households_household h LEFT JOIN direct d ON d.household_id = h.id
WHERE h.city_id = %(org)s AND h.archived_at IS NULL AND NOT coalesce({COVERED}, false)
ORDER BY h.id LIMIT 50
"""  # noqa: S608 - constant fragments; the values are parameters
MINE_SQL = """
WITH mine AS (
  SELECT a.household_id, a.target_org_id, o.level
  FROM grid_assignment a LEFT JOIN orgs_organisation o ON o.id = a.target_org_id
  WHERE a.person_id = %(person)s AND a.tier = 'village'
    AND a.start_date <= %(on)s AND (a.end_date IS NULL OR a.end_date >= %(on)s)
)
SELECT h.id FROM households_household h
WHERE h.archived_at IS NULL AND (h.id IN (SELECT household_id FROM mine)
  OR h.group_id IN (SELECT target_org_id FROM mine WHERE level = 'group')
  OR h.village_id IN (SELECT target_org_id FROM mine WHERE level = 'village'))
"""
LOAD_SQL = """
WITH people AS (SELECT DISTINCT person_id FROM people_post WHERE county_id = %(org)s AND end_date IS NULL),
active AS (
  SELECT a.* FROM grid_assignment a
  WHERE a.county_id = %(org)s AND a.start_date <= %(on)s AND (a.end_date IS NULL OR a.end_date >= %(on)s)
), by_group AS (
  SELECT group_id AS place, count(*) AS n FROM households_household
  WHERE county_id = %(org)s AND archived_at IS NULL AND group_id IS NOT NULL GROUP BY group_id
), by_village AS (
  SELECT village_id AS place, count(*) AS n FROM households_household
  WHERE county_id = %(org)s AND archived_at IS NULL GROUP BY village_id
), loads AS (
  SELECT a.person_id,
         sum(CASE WHEN a.household_id IS NOT NULL THEN 1
                  WHEN a.tier = 'village' THEN coalesce((SELECT n FROM by_group WHERE place = a.target_org_id),
                                                        (SELECT n FROM by_village WHERE place = a.target_org_id), 0)
                  ELSE 0 END) AS households,
         count(*) FILTER (WHERE a.tier <> 'village') AS areas
  FROM active a GROUP BY a.person_id
)
SELECT count(*), coalesce(sum(l.households), 0),
       count(*) FILTER (WHERE coalesce(l.households, 0) = 0 AND coalesce(l.areas, 0) = 0)
FROM people p LEFT JOIN loads l USING (person_id)
"""


# --- the phases ---------------------------------------------------------------------------------


def compare(name: str, ours: Any, theirs: Any, failures: list[str]) -> bool:
    equal = ours == theirs
    if not equal:
        failures.append(f"{name}: ours {str(ours)[:300]} ≠ raw {str(theirs)[:300]}")
    return equal


def report(
    name: str,
    target_ms: float | None,
    ours: tuple[float, float],
    theirs: tuple[float, float],
    equal: bool,
    **extra: Any,
) -> None:
    p50, p95 = ours
    figure: dict[str, Any] = {"name": name, "value": p95, "unit": "ms", "p50": p50}
    if target_ms is not None:
        figure |= {"target": target_ms, "met": p95 <= target_ms}
    figure |= {
        "raw_sql_p95": theirs[1],
        "raw_sql_p50": theirs[0],
        "ratio": round(p95 / theirs[1], 4) if theirs[1] else None,
    }
    figure |= {"equal": equal, **extra}
    emit(figure)


def by_child(parts: list[Any]) -> dict[Any, tuple[int, int, int]]:
    return {(p.org.pk if p.org else None): (p.households, p.covered, p.uncontacted) for p in parts if p.households}


def bench_reads(repeat: int, failures: list[str], captured: dict[str, list[str]]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fulian.grid import coverage
    from fulian.households.models import Household
    from fulian.orgs.models import Organisation

    today = coverage.today()
    since = today - datetime.timedelta(days=coverage.UNCONTACTED_DAYS)
    city = Organisation.objects.get(level="city")
    township = Organisation.objects.get(code=XINSHI)
    county = Organisation.objects.get(code=YOUXIAN)

    def capture(name: str, fn: Callable[[], Any]) -> None:
        with CaptureQueriesContext(connection) as queries:
            fn()
        captured[name] = [q["sql"] for q in queries.captured_queries]

    # 1. figures of the city by county, of a township by village (from the summary).
    for name, org, child, target in (
        ("grid_figures_city_by_county", city, "county_id", 50.0),
        ("grid_figures_township_by_village", township, "village_id", 50.0),
    ):
        column = f"{org.level}_id"
        ours = timed(functools.partial(coverage.figures, org), repeat)
        sql = FIGURES_SQL.format(child=child, column=column, extra="")
        params = {"org": org.pk, "on": today, "since": since}
        theirs = timed(functools.partial(raw, sql, params), max(3, repeat // 5))
        whole, parts = ours[2]
        raw_rows = {row[0]: tuple(row[1:]) for row in theirs[2]}
        equal = compare(name, by_child(parts), raw_rows, failures) and compare(
            name + "_total",
            (whole.households, whole.covered, whole.uncontacted),
            tuple(sum(r[i] for r in raw_rows.values()) for i in range(3)),
            failures,
        )
        report(
            name,
            target,
            ours[:2],
            theirs[:2],
            equal,
            households=whole.households,
            covered_percent=whole.percent,
            children=len(parts),
        )
        capture(name, functools.partial(coverage.figures, org))

    # 2. as of a past date (from the raw tables by design).
    past = today - datetime.timedelta(days=60)
    ours = timed(lambda: coverage.figures_as_of(city, past), max(3, repeat // 5))
    end = coverage._end_of(past)
    sql = FIGURES_SQL.format(
        child="county_id",
        column="city_id",
        extra="AND h.created_at < %(end)s",
    ).replace("h.archived_at IS NULL", "(h.archived_at IS NULL OR h.archived_at >= %(end)s)")
    params = {"org": city.pk, "on": past, "since": past - datetime.timedelta(days=90), "end": end}
    theirs = timed(lambda: raw(sql, params), max(3, repeat // 10))
    whole, parts = ours[2]
    equal = compare(
        "grid_figures_as_of_city",
        {k: v[:2] for k, v in by_child(parts).items()},
        {row[0]: (row[1], row[2]) for row in theirs[2]},
        failures,
    )
    report(
        "grid_figures_as_of_city_60_days_ago",
        2000.0,
        ours[:2],
        theirs[:2],
        equal,
        households=whole.households,
        covered_percent=whole.percent,
    )
    capture("grid_figures_as_of_city", lambda: coverage.figures_as_of(city, past))

    # 3. the first page of the city's uncovered households.
    def page() -> list[int]:
        query = Household.objects.filter(city_id=city.pk, covered=False, archived_at__isnull=True).order_by("id")
        return [h.pk for h in query[:50]]

    ours = timed(page, repeat)
    params = {"org": city.pk, "on": today, "since": since}
    theirs = timed(lambda: [r[0] for r in raw(UNCOVERED_SQL, params)], max(3, repeat // 5))
    equal = compare("grid_uncovered_first_page_city", ours[2], theirs[2], failures)
    report("grid_uncovered_first_page_city", 50.0, ours[:2], theirs[:2], equal, rows=len(ours[2]))
    capture("grid_uncovered_first_page_city", page)

    bench_other_helpers(repeat, failures, captured, county, today)


def _optional(module: str, name: str) -> Any:
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        note(f"{module}.{name}: skipped: not merged")
        emit({"name": f"{module}.{name}", "skipped": "not merged"})
        return None


def bench_other_helpers(
    repeat: int, failures: list[str], captured: dict[str, list[str]], county: Any, today: datetime.date
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fulian.grid.models import Assignment, CoverageCount
    from fulian.orgs.models import Organisation
    from fulian.people.models import Person

    def capture(name: str, fn: Callable[[], Any]) -> None:
        with CaptureQueriesContext(connection) as queries:
            fn()
        captured[name] = [q["sql"] for q in queries.captured_queries]

    load_figures = _optional("fulian.grid.load", "load_figures")
    if load_figures is not None:
        ours = timed(lambda: load_figures(county), repeat)
        theirs = timed(lambda: raw(LOAD_SQL, {"org": county.pk, "on": today}), max(3, repeat // 5))
        f = ours[2]
        answer = (f.executives, f.households_total, f.unassigned_count)
        equal = compare("grid_load_figures_county", answer, tuple(theirs[2][0]), failures)
        report(
            "grid_load_figures_county",
            100.0,
            ours[:2],
            theirs[:2],
            equal,
            executives=f.executives,
            households_total=f.households_total,
            unassigned=f.unassigned_count,
        )
        capture("grid_load_figures_county", lambda: load_figures(county))

    households_of = _optional("fulian.grid.mine", "households_of")
    if households_of is not None:
        # A village 执委 of 回龙村 with households of her own.
        mine = Assignment.objects.filter(tier="village", household__isnull=False).values_list("person_id", flat=True)
        person_id = mine.filter(village__code=HUILONG).first() or mine.first()
        person = Person.objects.get(pk=int(person_id or 0))
        ours = timed(lambda: [h.pk for h in households_of(person)], repeat)
        theirs = timed(lambda: raw(MINE_SQL, {"person": person.pk, "on": today}), max(3, repeat // 5))
        equal = compare("grid_mine_households", sorted(ours[2]), sorted(r[0] for r in theirs[2]), failures)
        report("grid_mine_households_of_a_zhiwei", 50.0, ours[:2], theirs[:2], equal, households=len(ours[2]))
        capture("grid_mine_households_of_a_zhiwei", lambda: list(households_of(person)))

    suggest = _optional("fulian.grid.suggest", "suggest")
    if suggest is not None:
        # The bench city's villages hold 369 to 1,473 households: the smallest stands for "300".
        smallest = (
            CoverageCount.objects.filter(group__isnull=True, org__level="village")
            .order_by("households")
            .values_list("org_id", "households")
            .first()
        )
        assert smallest is not None
        village = Organisation.objects.get(pk=int(smallest[0] or 0))
        ours = timed(lambda: suggest(village), max(3, repeat // 5))
        sql = FIGURES_SQL.format(child="village_id", column="village_id", extra="")
        params = {"org": village.pk, "on": today, "since": today - datetime.timedelta(days=90)}
        theirs = timed(lambda: raw(sql, params), max(3, repeat // 5))
        s = ours[2]
        (_v, households, covered, _u) = theirs[2][0]
        equal = compare(
            "grid_suggest_village", (s.households, s.uncovered), (households, households - covered), failures
        )
        report(
            "grid_suggest_smallest_village",
            1000.0,
            ours[:2],
            theirs[:2],
            equal,
            households=s.households,
            uncovered=s.uncovered,
            rows=len(s.rows),
        )


def bench_write(repeat: int) -> None:
    """``assignment_create`` of a group of 回龙村 (its village recounted), rolled back each time."""
    from django.db import transaction

    from fulian.accounts.models import User
    from fulian.audit.recorder import audit_context
    from fulian.grid import coverage, services
    from fulian.grid.models import Assignment
    from fulian.orgs.models import Organisation
    from fulian.people.models import Post

    village = Organisation.objects.get(code=HUILONG)
    group = Organisation.objects.filter(parent=village, level="group").order_by("code").last()
    if group is None:
        note("no group in 回龙村: the write is not timed")
        return
    taken = Assignment.objects.filter(target_org=group).values("person_id")
    post = Post.objects.filter(org=village, end_date__isnull=True).exclude(person_id__in=taken).first()
    actor = User.objects.get(username="city_admin")
    if post is None:
        note("no free 执委 in 回龙村: the write is not timed")
        return
    times = []
    with audit_context(actor=actor), transaction.atomic():
        for i in range(repeat + 2):
            saved = transaction.savepoint()
            start = time.perf_counter()
            services.assignment_create(
                actor=actor, post=post, targets=[group], mode="circuit", start_date=coverage.today()
            )
            if i >= 2:
                times.append(time.perf_counter() - start)
            transaction.savepoint_rollback(saved)
    emit(
        {
            "name": "grid_assignment_create_group",
            "value": ms(percentile(times, 0.95)),
            "unit": "ms",
            "p50": ms(percentile(times, 0.5)),
            "village_households": coverage.figures(village)[0].households,
            "note": "one group of 回龙村; the village's flags and summary recounted in the same transaction",
        }
    )


def bench_explain(captured: dict[str, list[str]], failures: list[str]) -> None:
    """EXPLAIN ANALYZE of every query the reads ran; Seq Scans listed (of a big table: a failure)."""
    import json

    from django.db import connection

    def walk(node: dict[str, Any]) -> list[dict[str, Any]]:
        found = [node]
        for child in node.get("Plans", []):
            found += walk(child)
        return found

    for name, queries in captured.items():
        seq: set[str] = set()
        indexes: set[str] = set()
        total = 0.0
        for sql in queries:
            if not sql.lstrip().upper().startswith("SELECT") and not sql.lstrip().upper().startswith("WITH"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                (result,) = cursor.fetchone()
            top = json.loads(result)[0] if isinstance(result, str) else result[0]
            total += top["Execution Time"]
            for node in walk(top["Plan"]):
                if node["Node Type"] == "Seq Scan":
                    seq.add(node["Relation Name"])
                if "Index Name" in node:
                    indexes.add(node["Index Name"])
        # Coverage on a past day counts the whole city from the raw tables: it reads them all.
        big = sorted(seq & BIG_TABLES) if name not in READS_EVERYTHING else []
        emit(
            {
                "name": f"explain_{name}",
                "value": round(total, 2),
                "unit": "ms",
                "queries": len(queries),
                "seq_scans": sorted(seq),
                "seq_scan_of_big_table": bool(seq & BIG_TABLES),
                "seq_scan_expected": name in READS_EVERYTHING,
                "indexes": sorted(indexes),
            }
        )
        if big:
            failures.append(f"{name}: Seq Scan on {', '.join(big)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=50, help="runs timed per figure")
    parser.add_argument("--reassign", action="store_true", help="empty the grid and write the assignment set again")
    args = parser.parse_args()

    os.environ.setdefault("FULIAN_DEV_KEYS", "1")
    url = bench_database_url()
    if url is None:
        note("bench/grid_scale.py: skipped: the city-scale grid bench needs PostgreSQL (DATABASE_URL=postgres://…)")
        return
    ensure_database(url)
    migrate(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("FULIAN_TESTING", None)
    import django

    django.setup()
    from django.db import connection

    from bench import generate_city
    from fulian.grid import coverage
    from fulian.grid.models import Assignment
    from fulian.households.models import Household

    if not Household.objects.exists():
        raise SystemExit("The city is not loaded: run bench/people_scale.py --only load first.")
    generate_city.ensure_accounts()
    if args.reassign or not Assignment.objects.exists():
        with connection.cursor() as cursor:
            cursor.execute(
                f"TRUNCATE {', '.join((*generate_city.POINTS_TABLES, *generate_city.GRID_TABLES))} RESTART IDENTITY"
            )
        host_busy("grid_assign")
        written = write_assignments()
        emit({"name": "grid_assignments_written", "value": written["seconds"], "unit": "s", **written})
    else:
        note(f"reusing the assignment set ({Assignment.objects.count():,} rows); --reassign to write it again")
    start = time.perf_counter()
    coverage.refresh_all()
    emit(
        {
            "name": "grid_refresh_all",
            "value": ms(time.perf_counter() - start),
            "unit": "ms",
            "note": "the city's flags and summary; after --reassign (or a reload) every flag changes",
        }
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE households_household; ANALYZE grid_coveragecount")

    # Again, nothing having changed: what a night's catch-up over the whole city costs.
    start = time.perf_counter()
    coverage.refresh_all()
    emit({"name": "grid_refresh_all_unchanged", "value": ms(time.perf_counter() - start), "unit": "ms"})

    failures: list[str] = []
    captured: dict[str, list[str]] = {}
    host_busy("grid_reads")
    bench_reads(args.repeat, failures, captured)
    bench_write(max(5, args.repeat // 5))
    bench_explain(captured, failures)
    for failure in failures:
        note(f"failed: {failure}")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
