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
