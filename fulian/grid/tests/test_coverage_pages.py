"""The coverage pages: figures equal to a direct count, drilling down, a past day, the uncovered
households with their export, the gap list with its export."""

from __future__ import annotations

import datetime
import io
from typing import Any
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant
from fulian.grid import coverage, services
from fulian.grid.choices import ContactMode
from fulian.grid.tests.helpers import assign, executive, page_queries
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.testing import html
from fulian.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def figure(page: Any, name: str, within: str = '[data-testid="coverage-figures"]') -> int:
    return int(html.text(page, f"{within} [data-figure={name}]").replace(",", ""))


@pytest.fixture
def grid(world: World) -> dict[str, Any]:
    """回龙村: 3 households in its group 1 (covered by a village 执委), 2 in no group; 大桥头村:
    1 household. A township 执委 takes 回龙村, so 大桥头村 is a gap; 蔬菜村 (炎陵县): 1."""
    covered = [household(world, "huilong_group1", f"组一户{i}") for i in range(3)]
    loose = [household(world, "huilong", f"散户{i}") for i in range(2)]
    other = household(world, "daqiaotou", "大桥户")
    far = household(world, "shucai", "蔬菜户")
    zhiwei = executive(world)
    assign(world, zhiwei, world.org("huilong_group1"))
    assign(world, executive(world, "xinshi", "李四"), world.org("huilong"))
    return {"covered": covered, "loose": loose, "other": other, "far": far, "zhiwei": zhiwei}


def test_the_figures_on_the_page_equal_a_direct_count(world: World, grid: dict[str, Any]) -> None:
    xinshi = world.org("xinshi")
    page = world.client_for("xinshi_staff").get(reverse("grid:coverage", args=[xinshi.pk]))
    assert page.status_code == 200
    households = Household.objects.filter(township=xinshi)
    assert figure(page, "households") == households.count() == 6
    assert figure(page, "covered") == households.filter(covered=True).count() == 3
    assert figure(page, "uncovered") == households.filter(covered=False).count() == 3
    assert html.text(page, '[data-testid="coverage-share"]') == "50.0%"
    rows = html.select(page, '[data-testid="coverage-row"]')
    cells = {
        row.text.split()[0]: [
            int(cell.text.replace(",", ""))
            for cell in row.elements()
            if cell.get("data-figure") in ("households", "covered", "uncovered")
        ]
        for row in rows
    }
    for village in ("huilong", "daqiaotou"):
        org = world.org(village)
        direct = Household.objects.filter(village=org)
        n, c = direct.count(), direct.filter(covered=True).count()
        assert cells[org.display_name] == [n, c, n - c]


def test_each_child_links_to_its_own_coverage_down_to_a_villages_groups(world: World, grid: dict[str, Any]) -> None:
    c = world.client_for("youxian_admin")
    county = c.get(reverse("grid:coverage", args=[world.org("youxian").pk]))
    assert f'href="{reverse("grid:coverage", args=[world.org("xinshi").pk])}"' in county.content.decode()
    village = c.get(reverse("grid:coverage", args=[world.org("huilong").pk]))
    names = [r.text.split()[0] for r in html.select(village, '[data-testid="coverage-row"]')]
    assert names == ["第一村民小组", "Not"]  # its group, then its households in no group
    assert f'href="{reverse("grid:coverage", args=[world.org("huilong_group1").pk])}"' in village.content.decode()
    group = c.get(reverse("grid:coverage", args=[world.org("huilong_group1").pk]))
    assert (figure(group, "households"), figure(group, "covered")) == (3, 3)
    # The breadcrumbs go up to the user's top (攸县), not above it.
    crumbs = html.texts(village, "nav .breadcrumb-item a")
    assert crumbs == ["攸县", "新市镇"]


def test_the_worst_first_order_puts_the_lowest_share_first(world: World, grid: dict[str, Any]) -> None:
    page = world.client_for("xinshi_staff").get(
        reverse("grid:coverage", args=[world.org("xinshi").pk]), {"sort": "worst"}
    )
    first = html.select(page, '[data-testid="coverage-row"]')[0].text
    assert first.startswith("大桥头村")  # 0 of 1, where 回龙村 has 3 of 5


