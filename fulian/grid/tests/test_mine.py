"""A 执委's own households: exactly those her assignments reach, the due first, on her phone."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.grid import coverage, services
from fulian.grid.choices import ContactMode
from fulian.grid.mine import households_of, summary
from fulian.grid.tests.helpers import assign, executive
from fulian.households import services as household_services
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.testing.world import World

TODAY = coverage.today()


def days_ago(n: int) -> datetime.date:
    return coverage.today() - datetime.timedelta(days=n)


def english(world: World, username: str) -> Any:
    """A logged-in client reading the pages in English (the messages are checked in English)."""
    client = world.client_for(username)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def linked(world: World, username: str = "huilong_zhiwei", org: str = "huilong", name: str = "周桂姣") -> Any:
    """A 执委's post, her person linked to the account she logs in with."""
    post = executive(world, org, name)
    Person.objects.filter(pk=post.person_id).update(account=world.user(username))
    return post


def contact(world: World, post: Any, *households: Household, on: datetime.date) -> None:
    services.contact_record(
        actor=world.user("city_admin"),
        person=post.person,
        mode=ContactMode.VISIT,
        happened_on=on,
        households=list(households),
    )


def names(rows: Any) -> list[str]:
    return [h.head_name for h in rows]


def due_flags(rows: Any) -> dict[str, bool]:
    return {h.head_name: h.due for h in rows}


def test_her_list_is_the_households_of_her_direct_assignments(world: World) -> None:
    post = executive(world)
    mine_, other = household(world, "huilong", "周建国"), household(world, "huilong", "李德福")
    assign(world, post, mine_)
    assert names(households_of(post.person)) == ["周建国"]
    assert other not in households_of(post.person)


def test_a_group_brings_its_households_and_a_whole_village_all_of_them(world: World) -> None:
    post = executive(world)
    in_group = household(world, "huilong_group1", "组内户")
    loose = household(world, "huilong", "组外户")
    elsewhere = household(world, "daqiaotou", "别村户")
    assign(world, post, world.org("huilong_group1"))
    assert set(households_of(post.person)) == {in_group}
    assign(world, post, world.org("huilong"))
    assert set(households_of(post.person)) == {in_group, loose}
    assert elsewhere not in households_of(post.person)


def test_ended_and_future_assignments_archived_households_and_other_people_s_are_left_out(world: World) -> None:
    post, colleague = executive(world), executive(world, "huilong", "李秀英")
    ended, future, archived, hers = (household(world, "huilong", n) for n in ("已结束", "未开始", "已归档", "同事的"))
    (assignment,) = assign(world, post, ended)
    services.assignment_end(actor=world.user("city_admin"), assignment=assignment, on=days_ago(1))
    assign(world, post, future, start_date=TODAY + datetime.timedelta(days=3))
    assign(world, post, archived)
    household_services.household_archive(actor=world.user("city_admin"), household=archived, reason="搬走")
    assign(world, colleague, hers)
    assert list(households_of(post.person)) == []
    assert names(households_of(post.person, on=days_ago(2))) == ["已结束"]
    assert names(households_of(colleague.person)) == ["同事的"]


def test_the_due_come_first_never_contacted_then_the_oldest_contact(world: World) -> None:
    post = executive(world)
    recent, old, _never_b, _never_a, boundary = (
        household(world, "huilong", n) for n in ("近期", "很久", "乙从未", "甲从未", "刚满")
    )
    assign(world, post, world.org("huilong"))
    contact(world, post, recent, on=days_ago(3))
    contact(world, post, old, on=days_ago(200))
    contact(world, post, boundary, on=days_ago(90))
    rows: list[Any] = list(households_of(post.person))
    assert names(rows) == ["乙从未", "甲从未", "很久", "刚满", "近期"] or names(rows) == [
        "甲从未",
        "乙从未",
        "很久",
        "刚满",
        "近期",
    ]
    assert [h.due for h in rows] == [True, True, True, True, False]
    assert summary(households_of(post.person)) == {"total": 5, "due": 4}


def test_the_90_day_boundary(world: World) -> None:
    post = executive(world)
    at_90, at_89 = household(world, "huilong", "九十天"), household(world, "huilong", "八十九天")
    assign(world, post, at_90, at_89)
    contact(world, post, at_90, on=days_ago(90))
    contact(world, post, at_89, on=days_ago(89))
    assert due_flags(households_of(post.person)) == {"九十天": True, "八十九天": False}
    # A day later the 89-day contact is 90 days old.
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert all(due_flags(households_of(post.person, on=tomorrow)).values())


def test_the_page_shows_her_households_the_due_marked_and_a_record_button(world: World) -> None:
    post = linked(world)
    due, done = household(world, "huilong", "周建国", mobile="13907330101"), household(world, "huilong", "李德福")
    assign(world, post, due, done)
    contact(world, post, done, on=days_ago(45))
    page = english(world, "huilong_zhiwei").get(reverse("grid:mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 households, 1 due a contact (not contacted in 90 days)" in html
    assert "139****0101" in html
    assert "13907330101" not in html
    assert "never contacted" in html
    assert "45 days ago" in html
    assert html.count('data-testid="due"') == 1
    assert html.index("周建国") < html.index("李德福")
    assert f"{reverse('grid:contact_create')}?household={due.pk}" in html
    only_due = english(world, "huilong_zhiwei").get(reverse("grid:mine"), {"due": "1"}).content.decode()
    assert "周建国" in only_due
    assert "李德福" not in only_due


def test_an_account_without_a_person_or_without_assignments_gets_a_friendly_page(world: World) -> None:
    page = english(world, "huilong_zhiwei").get(reverse("grid:mine"))
    assert page.status_code == 200
    assert "not linked to an executive member" in page.content.decode()
    linked(world)
    page = english(world, "huilong_zhiwei").get(reverse("grid:mine"))
    assert page.status_code == 200
    assert "not responsible for any household" in page.content.decode()
    assert english(world, "leader").get(reverse("grid:mine")).status_code == 200


def test_the_page_reads_a_constant_number_of_queries(world: World) -> None:
    post = linked(world)
    client = english(world, "huilong_zhiwei")
    assign(world, post, world.org("huilong"))
    for n in range(2):
        household(world, "huilong", f"周{n}", mobile=f"1390733010{n}")
    client.get(reverse("grid:mine"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("grid:mine")).status_code == 200
    for n in range(25):
        home = household(world, "huilong_group1", f"李{n}", mobile=f"139073302{n:02d}")
        if n % 3 == 0:
            contact(world, post, home, on=days_ago(n))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("grid:mine"))
    assert response.content.decode().count('class="fl-mine-row') == 27
    assert len(many) == len(few)


def test_a_long_list_is_paged(world: World) -> None:
    post = linked(world)
    assign(world, post, world.org("huilong"))
    for n in range(35):
        household(world, "huilong", f"周{n:02d}")
    client = english(world, "huilong_zhiwei")
    first = client.get(reverse("grid:mine")).content.decode()
    second = client.get(reverse("grid:mine"), {"page": "2"}).content.decode()
    assert first.count('class="fl-mine-row') == 30
    assert second.count('class="fl-mine-row') == 5
    assert "?page=2" in first
