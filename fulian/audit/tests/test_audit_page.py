"""The audit officer's page: who may see it, what it shows, and its filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.accounts.tests.clients import log_in, web_client
from fulian.audit.tests.events import Events, make_events, more_events
from fulian.testing.world import World

MARKERS = {"huilong": "ev-huilong", "youxian": "ev-youxian", "shucai": "ev-shucai", "no_org": "ev-no-org"}
MARCH = {"since": "2020-03-01", "until": "2020-03-04"}


@pytest.fixture
def events(world: World) -> Events:
    return make_events(world)


def _shown(username: str, world: World, **params: str) -> set[str]:
    response = web_client(world, username).get(reverse("audit:list"), params)
    assert response.status_code == 200
    page = response.content.decode()
    return {key for key, marker in MARKERS.items() if marker in page}


@pytest.mark.parametrize("username", ["auditor", "youxian_auditor"])
def test_audit_officers_see_the_log(world: World, events: Events, username: str) -> None:
    response = web_client(world, username).get(reverse("audit:list"))
    assert response.status_code == 200
    assert "ev-huilong" in response.content.decode()


@pytest.mark.parametrize(
    "username", ["city_admin", "youxian_admin", "security", "youxian_security", "leader", "xinshi_staff", "nobody"]
)
def test_everyone_else_is_refused_the_log(world: World, events: Events, username: str) -> None:
    assert web_client(world, username).get(reverse("audit:list")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(world: World) -> None:
    response = web_client().get(reverse("audit:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_page_shows_who_when_where_what_and_the_changes(world: World, events: Events) -> None:
    from fulian.audit.choices import Action
    from fulian.audit.recorder import record

    record(
        Action.UPDATE,
        org=world.org("huilong"),
        object_repr="ev-detail",
        actor_name="xinshi_staff",
        changes={"name": ["旧名", "新名"]},
    )
    page = web_client(world, "auditor").get(reverse("audit:list")).content.decode()
    assert "2020-03-01 10:00:00" in page
    assert "旧名 → 新名" in page
    assert world.org("huilong").path in page


def test_a_city_auditor_sees_every_county_and_events_without_an_organisation(world: World, events: Events) -> None:
    assert _shown("auditor", world, **MARCH) == {"huilong", "youxian", "shucai", "no_org"}


def test_a_county_auditor_sees_only_the_county(world: World, events: Events) -> None:
    assert _shown("youxian_auditor", world, **MARCH) == {"huilong", "youxian"}
    assert _shown("youxian_auditor", world) >= {"huilong", "youxian"}
    assert not _shown("youxian_auditor", world) & {"shucai", "no_org"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"since": "2020-03-02", "until": "2020-03-04"}, {"youxian", "shucai", "no_org"}),
        ({"since": "2020-03-01", "until": "2020-03-03"}, {"huilong", "youxian", "shucai"}),  # the 3rd included
        ({"since": "2020-03-01", "until": "2020-03-03T15:00"}, {"huilong", "youxian"}),  # a time is exact
        ({"since": "2020-03-02T09:00", "until": "2020-03-02T09:01"}, {"youxian"}),
        ({"since": "2020-03-05"}, set()),
        ({**MARCH, "actor": "XINSHI_STAFF"}, {"huilong"}),
        ({**MARCH, "action": "delete"}, {"shucai"}),
        ({**MARCH, "action": "login_failed"}, {"no_org"}),
        ({**MARCH, "org": "430223"}, {"huilong", "youxian"}),  # the county and everything below it
        ({**MARCH, "org": "430223123"}, {"huilong"}),
        ({**MARCH, "org": "430225"}, {"shucai"}),
        ({**MARCH, "org": "430200"}, {"huilong", "youxian", "shucai"}),
        ({**MARCH, "org": "999999"}, set()),
        ({**MARCH, "object_type": "nothing.here"}, set()),
    ],
)
def test_the_filters_narrow_the_log(world: World, events: Events, params: dict[str, str], expected: set[str]) -> None:
    assert _shown("auditor", world, **params) == expected


@pytest.mark.parametrize("code", ["430225", "430225100215", "430200"])
def test_an_organisation_outside_the_auditors_subtree_matches_nothing(world: World, events: Events, code: str) -> None:
    assert _shown("youxian_auditor", world, **MARCH, org=code) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [({"since": "yesterday"}, "since"), ({"until": "2020-13-45"}, "until"), ({"action": "explode"}, "action")],
)
def test_a_bad_filter_is_explained_instead_of_failing(
    world: World, events: Events, params: dict[str, str], field: str
) -> None:
    response = web_client(world, "auditor").get(reverse("audit:list"), params)
    assert response.status_code == 200
    assert response.context["filter"].form.errors[field]
    assert "invalid-feedback" in response.content.decode()
    assert "ev-huilong" not in response.content.decode()


def test_the_filters_stay_in_the_paging_links(world: World, events: Events) -> None:
    more_events(world, 55)
    response = web_client(world, "auditor").get(reverse("audit:list"), {"actor": "xinshi_staff"})
    page = response.context["page"]
    assert page.has_next
    assert "actor=xinshi_staff" in page.next_url
    second = web_client(world, "auditor").get(reverse("audit:list") + page.next_url)
    assert {e.actor_name for e in second.context["page"].items} == {"xinshi_staff"}
    assert not {e.pk for e in second.context["page"].items} & {e.pk for e in page.items}


def test_the_page_runs_the_same_queries_however_many_events(world: World, events: Events) -> None:
    client = web_client(world, "auditor")
    url = reverse("audit:list")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, {"org": "430223"}).status_code == 200
    more_events(world, 50)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url, {"org": "430223"})
    assert "more-49" in response.content.decode()
    # Names of related rows are one query per kind of row on the page (the first page holds the
    # world's accounts, this one only organisations): never one per event.
    assert len(after) <= len(before), [q["sql"] for q in after.captured_queries]


def test_the_auditor_finds_the_failed_logins_of_an_account_by_its_username(world: World) -> None:
    attacker = web_client(ip="198.51.100.9")
    for _ in range(3):
        log_in(attacker, "leader", "wrong-password")
    log_in(attacker, "13907330006", "wrong-password")  # leader's mobile number
    response = world.api_for("auditor").get("/api/v1/audit/", {"q": "leader", "action": "login_failed"})
    rows = response.json()["results"]
    assert len(rows) == 4
    assert {row["object_id"] for row in rows} == {str(world.user("leader").pk)}
    assert "13907330006" not in response.content.decode()
    by_ip = world.api_for("auditor").get("/api/v1/audit/", {"ip": "198.51.100.9"}).json()["results"]
    assert len(by_ip) == 4
    assert world.api_for("auditor").get("/api/v1/audit/", {"ip": "not-an-ip"}).status_code == 400