def test_coverage_on_a_past_day_counts_the_assignments_in_force_that_day(world: World) -> None:
    h = household(world, "huilong", "甲")
    today = coverage.today()
    # Registered a month ago: it was on the books on both days looked at.
    Household.objects.filter(pk=h.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    assign(world, executive(world), world.org("huilong"), start_date=today - datetime.timedelta(days=10))
    url = reverse("grid:coverage", args=[world.org("huilong").pk])
    c = world.client_for("xinshi_staff")
    before = c.get(url, {"on": (today - datetime.timedelta(days=20)).isoformat()})
    assert (figure(before, "households"), figure(before, "covered")) == (1, 0)
    assert "As on" in html.text(before, "main")
    assert "A household that moved since is counted where it lives now." in html.text(before, "main")
    now = c.get(url)
    assert (figure(now, "households"), figure(now, "covered")) == (1, 1)


@pytest.mark.parametrize("value", ["2026-13-40", "yesterday", "FUTURE"])
def test_a_bad_or_future_day_is_named_and_todays_figures_are_shown(world: World, value: str) -> None:
    household(world, "huilong", "甲")
    assign(world, executive(world), world.org("huilong"))
    if value == "FUTURE":
        value = (coverage.today() + datetime.timedelta(days=3)).isoformat()
    page = world.client_for("xinshi_staff").get(reverse("grid:coverage", args=[world.org("huilong").pk]), {"on": value})
    assert page.status_code == 200
    alert = html.text(page, "main .alert-danger")
    assert alert.startswith("Coverage on:")
    assert figure(page, "covered") == 1


def test_the_gap_counts_link_to_the_gap_list(world: World, grid: dict[str, Any]) -> None:
    page = world.client_for("xinshi_staff").get(reverse("grid:coverage", args=[world.org("xinshi").pk]))
    said = html.text(page, '[data-testid="gap-counts"]')
    assert said == "1 village with no township executive member"  # 大桥头村
    assert f'href="{reverse("grid:gaps", args=[world.org("xinshi").pk])}"' in page.content.decode()


def test_the_chart_data_holds_every_child_and_the_treemap_two_levels(world: World, grid: dict[str, Any]) -> None:
    import json

    page = world.client_for("youxian_admin").get(reverse("grid:coverage", args=[world.org("youxian").pk]))
    data = json.loads(_script(page))
    assert [b["name"] for b in data["bars"]] == [
        r.text.split()[0] for r in html.select(page, '[data-testid="coverage-row"]')
    ]
    xinshi = next(node for node in data["tree"] if node["name"] == "新市镇")
    assert {child["name"]: (child["households"], child["covered"]) for child in xinshi["children"]} == {
        "回龙村": (5, 3),
        "大桥头村": (1, 0),
    }


def _script(page: Any) -> str:
    content = page.content.decode()
    start = content.index('id="coverage-data"')
    return content[content.index(">", start) + 1 : content.index("</script>", start)]


def test_the_uncovered_list_holds_the_uncovered_households_of_the_subtree_only(
    world: World, grid: dict[str, Any]
) -> None:
    page = world.client_for("youxian_admin").get(reverse("grid:uncovered", args=[world.org("youxian").pk]))
    names = sorted(html.texts(page, "#uncovered-results tbody td:first-child a"))
    assert names == sorted(["散户0", "散户1", "大桥户"])
    assert html.text(page, '[data-testid="list-total"]') == "3 households in all"


def test_the_uncontacted_list_leaves_out_the_recently_contacted(world: World, grid: dict[str, Any]) -> None:
    services.contact_record(
        actor=world.user("city_admin"),
        person=grid["zhiwei"].person,
        mode=ContactMode.VISIT,
        happened_on=coverage.today() - datetime.timedelta(days=3),
        households=[grid["covered"][0]],
        whom="",
        location="",
        note="",
        photos=[],
    )
    url = reverse("grid:uncovered", args=[world.org("huilong").pk])
    page = world.client_for("xinshi_staff").get(url, {"show": "uncontacted"})
    names = sorted(html.texts(page, "#uncovered-results tbody td:first-child a"))
    assert names == sorted(["组一户1", "组一户2", "散户0", "散户1"])
    assert html.text(page, '[data-testid="list-total"]') == "4 households in all"


@pytest.mark.parametrize("name", ["grid:uncovered", "grid:coverage", "grid:gaps"])
def test_the_coverage_pages_take_a_constant_number_of_queries(world: World, grid: dict[str, Any], name: str) -> None:
    c = world.client_for("youxian_admin")
    url = reverse(name, args=[world.org("youxian").pk])
    c.get(url)
    before = page_queries(c, url)
    for i in range(8):
        household(world, "daqiaotou", f"新户{i}")
        household(world, "longhu", f"龙湖户{i}")
    assign(world, executive(world, "xinshi", "王五"), world.org("daqiaotou"))
    assert page_queries(c, url) == before <= 16
    if name == "grid:uncovered":
        assert len(html.select(c.get(url), "#uncovered-results tbody tr")) == 19


def test_the_export_of_the_uncovered_list_holds_what_is_shown(world: World, grid: dict[str, Any]) -> None:
    c = world.client_for("xinshi_staff")
    page = c.get(reverse("grid:uncovered", args=[world.org("xinshi").pk]))
    export_url = html.select_one(page, '[data-testid="uncovered-export"]').get("href")
    assert export_url is not None
    response = c.get(export_url)
    assert response.status_code == 200
    assert "households-新市镇-No responsible executive member-" in unquote(response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.content)).active
    heads = [row[3] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sorted(heads) == sorted(html.texts(page, "#uncovered-results tbody td:first-child a"))
    assert sorted(heads) == sorted(["散户0", "散户1", "大桥户"])


def test_the_gap_list_names_the_villages_with_no_township_executive_and_their_uncovered(
    world: World, grid: dict[str, Any]
) -> None:
    c = world.client_for("youxian_admin")
    page = c.get(reverse("grid:gaps", args=[world.org("youxian").pk]))
    rows = {r.text.split()[0]: r for r in html.select(page, '[data-testid="gap-row"]')}
    # 回龙村 has its township 执委; 新市镇 and 江桥街道 have no county 执委, 大桥头村 and 龙湖社区
    # no township 执委.
    assert set(rows) == {"新市镇", "江桥街道", "大桥头村", "龙湖社区"}
    uncovered = {name: int(html.select(r, "[data-figure=uncovered]")[0].text) for name, r in rows.items()}
    assert uncovered["大桥头村"] == 1
    assert uncovered["新市镇"] == 3
    response = c.get(reverse("grid:gaps_export", args=[world.org("youxian").pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    exported = {row[1]: row[6] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert exported == uncovered


def test_coverage_home_opens_the_outermost_organisation_or_offers_a_choice(world: World) -> None:
    c = world.client_for("xinshi_staff")
    response = c.get(reverse("grid:coverage_home"))
    assert response["Location"] == reverse("grid:coverage", args=[world.org("xinshi").pk])
    RoleGrant.objects.create(user=world.user("xinshi_staff"), org=world.org("longhu"), role=Role.VIEWER)
    choice = world.client_for("xinshi_staff").get(reverse("grid:coverage_home"))
    assert choice.status_code == 200
    assert [a.split()[0] for a in html.texts(choice, "main .list-group a")] == ["龙湖社区", "新市镇"]  # in code order


def test_the_menu_has_coverage_for_those_who_may_see_it(world: World) -> None:
    assert f'href="{reverse("grid:coverage_home")}"' in world.client_for("leader").get(reverse("home")).content.decode()
    assert (
        f'href="{reverse("grid:coverage_home")}"'
        not in world.client_for("security").get(reverse("home")).content.decode()
    )


def test_coverage_is_not_part_of_a_security_officers_role(world: World) -> None:
    assert world.client_for("security").get(reverse("grid:coverage_home")).status_code == 403
    # The organisation is one she sees (her accounts are there); its coverage is not hers.
    shucai = world.org("shucai")
    assert world.client_for("security").get(reverse("grid:coverage", args=[shucai.pk])).status_code == 403
