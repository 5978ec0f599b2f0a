"""The big API lists page by cursor along the id: every row once, no count, no OFFSET that
grows with the page, and a bad cursor or a page number is a 400 naming it."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fulian.households.tests.helpers import household, member
from fulian.testing.world import World

CURSOR_LISTS = [
    ("/api/v1/people/", "xinshi_staff"),
    ("/api/v1/posts/", "xinshi_staff"),
    ("/api/v1/households/", "xinshi_staff"),
    ("/api/v1/household-members/", "xinshi_staff"),
    ("/api/v1/audit/", "auditor"),
]


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(("url", "username"), CURSOR_LISTS)
@pytest.mark.parametrize("page", ["2", "1"])
def test_a_page_number_is_refused_with_what_to_do(world: World, url: str, username: str, page: str) -> None:
    response = world.api_for(username).get(url, {"page": page}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {
        "page": ["This list pages by cursor: follow its “next” link instead of giving a page number."]
    }


@pytest.mark.parametrize(("url", "username"), CURSOR_LISTS)
@pytest.mark.parametrize(
    "cursor",
    ["abc", "钟", _cursor("p=abc"), _cursor("p=99999999999999999999"), _cursor("p=-1"), _cursor("o=x")],
)
def test_a_cursor_the_api_did_not_give_is_a_400_naming_it(world: World, url: str, username: str, cursor: str) -> None:
    response = world.api_for(username).get(url, {"cursor": cursor}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"cursor": ["This cursor is not valid: follow the “next” or “previous” link."]}


def _walk(client: Any, url: str, params: dict[str, Any]) -> tuple[list[int], list[list[dict[str, Any]]]]:
    ids: list[int] = []
    queries: list[list[dict[str, Any]]] = []
    body: dict[str, Any] = {"next": None}
    first = True
    while first or body["next"]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params) if first else client.get(body["next"])
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        queries.append(captured.captured_queries)
        first = False
    return ids, queries


def test_following_next_reads_every_row_once_in_id_order_without_count_or_offset(world: World) -> None:
    for n in range(7):
        member(world, household(world, "huilong" if n % 2 else "daqiaotou", f"周{n}"), f"周小{n}")
    client = world.api_for("xinshi_staff")
    client.get("/api/v1/me/")  # the grants are loaded once per user object
    for url in ("/api/v1/households/", "/api/v1/household-members/"):
        ids, queries = _walk(client, url, {"page_size": 3})
        assert len(ids) == 7
        assert ids == sorted(ids)
        assert len(queries) == 3
        assert len({len(q) for q in queries}) == 1, "each page runs the same queries"
        sql = " ".join(q["sql"].upper() for page in queries for q in page)
        assert "COUNT(" not in sql
        assert "OFFSET" not in sql


def test_the_filters_hold_across_pages(world: World) -> None:
    for n in range(5):
        household(world, "huilong", f"钟{n}")
        household(world, "huilong", f"李{n}")
    ids, _queries = _walk(world.api_for("xinshi_staff"), "/api/v1/households/", {"search": "钟", "page_size": 2})
    assert len(ids) == 5
