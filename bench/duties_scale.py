"""City-scale benchmark of duty records and 她代表 requests (issue 13), on PostgreSQL.

On the city of bench/people_scale.py (1.3 million households, 20,000 执委, in the kept database
``fulian_bench``), bench/generate_duties.py writes by COPY ``--years`` years of duty records
(~50 a 执委 a year: ~3 million rows in ``grid_contact``, with their household links, mostly
confirmed) and ``--requests`` 她代表 requests (200,000) with their steps; they are kept between
runs (``--regenerate`` writes them again). Then, each as p50/p95 over ``--repeat`` runs:

- a 执委's own list (``duties:records_mine``) and the record form (``grid:contact_create``), as
  her: goal p95 ≤ 150 ms;
- submitting a record with one photo (``fulian.grid.services.contact_record``, the photo
  re-encoded), rolled back after each run: goal ≤ 300 ms;
- the township review list (``duties:review`` as ``xinshi_staff``, staff of 新市镇; where the page
  is not merged, ``fulian.duties.services.review.review_queue``'s first page and count) and the
  city's "silent 执委" figure (``fulian.duties.figures.silent_members(city, today)``), each beside
  ONE hand-written SQL query computing the same answer (the answers compared, both times and
  the ratio printed): goal ≤ 300 ms;
- the requests list (``duties:request_list``) and the figures page (``duties:figures?org=``);
- generating the year's duty reports for the whole city as the background task does
  (``fulian.duties.services.reports.reports_generate(org=city, year=…, run=…)``), once, rolled
  back: goal ≤ 5 minutes;
- EXPLAIN (ANALYZE) of every query of the scoped lists timed (records, review, requests,
  figures, and the grid's contact list as staff): a Seq Scan of a big table fails the run.

A part whose page or function is not on this branch yet is skipped with a note (and a
``"skipped"`` figure); where the page is missing, the query it would run is timed and explained
instead (named ``…_selector``).

Prints one JSON object per figure (``name``, ``value``, ``unit``, ``target``, ``met``, …) like
bench/grid_scale.py; notes go to stderr prefixed with ``#``. Exit status 1 when an answer differs
from the hand-written SQL or a big table is read by a Seq Scan; a missed goal is printed with
``"met": false``.

Commands (from the project root; the city must be loaded: ``bench/people_scale.py --only load``):

    FULIAN_DEV_KEYS=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulian_bench \\
        .venv/bin/python bench/duties_scale.py [--repeat 30] [--regenerate] [--only records,review,...]

On SQLite (no DATABASE_URL) it prints a note and does nothing.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import io
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.people_scale import bench_database_url, emit, ensure_database, host_busy, migrate, note, percentile

XINSHI = "430223123"
HUILONG = "430223123215"
ZHIWEI_USERNAME = "bench_zhiwei"
BIG_TABLES = {
    "grid_contact",
    "grid_contact_households",
    "duties_request",
    "duties_requeststep",
    "households_household",
    "people_post",
    "people_person",
}
PARTS = ("records", "submit", "review", "silent", "requests", "figures", "reports", "explain")
SILENT_DAYS = 90
PAGE = 50

REVIEW_SQL = """
SELECT c.id FROM grid_contact c
WHERE c.township_id = %(township)s AND c.status = 'pending'
  AND c.person_id NOT IN (SELECT p.person_id FROM people_post p
                          WHERE p.org_id = %(township)s AND p.end_date IS NULL
                            AND p.kind IN ('chair', 'vice_chair'))
ORDER BY c.happened_on, c.id
"""
SILENT_SQL = """
SELECT count(DISTINCT p.person_id) FROM people_post p
WHERE p.city_id = %(city)s AND p.end_date IS NULL AND p.start_date <= %(on)s
  AND NOT EXISTS (SELECT 1 FROM grid_contact c
                  WHERE c.person_id = p.person_id AND c.happened_on > %(since)s AND c.happened_on <= %(on)s
                    AND c.status NOT IN ('returned', 'superseded'))
