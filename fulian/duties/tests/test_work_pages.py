""" "My work" (``/duties/``) and its card on the home page: a 执委's requests, reviews, overdue
items, returned records and records this month; staff's requests per organisation, overdue ones
flagged where they are held and at the level above."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from fulian.duties.models import Request
from fulian.duties.services import requests, review
from fulian.duties.tests import helpers as h
from fulian.grid import coverage
from fulian.grid.tests.helpers import page_queries
from fulian.testing import html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

WORK = "/duties/"


@pytest.fixture
def member(world: Any) -> Any:
    return h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))


def assigned_to(world: Any, request: Request, username: str) -> Request:
    staff = world.user("xinshi_staff")
    requests.request_accept(actor=staff, request=request)
    return requests.request_assign(actor=staff, request=request, assignee=world.user(username))


def late(request: Request, days: int = 3) -> None:
    Request.objects.filter(pk=request.pk).update(due_on=coverage.today() - datetime.timedelta(days=days))


def section(page: Any, testid: str) -> Any:
    found = html.select(page, f'[data-testid="{testid}"]')
    return found[0] if found else None


def test_a_member_sees_her_month_her_returned_record_and_her_requests(world, member) -> None:
    today = coverage.today()
    h.record(world, member, half_hours=3, on=today)
    confirmed = h.record(world, member, half_hours=2, on=today)
    review.record_confirm(actor=world.user("xinshi_staff"), record=confirmed)
    returned = h.record(world, member, half_hours=1, on=today)
    review.record_return(actor=world.user("xinshi_staff"), record=returned, reason="请补充走访对象")
    h.record(world, member, on=today.replace(day=1) - datetime.timedelta(days=1))  # last month
    mine = assigned_to(world, h.request(world, member, description="帮忙联系就业培训"), "huilong_zhiwei")
    overdue = h.request(world, member, description="孩子上学的问题")
    late(overdue)
    page = world.client_for("huilong_zhiwei").get(WORK)
    assert page.status_code == 200
    month = section(page, "work-month").text
    assert month.startswith("3")
    assert "3 hours · 1 confirmed" in month
    assert "请补充走访对象" in section(page, "work-returned").text
    assert "帮忙联系就业培训" in section(page, "work-assigned").text
    late_items = section(page, "work-overdue")
    assert "孩子上学的问题" in late_items.text
    assert "overdue since" in late_items.text
    assert mine.pk != overdue.pk
    # She reviews nobody and handles no organisation's requests.
    assert section(page, "work-review") is None
    assert section(page, "work-org") is None


def test_the_records_waiting_for_review_are_counted_and_linked(world, member) -> None:
    h.record(world, member)
    h.record(world, member)
    page = world.client_for("xinshi_staff").get(WORK)
    tile = section(page, "work-review")
    assert tile.text.startswith("2")
    assert tile.get("href") == reverse("duties:review")


def test_staff_see_what_their_federation_holds_and_what_is_late_below(world, member) -> None:
    staff = world.user("xinshi_staff")
    held = h.request(world, member, description="村里调解不了的纠纷")
    requests.request_escalate(actor=staff, request=held, reason="需要镇里协调")  # now held by 新市镇
    late(held)
    below = h.request(world, member, description="村里还没答复的")  # held by 回龙村
    late(below)
    h.request(world, member, description="还没到期的")
    page = world.client_for("xinshi_staff").get(WORK)
    [org] = html.select(page, '[data-testid="work-org"]')
    assert "新市镇" in org.text
    assert section(page, "work-held-overdue").text.startswith("1")
    tile = section(page, "work-below-overdue")
    assert tile.text.startswith("1")
    assert "村里还没答复的" in org.text
    assert "村里调解不了的纠纷" not in org.text
    # 攸县's administrator sees 新市镇's late one as the level below it.
    county = world.client_for("youxian_admin").get(WORK)
    assert section(county, "work-below-overdue").text.startswith("2")


def test_another_subtrees_requests_and_records_are_never_counted(world, member) -> None:
    outsider = h.zhiwei(world, "shucai", "钟桂兰")
    h.record(world, outsider)
    late(h.request(world, outsider, description="炎陵县的诉求"))
    page = world.client_for("xinshi_staff").get(WORK)
    assert section(page, "work-review") is None
    assert section(page, "work-below-overdue").text.startswith("0")
    assert "炎陵县的诉求" not in page.content.decode()


def test_the_home_page_has_the_my_work_card_for_those_who_see_duties(world, member) -> None:
    h.record(world, member)
    home = world.client_for("xinshi_staff").get(reverse("home"))
    card = section(home, "home-my-work")
    assert "1 record waiting for your review" in card.text
    returned = h.record(world, member)
    review.record_return(actor=world.user("xinshi_staff"), record=returned, reason="请补拍照片")
    hers = world.client_for("huilong_zhiwei").get(reverse("home"))
    assert "1 record returned to you" in section(hers, "home-returned").text
    # The security officer has no duties: no card.
    assert section(world.client_for("security").get(reverse("home")), "home-my-work") is None


def test_my_work_is_for_duties_roles_only(world) -> None:
    assert world.client_for("security").get(WORK).status_code == 403


def test_my_work_takes_a_constant_number_of_queries(world, member) -> None:
    client = world.client_for("huilong_zhiwei")
    h.record(world, member)
    assigned_to(world, h.request(world, member), "huilong_zhiwei")
    client.get(WORK)
    before = page_queries(client, WORK)
    for _ in range(3):
        returned = h.record(world, member, half_hours=1)
        review.record_return(actor=world.user("xinshi_staff"), record=returned, reason="请补充")
        assigned_to(world, h.request(world, member), "huilong_zhiwei")
        late(h.request(world, member))
    assert page_queries(client, WORK) == before
    staff = world.client_for("xinshi_staff")
    staff.get(WORK)
    staff_before = page_queries(staff, WORK)
    late(h.request(world, member))
    assert page_queries(staff, WORK) == staff_before
