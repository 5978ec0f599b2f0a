"""The duties figures API: an organisation's figures as the figures page counts them (the same
selectors), the silent 执委 a page at a time, another subtree a 404 like the grid's coverage, a
bad year named, every answer as the published schema says, and queries that do not grow with the
rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.duties import counting, figures
from fulian.duties.choices import Category
from fulian.duties.tests import helpers as h
from fulian.duties.tests.test_figures import TODAY, confirmed, day
from fulian.duties.tests.test_figures import crowd as crowd
from fulian.duties.tests.test_figures import fixed_day as fixed_day
from fulian.grid.models import WorkMode
from fulian.grid.tests.test_api import conforms
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

FIGURES = "/api/v1/duties/figures/"
SILENT = "/api/v1/duties/figures/silent/"


def _api(world: World, username: str) -> Any:
    client = world.api_for(username)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_an_organisations_figures_are_those_of_the_page(world: World, crowd: dict[str, Any]) -> None:
    h.request(world, crowd["month"], category=Category.LAW)
    counting.rebuild()  # the crowd's statuses are set by update(), past the summary
    api = _api(world, "xinshi_staff")
    response = api.get(reverse("api:duty-figures"))  # her top organisation: 新市镇
    assert response.status_code == 200, response.content[:300]
    body = conforms(response, FIGURES)
    xinshi = world.org("xinshi")
    assert (body["org"], body["on"], body["year"]) == (xinshi.code, TODAY.isoformat(), 2026)
    assert (body["members"], body["active_month"], body["active_year"], body["silent"]) == (6, 1, 2, 3)
    visit, talk = WorkMode.objects.get(name="入户走访"), WorkMode.objects.get(name="政策宣讲")
    modes = {row["work_mode"]: row for row in body["modes"]}
    table = {row.mode.pk: row for row in figures.by_mode_month(xinshi, 2026).rows if row.mode}
    assert modes[visit.pk]["records"] == table[visit.pk].records
    assert modes[talk.pk]["records"][2] == 1  # March
    assert modes[talk.pk]["hours"][2] == 1.0
    assert body["modes_total"]["total_records"] == figures.by_mode_month(xinshi, 2026).total.total_records
    rows = {row["category"]: row for row in body["requests"]}
    assert rows[Category.LAW]["by_status"]["recorded"] == 1
    assert rows[""]["total"] == 1
    assert rows[Category.LAW]["answer_days"] is None
    # Another year, and 回龙村 by its division code.
    last = conforms(api.get(reverse("api:duty-figures"), {"org": xinshi.code, "year": "2025"}), FIGURES)
    assert last["modes_total"]["total_records"] == 0
    huilong = conforms(api.get(reverse("api:duty-figures"), {"org": world.org("huilong").code}), FIGURES)
    assert huilong["members"] == 4  # 甲月, 丙待, 丁退, 己替


def test_another_subtree_is_a_404_and_a_bad_year_is_named(world: World, crowd: dict[str, Any]) -> None:
    api = _api(world, "xinshi_staff")
    for org in (world.org("yanling").pk, world.org("yanling").code, "abc", "99999999"):
        response = api.get(reverse("api:duty-figures"), {"org": org})
        assert response.status_code == 404, org
        assert "辛炎" not in response.content.decode()
        assert api.get(reverse("api:duty-figures-silent"), {"org": org}).status_code == 404
    for year in ("1999", "2027", "x"):
        bad = api.get(reverse("api:duty-figures"), {"year": year})
        assert bad.status_code == 400
        assert list(conforms(bad, FIGURES)) == ["year"]
    assert _api(world, "nobody").get(reverse("api:duty-figures")).status_code == 403
    assert _api(world, "nobody").get(reverse("api:duty-figures-silent")).status_code == 403
    # 炎陵县's own staff see theirs.
    theirs = conforms(_api(world, "yanling_admin").get(reverse("api:duty-figures")), FIGURES)
    assert theirs["active_month"] == 1


def test_the_silent_are_listed_a_page_at_a_time(world: World, crowd: dict[str, Any]) -> None:
    api = _api(world, "xinshi_staff")
    response = api.get(reverse("api:duty-figures-silent"), {"page_size": 2})
    body = conforms(response, SILENT)
    assert body["count"] == 3
    first = [row["name"] for row in body["results"]]
    second = [row["name"] for row in conforms(api.get(body["next"]), SILENT)["results"]]
    assert set(first + second) == {"乙年", "丁退", "庚无"}
    rows = {row["name"]: row for row in conforms(api.get(reverse("api:duty-figures-silent")), SILENT)["results"]}
    assert rows["乙年"]["year_records"] == 1
    assert rows["乙年"]["last_record_on"] == day(2, 10).isoformat()
    assert rows["丁退"]["last_record_on"] is None  # her one record was returned
    assert rows["庚无"]["orgs"] == world.org("daqiaotou").display_name
    village = conforms(api.get(reverse("api:duty-figures-silent"), {"org": world.org("huilong").pk}), SILENT)
    assert {row["name"] for row in village["results"]} == {"丁退"}


def _queries(call: Any) -> int:
    call()
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def test_the_queries_do_not_grow_with_the_rows(world: World, crowd: dict[str, Any]) -> None:
    api = _api(world, "xinshi_staff")
    figures_call = lambda: api.get(reverse("api:duty-figures"))  # noqa: E731
    silent_call = lambda: api.get(reverse("api:duty-figures-silent"))  # noqa: E731
    before = (_queries(figures_call), _queries(silent_call))
    for n in range(6):
        who = h.zhiwei(world, "daqiaotou", f"新{n}")
        confirmed(world, who, day(1, 2 + n), work_mode="矛盾调解")
        h.request(world, who, category=Category.JOBS)
    counting.rebuild()
    assert conforms(silent_call(), SILENT)["count"] == 9
    assert (_queries(figures_call), _queries(silent_call)) == before
