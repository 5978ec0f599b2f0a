"""The home page per role: staff see their subtree's coverage, its worst parts, its gaps and
this week's work; a 执委 her households and who is due a contact; a leader the chart and its
table. Each in a constant number of queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from fulian.grid import coverage, services
from fulian.grid.choices import ContactMode
from fulian.grid.tests.helpers import assign, executive, page_queries
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.testing import html
from fulian.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def figure(page: Any, section: str, name: str) -> int:
    return int(html.text(page, f'[data-testid="{section}"] [data-figure={name}]').replace(",", ""))


def _contact(world: World, person: Person, households: list[Household], days_ago: int) -> None:
    services.contact_record(
        actor=world.user("city_admin"),
        person=person,
        mode=ContactMode.VISIT,
        happened_on=coverage.today() - datetime.timedelta(days=days_ago),
        households=households,
    )


@pytest.fixture
def huilong(world: World) -> dict[str, Any]:
    """回龙村: 3 households in group 1, which 周桂姣 (the account huilong_zhiwei) takes since 3
    days ago; one of them contacted 2 days ago, one 120 days ago; 2 households in no group."""
    group = [household(world, "huilong_group1", f"组一户{i}") for i in range(3)]
    loose = [household(world, "huilong", f"散户{i}") for i in range(2)]
    post = executive(world)
    Person.objects.filter(pk=post.person_id).update(account=world.user("huilong_zhiwei"))
    assign(world, post, world.org("huilong_group1"), start_date=coverage.today() - datetime.timedelta(days=3))
    _contact(world, post.person, [group[0]], 2)
    _contact(world, post.person, [group[1]], 120)
    return {"group": group, "loose": loose, "person": post.person}


def test_staff_see_their_coverage_the_worst_parts_the_gaps_and_this_week(world: World, huilong: dict[str, Any]) -> None:
    page = world.client_for("xinshi_staff").get(reverse("home"))
    section = '[data-testid="home-coverage"]'
    households = Household.objects.filter(township=world.org("xinshi"))
    assert figure(page, "home-coverage", "households") == households.count() == 5
    assert figure(page, "home-coverage", "covered") == households.filter(covered=True).count() == 3
    assert html.texts(page, f'{section} [data-testid="home-worst"] li a') == ["回龙村"]  # 大桥头村 has no one to cover
    assert html.text(page, f'{section} [data-testid="gap-counts"]') == "2 villages with no township executive member"
    week = {el.get("data-week"): int(el.text) for el in html.select(page, f"{section} [data-week]")}
    assert week == {"started": 1, "ended": 0, "contacts": 1}  # the contact 120 days ago is not this week's
    assert "周桂姣 → 第一村民小组" in html.text(page, '[data-testid="home-week"]')
    # The organisation cards are still below.
    assert 'data-testid="home-card"' in page.content.decode()


def test_an_executive_member_sees_her_households_and_who_is_due_a_contact(
    world: World, huilong: dict[str, Any]
) -> None:
    page = world.client_for("huilong_zhiwei").get(reverse("home"))
    assert figure(page, "home-mine", "mine") == 3
    assert figure(page, "home-mine", "due") == 2
    # Never contacted first, then the longest since.
    assert html.texts(page, '[data-testid="home-due"] li a') == ["组一户2", "组一户1"]


def test_a_leader_sees_the_coverage_chart_of_her_organisation_with_its_table(
    world: World, huilong: dict[str, Any]
) -> None:
    page = world.client_for("leader").get(reverse("home"))
    assert html.select(page, '[data-testid="home-leader"] [data-testid="coverage-bar-chart"]')
    rows = [r.text.split()[0] for r in html.select(page, '[data-testid="home-leader"] [data-testid="coverage-row"]')]
    assert rows == ["攸县", "炎陵县"]
    assert 'id="coverage-data"' in page.content.decode()


def _more(world: World, huilong: dict[str, Any]) -> None:
    """More of everything the home page reads."""
    for i in range(6):
        household(world, "huilong_group1", f"新户{i}")
        household(world, "daqiaotou", f"大桥新户{i}")
    assign(world, executive(world, "daqiaotou", "王五"), world.org("daqiaotou"))
    assign(world, executive(world, "xinshi", "李四"), world.org("daqiaotou"))
    _contact(world, huilong["person"], huilong["group"][1:], 1)


@pytest.mark.parametrize("username", ["xinshi_staff", "youxian_admin", "huilong_zhiwei", "leader"])
def test_the_home_page_of_each_role_takes_a_constant_number_of_queries(
    world: World,
    huilong: dict[str, Any],
    username: str,
) -> None:
    c = world.client_for(username)
    c.get(reverse("home"))
    before = page_queries(c, reverse("home"))
    _more(world, huilong)
    assert page_queries(c, reverse("home")) == before <= 30


def test_staff_who_are_executive_members_see_their_own_households_too(world: World, huilong: dict[str, Any]) -> None:
    Person.objects.filter(pk=huilong["person"].pk).update(account=world.user("xinshi_staff"))
    page = world.client_for("xinshi_staff").get(reverse("home"))
    assert html.select(page, '[data-testid="home-coverage"]')
    assert figure(page, "home-mine", "mine") == 3
