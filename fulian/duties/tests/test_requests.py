"""A 她代表 request followed to an answer: accepted, escalated, answered, rated, closed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fulian.duties.choices import RequestStatus, Satisfaction, StepKind
from fulian.duties.services import requests
from fulian.duties.tests import helpers as h

pytestmark = pytest.mark.django_db


def test_a_request_escalated_to_the_county_is_answered_reopened_once_and_closed(world) -> None:
    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    request = h.request(world, rep)
    assert request.holder == world.org("huilong")
    with pytest.raises(ValidationError, match="answer"):
        requests.request_close(actor=world.user("youxian_admin"), request=request, note="x")
    request = requests.request_escalate(actor=world.user("xinshi_staff"), request=request, reason="村里解决不了")
    assert request.holder == world.org("xinshi")
    request = requests.request_escalate(actor=world.user("xinshi_staff"), request=request, reason="镇里也不行")
    assert request.holder == world.org("youxian")
    staff = world.user("youxian_admin")
    requests.request_accept(actor=staff, request=request)
    requests.request_answer(actor=staff, request=request, answer="已联系县就业服务中心")
    request = requests.request_rate(
        actor=world.user("huilong_zhiwei"), request=request, satisfaction=Satisfaction.UNSATISFIED
    )
    assert request.status == RequestStatus.IN_PROGRESS
    assert request.reopened
    requests.request_answer(actor=staff, request=request, answer="已安排面试")
    request = requests.request_rate(
        actor=world.user("huilong_zhiwei"), request=request, satisfaction=Satisfaction.SATISFIED
    )
    assert request.status == RequestStatus.CLOSED
    assert [s.kind for s in request.steps.all()][:3] == [StepKind.RECORD, StepKind.ESCALATE, StepKind.ESCALATE]


def test_nothing_escalates_above_the_city(world) -> None:
    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    request = h.request(world, rep)
    admin = world.user("city_admin")
    for _level in range(3):
        request = requests.request_escalate(actor=admin, request=request, reason="上报")
    assert request.holder == world.org("city")
    with pytest.raises(ValidationError, match="top level"):
        requests.request_escalate(actor=admin, request=request, reason="上报")


def test_the_deadline_counts_working_days_by_urgency(world) -> None:
    from fulian.campaigns.holidays import add_working_days
    from fulian.grid import coverage

    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    urgent = h.request(world, rep, urgency="urgent")
    critical = h.request(world, rep, urgency="critical")
    assert urgent.due_on == add_working_days(coverage.today(), 5)
    assert critical.due_on == add_working_days(coverage.today(), 2)
    assert urgent.due_on > coverage.today()


def test_the_same_client_key_returns_the_request_already_made(world) -> None:
    import uuid

    from fulian.duties.models import Request

    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    key = uuid.uuid4()
    first = h.request(world, rep, client_key=key)
    assert h.request(world, rep, client_key=key, description="另一次") == first
    assert Request.objects.count() == 1


def test_a_person_of_another_household_is_refused(world) -> None:
    from fulian.households.tests.helpers import household, member

    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    one = household(world, "huilong", "周建国")
    other = member(world, household(world, "huilong", "李德福"), "李小红")
    with pytest.raises(ValidationError, match="not of the household"):
        h.request(world, rep, household=one, member=other)


def test_a_household_outside_her_area_is_refused(world) -> None:
    from fulian.households.tests.helpers import household

    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    with pytest.raises(ValidationError, match="not in your area"):
        h.request(world, rep, household=household(world, "shucai", "钟建华"))


def test_a_member_records_only_her_own_requests(world) -> None:
    h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    other = h.zhiwei(world, "huilong", "李芳")
    with pytest.raises(ValidationError, match="only your own"):
        h.request(world, other, actor=world.user("huilong_zhiwei"))


def test_it_is_assigned_only_to_a_person_of_the_holding_federation_who_may_then_answer(world) -> None:
    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    request = h.request(world, rep)
    staff = world.user("xinshi_staff")
    requests.request_accept(actor=staff, request=request)
    with pytest.raises(ValidationError, match="person of"):
        requests.request_assign(actor=staff, request=request, assignee=world.user("youxian_admin"))
    assert list(requests.assignees(request)) == [world.user("huilong_zhiwei")]
    requests.request_assign(actor=staff, request=request, assignee=world.user("huilong_zhiwei"))
    request = requests.request_update(actor=world.user("huilong_zhiwei"), request=request, note="已上门了解")
    assert request.status == RequestStatus.IN_PROGRESS
    request = requests.request_answer(actor=world.user("huilong_zhiwei"), request=request, answer="已推荐岗位")
    assert request.status == RequestStatus.ANSWERED


def test_only_her_representative_or_the_holder_rates_it(world) -> None:
    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    request = h.request(world, rep)
    requests.request_accept(actor=world.user("xinshi_staff"), request=request)
    requests.request_answer(actor=world.user("xinshi_staff"), request=request, answer="已答复")
    with pytest.raises(ValidationError):
        requests.request_rate(actor=world.user("yanling_admin"), request=request, satisfaction=Satisfaction.SATISFIED)
    with pytest.raises(ValidationError, match="satisfied"):
        requests.request_rate(actor=world.user("huilong_zhiwei"), request=request, satisfaction="very")


def test_a_second_not_satisfied_closes_it(world) -> None:
    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    request = h.request(world, rep)
    staff = world.user("xinshi_staff")
    requests.request_accept(actor=staff, request=request)
    for _round in range(2):
        requests.request_answer(actor=staff, request=request, answer="已答复")
        request = requests.request_rate(
            actor=world.user("huilong_zhiwei"), request=request, satisfaction=Satisfaction.UNSATISFIED
        )
    assert request.status == RequestStatus.CLOSED
    assert request.satisfaction == Satisfaction.UNSATISFIED


def test_an_answered_request_is_closed_with_a_note(world) -> None:
    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    request = h.request(world, rep)
    staff = world.user("xinshi_staff")
    requests.request_accept(actor=staff, request=request)
    requests.request_answer(actor=staff, request=request, answer="已答复")
    with pytest.raises(ValidationError, match="required"):
        requests.request_close(actor=staff, request=request, note=" ")
    request = requests.request_close(actor=staff, request=request, note="她已搬走，无法回访")
    assert request.status == RequestStatus.CLOSED
    assert list(request.steps.values_list("kind", flat=True))[-1] == StepKind.CLOSE
