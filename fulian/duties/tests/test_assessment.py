"""The annual assessment: the default scheme, the nearest scheme applying, scores from records
and reviewers' entries, grades, the cap on 优秀 (ties capped together), the frozen scheme."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fulian.duties.choices import Grade, ItemSection, Measure
from fulian.duties.models import Assessment, Scheme, SchemeItem
from fulian.duties.services import assessment as assessing
from fulian.duties.services import reports, review
from fulian.duties.tests import helpers as h
from fulian.duties.tests.test_reports import on, year
from fulian.people.models import Person

pytestmark = pytest.mark.django_db


def manual_scheme(world, org: str = "city", share: int = 20) -> tuple[Scheme, SchemeItem]:
    scheme = Scheme.objects.create(org=world.org(org), year=year(), name="测试方案", excellent_share=share)
    item = SchemeItem.objects.create(
        scheme=scheme, section=ItemSection.BASE, name="综合", measure=Measure.MANUAL, points=1, max_points=100
    )
    return scheme, item


def scored(world, item: SchemeItem, scores: dict[str, int], org: str = "huilong") -> dict[str, Person]:
    people: dict[str, Person] = {}
    for name, score in scores.items():
        who = h.zhiwei(world, org, name)
        assessing.entry_set(actor=world.user("xinshi_staff"), person=who, year=year(), item=item, units=Decimal(score))
        people[name] = who
    return people


def grade(who) -> tuple[str, bool]:
    a = Assessment.objects.get(person=who, year=year())
    return a.grade, a.capped


def test_the_city_makes_the_default_scheme_once_and_only_the_city_configures(world) -> None:
    scheme = assessing.scheme_create_default(actor=world.user("city_admin"), org=world.org("city"), year=year())
    base = sum(i.max_points for i in scheme.items.all() if i.section == ItemSection.BASE)
    assert base == 60
    assert {i.measure for i in scheme.items.all()} >= {
        Measure.RECORDS,
        Measure.HOURS,
        Measure.REQUESTS,
        Measure.CAMPAIGN,
    }
    with pytest.raises(ValidationError, match="already"):
        assessing.scheme_create_default(actor=world.user("city_admin"), org=world.org("city"), year=year())
    with pytest.raises(PermissionDenied):
        assessing.scheme_create_default(actor=world.user("xinshi_staff"), org=world.org("xinshi"), year=year())


def test_the_score_is_counted_from_her_records_and_her_reviewers_entries(world) -> None:
    scheme = assessing.scheme_create_default(actor=world.user("city_admin"), org=world.org("city"), year=year())
    who = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    for month in (1, 2, 3):
        review.record_confirm(actor=world.user("xinshi_staff"), record=h.record(world, who, on=on(month), half_hours=4))
    report = reports.report_generate(person=who, year=year())
    reports.report_narrative(actor=world.user("huilong_zhiwei"), report=report, text="一年的工作")
    items = {i.name: i for i in scheme.items.all()}
    assessing.entry_set(
        actor=world.user("xinshi_staff"), person=who, year=year(), item=items["参加妇联会议"], units=Decimal(4)
    )
    assessing.entry_set(
        actor=world.user("xinshi_staff"), person=who, year=year(), item=items["无故缺席会议或活动"], units=Decimal(1)
    )
    assert assessing.assessments_compute(org=world.org("xinshi"), year=year()) == 1
    a = Assessment.objects.get(person=who)
    # meetings 4×5=20, file 3×1=3, report 20, bonus records 3×0.5=1.5, hours 6×0.2=1.2, deduction 2.
    assert a.score == Decimal("43.7")
    assert a.details[str(items["履职时长（每小时）"].pk)] == {"units": "6", "points": "1.2"}
    assert a.grade == Grade.INCOMPETENT
    assert a.flagged


def test_a_countys_own_scheme_applies_in_its_subtree(world) -> None:
    manual_scheme(world, "city")
    county, item = manual_scheme(world, "youxian")
    scored(world, item, {"甲": 95})
    assessing.assessments_compute(org=world.org("city"), year=year())
    assert Assessment.objects.get().scheme == county
    assert assessing.scheme_for(world.org("huilong"), year()) == county


def test_the_cap_on_excellent_per_organisation_and_ties_at_the_cap_go_down_together(world) -> None:
    _scheme, item = manual_scheme(world, share=40)
    people = scored(world, item, {"甲": 99, "乙": 95, "丙": 95, "丁": 80, "戊": 50})
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    # 5 assessed, 40 %: 2 may be 优秀; 乙 and 丙 tie at the cap: both go down.
    assert grade(people["甲"]) == (Grade.EXCELLENT, False)
    assert grade(people["乙"]) == (Grade.COMPETENT, True)
    assert grade(people["丙"]) == (Grade.COMPETENT, True)
    assert grade(people["丁"]) == (Grade.COMPETENT, False)
    assert grade(people["戊"]) == (Grade.INCOMPETENT, False)
    # Each organisation has its own cap: a township 执委 is counted at the township.
    township = scored(world, item, {"己": 99}, org="xinshi")
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    assert grade(township["己"]) == (Grade.COMPETENT, True)  # 1 × 40 % rounds down to none
    assert grade(people["甲"]) == (Grade.EXCELLENT, False)


def test_a_scheme_freezes_once_assessments_are_computed(world) -> None:
    scheme, item = manual_scheme(world)
    assessing.scheme_update(
        actor=world.user("city_admin"), scheme=scheme, fields={"excellent_share": 30}, items=[{"id": item.pk}]
    )
    scored(world, item, {"甲": 70})
    assessing.assessments_compute(org=world.org("xinshi"), year=year())
    with pytest.raises(ValidationError, match="no longer be changed"):
        assessing.scheme_update(
            actor=world.user("city_admin"), scheme=scheme, fields={"excellent_share": 50}, items=[{"id": item.pk}]
        )
    scheme.refresh_from_db()
    assert scheme.excellent_share == 30


def test_bad_scheme_changes_and_entries_are_refused_with_the_field_named(world) -> None:
    scheme, item = manual_scheme(world)
    with pytest.raises(ValidationError) as caught:
        assessing.scheme_update(
            actor=world.user("city_admin"), scheme=scheme, fields={"competent_min": 95}, items=[{"id": item.pk}]
        )
    assert "excellent_min" in caught.value.message_dict
    counted = SchemeItem.objects.create(
        scheme=scheme, section=ItemSection.BONUS, name="记录", measure=Measure.RECORDS, points=1, max_points=10
    )
    who = h.zhiwei(world, "huilong", "甲")
    with pytest.raises(ValidationError, match="counted from her records"):
        assessing.entry_set(actor=world.user("xinshi_staff"), person=who, year=year(), item=counted, units=Decimal(1))
    with pytest.raises(ValidationError) as caught:
        assessing.entry_set(actor=world.user("xinshi_staff"), person=who, year=year(), item=item, units=Decimal(-1))
    assert "units" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        assessing.entry_set(actor=world.user("yanling_admin"), person=who, year=year(), item=item, units=Decimal(1))
    assert not Assessment.objects.exists()
