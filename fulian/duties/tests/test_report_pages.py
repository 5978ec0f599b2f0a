"""The pages of the annual reports and assessments: lists (constant queries), the report on
A4 and on her phone with her words, generation from the page with its progress, the schemes
(default, edit, frozen), the results with their filters and export, and the run through a
real worker process."""

from __future__ import annotations

import io
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from fulian.duties.choices import Grade, RunStatus
from fulian.duties.models import Assessment, Report, ReportRun, Scheme
from fulian.duties.services import assessment as assessing
from fulian.duties.services import report_runs, reports
from fulian.duties.tests import helpers as h
from fulian.duties.tests.test_assessment import manual_scheme, scored
from fulian.duties.tests.test_reports import a_year_of_work, year
from fulian.grid.tests.helpers import page_queries
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def test_the_reports_list_runs_the_same_queries_for_one_report_or_many(world) -> None:
    a_year_of_work(world)
    reports.reports_generate(org=world.org("xinshi"), year=year())
    client = world.client_for("xinshi_staff")
    url = reverse("duties:reports")
    client.get(url)  # a warm session
    few = page_queries(client, url, {"year": year()})
    for n in range(6):
        reports.report_generate(person=h.zhiwei(world, "huilong", f"执委{n}"), year=year())
    assert page_queries(client, url, {"year": year()}) == few
    page = client.get(url, {"year": year()}).content.decode()
    assert "周桂姣" in page
    assert "王美华" in page


def test_the_assessment_list_filters_by_grade_and_flag_with_constant_queries(world) -> None:
    _scheme, item = manual_scheme(world)
    scored(world, item, {"甲": 70, "乙": 30})
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    client = world.client_for("xinshi_staff")
    url = reverse("duties:assessments")
    client.get(url)  # a warm session
    flagged = client.get(url, {"year": year(), "flagged": "1"}).content.decode()
    assert "乙" in flagged
    assert "甲" not in flagged
    assert 'data-testid="flagged"' in flagged
    few = page_queries(client, url, {"year": year()})
    scored(world, item, {f"丙{n}": 80 for n in range(5)})
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    assert page_queries(client, url, {"year": year()}) == few
    competent = client.get(url, {"year": year(), "grade": Grade.COMPETENT}).content.decode()
    assert "丙0" in competent
    assert "乙" not in competent


def test_the_results_export_holds_the_rows_shown(world) -> None:
    _scheme, item = manual_scheme(world)
    scored(world, item, {"甲": 70, "乙": 30})
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    answer = world.client_for("xinshi_staff").get(
        reverse("duties:assessments_export"), {"year": year(), "flagged": "1"}
    )
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    names = [row[3] for row in values if row and row[3] in ("甲", "乙")]
    assert names == ["乙"]


def test_she_writes_her_words_on_her_phone_and_the_report_shows_them(world) -> None:
    people = a_year_of_work(world)
    client = world.client_for("huilong_zhiwei")
    page = client.get(reverse("duties:report_mine")).content.decode()
    assert 'data-testid="narrative-form"' in page
    report = Report.objects.get(person=people["zhou"], year=year())
    assert report.figures["records"] == 3
    too_long = client.post(
        reverse("duties:report_narrative", args=[report.pk]), {"narrative": "字" * 5001, "from": "mine"}
    )
    assert too_long.status_code == 400
    assert "5000" in too_long.content.decode()
    answer = client.post(
        reverse("duties:report_narrative", args=[report.pk]), {"narrative": "走访了全村妇女", "from": "mine"}
    )
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.narrative == "走访了全村妇女"
    # Not hers: the chair's report is refused (she sees it in her village, writes nothing in it).
    other = reports.report_generate(person=people["li"], year=year())
    assert client.post(reverse("duties:report_narrative", args=[other.pk]), {"narrative": "x"}).status_code == 403


def test_the_report_page_prints_on_a4_and_shows_the_flag(world) -> None:
    _scheme, item = manual_scheme(world)
    who = scored(world, item, {"乙": 30})["乙"]
    report = reports.report_generate(person=who, year=year())
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    page = world.client_for("xinshi_staff").get(reverse("duties:report_detail", args=[report.pk])).content.decode()
    assert "duties/print-report" in page
    assert 'data-testid="flagged"' in page
    assert "data-print" in page
    css = (Path(settings.BASE_DIR) / "static/duties/print-report.css").read_text()
    assert "size: A4 portrait" in css
    assert "@media print" in css
    assert ".fl-no-print" in css


def test_staff_generate_from_the_page_and_the_run_shows_its_progress(world) -> None:
    a_year_of_work(world)
    manual_scheme(world)
    client = world.client_for("xinshi_staff")
    answer = client.post(reverse("duties:reports_generate"), {"org": world.org("xinshi").pk, "year": year()})
    assert answer.status_code == 302
    run = ReportRun.objects.get()
    # The tests' immediate backend runs it at commit; here the request's transaction is the test's.
    from fulian.duties.tasks import reports_run

    reports_run(run.pk)
    status = client.get(reverse("duties:report_run", args=[run.pk])).content.decode()
    assert 'data-status="done"' in status
    assert "hx-get" not in status
    assert Report.objects.count() == 3
    assert Assessment.objects.count() == 3
    page = client.get(reverse("duties:reports"), {"org": world.org("xinshi").pk, "year": year()}).content.decode()
    assert 'data-testid="report-run"' in page
    # A run still waiting is polled.
    waiting = ReportRun.objects.create(org=world.org("huilong"), year=year(), requested_by=world.user("xinshi_staff"))
    assert "hx-get" in client.get(reverse("duties:report_run", args=[waiting.pk])).content.decode()
    # A 执委 has no button.
    assert client.post(reverse("duties:reports_generate"), {"org": world.org("huilong").pk, "year": year()})
    mine = world.client_for("huilong_zhiwei").post(
        reverse("duties:reports_generate"), {"org": world.org("huilong").pk, "year": year()}
    )
    assert mine.status_code == 403