"""


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


def skipped(name: str, what: str) -> None:
    note(f"{name}: skipped: {what} is not on this branch yet")
    emit({"name": name, "skipped": f"{what} not merged"})


def optional(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def url_of(name: str, **kwargs: Any) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


class Bench:
    """The accounts and objects the parts share, the queries captured for EXPLAIN, failures."""

    def __init__(self, repeat: int) -> None:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from bench.people_scale import collect_static
        from fulian.accounts.testing import force_login
        from fulian.grid import coverage
        from fulian.orgs.models import Organisation

        self.repeat = repeat
        self.today = coverage.today()
        self.city = Organisation.objects.get(level="city")
        self.township = Organisation.objects.get(code=XINSHI)
        users = get_user_model().objects
        self.staff = users.get(username="xinshi_staff")
        self.admin = users.get(username="city_admin")
        self.person, self.zhiwei = the_zhiwei()
        self.captured: dict[str, list[str]] = {}
        self.failures: list[str] = []
        collect_static(dict(os.environ))  # the pages' CSS through the manifest storage, as served
        self.clients: dict[str, Client] = {}
        for key, user in (("zhiwei", self.zhiwei), ("staff", self.staff), ("admin", self.admin)):
            client = Client(raise_request_exception=True)
            force_login(client, user)
            self.clients[key] = client

    def capture(self, name: str, fn: Callable[[], Any]) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            fn()
        self.captured[name] = [q["sql"] for q in queries.captured_queries]

    def page(self, name: str, who: str, url: str, target: float | None, **extra: Any) -> None:
        """GET ``url`` as ``who``: p50/p95 server time, queries; captured for EXPLAIN."""
        client = self.clients[who]
        status = client.get(url).status_code
        if status != 200:
            note(f"{name}: GET {url} as {who} answered {status}: not timed")
            self.failures.append(f"{name}: GET {url} answered {status}")
            emit({"name": name, "skipped": f"GET {url} answered {status}"})
            return

        def get() -> int:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return len(response.content)

        p50, p95, size = timed(get, self.repeat)
        self.capture(name, get)
        figure: dict[str, Any] = {"name": name, "value": p95, "unit": "ms", "p50": p50}
        if target is not None:
            figure |= {"target": target, "met": p95 <= target}
        emit(figure | {"queries": len(self.captured[name]), "bytes": size, "note": f"GET {url} as {who}", **extra})

    def compare(self, name: str, ours: Any, theirs: Any) -> bool:
        equal = ours == theirs
        if not equal:
            self.failures.append(f"{name}: ours {str(ours)[:300]} ≠ raw {str(theirs)[:300]}")
        return equal

    def beside(
        self,
        name: str,
        target: float,
        ours: tuple[float, float, Any],
        theirs: tuple[float, float, Any],
        equal: bool,
        **extra: Any,
    ) -> None:
        emit(
            {
                "name": name,
                "value": ours[1],
                "unit": "ms",
                "p50": ours[0],
                "target": target,
                "met": ours[1] <= target,
                "raw_sql_p95": theirs[1],
                "raw_sql_p50": theirs[0],
                "ratio": round(ours[1] / theirs[1], 3) if theirs[1] else None,
                "equal": equal,
                **extra,
            }
        )


def the_zhiwei() -> tuple[Any, Any]:
    """A village 执委 of 新市镇 with a median number of records, linked to an account (member of
    her village) so that she works as herself."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from fulian.accounts.choices import Role
    from fulian.accounts.models import RoleGrant
    from fulian.demo import DEMO_PASSWORD
    from fulian.grid.models import Contact
    from fulian.people.models import Person, Post

    user = get_user_model().objects.filter(username=ZHIWEI_USERNAME).first()
    person = Person.objects.filter(account=user).first() if user else None
    if person is None:
        posts = Post.objects.filter(end_date__isnull=True, org__code=HUILONG, person__account__isnull=True)
        counts = list(
            Contact.objects.filter(person_id__in=posts.values("person_id"))
            .values("person_id")
            .annotate(n=Count("id"))
            .order_by("n", "person_id")
        )
        person = Person.objects.get(pk=counts[len(counts) // 2]["person_id"])
        village = Post.objects.filter(person=person, end_date__isnull=True).select_related("org").first().org  # type: ignore[union-attr]
        if user is None:
            user = get_user_model()(username=ZHIWEI_USERNAME, full_name=person.name, org=village)
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleGrant.objects.get_or_create(user=user, org=village, role=Role.MEMBER)
        Person.objects.filter(pk=person.pk).update(account=user)
        person.refresh_from_db()
    return person, user


# --- the parts ------------------------------------------------------------------------------------


def bench_records(b: Bench) -> None:
    """Her own list and the record form (goal ≤ 150 ms); the staff's scoped lists of records."""
    from fulian.grid.models import Contact

    records = Contact.objects.filter(person=b.person).count()
    url = url_of("duties:records_mine")
    if url is not None:
        b.page("duties_records_mine_page", "zhiwei", url, 150.0, records=records)
    else:
        skipped("duties_records_mine_page", "duties:records_mine")

        def mine() -> list[int]:
            query = Contact.objects.filter(person=b.person).select_related("work_mode", "org")
            return [c.pk for c in query.order_by("-happened_on", "-id")[:PAGE]]

        p50, p95, _rows = timed(mine, b.repeat)
        b.capture("duties_records_mine_selector", mine)
        emit(
            {
                "name": "duties_records_mine_selector",
                "value": p95,
                "unit": "ms",
                "p50": p50,
                "target": 150.0,
                "met": p95 <= 150.0,
                "records": records,
                "note": "her records, newest first, one page (the query her list would run)",
            }
        )
    url = url_of("grid:contact_create")
    if url is not None:
        b.page("grid_contact_create_form", "zhiwei", url, 150.0)
    else:
        skipped("grid_contact_create_form", "grid:contact_create")
    url = url_of("grid:contact_list")
    if url is not None:
        b.page("grid_contact_list_township_staff", "staff", url, 300.0)

    def township() -> list[int]:
        from fulian.core.ancestry import within_q

        query = Contact.objects.visible_to(b.staff, "grid.view").filter(within_q(b.township))
        return [c.pk for c in query.select_related("person", "work_mode").order_by("-happened_on", "-id")[:PAGE]]

    p50, p95, _rows = timed(township, b.repeat)
    b.capture("duties_records_township_selector", township)
    emit(
        {
            "name": "duties_records_township_selector",
            "value": p95,
            "unit": "ms",
            "p50": p50,
            "note": "新市镇's records as its staff see them, newest first, one page",
        }
    )


def jpeg(width: int = 1600, height: int = 1200) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 90)).save(out, "JPEG", quality=85)
    return out.getvalue()


