"""City-scale benchmark of an evaluation campaign (最美庭院, issue 12), on PostgreSQL.

On the city of bench/people_scale.py (1.3 million households, 20,000 执委, in the kept database
``fulian_bench``), one city-wide round is written in bulk (``fulian.core.bulk.insert_values``):
``--entries`` nominated households (200,000) spread over every village, each entered with its
village-stage result, ``--raters`` rater assignments each (3, among the village's 执委) and as
many submitted score sheets of the shipped 12-item courtyard rubric (``items`` as
``scoring.sheet_submit`` stores them; scores around each household's made-up quality, a few
items not applicable, a rare veto). Then, each inside a transaction rolled back afterwards so
that the round can be measured again:

(a) ``ranking.stage_rank`` of the village stage (every village ranks its households with a quota
    of ``--quota``) and ``ranking.stage_promote`` to the township stage; goal: both ≤ 30 s;
(b) ONE hand-written SQL statement computing the same stage scores (per entry: the trimmed mean
    of its submitted sheets when there are ≥ 5, else their mean; vetoes), its answer compared
    with the service's (``"equal": true``), and the ratios: the service's score computation
    (``sheet_aggregates`` and the trimmed means) ÷ the statement (goal ≤ 2), the whole ranking ÷
    the statement;
(c) a rater's list: the page ``campaigns:my_sheets`` when the project has it, else the query such
    a page runs (her assignments of the stage with their households and whether each is
    scored); and ``scoring.sheet_submit`` of one of her households (her earlier sheet set aside
    first, rolled back after each run): server time p50/p95 over ``--repeat`` runs, goal ≤ 150 ms.

Prints one JSON object per figure (``name``, ``value``, ``unit``, ``target``, ``met``, …) like
bench/grid_scale.py; notes go to stderr prefixed with ``#``. With ``--profile``, the statements
of the ranking and the promotion, slowest first. Exit status 1 when the hand-written statement
and the service disagree; a missed goal is printed with ``"met": false``.

Commands (from the project root; the city must be loaded: ``bench/people_scale.py --only load``):

    FULIAN_DEV_KEYS=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulian_bench \\
        .venv/bin/python bench/campaign_scale.py [--entries 200000] [--repeat 30] [--regenerate] [--profile]

The round is kept between runs (``--regenerate`` writes it again). On SQLite (no DATABASE_URL)
it prints a note and does nothing.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import random
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.people_scale import bench_database_url, emit, ensure_database, host_busy, migrate, note, percentile

CAMPAIGN_NAME = "最美庭院（城市基准）"
RATER_USERNAME = "bench_rater"
CHUNK = 20_000  # entries written per round of inserts
CENT = Decimal("0.01")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# --- the round -----------------------------------------------------------------------------------


def make_campaign() -> Any:
    """The city's campaign with the shipped rubric, its village stage being scored."""
    from django.utils import timezone

    from fulian.accounts.models import User
    from fulian.campaigns.choices import CampaignKind
    from fulian.campaigns.services import setup
    from fulian.orgs.models import Organisation

    admin = User.objects.get(username="city_admin")
    city = Organisation.objects.get(code="430200")
    today = timezone.localdate()
    rubric = setup.rubric_create(actor=admin, org=city, name="", template="courtyard")
    campaign = setup.campaign_create(
        actor=admin,
        org=city,
        kind=CampaignKind.COURTYARD,
        name=CAMPAIGN_NAME,
        year=today.year,
        rubric=rubric,
        stages=[
            setup.StageSpec(level=level, deadline=today + datetime.timedelta(weeks=weeks), raters=3, quota_count=q)
            for level, weeks, q in (("village", 4, 2), ("township", 8, 5), ("county", 12, 5), ("city", 16, 20))
        ],
    )
    return setup.campaign_open(actor=admin, campaign=campaign)


