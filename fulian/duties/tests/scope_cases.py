"""Duties records of 炎陵县 (a 执委 of 霞阳镇 蔬菜村, her duty record, her 她代表 request, her
report and assessment, the county's scheme): 新市镇's staff must never see them. Each part of
the pages and the API adds its routes in its own ``scope_<part>.py``; the records are made here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fulian.duties.choices import ItemSection, Measure
from fulian.duties.models import Assessment, ModeMonth, Report, ReportRun, Request, Scheme, SchemeItem
from fulian.duties.services import review
from fulian.duties.tests import helpers as h
from fulian.grid.models import Contact
from fulian.testing.scope import ScopeCase

OUTSIDER = "xinshi_staff"
INSIDER = "yanling_admin"


def make_person(world: Any) -> Any:
    return h.zhiwei(world, "shucai", "钟桂兰")


def make_record(world: Any) -> Contact:
    return h.record(world, make_person(world))


def make_request(world: Any) -> Request:
    return h.request(world, make_person(world))


def make_scheme(world: Any) -> Scheme:
    scheme = Scheme.objects.create(org=world.org("yanling"), year=2026, name="炎陵县执委年度考核")
    SchemeItem.objects.create(
        scheme=scheme,
        section=ItemSection.BASE,
        name="履职记录",
        measure=Measure.RECORDS,
        points=Decimal(2),
        max_points=Decimal(60),
    )
    return scheme


def make_report(world: Any) -> Report:
    who = make_person(world)
    report = Report(person=who, year=2026, narrative="今年走访了全村妇女。")
    report.place(who.org)
    report.save()
    return report


def make_assessment(world: Any) -> Assessment:
    who = make_person(world)
    assessment = Assessment(person=who, year=2026, scheme=make_scheme(world), score=Decimal(80), grade="competent")
    assessment.place(who.org)
    assessment.save()
    return assessment


def make_mode_month(world: Any) -> ModeMonth:
    """The summary row a confirmed record of 蔬菜村 adds to."""
    record = make_record(world)
    review.record_confirm(actor=world.user("yanling_staff"), record=record)
    return ModeMonth.objects.get(org_id=record.org_id)


def make_report_run(world: Any) -> ReportRun:
    return ReportRun.objects.create(org=world.org("yanling"), year=2026, requested_by=world.user("yanling_admin"))


def _case(model: Any, make: Any, **routes: Any) -> ScopeCase:
    return ScopeCase(model=model, make=make, outsider=OUTSIDER, insider=INSIDER, **routes)


CASES = [
    _case(Request, make_request),
    _case(Scheme, make_scheme),
    _case(Report, make_report),
    _case(Assessment, make_assessment),
    _case(ReportRun, make_report_run),
    _case(ModeMonth, make_mode_month),
]

# Each part's routes (pages and API), in its own module, so that parts are written apart.
for _part in ("records", "review", "requests", "figures", "reports", "modes", "api", "api_reports"):
    try:
        _module = __import__(f"fulian.duties.tests.scope_{_part}", fromlist=["CASES"])
    except ModuleNotFoundError:
        continue
    CASES.extend(_module.CASES)