def bench_submit(b: Bench) -> None:
    """``contact_record`` by her, with one phone-sized photo, rolled back each time (≤ 300 ms)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from fulian.audit.recorder import audit_context
    from fulian.grid import services
    from fulian.grid.models import WorkMode
    from fulian.households.models import Household
    from fulian.people.models import Post

    village = Post.objects.filter(person=b.person, end_date__isnull=True).values_list("org_id", flat=True).first()
    household = Household.objects.filter(village_id=village, archived_at__isnull=True).order_by("pk").first()
    mode = WorkMode.objects.filter(active=True).order_by("position").first()
    photo = jpeg()
    times = []
    with audit_context(actor=b.zhiwei):
        for n in range(b.repeat + 2):
            with transaction.atomic():
                upload = SimpleUploadedFile("IMG_0001.jpg", photo, content_type="image/jpeg")
                start = time.perf_counter()
                record = services.contact_record(
                    actor=b.zhiwei,
                    person=b.person,
                    mode="visit",
                    happened_on=b.today,
                    households=[household] if household else [],
                    whom="户主",
                    note="基准测试",
                    photos=[upload],
                    work_mode=mode,
                    half_hours=2,
                )
                elapsed = time.perf_counter() - start
                assert record.pk
                assert record.photos.count() == 1
                record.photos.first().image.delete(save=False)  # type: ignore[union-attr]
                transaction.set_rollback(True)
            if n >= 2:
                times.append(elapsed)
    p95 = ms(percentile(times, 0.95))
    emit(
        {
            "name": "grid_contact_record_with_photo",
            "value": p95,
            "unit": "ms",
            "p50": ms(percentile(times, 0.5)),
            "target": 300.0,
            "met": p95 <= 300.0,
            "photo_bytes": len(photo),
            "note": "contact_record by the 执委 herself, one 1600×1200 JPEG re-encoded, her household's "
            "last contact and coverage updated",
        }
    )


def bench_review(b: Bench) -> None:
    """The township review list as its staff, beside one SQL query (≤ 300 ms)."""
    from fulian.duties.services import review

    params = {"township": b.township.pk}

    def queue() -> tuple[int, list[int]]:
        waiting = review.review_queue(b.staff)
        first = waiting.select_related("person", "work_mode").order_by("happened_on", "id")[:PAGE]
        return waiting.count(), [c.pk for c in first]

    def by_hand() -> tuple[int, list[int]]:
        ids = [row[0] for row in raw(REVIEW_SQL, params)]
        return len(ids), ids[:PAGE]

    theirs = timed(by_hand, b.repeat)
    url = url_of("duties:review")
    if url is not None:
        b.page("duties_review_page_township", "staff", url, 300.0, waiting=theirs[2][0])
    else:
        skipped("duties_review_page_township", "duties:review")
    ours = timed(queue, b.repeat)
    equal = b.compare("duties_review_queue_township", ours[2], theirs[2])
    b.beside("duties_review_queue_township", 300.0, ours, theirs, equal, waiting=ours[2][0])
    b.capture("duties_review_queue_township", queue)


def count_of(answer: Any) -> int:
    """The number of silent 执委 from whatever the figure returns (a count, rows, a summary)."""
    if isinstance(answer, int):
        return answer
    for attribute in ("count", "total", "silent"):
        value = getattr(answer, attribute, None)
        if isinstance(value, int):
            return value
        if callable(value) and attribute == "count" and not isinstance(answer, list | tuple):
            return int(value())
    return len(answer)


def bench_silent(b: Bench) -> None:
    """The city's silent 执委 (no record for 90 days), beside one SQL query (≤ 300 ms)."""
    params = {"city": b.city.pk, "on": b.today, "since": b.today - datetime.timedelta(days=SILENT_DAYS)}
    theirs = timed(lambda: raw(SILENT_SQL, params)[0][0], b.repeat)
    silent_members = optional("fulian.duties.figures", "silent_members")
    if silent_members is None:
        skipped("duties_silent_city", "fulian.duties.figures.silent_members")
        emit(
            {
                "name": "duties_silent_city_raw_sql",
                "value": theirs[1],
                "unit": "ms",
                "p50": theirs[0],
                "silent": theirs[2],
                "note": "the hand-written query alone (persons with a current post, no record but returned or "
                "superseded ones in the 90 days up to today)",
            }
        )
        return
    ours = timed(lambda: count_of(silent_members(b.city, b.today)), b.repeat)
    equal = b.compare("duties_silent_city", ours[2], theirs[2])
    b.beside("duties_silent_city", 300.0, ours, theirs, equal, silent=ours[2])
    b.capture("duties_silent_city", lambda: count_of(silent_members(b.city, b.today)))


