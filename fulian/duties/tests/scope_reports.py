"""The reports part's routes in the scope tests (see ``scope_cases.py``): 新市镇's staff get a
404 for 炎陵县's report, its narrative, its assessment, its scheme and its run."""

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
        # An empty narrative is allowed (she may clear it): back to the report.
        detail=[("duties:report_detail", "get"), ("duties:report_narrative", "post", 302)],
        lists=[("duties:reports", _year)],
    ),
    _case(
        Assessment,
        make_assessment,
        detail=[("duties:assessment_detail", "get"), ("duties:assessment_detail", "post", 400)],
        lists=[("duties:assessments", _year)],
    ),
    _case(
        Scheme,
        make_scheme,
        detail=[("duties:scheme_detail", "get"), ("duties:scheme_edit", "get"), ("duties:scheme_edit", "post", 400)],
        lists=[("duties:schemes", lambda o: {})],
    ),
    _case(ReportRun, make_report_run, detail=[("duties:report_run", "get")]),
]