def test_the_city_creates_the_default_scheme_edits_it_and_a_frozen_one_refuses(world) -> None:
    client = world.client_for("city_admin")
    answer = client.post(reverse("duties:scheme_create_default"), {"year": year()})
    scheme = Scheme.objects.get()
    assert answer.status_code == 302
    assert answer.url == reverse("duties:scheme_edit", args=[scheme.pk])
    form = client.get(reverse("duties:scheme_edit", args=[scheme.pk])).context
    items = form["items"]
    data: dict[str, Any] = {
        "name": "2026年度执委考核",
        "excellent_min": "88",
        "competent_min": "70",
        "basic_min": "60",
        "excellent_share": "15",
        "items-TOTAL_FORMS": str(len(items.forms)),
        "items-INITIAL_FORMS": str(items.initial_form_count()),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item_form in enumerate(items.forms):
        item = item_form.instance
        if item.pk is None:
            continue
        data.update(
            {
                f"items-{n}-id": item.pk,
                f"items-{n}-scheme": scheme.pk,
                f"items-{n}-section": item.section,
                f"items-{n}-name": item.name,
                f"items-{n}-measure": item.measure,
                f"items-{n}-points": item.points,
                f"items-{n}-max_points": item.max_points,
                f"items-{n}-position": item.position,
            }
        )
    data["items-0-DELETE"] = "on"
    saved = client.post(reverse("duties:scheme_edit", args=[scheme.pk]), data)
    assert saved.status_code == 302
    scheme.refresh_from_db()
    assert (scheme.excellent_share, scheme.excellent_min, scheme.items.count()) == (15, Decimal(88), 8)
    bad = client.post(reverse("duties:scheme_edit", args=[scheme.pk]), {**data, "competent_min": "95"})
    assert bad.status_code == 400
    assert "thresholds" in bad.content.decode() or "分数线" in bad.content.decode()
    a_year_of_work(world)
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    frozen = client.post(reverse("duties:scheme_edit", args=[scheme.pk]), {**data, "excellent_share": "30"})
    assert frozen.status_code == 400
    scheme.refresh_from_db()
    assert scheme.excellent_share == 15
    assert 'data-testid="frozen"' in client.get(reverse("duties:scheme_detail", args=[scheme.pk])).content.decode()


def test_reviewers_enter_a_manual_item_on_the_assessment_page(world) -> None:
    _scheme, item = manual_scheme(world)
    who = scored(world, item, {"甲": 50})["甲"]
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    assessment = Assessment.objects.get(person=who)
    client = world.client_for("xinshi_staff")
    bad = client.post(reverse("duties:assessment_detail", args=[assessment.pk]), {"item": item.pk, "units": "-2"})
    assert bad.status_code == 400
    ok = client.post(reverse("duties:assessment_detail", args=[assessment.pk]), {"item": item.pk, "units": "92"})
    assert ok.status_code == 302
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    assert Assessment.objects.get(person=who).score == Decimal(92)


# --- A real worker process on the database backend (as in production) -----------------------

from fulian.imports.tests.test_worker import TIMEOUT, Workers  # noqa: E402


@pytest.fixture
def workers(live_world: World, settings: Any, tmp_path: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def _wait(run: ReportRun, workers: Workers) -> ReportRun:
    deadline = time.monotonic() + TIMEOUT
    while ReportRun.objects.get(pk=run.pk).status in (RunStatus.QUEUED, RunStatus.RUNNING):
        assert time.monotonic() < deadline, workers.logs()
        time.sleep(0.2)
    return ReportRun.objects.get(pk=run.pk)


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_generates_the_reports_fails_without_a_scheme_and_a_retry_succeeds(
    live_world: World, workers: Workers
) -> None:
    world = live_world
    a_year_of_work(world)
    staff = world.user("xinshi_staff")
    run = report_runs.reports_start(actor=staff, org=world.org("xinshi"), year=year())
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    workers.start()
    failed = _wait(run, workers)
    assert failed.status == RunStatus.FAILED
    assert "No assessment scheme" in failed.message or "考核方案" in failed.message
    assert (failed.done, failed.total) == (3, 3)
    page = world.client_for("xinshi_staff").get(reverse("duties:report_run", args=[run.pk])).content.decode()
    assert failed.message in page
    assert "retry" in page or "重试" in page
    manual_scheme(world)
    retry = report_runs.reports_start(actor=staff, org=world.org("xinshi"), year=year())
    done = _wait(retry, workers)
    assert done.status == RunStatus.DONE, done.message
    assert Assessment.objects.count() == 3
    assert Report.objects.count() == 3