def bench_requests(b: Bench) -> None:
    """The requests list of the township's staff (the page, or the scoped query it would run)."""
    from fulian.duties.models import Request

    url = url_of("duties:request_list")
    if url is not None:
        b.page("duties_request_list_township", "staff", url, 300.0)
        b.page("duties_request_list_city", "admin", url, 300.0)
        return
    skipped("duties_request_list_township", "duties:request_list")
    for name, overdue in (("duties_requests_township_selector", False), ("duties_requests_overdue_selector", True)):

        def first(overdue: bool = overdue) -> list[int]:
            query = Request.objects.visible_to(b.staff, "duties.view")
            query = query.overdue(b.today).order_by("due_on", "id") if overdue else query.order_by("-id")
            return [r.pk for r in query.select_related("representative", "holder")[:PAGE]]

        p50, p95, _rows = timed(first, b.repeat)
        b.capture(name, first)
        emit({"name": name, "value": p95, "unit": "ms", "p50": p50, "note": "新市镇's requests as its staff see them"})


def bench_figures(b: Bench) -> None:
    url = url_of("duties:figures")
    if url is None:
        skipped("duties_figures_city", "duties:figures")
        return
    b.page("duties_figures_city", "admin", f"{url}?org={b.city.pk}", 300.0)
    b.page("duties_figures_township", "staff", f"{url}?org={b.township.pk}", 300.0)


def bench_reports(b: Bench) -> None:
    """The year's reports of the whole city, as the background task makes them, rolled back."""
    from django.db import transaction

    from fulian.audit.recorder import audit_context
    from fulian.duties.models import Report, ReportRun

    reports_generate = optional("fulian.duties.services.reports", "reports_generate")
    if reports_generate is None:
        skipped("duties_reports_generate_city", "fulian.duties.services.reports.reports_generate")
        return
    year = b.today.year - 1
    with audit_context(actor_name="bench/duties_scale.py"), transaction.atomic():
        run = ReportRun.objects.create(org=b.city, year=year, requested_by=b.admin)
        start = time.perf_counter()
        reports_generate(org=b.city, year=year, run=run)
        elapsed = time.perf_counter() - start
        run.refresh_from_db()
        made = Report.objects.filter(year=year).count() if hasattr(Report, "year") else Report.objects.count()
        transaction.set_rollback(True)
    emit(
        {
            "name": "duties_reports_generate_city",
            "value": round(elapsed, 1),
            "unit": "s",
            "target": 300,
            "met": elapsed <= 300,
            "reports": made,
            "run_total": run.total,
            "run_done": run.done,
            "year": year,
            "note": "reports_generate(org=city, year, run) as the task runs it; rolled back afterwards",
        }
    )