def sheet_of(items: list[Any], quality: float, pick: random.Random) -> tuple[dict[str, Any], Decimal, Decimal, bool]:
    """One rater's sheet for a household of ``quality``: ``(items, raw, possible, vetoed)`` as
    ``rubrics.score_sheet`` would store them."""
    values: dict[str, Any] = {}
    raw = possible = Decimal(0)
    vetoed = False
    for pk, kind, maximum, per_fault, allow_na in items:
        key = str(pk)
        if kind == "veto":
            hit = pick.random() < 0.0005
            vetoed = vetoed or hit
            values[key] = {"hit": hit}
        elif allow_na and pick.random() < 0.08:
            values[key] = {"na": True}
        elif kind == "deduction":
            faults = max(0, round((1 - quality) * 10 + pick.uniform(-1.5, 1.5)))
            points = max(Decimal(0), maximum - per_fault * faults)
            values[key] = {"faults": faults, "v": str(points)}
            raw += points
            possible += maximum
        else:
            share = min(1.0, max(0.0, quality + pick.uniform(-0.1, 0.06)))
            points = Decimal(round(float(maximum) * share * 2)) / 2
            values[key] = {"v": str(points)}
            raw += points
            possible += maximum
    return values, raw, possible, vetoed


CHOSEN_SQL = """
SELECT id, head_name, org_id, city_id, county_id, township_id, village_id, group_id
FROM (
  SELECT h.*, row_number() OVER (PARTITION BY h.village_id ORDER BY h.id) AS r
  FROM households_household h WHERE h.archived_at IS NULL AND h.village_id = ANY(%(villages)s)
) x
WHERE r <= %(per)s
ORDER BY r, id
LIMIT %(n)s
"""


