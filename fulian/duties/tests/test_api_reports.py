"""The reports and assessments API: the annual reports (figures and her words, which she writes
on her own report and staff who assess her write for her), their generation in the background
(202, then its progress), the schemes, the assessments with each item and a reviewer's entry for
a manual item — through the services' rules, with the scope, and every answer as the published
schema says."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.duties.api.reports import ROUTES
from fulian.duties.choices import Grade, ItemSection, Measure, RunStatus
from fulian.duties.models import Assessment, Entry, Report, ReportRun, Scheme, SchemeItem
from fulian.duties.services import assessment as assessing
from fulian.duties.services import reports, review
from fulian.duties.tests import helpers as h
from fulian.duties.tests.scope_cases import CASES
from fulian.duties.tests.test_reports import on, year
from fulian.grid.tests.test_api import conforms
from fulian.people.models import Person
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/duties/reports/"
REPORT = "/api/v1/duties/reports/{id}/"
RUNS = "/api/v1/duties/report-runs/"
RUN = "/api/v1/duties/report-runs/{id}/"
SCHEMES = "/api/v1/duties/schemes/"
SCHEME = "/api/v1/duties/schemes/{id}/"
ASSESSMENTS = "/api/v1/duties/assessments/"
ASSESSMENT = "/api/v1/duties/assessments/{id}/"
ENTRY = "/api/v1/duties/assessments/{id}/entry/"


def _api(world: World, username: str) -> Any:
    client = world.api_for(username)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def _herself(world: World) -> Person:
    return h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))


def _worked(world: World, who: Person, months: tuple[int, ...] = (1, 2, 3)) -> None:
    for month in months:
        review.record_confirm(actor=world.user("xinshi_staff"), record=h.record(world, who, on=on(month), half_hours=4))


def _queries(call: Any) -> int:
    call()
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


# --- every route is in the scope tests ---------------------------------------------------------


def test_every_method_of_every_detail_route_has_a_scope_case() -> None:
    detail_actions = {"retrieve": "get", "update": "put", "partial_update": "patch", "destroy": "delete"}
    served: set[tuple[str, str]] = set()
    for _prefix, viewset, basename in ROUTES:
        allowed = set(getattr(viewset, "http_method_names", ["get", "put", "patch", "delete"]))
        for name, method in detail_actions.items():
            if hasattr(viewset, name) and method in allowed:
                served.add((f"api:{basename}-detail", method))
        for extra in viewset.get_extra_actions():
            if extra.detail:
                served |= {(f"api:{basename}-{extra.url_name}", method) for method in extra.mapping}
    covered = {(name, method) for case in CASES for name, method, _status in case.detail_checks()}
    assert ("api:duty-assessment-entry", "put") in served
    assert served - covered == set()


# --- reports -------------------------------------------------------------------------------


def test_reports_are_listed_by_organisation_year_and_person(world: World) -> None:
    zhou, li = _herself(world), h.zhiwei(world, "daqiaotou", "李秀英")
    _worked(world, zhou)
    mine, theirs = reports.report_generate(person=zhou, year=year()), reports.report_generate(person=li, year=year())
    old = reports.report_generate(person=zhou, year=year() - 1)
    api = _api(world, "xinshi_staff")

    def ids(**params: Any) -> list[int]:
        response = api.get(reverse("api:duty-report-list"), params)
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in conforms(response, REPORTS)["results"]]

    assert ids() == [old.pk, theirs.pk, mine.pk]  # newest first
    assert ids(year=str(year())) == [theirs.pk, mine.pk]
    assert ids(org=world.org("huilong").code) == [old.pk, mine.pk]
    assert ids(person=str(li.pk)) == [theirs.pk]
    for name, value in (("year", "1999"), ("org", world.org("yanling").code), ("person", "x")):
        bad = api.get(reverse("api:duty-report-list"), {name: value})
        assert bad.status_code == 400
        assert list(conforms(bad, REPORTS)) == [name]
    detail = conforms(api.get(reverse("api:duty-report-detail", args=[mine.pk])), REPORT)
    assert detail["figures"]["records"] == 3
    assert detail["figures"]["hours"] == "6"
    assert (detail["narrative"], detail["written"], detail["may_write"]) == ("", False, True)
    assert _api(world, "yanling_admin").get(reverse("api:duty-report-detail", args=[mine.pk])).status_code == 404


def test_the_report_list_queries_do_not_grow_with_the_rows(world: World) -> None:
    api = _api(world, "xinshi_staff")
    reports.report_generate(person=_herself(world), year=year())
    before = _queries(lambda: api.get(reverse("api:duty-report-list")))
    for n in range(5):
        reports.report_generate(person=h.zhiwei(world, "huilong", f"执委{n}"), year=year())
    assert _queries(lambda: api.get(reverse("api:duty-report-list"))) == before


def test_she_writes_her_own_words_and_staff_who_assess_her_may_too(world: World) -> None:
    zhou = _herself(world)
    report = reports.report_generate(person=zhou, year=year())
    other = reports.report_generate(person=h.zhiwei(world, "huilong", "李秀英"), year=year())
    url = reverse("api:duty-report-detail", args=[report.pk])
    mine = _api(world, "huilong_zhiwei")
    written = mine.patch(url, {"narrative": "  今年走访了全村妇女。 "}, format="json")
    assert written.status_code == 200, written.content[:300]
    body = conforms(written, REPORT, "patch")
    assert (body["narrative"], body["written"]) == ("今年走访了全村妇女。", True)
    assert Report.objects.get(pk=report.pk).narrative == "今年走访了全村妇女。"
    # Another 执委's report: she sees it but may not write it.
    refused = mine.patch(reverse("api:duty-report-detail", args=[other.pk]), {"narrative": "代写"}, format="json")
    assert refused.status_code == 403
    assert conforms(mine.get(reverse("api:duty-report-detail", args=[other.pk])), REPORT)["may_write"] is False
    staff = _api(world, "xinshi_staff")
    assert staff.patch(url, {"narrative": "由工作人员整理。"}, format="json").status_code == 200
    too_long = staff.patch(url, {"narrative": "字" * 5001}, format="json")
    assert too_long.status_code == 400
    assert "5000" in conforms(too_long, REPORT, "patch")["narrative"][0]
    assert staff.patch(url, {}, format="json").status_code == 400
    assert Report.objects.get(pk=report.pk).narrative == "由工作人员整理。"
    assert staff.put(url, {"narrative": "x"}, format="json").status_code == 405


# --- generation runs -----------------------------------------------------------------------


def test_staff_queue_the_reports_and_follow_the_run(world: World, django_capture_on_commit_callbacks: Any) -> None:
    assessing.scheme_create_default(actor=world.user("city_admin"), org=world.org("city"), year=year())
    zhou = _herself(world)
    _worked(world, zhou)
    api = _api(world, "xinshi_staff")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api.post(reverse("api:duty-report-run-list"), {"org": world.org("xinshi").code, "year": year()})
    assert response.status_code == 202, response.content[:300]
    run = conforms(response, RUNS, "post")
    assert (run["status"], run["progress"], run["org"]) == (RunStatus.QUEUED, 0, world.org("xinshi").code)
    again = api.post(reverse("api:duty-report-run-list"), {"org": world.org("xinshi").pk, "year": year()})
    assert again.status_code == 400
    assert "already" in conforms(again, RUNS, "post")["detail"]
    for callback in queued:
        callback()
    done = conforms(api.get(reverse("api:duty-report-run-detail", args=[run["id"]])), RUN)
    assert (done["status"], done["total"], done["done"], done["progress"]) == (RunStatus.DONE, 1, 1, 100)
    assert Report.objects.filter(person=zhou, year=year()).exists()
    assert Assessment.objects.filter(person=zhou, year=year()).exists()
    assert _api(world, "yanling_admin").get(reverse("api:duty-report-run-detail", args=[run["id"]])).status_code == 404
    listed = conforms(api.get(reverse("api:duty-report-run-list"), {"org": world.org("xinshi").code}), RUNS)
    assert [row["id"] for row in listed["results"]] == [run["id"]]
    assert conforms(api.get(reverse("api:duty-report-run-list"), {"year": str(year() - 1)}), RUNS)["results"] == []
    assert api.get(reverse("api:duty-report-run-list"), {"org": world.org("yanling").code}).status_code == 400


def test_a_run_names_what_is_wrong(world: World) -> None:
    api = _api(world, "xinshi_staff")
    url = reverse("api:duty-report-run-list")
    for body, field in (
        ({"org": world.org("yanling").code, "year": year()}, "org"),
        ({"org": "abc", "year": year()}, "org"),
        ({"org": world.org("xinshi").code, "year": 1999}, "year"),
        ({"org": world.org("xinshi").code, "year": year() + 1}, "year"),
        ({"year": year()}, "org"),
    ):
        response = api.post(url, body, format="json")
        assert response.status_code == 400, body
        assert list(conforms(response, RUNS, "post")) == [field]
    assert (
        _api(world, "huilong_zhiwei").post(url, {"org": world.org("huilong").code, "year": year()}).status_code == 403
    )
    assert not ReportRun.objects.exists()


# --- schemes and assessments ---------------------------------------------------------------


def _assessed(world: World) -> tuple[Scheme, dict[str, SchemeItem], Person]:
    scheme = assessing.scheme_create_default(actor=world.user("city_admin"), org=world.org("city"), year=year())
    zhou = _herself(world)
    _worked(world, zhou)
    reports.report_generate(person=zhou, year=year())
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    return scheme, {i.name: i for i in scheme.items.all()}, zhou


def test_schemes_are_read_with_their_items(world: World) -> None:
    scheme, _items, _zhou = _assessed(world)
    theirs = Scheme.objects.create(org=world.org("yanling"), year=year(), name="炎陵县方案")
    city = _api(world, "city_admin")
    listed = conforms(city.get(reverse("api:duty-scheme-list"), {"year": str(year())}), SCHEMES)
    assert [row["id"] for row in listed["results"]] == [scheme.pk, theirs.pk]  # by place in the tree
    assert conforms(city.get(reverse("api:duty-scheme-list"), {"year": str(year() - 1)}), SCHEMES)["count"] == 0
    detail = conforms(city.get(reverse("api:duty-scheme-detail", args=[scheme.pk])), SCHEME)
    assert [item["name"] for item in detail["items"]] == [i.name for i in scheme.items.order_by("position", "id")]
    assert (detail["excellent_share"], detail["org"]) == (20, world.org("city").code)
    # Like the schemes page: a county's staff see the schemes kept in their subtree.
    yanling = conforms(_api(world, "yanling_admin").get(reverse("api:duty-scheme-list")), SCHEMES)
    assert [row["id"] for row in yanling["results"]] == [theirs.pk]
    assert _api(world, "xinshi_staff").get(reverse("api:duty-scheme-detail", args=[theirs.pk])).status_code == 404
    assert _api(world, "nobody").get(reverse("api:duty-scheme-detail", args=[theirs.pk])).status_code == 404


def test_assessments_are_listed_by_grade_and_flagged_with_each_item(world: World) -> None:
    _scheme, _items, zhou = _assessed(world)
    li = h.zhiwei(world, "daqiaotou", "李秀英")
    _worked(world, li, months=(4,))
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    mine, hers = Assessment.objects.get(person=zhou), Assessment.objects.get(person=li)
    Assessment.objects.filter(pk=hers.pk).update(grade=Grade.EXCELLENT)
    assert mine.grade == Grade.INCOMPETENT
    api = _api(world, "xinshi_staff")

    def ids(**params: Any) -> list[int]:
        response = api.get(reverse("api:duty-assessment-list"), params)
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in conforms(response, ASSESSMENTS)["results"]]

    assert ids() == [hers.pk, mine.pk]
    assert ids(flagged="true") == [mine.pk]
    assert ids(flagged="false") == [hers.pk]
    assert ids(grade=Grade.INCOMPETENT, year=str(year())) == [mine.pk]
    assert ids(grade=Grade.EXCELLENT) == [hers.pk]
    assert ids(year=str(year() - 1)) == []
    assert ids(org=world.org("daqiaotou").code) == [hers.pk]
    assert ids(person=str(zhou.pk)) == [mine.pk]
    assert api.get(reverse("api:duty-assessment-list"), {"flagged": "maybe"}).status_code == 400
    assert api.get(reverse("api:duty-assessment-list"), {"grade": "best"}).status_code == 400
    detail = conforms(api.get(reverse("api:duty-assessment-detail", args=[mine.pk])), ASSESSMENT)
    assert (detail["flagged"], detail["score"]) == (True, str(mine.score))
    rows = {row["name"]: row for row in detail["items"]}
    assert rows["履职档案（经审核的履职记录）"]["units"] == "3"
    assert rows["履职档案（经审核的履职记录）"]["points"] == "3.0"
    assert rows["参加妇联会议"]["entered_units"] is None


def test_a_reviewer_enters_units_for_a_manual_item(world: World) -> None:
    _scheme, items, zhou = _assessed(world)
    mine = Assessment.objects.get(person=zhou)
    url = reverse("api:duty-assessment-entry", args=[mine.pk])
    api = _api(world, "xinshi_staff")
    meetings = items["参加妇联会议"]
    entered = api.post(url, {"item": meetings.pk, "units": "4", "note": "全年四次"}, format="json")
    assert entered.status_code == 200, entered.content[:300]
    rows = {row["item"]: row for row in conforms(entered, ENTRY, "post")["items"]}
    assert (rows[meetings.pk]["entered_units"], rows[meetings.pk]["note"]) == ("4.0", "全年四次")
    again = api.put(url, {"item": meetings.pk, "units": "3"}, format="json")
    assert again.status_code == 200
    conforms(again, ENTRY, "put")
    assert Entry.objects.get(assessment=mine, item=meetings).units == Decimal(3)
    other = SchemeItem.objects.create(
        scheme=Scheme.objects.create(org=world.org("yanling"), year=year(), name="炎陵县方案"),
        section=ItemSection.BASE,
        name="会议",
        measure=Measure.MANUAL,
        points=1,
        max_points=10,
    )
    for body, field in (
        ({"item": items["履职档案（经审核的履职记录）"].pk, "units": "1"}, "item"),  # counted, not entered
        ({"item": other.pk, "units": "1"}, "item"),  # not her scheme's
        ({"item": meetings.pk, "units": "-1"}, "units"),
        ({"item": meetings.pk, "units": "1000"}, "units"),
        ({"item": meetings.pk, "units": "x"}, "units"),
        ({"units": "1"}, "item"),
    ):
        response = api.post(url, body, format="json")
        assert response.status_code == 400, body
        assert list(conforms(response, ENTRY, "post")) == [field], body
    assert Entry.objects.get(assessment=mine, item=meetings).units == Decimal(3)
    refused = _api(world, "huilong_zhiwei").post(url, {"item": meetings.pk, "units": "9"}, format="json")
    assert refused.status_code == 403
    assert _api(world, "yanling_admin").post(url, {"item": meetings.pk, "units": "9"}).status_code == 404


def test_the_assessment_list_queries_do_not_grow_with_the_rows(world: World) -> None:
    _assessed(world)
    api = _api(world, "xinshi_staff")
    before = _queries(lambda: api.get(reverse("api:duty-assessment-list")))
    for n in range(5):
        _worked(world, h.zhiwei(world, "huilong", f"执委{n}"), months=(4,))
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    assert Assessment.objects.count() == 6
    assert _queries(lambda: api.get(reverse("api:duty-assessment-list"))) == before
