"""Ranks and honours through the pages: the top of a village, a township, a county for a year,
the most points first, tied holders sharing a place; households apart; the organisation picker
within the user's area; the honours of a year grouped by honour with what each brings."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from fulian.duties.tests import helpers as h
from fulian.grid.tests.helpers import page_queries
from fulian.households.tests.helpers import household
from fulian.orgs.choices import Level
from fulian.points.choices import HolderKind, HonourBasis
from fulian.points.models import HonourRule, Scheme
from fulian.points.services import ledger
from fulian.points.services.honours import honours_grant
from fulian.points.tests.helpers import credit, scheme
from fulian.testing import html
from fulian.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

ON = datetime.date(2025, 6, 1)


@pytest.fixture
def points(world: World) -> None:
    """回龙村: 钟桃华 9, 钟秀英 5, 李芳 5 (tied); 大桥头村: 王芳 7; a household 6; in 2024 李芳 50."""
    scheme(world)
    for org, name, amount in (("huilong", "钟桃华", 9), ("huilong", "钟秀英", 5), ("huilong", "李芳", 5)):
        credit(ledger.account_for(person=h.zhiwei(world, org, name)), amount, f"r:{name}", on=ON)
    credit(ledger.account_for(person=h.zhiwei(world, "daqiaotou", "王芳")), 7, "r:wf", on=ON)
    credit(ledger.account_for(household=household(world, "huilong", "周建国")), 6, "r:home", on=ON)
    li = ledger.account_for(person=h.zhiwei(world, "huilong", "李芳"))
    credit(li, 50, "r:old", on=datetime.date(2024, 3, 1))


def _ranks(page: Any) -> list[tuple[str, str, str]]:
    rows = html.select(page, "[data-testid=ranks] tbody tr")
    return [(r.select("td")[0].attrs["data-place"], r.select("td")[1].text, r.select("td")[3].text) for r in rows]


def test_the_village_ranks_the_most_points_first_and_ties_share_a_place(world: World, points: None) -> None:
    page = world.client_for("xinshi_staff").get(reverse("points:ranks"), {"org": "430223123215", "year": 2025})
    assert page.status_code == 200
    assert _ranks(page) == [("1", "钟桃华", "9"), ("2", "钟秀英", "5"), ("2", "李芳", "5")]
    tied = html.select(page, "[data-testid=ranks] tbody tr")[1]
    assert "tied" in tied.text


def test_the_township_takes_in_its_villages_and_the_year_is_its_own(world: World, points: None) -> None:
    client = world.client_for("xinshi_staff")
    township = client.get(reverse("points:ranks"), {"org": "430223123", "year": 2025})
    assert [name for _place, name, _points in _ranks(township)] == ["钟桃华", "王芳", "钟秀英", "李芳"]
    assert [place for place, _name, _points in _ranks(township)] == ["1", "2", "3", "3"]
    earlier = client.get(reverse("points:ranks"), {"org": "430223123", "year": 2024})
    assert _ranks(earlier) == [("1", "李芳", "50")]
    homes = client.get(reverse("points:ranks"), {"org": "430223123", "year": 2025, "kind": "household"})
    assert _ranks(homes) == [("1", "周建国", "6")]


def test_a_later_page_counts_the_places_ahead_of_it(world: World, points: None, monkeypatch: Any) -> None:
    from fulian.points.views import ranks

    monkeypatch.setattr(ranks, "RANKS_PER_PAGE", 2)
    client = world.client_for("xinshi_staff")
    second = client.get(reverse("points:ranks"), {"org": "430223123", "year": 2025, "page": 2})
    assert _ranks(second) == [("3", "钟秀英", "5"), ("3", "李芳", "5")]


def test_the_picker_holds_to_the_users_area(world: World, points: None) -> None:
    page = world.client_for("xinshi_staff").get(reverse("points:ranks"), {"org": "430225", "year": 2025})
    assert page.status_code == 200
    assert _ranks(page) == []
    assert html.select(page, "div.invalid-feedback")


def test_ranks_open_on_her_own_village_for_a_zhiwei(world: World, points: None) -> None:
    h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    page = world.client_for("huilong_zhiwei").get(reverse("points:ranks"), {"year": 2025})
    assert "回龙村" in html.parse(page).select_one("[data-testid=ranks-title]").text
    assert [name for _place, name, _points in _ranks(page)] == ["钟桃华", "钟秀英", "李芳"]


def test_the_ranks_take_no_more_queries_for_more_holders(world: World, points: None) -> None:
    client = world.client_for("xinshi_staff")
    url = reverse("points:ranks")
    params = {"org": "430223123", "year": "2025"}
    client.get(url, params)
    few = page_queries(client, url, params)
    for n in range(10):
        credit(ledger.account_for(person=h.zhiwei(world, "daqiaotou", f"王{n}")), n + 1, f"more:{n}", on=ON)
    assert page_queries(client, url, params) == few


def test_honours_are_listed_by_honour_with_what_they_bring(world: World, points: None) -> None:
    made = Scheme.objects.get(org__code="430223")  # 攸县's, from the fixture
    HonourRule.objects.create(
        version=made.versions.get(),
        title="文明实践之星",
        basis=HonourBasis.RANK,
        holder_kind=HolderKind.PERSON,
        level=Level.VILLAGE,
        top=1,
        benefit="优先推荐评优",
    )
    HonourRule.objects.create(
        version=made.versions.get(),
        title="积分达人",
        basis=HonourBasis.THRESHOLD,
        holder_kind=HolderKind.PERSON,
        level=Level.VILLAGE,
        threshold=6,
        benefit="免费体检一次",
    )
    assert honours_grant(year=2025) == 4  # the top of 回龙村 and 大桥头村; 9 and 7 points from 6
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("points:honours"), {"year": 2025})
    groups = html.select(page, "[data-testid=honour-group]")
    assert [g.select("h3")[0].text for g in groups] == ["文明实践之星", "积分达人"]
    assert "优先推荐评优" in groups[0].text
    assert [row.select("td")[0].text.split()[0] for row in groups[0].select("tbody tr")] == [
        "王芳",
        "钟桃华",
    ]  # by village
    village = client.get(reverse("points:honours"), {"year": 2025, "org": "430223123202"})
    assert "钟桃华" not in village.content.decode()
    # Opened without a year: the latest year given.
    assert "钟桃华" in client.get(reverse("points:honours")).content.decode()
    assert "钟桃华" not in world.client_for("yanling_admin").get(reverse("points:honours")).content.decode()
