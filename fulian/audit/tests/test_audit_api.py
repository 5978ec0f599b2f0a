"""/api/v1/audit/: the same rules as the page, paged with a cursor."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.accounts.tests.clients import api_client
from fulian.audit.tests.events import Events, make_events, more_events
from fulian.testing.world import World

MARCH = {"since": "2020-03-01", "until": "2020-03-04"}


@pytest.fixture
def events(world: World) -> Events:
    return make_events(world)


def _listed(username: str, world: World, **params: str) -> list[dict[str, Any]]:
    response = api_client(world, username).get(reverse("api:audit-list"), params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _reprs(rows: list[dict[str, Any]]) -> set[str]:
    return {row["object_repr"] for row in rows if row["object_repr"].startswith("ev-")}


def test_an_auditor_reads_the_events_with_every_field(world: World, events: Events) -> None:
    rows = _listed("auditor", world, **MARCH)
    assert [row["object_repr"] for row in rows] == ["ev-no-org", "ev-shucai", "ev-youxian", "ev-huilong"]
    huilong = rows[-1]
    assert huilong == {
        "id": events.huilong.pk,
        "at": huilong["at"],
        "actor": None,
        "actor_name": "xinshi_staff",
        "ip": None,
        "action": "update",
        "object_type": "",
        "object_id": "",
        "object_repr": "ev-huilong",
        "org": world.org("huilong").pk,
        "org_path": world.org("huilong").path,
        "changes": {},
    }
    assert huilong["at"].startswith("2020-03-01T10:00:00")


def test_a_county_auditor_reads_only_the_county(world: World, events: Events) -> None:
    assert _reprs(_listed("youxian_auditor", world, **MARCH)) == {"ev-huilong", "ev-youxian"}
    assert _reprs(_listed("youxian_auditor", world)) == {"ev-huilong", "ev-youxian"}
    detail = api_client(world, "youxian_auditor").get(reverse("api:audit-detail", kwargs={"pk": events.no_org.pk}))
    assert detail.status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"since": "2020-03-02", "until": "2020-03-03"}, {"ev-youxian", "ev-shucai"}),
        ({**MARCH, "actor": "Yanling_Admin"}, {"ev-shucai"}),
        ({**MARCH, "action": "create"}, {"ev-youxian"}),
        ({**MARCH, "org": "430223"}, {"ev-huilong", "ev-youxian"}),
        ({**MARCH, "org": "430225100"}, {"ev-shucai"}),
    ],
)
def test_the_filters_work_as_on_the_page(
    world: World, events: Events, params: dict[str, str], expected: set[str]
) -> None:
    assert _reprs(_listed("auditor", world, **params)) == expected


@pytest.mark.parametrize("code", ["430225", "430200", "999999"])
def test_an_organisation_outside_the_auditors_subtree_is_refused_like_one_that_does_not_exist(
    world: World, events: Events, code: str
) -> None:
    response = api_client(world, "youxian_auditor").get(reverse("api:audit-list"), {**MARCH, "org": code})
    assert response.status_code == 400
    assert response.json() == {"org": [f"No organisation with code {code} in your area."]}


def test_search_finds_by_account_or_object_and_q_is_its_old_alias(world: World, events: Events) -> None:
    assert _reprs(_listed("auditor", world, **MARCH, search="ev-shucai")) == {"ev-shucai"}
    assert _reprs(_listed("auditor", world, **MARCH, q="ev-shucai")) == {"ev-shucai"}


@pytest.mark.parametrize("params", [{"since": "yesterday"}, {"until": "2020-02-30"}, {"action": "explode"}])
def test_a_bad_filter_is_a_400_naming_it(world: World, params: dict[str, str]) -> None:
    response = api_client(world, "auditor").get(reverse("api:audit-list"), params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


@pytest.mark.parametrize("username", ["city_admin", "security", "youxian_security", "leader", "nobody"])
def test_everyone_but_auditors_is_refused(world: World, events: Events, username: str) -> None:
    client = api_client(world, username)
    assert client.get(reverse("api:audit-list")).status_code == 403
    assert client.get(reverse("api:audit-detail", kwargs={"pk": events.huilong.pk})).status_code == 403


def test_an_anonymous_caller_is_refused_in_json(world: World) -> None:
    response = api_client().get(reverse("api:audit-list"))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_the_log_cannot_be_written_through_the_api(world: World, events: Events) -> None:
    client = api_client(world, "auditor")
    detail = reverse("api:audit-detail", kwargs={"pk": events.huilong.pk})
    assert client.post(reverse("api:audit-list"), {"action": "update"}, format="json").status_code == 405
    assert client.patch(detail, {"object_repr": "x"}, format="json").status_code == 405
    assert client.delete(detail).status_code == 405


def test_a_cursor_pages_through_the_log_newest_first_without_counting(world: World, events: Events) -> None:
    more_events(world, 7)
    client = api_client(world, "auditor")
    response = client.get(reverse("api:audit-list"), {"actor": "xinshi_staff", "page_size": "3"})
    body = response.json()
    assert "count" not in body
    assert body["previous"] is None
    seen: list[int] = []
    pages = 0
    while True:
        pages += 1
        seen += [row["id"] for row in body["results"]]
        assert all(row["actor_name"] == "xinshi_staff" for row in body["results"])
        if body["next"] is None:
            break
        assert "cursor=" in body["next"]
        body = client.get(body["next"]).json()
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == 8  # 7 more and ev-huilong
    assert pages == 3


def test_the_api_runs_the_same_queries_however_many_events(world: World, events: Events) -> None:
    client = api_client(world, "auditor")
    url = reverse("api:audit-list")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, {"org": "430223"}).status_code == 200
    more_events(world, 50)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url, {"org": "430223"})
    assert len(response.json()["results"]) == 50
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
