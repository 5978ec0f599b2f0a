"""How much a list holds: exact for a township and below, "about N" from the per-organisation
summary for a city or county as it stands; a narrowed big list is never counted (exact on its
last page, else "among about N"); a leader's lists broken down by county. No list counts the
whole of a big table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.households import services
from fulian.households.choices import HouseholdCategory
from fulian.households.tests.helpers import household
from fulian.orgs import counts
from fulian.orgs.models import OrgCount
from fulian.people.tests.helpers import person
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def total(response: object) -> str:
    return html.text(response, "[data-testid=list-total]")


def _households(world: World) -> None:
    for n in range(3):
        household(world, "huilong", f"周{n}")
    household(world, "huilong_group1", "李一", categories=HouseholdCategory.MILITARY)
    household(world, "longhu", "王二")
    household(world, "shucai", "钟三", categories=HouseholdCategory.MILITARY)
    gone = household(world, "shucai", "钟四")
    services.household_archive(actor=world.user("city_admin"), household=gone, reason="搬走")


def test_the_summary_counts_current_rows_per_organisation(world: World) -> None:
    _households(world)
    assert counts.refresh(["households"]) == {"households": 6}
    per_org = dict(OrgCount.objects.filter(kind="households").values_list("org__code", "count"))
    assert per_org == {
        world.org("huilong").code: 3,
        world.org("huilong_group1").code: 1,
        world.org("longhu").code: 1,
        world.org("shucai").code: 1,  # the archived household is not counted
    }


def test_a_city_leader_reads_about_n_from_the_summary_and_never_counts_the_table(world: World) -> None:
    _households(world)
    counts.refresh()
    household(world, "huilong", "周新")  # after the count: "about"
    client = world.client_for("leader")
    client.get(reverse("households:list"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("households:list"))
    assert total(page) == "约 6 户"
    assert not any("COUNT(" in q["sql"].upper() and "households_household" in q["sql"] for q in queries)
    # By county, each a link to the list filtered to it.
    rows = html.select(page, ".fl-breakdown tbody tr")
    shown = [(html.text(r, "a"), html.text(r, "td.text-end"), html.select_one(r, "a").attrs["href"]) for r in rows]
    assert ("攸县", "5", f"/households/?org={world.org('youxian').code}") in shown
    assert ("炎陵县", "1", f"/households/?org={world.org('yanling').code}") in shown
    # Filtered to a county (the organisation filter alone), still from the summary.
    assert total(client.get(reverse("households:list"), {"org": world.org("youxian").code})) == "约 5 户"


def test_a_narrowed_big_list_is_never_counted(world: World) -> None:
    _households(world)
    counts.refresh()
    client = world.client_for("leader")
    client.get(reverse("households:list"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("households:list"), {"category": HouseholdCategory.MILITARY})
    assert not any("COUNT(" in q["sql"].upper() and "households_household" in q["sql"] for q in queries)
    # The page shown is the last: its rows are the total, known without a count.
    assert total(page) == "共 2 户"
    for n in range(55):
        household(world, "longhu", f"王{n}", categories=HouseholdCategory.MILITARY)
    page = client.get(reverse("households:list"), {"category": HouseholdCategory.MILITARY})
    assert total(page) == "约 6 户中的筛选结果"  # the summary of the whole list, as last counted
    second = client.get(reverse("households:list"), {"category": HouseholdCategory.MILITARY, "page": 2})
    assert total(second) == "共 57 户"


def test_a_big_list_never_summarised_says_only_what_its_page_shows(world: World) -> None:
    _households(world)
    assert total(world.client_for("leader").get(reverse("households:list"))) == "共 6 户"
    for n in range(55):
        household(world, "longhu", f"王{n}")
    assert html.select(world.client_for("leader").get(reverse("households:list")), "[data-testid=list-total]") == []


def test_a_village_and_a_township_see_exact_totals_and_no_breakdown(world: World) -> None:
    _households(world)
    counts.refresh()
    household(world, "huilong", "周新")
    village = world.client_for("huilong_zhiwei").get(reverse("households:list"))
    assert total(village) == "共 5 户"  # 周0-2, 李一 in the group, 周新: counted now
    assert html.select(village, ".fl-breakdown") == []
    township = world.client_for("xinshi_staff").get(reverse("households:list"), {"search": "周"})
    assert total(township) == "共 4 户"


def test_a_county_admin_sees_her_townships(world: World) -> None:
    _households(world)
    counts.refresh()
    page = world.client_for("youxian_admin").get(reverse("households:list"))
    assert total(page) == "约 5 户"
    shown = {html.text(r, "a"): html.text(r, "td.text-end") for r in html.select(page, ".fl-breakdown tbody tr")}
    assert shown["新市镇"] == "4"
    assert shown["江桥街道"] == "1"
    assert "炎陵县" not in shown


def test_people_lists_say_how_many_too(world: World) -> None:
    person(world, "huilong", "周桂姣")
    person(world, "shucai", "钟桃华")
    counts.refresh()
    page = world.client_for("leader").get(reverse("people:list"))
    assert total(page) == "约 2 人"
    shown = {html.text(r, "a"): html.text(r, "td.text-end") for r in html.select(page, ".fl-breakdown tbody tr")}
    assert shown["攸县"] == "1"
    assert total(world.client_for("huilong_zhiwei").get(reverse("people:list"))) == "共 1 人"


def test_the_leaders_list_runs_the_same_queries_for_few_or_many_and_searched_or_not(world: World) -> None:
    client = world.client_for("leader")
    for n in range(3):
        household(world, "huilong", f"周{n}")
    counts.refresh()
    client.get(reverse("households:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("households:list"))
    for n in range(60):
        household(world, "shucai" if n % 2 else "longhu", f"李{n}")
    counts.refresh()
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("households:list"))
    assert total(page) == "约 63 户"
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as searched:
        client.get(reverse("households:list"), {"search": "李"})
    assert len(searched) == len(few)
