"""Every list searches with ``search`` (``q`` still works, as its old name), takes its filters
from one FilterSet for its page, its API endpoint and its export, and answers a bad filter
value with an error naming it: a 400 from the API, a message beside the field on the page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fulian.households.tests.helpers import household, member
from fulian.people.tests.helpers import person, post
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(world: World) -> None:
    for name in ("钟桃华", "钟秀英", "李芳"):
        post(world, person(world, "huilong", name), "huilong")
        member(world, household(world, "huilong", name), f"{name}女")


# (API list, who asks, a search, how many rows it finds)
SEARCHES = [
    ("api:person-list", "xinshi_staff", "钟", 2),
    ("api:post-list", "xinshi_staff", "zth", 1),
    ("api:household-list", "xinshi_staff", "钟", 2),
    ("api:household-member-list", "xinshi_staff", "李", 1),
    ("api:org-list", "xinshi_staff", "hlc", 1),
    ("api:account-list", "security", "xinshi_staff", 1),
    ("api:audit-list", "auditor", "李芳", 4),  # her record, her post, her household, her daughter
]


def _ids(world: World, username: str, name: str, params: dict[str, str]) -> list[int]:
    response = world.api_for(username).get(reverse(name), params)
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(("name", "username", "text", "found"), SEARCHES, ids=[s[0] for s in SEARCHES])
def test_every_api_list_searches_with_search_and_still_reads_q(
    world: World, rows: None, name: str, username: str, text: str, found: int
) -> None:
    searched = _ids(world, username, name, {"search": text})
    assert len(searched) == found
    assert _ids(world, username, name, {"q": text}) == searched
    # ``search`` wins when both are given (``q`` is only its alias).
    assert _ids(world, username, name, {"search": text, "q": "没有这个人"}) == searched


PAGES = [
    ("people:list", "钟", 2, "钟秀英"),
    ("households:list", "钟", 2, "钟秀英"),
    ("accounts:list", "xinshi", 1, "xinshi_staff"),
]


@pytest.mark.parametrize(("name", "text", "found", "shown"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_search_with_search_and_old_bookmarks_with_q_still_work(
    world: World, rows: None, name: str, text: str, found: int, shown: str
) -> None:
    client = world.client_for("security" if name.startswith("accounts") else "xinshi_staff")
    for params in ({"search": text}, {"q": text}):
        page = client.get(reverse(name), params, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        content = page.content.decode()
        assert shown in content
        assert "李芳" not in content
        [box] = html.select(page, 'input[name="search"]')
        assert box.attrs["value"] == text


BAD_API_FILTERS = [
    ("api:person-list", {"kind": "boss"}, "kind"),
    ("api:person-list", {"post": "king"}, "post"),
    ("api:person-list", {"term": "11"}, "term"),
    ("api:person-list", {"org": "abc"}, "org"),
    ("api:person-list", {"org": "430225"}, "org"),  # 炎陵县: outside 新市镇's area
    ("api:person-list", {"archived": "yes"}, "archived"),
    ("api:person-list", {"search": "钟" * 51}, "search"),
    ("api:person-list", {"q": "钟" * 51}, "search"),
    ("api:household-list", {"category": "3"}, "category"),
    ("api:household-list", {"org": "4302231232150019999"}, "org"),
    ("api:household-member-list", {"household": "abc"}, "household"),
    ("api:household-member-list", {"household": "99999999999999999999"}, "household"),
    ("api:household-member-list", {"category": "x"}, "category"),
    ("api:post-list", {"person": "-1"}, "person"),
    ("api:post-list", {"current": "0"}, "current"),
    ("api:post-list", {"org": "\x00"}, "org"),
    ("api:term-list", {"org": "999999"}, "org"),
]


@pytest.mark.parametrize(("name", "params", "field"), BAD_API_FILTERS)
def test_a_bad_filter_value_is_a_400_naming_it(world: World, name: str, params: dict[str, str], field: str) -> None:
    response = world.api_for("xinshi_staff").get(reverse(name), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == [field]


def test_an_organisation_outside_the_area_gets_the_same_message_as_one_that_does_not_exist(world: World) -> None:
    api = world.api_for("xinshi_staff")
    for code in ("430225", "999999"):
        response = api.get(reverse("api:household-list"), {"org": code}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.json() == {"org": [f"No organisation with code {code} in your area."]}


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("people:list", {"kind": "boss"}, "kind"),
        ("people:list", {"org": "430225"}, "org"),
        ("households:list", {"category": "3"}, "category"),
        ("households:list", {"search": "钟" * 51}, "search"),
    ],
)
def test_a_bad_filter_value_on_a_page_is_shown_beside_the_filter(
    world: World, rows: None, name: str, params: dict[str, str], field: str
) -> None:
    page = world.client_for("xinshi_staff").get(reverse(name), params, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    [cell] = [e for e in html.select(page, "div.invalid-feedback") if e.text.strip()]
    assert cell.text.strip()
    assert f'name="{field}"' in page.content.decode()


def _exported_names(client: Any, url: str, params: dict[str, str]) -> list[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sorted(str(c.value) for row in sheet.iter_rows() for c in row if c.value in ("钟桃华", "钟秀英", "李芳"))


@pytest.mark.parametrize("registry", ["people", "households"])
def test_an_export_holds_exactly_what_the_filtered_page_shows(world: World, rows: None, registry: str) -> None:
    client = world.client_for("xinshi_staff")
    for params in ({"search": "钟"}, {"q": "钟"}, {"search": "zxy"}, {"org": "430223123215", "search": "李"}):
        page = client.get(reverse(f"{registry}:list"), params).content.decode()
        shown = sorted(n for n in ("钟桃华", "钟秀英", "李芳") if n in page)
        assert shown
        assert _exported_names(client, reverse(f"{registry}:export"), params) == shown, params