def write_round(entries: int, raters: int, seed: int = 12) -> dict[str, Any]:
    """Nominations, entries, village results, rater assignments and submitted sheets, in bulk."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fulian.campaigns.models import Entry, Nomination, RaterAssignment, Result, ScoreSheet
    from fulian.core.bulk import insert_values
    from fulian.people.models import Post

    start = time.perf_counter()
    pick = random.Random(seed)  # noqa: S311 - made-up data
    with transaction.atomic():
        campaign = make_campaign()
        stage = campaign.stages.get(level="village")
        rubric = campaign.rubric
        items = [
            (i.pk, i.kind, Decimal(i.max_points), Decimal(i.per_fault or 0), i.allow_na) for i in rubric.items.all()
        ]
        raters_of: dict[int, list[int]] = defaultdict(list)
        for person_id, village_id in (
            Post.objects.filter(end_date__isnull=True, org__level="village")
            .order_by("id")
            .values_list("person_id", "village_id")
        ):
            if person_id not in raters_of[village_id]:
                raters_of[village_id].append(person_id)
        with connection.cursor() as cursor:
            villages = [v for v, people in raters_of.items() if len(people) >= raters]
            cursor.execute(
                CHOSEN_SQL, {"per": math.ceil(entries / len(villages)) + 1, "n": entries, "villages": villages}
            )
            chosen = cursor.fetchall()
        chosen.sort(key=lambda row: row[0])
        turn: dict[int, int] = defaultdict(int)
        now = timezone.now()
        counts = defaultdict(int)
        for at in range(0, len(chosen), CHUNK):
            part = chosen[at : at + CHUNK]
            places = [
                {
                    "org_id": org_id,
                    "city_id": city_id,
                    "county_id": county_id,
                    "township_id": township_id,
                    "village_id": village_id,
                    "group_id": group_id,
                }
                for _pk, _name, org_id, city_id, county_id, township_id, village_id, group_id in part
            ]
            nomination_ids = insert_values(
                Nomination,
                [
                    {
                        "campaign_id": campaign.pk,
                        "household_id": row[0],
                        "source": "federation",
                        "name": row[1],
                        "status": "accepted",
                        "screened_at": now,
                        **place,
                    }
                    for row, place in zip(part, places, strict=True)
                ],
            )
            entry_ids = insert_values(
                Entry,
                [
                    {
                        "campaign_id": campaign.pk,
                        "household_id": row[0],
                        "nomination_id": nomination_id,
                        "stage_id": stage.pk,
                        "status": "active",
                        **place,
                    }
                    for row, place, nomination_id in zip(part, places, nomination_ids, strict=True)
                ],
            )
            insert_values(
                Result,
                [{"entry_id": e, "stage_id": stage.pk, **place} for e, place in zip(entry_ids, places, strict=True)],
            )
            assignments = []
            for row, place, entry_id in zip(part, places, entry_ids, strict=True):
                people = raters_of[row[6]]
                first = turn[row[6]]
                turn[row[6]] += raters
                for k in range(raters):
                    assignments.append(
                        {
                            "stage_id": stage.pk,
                            "entry_id": entry_id,
                            "person_id": people[(first + k) % len(people)],
                            **place,
                        }
                    )
            assignment_ids = insert_values(RaterAssignment, assignments)
            sheets = []
            quality = 0.0
            for n, (assignment, assignment_id) in enumerate(zip(assignments, assignment_ids, strict=True)):
                if n % raters == 0:
                    quality = min(0.99, max(0.35, pick.gauss(0.8, 0.09)))
                values, raw, possible, vetoed = sheet_of(items, quality, pick)
                score = (raw * 100 / possible).quantize(CENT, rounding=ROUND_HALF_UP)
                sheets.append(
                    {
                        "assignment_id": assignment_id,
                        "stage_id": stage.pk,
                        "entry_id": assignment["entry_id"],
                        "rater_id": assignment["person_id"],
                        "rubric_id": rubric.pk,
                        "items": values,
                        "raw": raw,
                        "possible": possible,
                        "score": score,
                        "vetoed": vetoed,
                        "scored_at": now - datetime.timedelta(minutes=pick.randint(60, 20_000)),
                        "client_key": uuid.uuid4(),
                        "status": "submitted",
                        **{k: v for k, v in assignment.items() if k not in ("stage_id", "entry_id", "person_id")},
                    }
                )
            insert_values(ScoreSheet, sheets)
            counts["entries"] += len(entry_ids)
            counts["assignments"] += len(assignment_ids)
            counts["sheets"] += len(sheets)
            elapsed = time.perf_counter() - start
            note(f"written {counts['entries']:,} entries, {counts['sheets']:,} sheets (+{elapsed:.0f}s)")
        rubric.__class__.objects.filter(pk=rubric.pk).update(frozen_at=now)
    with connection.cursor() as cursor:
        for table in ("campaigns_nomination", "campaigns_entry", "campaigns_result", "campaigns_raterassignment"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("ANALYZE campaigns_scoresheet")
    return {**counts, "seconds": round(time.perf_counter() - start, 2)}


# --- (a) and (b): the ranking beside one statement ---------------------------------------------

SCORES_SQL = """
SELECT entry_id,
       CASE WHEN count(*) >= 5 THEN round((sum(score) - max(score) - min(score)) / (count(*) - 2), 2)
            ELSE round(avg(score), 2) END AS stage_score,
       count(*) AS sheets,
       bool_or(vetoed) AS vetoed
