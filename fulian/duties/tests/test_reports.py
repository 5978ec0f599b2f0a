"""The annual duty report: figures generated from her records, in batches, equal to counts made
directly on the rows; the narrative she writes; the background run and its failure."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum

from fulian.duties.choices import RequestStatus, RunStatus, Satisfaction
from fulian.duties.models import Report, ReportRun, Request
from fulian.duties.services import report_runs, reports, requests, review
from fulian.duties.tests import helpers as h
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.households.tests.helpers import household
from fulian.people.choices import PostKind
from fulian.people.models import Person

pytestmark = pytest.mark.django_db


def year() -> int:
    return coverage.today().year


def on(month: int, day: int = 10) -> datetime.date:
    return datetime.date(year(), month, day)


def a_year_of_work(world) -> dict[str, Person]:
    """Two village 执委 and a township one, with confirmed, pending and last year's records,
    requests in several states."""
    staff = world.user("xinshi_staff")
    zhou = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    li = h.zhiwei(world, "huilong", "李秀英")
    wang = h.zhiwei(world, "xinshi", "王美华", kind=PostKind.MEMBER)
    home_a = household(world, "huilong", "周建国")
    home_b = household(world, "huilong", "李德福")
    confirmed = [
        h.record(world, zhou, households=[home_a], on=on(1), half_hours=3),
        h.record(world, zhou, households=[home_a, home_b], on=on(2), half_hours=2, work_mode="政策宣讲"),
        h.record(world, zhou, households=[home_b], on=on(3), half_hours=1),
        h.record(world, li, households=[home_a], on=on(4), half_hours=4, work_mode="矛盾调解"),
        h.record(world, wang, households=[home_b], on=on(5), half_hours=5),
        h.record(world, zhou, households=[home_a], on=datetime.date(year() - 1, 12, 30)),  # last year
    ]
    for record in confirmed:
        review.record_confirm(actor=staff, record=record)
    h.record(world, zhou, households=[household(world, "huilong", "张三")], on=on(6))  # waiting: not counted
    answered = h.request(world, zhou)
    requests.request_accept(actor=staff, request=answered)
    requests.request_answer(actor=staff, request=answered, answer="已联系就业中心")
    requests.request_rate(actor=world.user("huilong_zhiwei"), request=answered, satisfaction=Satisfaction.SATISFIED)
    h.request(world, zhou)  # still open
    return {"zhou": zhou, "li": li, "wang": wang}


def test_each_report_holds_the_counts_made_directly_on_the_rows(world) -> None:
    people = a_year_of_work(world)
    run = ReportRun.objects.create(org=world.org("xinshi"), year=year(), requested_by=world.user("xinshi_staff"))
    assert reports.reports_generate(org=world.org("xinshi"), year=year(), run=run) == 3
    run.refresh_from_db()
    assert (run.total, run.done) == (3, 3)
    first, last = datetime.date(year(), 1, 1), datetime.date(year(), 12, 31)
    for who in people.values():
        report = Report.objects.get(person=who, year=year())
        counted = Contact.objects.filter(person=who, status=RecordStatus.CONFIRMED, happened_on__range=(first, last))
        figures = report.figures
        assert figures["records"] == counted.count()
        assert figures["half_hours"] == (counted.aggregate(s=Sum("half_hours"))["s"] or 0)
        assert figures["households"] == counted.values("households").exclude(households=None).distinct().count()
        by_mode = {r["work_mode__name"]: r["n"] for r in counted.values("work_mode__name").annotate(n=Count("id"))}
        assert {m["mode"]: m["records"] for m in figures["by_mode"]} == by_mode
        mine = Request.objects.filter(representative=who, recorded_on__range=(first, last))
        assert figures["requests"]["recorded"] == mine.count()
        assert figures["requests"]["closed"] == mine.filter(status=RequestStatus.CLOSED).count()
        assert figures["requests"]["satisfied"] == mine.filter(satisfaction=Satisfaction.SATISFIED).count()
        assert [p["org"] for p in figures["posts"]] == [who.posts.get().org.display_name]
    zhou = Report.objects.get(person=people["zhou"]).figures
    assert (zhou["records"], zhou["half_hours"], zhou["households"]) == (3, 6, 2)
    assert zhou["requests"]["answered"] == 1
    # Placed at her post: the township 执委 at the township.
    assert Report.objects.get(person=people["wang"]).org == world.org("xinshi")


def test_a_batch_is_a_few_queries_whatever_its_size(world, django_assert_max_num_queries) -> None:
    a_year_of_work(world)
    ids = list(Contact.objects.values_list("person_id", flat=True).distinct())
    with django_assert_max_num_queries(7):
        reports.figures_of(ids, year())
    with django_assert_max_num_queries(7):
        reports.figures_of(ids[:1], year())


def test_generating_again_refreshes_the_figures_and_keeps_her_narrative(world) -> None:
    people = a_year_of_work(world)
    report = reports.report_generate(person=people["zhou"], year=year())
    reports.report_narrative(actor=world.user("huilong_zhiwei"), report=report, text="今年走访了全村妇女。")
    review.record_confirm(actor=world.user("xinshi_staff"), record=Contact.objects.get(status=RecordStatus.PENDING))
    reports.reports_generate(org=world.org("huilong"), year=year())
    report.refresh_from_db()
    assert report.figures["records"] == 4
    assert report.narrative == "今年走访了全村妇女。"
    assert Report.objects.count() == 2


def test_only_she_or_her_assessors_write_the_narrative_and_its_length_is_checked(world) -> None:
    people = a_year_of_work(world)
    report = reports.report_generate(person=people["li"], year=year())
    with pytest.raises(PermissionDenied):
        reports.report_narrative(actor=world.user("huilong_zhiwei"), report=report, text="不是我的")
    with pytest.raises(PermissionDenied):
        reports.report_narrative(actor=world.user("yanling_admin"), report=report, text="别的县")
    with pytest.raises(ValidationError, match="5000"):
        reports.report_narrative(actor=world.user("xinshi_staff"), report=report, text="字" * 5001)
    reports.report_narrative(actor=world.user("xinshi_staff"), report=report, text="代她录入")
    report.refresh_from_db()
    assert report.narrative == "代她录入"


def test_a_run_generates_reports_then_fails_with_a_message_when_no_scheme_applies(world) -> None:
    a_year_of_work(world)
    # The immediate backend of the tests runs it at commit.
    with pytest.raises(ValidationError):
        report_runs.reports_start(actor=world.user("xinshi_staff"), org=world.org("xinshi"), year=1999)
    run = report_runs.reports_start(actor=world.user("xinshi_staff"), org=world.org("xinshi"), year=year())
    from fulian.duties.tasks import reports_run

    run = reports_run(run.pk)
    assert run.status == RunStatus.FAILED
    assert "No assessment scheme" in run.message or "考核方案" in run.message
    assert Report.objects.count() == 3  # the reports are kept


def test_a_second_run_is_refused_while_one_is_waiting(world) -> None:
    ReportRun.objects.create(org=world.org("xinshi"), year=year(), requested_by=world.user("xinshi_staff"))
    with pytest.raises(ValidationError, match="already"):
        report_runs.reports_start(actor=world.user("xinshi_staff"), org=world.org("xinshi"), year=year())
    with pytest.raises(PermissionDenied):
        report_runs.reports_start(actor=world.user("huilong_zhiwei"), org=world.org("huilong"), year=year())