def bench_explain(b: Bench) -> None:
    """EXPLAIN ANALYZE of every query the scoped lists ran; a Seq Scan of a big table fails."""
    from django.db import connection

    def walk(node: dict[str, Any]) -> list[dict[str, Any]]:
        found = [node]
        for child in node.get("Plans", []):
            found += walk(child)
        return found

    for name, queries in b.captured.items():
        seq: set[str] = set()
        indexes: set[str] = set()
        total = 0.0
        explained = 0
        for sql in queries:
            head = sql.lstrip().upper()
            if not head.startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                try:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                except Exception as error:
                    note(f"explain {name}: not explained ({str(error).splitlines()[0][:120]}): {sql[:120]}")
                    continue
                (result,) = cursor.fetchone()
            explained += 1
            top = json.loads(result)[0] if isinstance(result, str) else result[0]
            total += top["Execution Time"]
            for node in walk(top["Plan"]):
                if node["Node Type"] == "Seq Scan":
                    seq.add(node["Relation Name"])
                if "Index Name" in node:
                    indexes.add(node["Index Name"])
        big = sorted(seq & BIG_TABLES)
        emit(
            {
                "name": f"explain_{name}",
                "value": round(total, 2),
                "unit": "ms",
                "queries": explained,
                "seq_scans": sorted(seq),
                "seq_scan_of_big_table": bool(big),
                "indexes": sorted(indexes),
            }
        )
        if big:
            b.failures.append(f"{name}: Seq Scan on {', '.join(big)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30, help="runs timed per figure")
    parser.add_argument("--years", type=int, default=3, help="years of duty records")
    parser.add_argument("--per-year", type=int, default=50, help="records a 执委 a year, on average")
    parser.add_argument("--requests", type=int, default=200_000, help="她代表 requests")
    parser.add_argument("--regenerate", action="store_true", help="empty the duty tables and write them again")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    args = parser.parse_args()

    os.environ.setdefault("FULIAN_DEV_KEYS", "1")
    url = bench_database_url()
    if url is None:
        note("bench/duties_scale.py: skipped: the city-scale duties bench needs PostgreSQL (DATABASE_URL=postgres://…)")
        return
    ensure_database(url)
    migrate(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("FULIAN_TESTING", None)
    import django

    django.setup()
    from bench import generate_city, generate_duties
    from fulian.audit.recorder import audit_context
    from fulian.duties.models import Request
    from fulian.grid.models import Contact
    from fulian.households.models import Household

    if not Household.objects.exists():
        raise SystemExit("The city is not loaded: run bench/people_scale.py --only load first.")
    generate_city.ensure_accounts()
    parts = set(args.only.split(","))
    with audit_context(actor_name="bench/duties_scale.py"):
        records = Contact.objects.count()
        generated = False
        expected = 20_000 * args.per_year * args.years
        if args.regenerate or records < expected * 0.7 or Request.objects.count() != args.requests:
            host_busy("duties_generate")
            written = generate_duties.generate(
                years=args.years, per_year=args.per_year, requests=args.requests, log=note
            )
            emit({"name": "duties_generated", "value": written.pop("seconds"), "unit": "s", **written})
            generated = True
        else:
            note(f"reusing {records:,} records and {args.requests:,} requests; --regenerate to write them again")
        from fulian.duties import counting
        from fulian.duties.models import ModeMonth

        # Written in bulk: the summary of confirmed records by month and mode is rebuilt after.
        if generated or not ModeMonth.objects.exists():
            started = time.perf_counter()
            rows = counting.rebuild()
            seconds = time.perf_counter() - started
            emit({"name": "duties_counts_rebuilt", "value": round(seconds, 1), "unit": "s", "rows": rows})
        host_busy("duties_reads")
        b = Bench(args.repeat)
        for part, run in (
            ("records", bench_records),
            ("submit", bench_submit),
            ("review", bench_review),
            ("silent", bench_silent),
            ("requests", bench_requests),
            ("figures", bench_figures),
            ("reports", bench_reports),
            ("explain", bench_explain),
        ):
            if part in parts:
                run(b)
    for failure in b.failures:
        note(f"failed: {failure}")
    if b.failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