FROM campaigns_scoresheet
WHERE stage_id = %(stage)s AND status = 'submitted'
GROUP BY entry_id
"""


def service_scores(stage: Any) -> dict[int, tuple[Decimal, int, bool]]:
    """The stage scores as the ranking computes them: ``sheet_aggregates`` and the trimmed means."""
    from fulian.campaigns.services.ranking import sheet_aggregates, trimmed_mean

    return {
        row["entry_id"]: (trimmed_mean(row["n"], row["total"], row["hi"], row["lo"]), row["n"], bool(row["vetoes"]))
        for row in sheet_aggregates(stage)
    }


def sql_scores(stage: Any) -> dict[int, tuple[Decimal, int, bool]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SCORES_SQL, {"stage": stage.pk})
        return {entry_id: (score, n, vetoed) for entry_id, score, n, vetoed in cursor.fetchall()}


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and by its PostgreSQL backend (same machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        backend = 0.0
    return time.process_time() + backend


def best_of(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """The fastest of ``runs`` runs (seconds) and its answer."""
    best, answer = math.inf, None
    for _ in range(runs):
        start = time.perf_counter()
        answer = fn()
        best = min(best, time.perf_counter() - start)
    return best, answer


def bench_ranking(stage: Any, runs: int, profile: bool, failures: list[str]) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from fulian.accounts.models import User
    from fulian.campaigns.models import Result, Stage
    from fulian.campaigns.services import ranking

    admin = User.objects.get(username="city_admin")
    sql_s, theirs = best_of(lambda: sql_scores(stage), runs)
    ours_s, ours = best_of(lambda: service_scores(stage), runs)
    equal = ours == theirs
    if not equal:
        differ = [k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k)][:5]
        failures.append(
            f"stage scores differ for entries {differ}: ours {[ours.get(k) for k in differ]} ≠ sql "
            f"{[theirs.get(k) for k in differ]}"
        )
    emit(
        {
            "name": "campaign_stage_scores_sql",
            "value": ms(sql_s),
            "unit": "ms",
            "entries": len(theirs),
            "note": "one hand-written GROUP BY over the stage's submitted sheets (best of runs)",
        }
    )
    emit(
        {
            "name": "campaign_stage_scores_service",
            "value": ms(ours_s),
            "unit": "ms",
            "target_ratio": 2,
            "raw_sql": ms(sql_s),
            "ratio": round(ours_s / sql_s, 3),
            "met": ours_s / sql_s <= 2,
            "equal": equal,
            "note": "ranking.sheet_aggregates + trimmed_mean per entry, as stage_rank computes them",
        }
    )

    rank_times, promote_times, totals, cpu_totals = [], [], [], []
    summary: dict[str, Any] = {}
    captured: dict[str, list[dict[str, Any]]] = {}
    for n in range(runs):
        # The rolled-back runs before leave dead rows: cleared, so each run starts alike.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) campaigns_result, campaigns_entry")
        with transaction.atomic():
            fresh = Stage.objects.get(pk=stage.pk)
            cpu_start = cpu_seconds()
            with CaptureQueriesContext(connection) as rank_queries:
                start = time.perf_counter()
                summary["rank"] = ranking.stage_rank(actor=admin, stage=fresh)
                rank_s = time.perf_counter() - start
            fresh.refresh_from_db()
            with CaptureQueriesContext(connection) as promote_queries:
                start = time.perf_counter()
                summary["promote"] = ranking.stage_promote(actor=admin, stage=fresh)
                promote_s = time.perf_counter() - start
            cpu_totals.append(cpu_seconds() - cpu_start)
            summary["township_results"] = (
                Result.objects.filter(stage__campaign_id=stage.campaign_id).exclude(stage=stage).count()
            )
            if n == 0:
                captured = {"rank": rank_queries.captured_queries, "promote": promote_queries.captured_queries}
            transaction.set_rollback(True)
        rank_times.append(rank_s)
        promote_times.append(promote_s)
        totals.append(rank_s + promote_s)
    best_total = min(totals)
    emit(
        {
            "name": "campaign_stage_rank",
            "value": round(min(rank_times), 2),
            "unit": "s",
            **summary["rank"],
            "runs": [round(t, 2) for t in rank_times],
            "queries": len(captured["rank"]),
        }
    )
    emit(
        {
            "name": "campaign_stage_promote",
            "value": round(min(promote_times), 2),
            "unit": "s",
            **summary["promote"],
            "township_results": summary["township_results"],
            "runs": [round(t, 2) for t in promote_times],
            "queries": len(captured["promote"]),
        }
    )
    emit(
        {
            "name": "campaign_rank_and_promote",
            "value": round(best_total, 2),
            "unit": "s",
            "target": 30,
            "met": best_total <= 30,
            "raw_sql": ms(sql_s),
            "ratio_rank_to_sql": round(min(rank_times) / sql_s, 2),
            "ratio_total_to_sql": round(best_total / sql_s, 2),
            "cpu_s": round(min(cpu_totals), 2),
            "cpu_note": "CPU seconds of this process and its PostgreSQL backend: the wall time on an idle machine, "
            "less I/O waits",
            "note": "village stage ranked per village with its quota, then promoted to the township stage",
        }
    )
    if profile:
        for phase, queries in captured.items():
            slowest = sorted(queries, key=lambda q: -float(q["time"]))[:8]
            for q in slowest:
                note(f"{phase}: {float(q['time']) * 1000:9.1f} ms  {q['sql'][:220]}")


# --- (c): a rater's list and one sheet ---------------------------------------------------------


def the_rater(stage: Any) -> tuple[Any, Any]:
    """A village 执委 with the median number of assignments, linked to an account (member of her
    village) so she scores as herself."""
    from django.db.models import Count

    from fulian.accounts.choices import Role
    from fulian.accounts.models import RoleGrant, User
    from fulian.campaigns.models import RaterAssignment
    from fulian.demo import DEMO_PASSWORD
    from fulian.people.models import Person

    user = User.objects.filter(username=RATER_USERNAME).first()
    person = Person.objects.filter(account=user).first() if user else None
    if person is None:
        loads = list(
            RaterAssignment.objects.filter(stage=stage, village__code__startswith="430223123")
            .values("person_id")
            .annotate(n=Count("id"))
            .order_by("n", "person_id")
        )
        person = Person.objects.get(pk=loads[len(loads) // 2]["person_id"])
        if user is None:
            user = User(username=RATER_USERNAME, full_name=person.name, org=person.org)
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleGrant.objects.get_or_create(user=user, org=person.org, role=Role.MEMBER)
        Person.objects.filter(pk=person.pk).update(account=user)
        person.refresh_from_db()
    return person, user


def rater_list(person: Any, stage: Any) -> list[Any]:
    """What a rater's list page reads: her assignments of the stage with the household and
    whether she has submitted a sheet (one query)."""
    from django.db.models import Exists, OuterRef

    from fulian.campaigns.models import RaterAssignment, ScoreSheet

    submitted = ScoreSheet.objects.filter(assignment=OuterRef("pk"), status="submitted")
    return list(
        RaterAssignment.objects.filter(person=person, stage=stage)
        .select_related("entry__household", "entry__org")
        .annotate(scored=Exists(submitted))
        .order_by("scored", "entry__household__head_name")
    )


def bench_rater(stage: Any, repeat: int) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from fulian.campaigns.models import RaterAssignment, ScoreSheet
    from fulian.campaigns.services import scoring

    person, user = the_rater(stage)
    mine = list(RaterAssignment.objects.filter(person=person, stage=stage).order_by("pk"))
    try:
        url: str | None = reverse("campaigns:my_sheets")
    except NoReverseMatch:
        url = None
    times = []
    if url is not None:
        from django.test import Client

        from bench.people_scale import collect_static
        from fulian.accounts.testing import force_login

        collect_static(dict(os.environ))  # the page's CSS through the manifest storage, as served

        client = Client(raise_request_exception=True)
        force_login(client, user)
        for _ in range(3):
            client.get(url)
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        name, what = "campaign_rater_list_page", f"GET {url} as her"
    else:
        for _ in range(3):
            rater_list(person, stage)
        for _ in range(repeat):
            start = time.perf_counter()
            rows = rater_list(person, stage)
            times.append(time.perf_counter() - start)
        with CaptureQueriesContext(connection) as captured:
            rows = rater_list(person, stage)
        name, what = "campaign_rater_list_selector", "campaigns:my_sheets not on this branch: the query its page runs"
        assert len(rows) == len(mine)
    p95 = percentile(times, 0.95)
    emit(
        {
            "name": name,
            "value": ms(p95),
            "unit": "ms",
            "p50": ms(percentile(times, 0.5)),
            "target": 150,
            "met": ms(p95) <= 150,
            "assignments": len(mine),
            "queries": len(captured.captured_queries),
            "note": what,
        }
    )

    values_of = {}
    times = []
    for n in range(repeat + 2):
        assignment = mine[n % len(mine)]
        with transaction.atomic():
            # Her earlier sheet set aside (as staff would), so that she may score again.
            ScoreSheet.objects.filter(assignment=assignment, status="submitted").update(status="superseded")
            if not values_of:
                items = stage.campaign.rubric.items.all()
                values_of = {
                    str(i.pk): (
                        {"hit": False}
                        if i.kind == "veto"
                        else {"faults": 1}
                        if i.kind == "deduction"
                        else {"v": str(i.max_points - 1)}
                    )
                    for i in items
                }
            start = time.perf_counter()
            sheet, created = scoring.sheet_submit(
                actor=user,
                assignment=assignment,
                values=values_of,
                comment="基准测试",
                latitude="27.02",
                longitude="113.47",
            )
            elapsed = time.perf_counter() - start
            assert created
            assert sheet.pk
            transaction.set_rollback(True)
        if n >= 2:
            times.append(elapsed)
    p95 = percentile(times, 0.95)
    emit(
        {
            "name": "campaign_sheet_submit",
            "value": ms(p95),
            "unit": "ms",
            "p50": ms(percentile(times, 0.5)),
            "target": 150,
            "met": ms(p95) <= 150,
            "note": "scoring.sheet_submit by the rater herself, no photo",
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=200_000, help="households nominated over the city")
    parser.add_argument("--raters", type=int, default=3, help="raters (and submitted sheets) per household")
    parser.add_argument("--runs", type=int, default=3, help="runs of the ranking (the best is reported)")
    parser.add_argument("--repeat", type=int, default=30, help="runs timed for the rater's list and a sheet")
    parser.add_argument("--regenerate", action="store_true", help="empty the campaign tables and write the round again")
    parser.add_argument("--only", default="ranking,rater", help="comma-separated phases of ranking, rater")
    parser.add_argument("--profile", action="store_true", help="the ranking's and promotion's slowest statements")
    args = parser.parse_args()

    os.environ.setdefault("FULIAN_DEV_KEYS", "1")
    url = bench_database_url()
    if url is None:
        note(
            "bench/campaign_scale.py: skipped: the city-scale campaign bench needs PostgreSQL (DATABASE_URL=postgres://…)"
        )
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
    from fulian.audit.recorder import audit_context
    from fulian.campaigns.models import Campaign, Stage
    from fulian.households.models import Household

    if not Household.objects.exists():
        raise SystemExit("The city is not loaded: run bench/people_scale.py --only load first.")
    generate_city.ensure_accounts()
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    with audit_context(actor_name="bench/campaign_scale.py"):
        if args.regenerate or campaign is None or campaign.entries.count() != args.entries:
            with connection.cursor() as cursor:
                # The points ledger's entries point at the awards: emptied with them.
                tables = (*generate_city.POINTS_TABLES, *generate_city.CAMPAIGN_TABLES)
                cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
            host_busy("campaign_write")
            written = write_round(args.entries, args.raters)
            emit({"name": "campaign_round_written", "value": written["seconds"], "unit": "s", **written})
            campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
        else:
            note(f"reusing the round ({campaign.entries.count():,} entries); --regenerate to write it again")
        stage = Stage.objects.select_related("campaign__rubric", "campaign__org").get(
            campaign=campaign, level="village"
        )
        failures: list[str] = []
        if "ranking" in args.only:
            host_busy("campaign_ranking")
            bench_ranking(stage, args.runs, args.profile, failures)
        if "rater" in args.only:
            host_busy("campaign_rater")
            bench_rater(stage, args.repeat)
    for failure in failures:
        note(f"failed: {failure}")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
