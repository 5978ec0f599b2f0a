"""Demo step: this year's assessment scheme of 株洲市 (the shipped default, made by the city's
administrator) and the year's duty reports and assessments of 新市镇's 执委, generated as the
background task does when ``xinshi_staff`` presses Generate; 周桂姣 has written her words."""

from __future__ import annotations

from decimal import Decimal

from fulian.accounts.models import User
from fulian.audit.recorder import audit_context
from fulian.duties.choices import ItemSection, Measure
from fulian.duties.models import ReportRun, Scheme
from fulian.duties.services import assessment, reports
from fulian.duties.tasks import reports_run
from fulian.grid import coverage
from fulian.orgs.models import Organisation
from fulian.people.models import Person

CITY = "430200"
XINSHI = "430223123"
HER_WORDS = (
    "今年我联系回龙村的妇女和家庭，入户走访、政策宣讲、帮扶留守老人和儿童，"
    "把姐妹们的诉求一件件记下来、跟到底。明年想多组织几次家庭教育讲座。"
)


def load() -> str:
    year = coverage.today().year
    city = Organisation.objects.filter(code=CITY).first()
    xinshi = Organisation.objects.filter(code=XINSHI).first()
    admin = User.objects.filter(username="city_admin").first()
    staff = User.objects.filter(username="xinshi_staff").first()
    if city is None or xinshi is None or admin is None or staff is None:
        return ""
    if Scheme.objects.filter(org=city, year=year).exists():
        return ""
    with audit_context(actor=admin):
        scheme = assessment.scheme_create_default(actor=admin, org=city, year=year)
    # 周桂姣's words, then the meetings each 执委 of 新市镇 attended as entered by 新市镇's staff
    # (2 to 4 of the year's four), then the reports and assessments as the background task
    # (``tasks.reports_run``) makes them when ``xinshi_staff`` presses Generate.
    her = Person.objects.filter(account__username="huilong_zhiwei").first()
    if her is not None and her.account is not None:
        with audit_context(actor=her.account):
            report = reports.report_generate(person=her, year=year)
            reports.report_narrative(actor=her.account, report=report, text=HER_WORDS)
    meetings = scheme.items.filter(measure=Measure.MANUAL, section=ItemSection.BASE).first()
    if meetings is not None:
        with audit_context(actor=staff):
            for person in Person.objects.filter(pk__in=reports.members_of(xinshi, year)).order_by("pk"):
                units = Decimal(2 + person.pk % 3)
                assessment.entry_set(actor=staff, person=person, year=year, item=meetings, units=units)
    run = ReportRun.objects.create(org=xinshi, year=year, requested_by=staff)
    reports_run(run.pk)
    run.refresh_from_db()
    return f"Duties: {year} assessment scheme of 株洲市; {run.done} duty reports of 新市镇 ({run.status}).\n"
