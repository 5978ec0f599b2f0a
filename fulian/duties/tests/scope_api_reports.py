"""The figures, reports and assessments API's routes in the scope tests: every route taking an id
(a report and its narrative, a generation run, a scheme, an assessment and its entry) answers 404
to 新市镇's staff for 炎陵县's, before the body is read, and the lists leave it out for them.
The insider's statuses are those of an empty request."""

from __future__ import annotations

from typing import Any

from fulian.duties.models import Assessment, Report, ReportRun, Scheme
from fulian.duties.tests.scope_cases import (
    INSIDER,
    OUTSIDER,
    make_assessment,
    make_report,
    make_report_run,
    make_scheme,
)
from fulian.testing.scope import ScopeCase


def _case(model: Any, make: Any, **routes: Any) -> ScopeCase:
    return ScopeCase(model=model, make=make, outsider=OUTSIDER, insider=INSIDER, **routes)


def _year(obj: Any) -> dict[str, str]:
    return {"year": str(obj.year)}


CASES = [
    _case(
        Report,
        make_report,
        detail=[("api:duty-report-detail", "get"), ("api:duty-report-detail", "patch", 400)],  # no narrative
        lists=[("api:duty-report-list", _year)],
    ),
    _case(
        Assessment,
        make_assessment,
        detail=[
            ("api:duty-assessment-detail", "get"),
            ("api:duty-assessment-entry", "post", 400),  # no item
            ("api:duty-assessment-entry", "put", 400),
        ],
        lists=[("api:duty-assessment-list", _year)],
    ),
    _case(
        Scheme,
        make_scheme,
        detail=[("api:duty-scheme-detail", "get")],
        lists=[("api:duty-scheme-list", _year)],
    ),
    _case(
        ReportRun,
        make_report_run,
        detail=[("api:duty-report-run-detail", "get")],
        lists=[("api:duty-report-run-list", _year)],
    ),
]
