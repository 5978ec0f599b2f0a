"""The grid's API: assignments, coverage figures, uncovered households, gaps and contacts, with
the scope and the rules of the pages; every answer as the published schema says."""

from __future__ import annotations

import datetime
import functools
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.grid import coverage, services
from fulian.grid.choices import Mode
from fulian.grid.models import Assignment, Contact, WorkMode
from fulian.grid.tests.helpers import assign, executive
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.people import services as people_services
from fulian.people.models import Person
from fulian.people.tests.helpers import jpeg, person, post
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml"
TODAY = coverage.today


# --- the published schema ---------------------------------------------------------------------


def _json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable`` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _document() -> dict[str, Any]:
    return yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def conforms(response: Any, path: str, method: str = "get") -> Any:
    """The response's body, after checking it against what docs/openapi.yaml declares for its
    status on ``path`` (as the schema writes it: ``/api/v1/grid/coverage/{org}/``)."""
    document = _document()
    declared = document["paths"][path][method]["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    root = {**_json_schema(schema), "components": _json_schema(document["components"])}
    body = response.json()
    jsonschema.validate(body, root, format_checker=jsonschema.FormatChecker())
    return body


ASSIGNMENTS = "/api/v1/grid/assignments/"
ASSIGNMENT = "/api/v1/grid/assignments/{id}/"
CONTACTS = "/api/v1/grid/contacts/"
CONTACT = "/api/v1/grid/contacts/{id}/"
COVERAGE = "/api/v1/grid/coverage/{org}/"
UNCOVERED = "/api/v1/grid/coverage/{org}/uncovered/"
GAPS = "/api/v1/grid/coverage/{org}/gaps/"


def _api(world: World, username: str) -> Any:
    """The API as ``username``, answering in English (the messages are checked in English)."""
    client = world.api_for(username)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def _count_queries(call: Any) -> int:
    call()  # the first request of an account loads its grants (then kept by the process)
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


# --- assignments ------------------------------------------------------------------------------


def test_assignments_list_filters_and_pages_without_a_count(world: World) -> None:
    mine = executive(world, "huilong", "周桂姣")
    other = executive(world, "huilong", "李秀英")
    group = world.org("huilong_group1")
    (by_group,) = assign(world, mine, group, mode=Mode.NEARBY)
    (ended,) = assign(world, other, household(world, "huilong", "周建国"), end_date=datetime.date(2022, 6, 30))
    api = _api(world, "xinshi_staff")

    def ids(**params: Any) -> list[int]:
        response = api.get(reverse("api:grid-assignment-list"), params)
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in conforms(response, ASSIGNMENTS)["results"]]

    assert ids() == [by_group.pk]  # the current ones, as on the page
    assert ids(status="current") == [by_group.pk]
    assert ids(status="ended") == [ended.pk]
    assert ids(status="all") == [by_group.pk, ended.pk]
    assert ids(active_on="2022-03-01", status="all") == [by_group.pk, ended.pk]
    assert ids(active_on="2022-07-01", status="all") == [by_group.pk]
    assert ids(person=other.person_id, status="all") == [ended.pk]
    assert ids(mode=Mode.NEARBY) == [by_group.pk]
    assert ids(org=group.code) == [by_group.pk]
    assert ids(org=str(group.pk)) == [by_group.pk]
    assert ids(tier="village", status="all") == [by_group.pk, ended.pk]
    assert ids(tier="township", status="all") == []
    assert ids(search="李", status="all") == [ended.pk]
    assert ids(q="zgj") == [by_group.pk]  # 周桂姣, by the old name of the search box
    body = api.get(reverse("api:grid-assignment-list")).json()
    assert "count" not in body
    row = body["results"][0]
    assert (row["target_org"], row["target_org_name"], row["household"], row["tier"]) == (
        group.code,
        group.display_name,
        None,
        "village",
    )
    detail = api.get(reverse("api:grid-assignment-detail", args=[ended.pk]))
    assert conforms(detail, ASSIGNMENT)["household_name"] == "周建国"
    # An id is digits: " 12" is no record (Django would read it as 12).
    assert api.get(f"/api/v1/grid/assignments/%20{ended.pk}/").status_code == 404
    assert api.get(f"/api/v1/grid/contacts/%20{ended.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "over"}, "status"),
        ({"mode": "teleport"}, "mode"),
        ({"tier": "group"}, "tier"),
        ({"active_on": "yesterday"}, "active_on"),
        ({"org": "430225"}, "org"),  # 炎陵县: outside 新市镇
        ({"person": "abc"}, "person"),
        ({"search": "周" * 51}, "search"),
    ],
)
def test_a_bad_assignment_filter_is_a_400_naming_it(world: World, params: dict[str, str], field: str) -> None:
    response = _api(world, "xinshi_staff").get(reverse("api:grid-assignment-list"), params)
    assert response.status_code == 400
    assert list(conforms(response, ASSIGNMENTS)) == [field]


def test_the_assignments_list_reads_a_constant_number_of_queries(world: World) -> None:
    api = _api(world, "xinshi_staff")
    url = reverse("api:grid-assignment-list")
    post_ = executive(world)
    assign(world, post_, world.org("huilong_group1"))
    assign(world, post_, household(world, "huilong", "周一"))
    few = _count_queries(lambda: api.get(url))
    assign(world, post_, *(household(world, "huilong", f"周{n}") for n in range(2, 8)))
    assert _count_queries(lambda: api.get(url)) == few


def _create(api: Any, **body: Any) -> Any:
    return api.post(reverse("api:grid-assignment-list"), body, format="json")


def test_staff_assign_an_area_and_households_in_one_request(world: World) -> None:
    post_ = executive(world)
    group = world.org("huilong_group1")
    loose = household(world, "huilong", "周建国")
    inside = household(world, "huilong_group1", "周一")
    response = _create(
        _api(world, "xinshi_staff"),
        post=post_.pk,
        targets=[{"org": group.code}, {"household": loose.pk}],
        mode=Mode.CIRCUIT,
        start_date="2023-03-01",
        note="包组到户",
    )
    assert response.status_code == 201, response.json()
    rows = conforms(response, ASSIGNMENTS, "post")
    assert [(r["target_org"], r["household"], r["person"]) for r in rows] == [
        (group.code, None, post_.person_id),
        (None, loose.pk, post_.person_id),
    ]
    inside.refresh_from_db()
    assert inside.covered
    figures = _api(world, "xinshi_staff").get(reverse("api:grid-coverage-detail", args=["430223123215"]))
    assert conforms(figures, COVERAGE)["covered"] == 2


def test_an_organisation_target_may_be_given_by_its_id(world: World) -> None:
    response = _create(
        _api(world, "xinshi_staff"),
        post=executive(world).pk,
        targets=[{"org": world.org("huilong").pk}],
        mode=Mode.STATIONED,
        start_date="2023-03-01",
    )
    assert response.status_code == 201, response.json()
    assert response.json()[0]["target_org"] == "430223123215"


def _bad(world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "post": executive(world).pk,
        "targets": [{"org": world.org("huilong_group1").code}],
        "mode": Mode.CIRCUIT,
        "start_date": "2023-03-01",
        **changes,
    }
    response = _create(_api(world, "xinshi_staff"), **body)
    assert response.status_code == 400, response.content[:300]
    assert not Assignment.objects.exists()
    return conforms(response, ASSIGNMENTS, "post")  # type: ignore[no-any-return]


def test_an_assignment_ending_before_it_starts_is_a_400_on_end_date(world: World) -> None:
    assert list(_bad(world, end_date="2023-02-01")) == ["end_date"]


def test_an_unknown_mode_is_a_400_on_mode(world: World) -> None:
    assert list(_bad(world, mode="teleport")) == ["mode"]


def test_joint_responsibility_without_its_grid_worker_is_a_400_on_partner(world: World) -> None:
    assert list(_bad(world, mode=Mode.JOINT, partner=" ")) == ["partner"]


def test_no_targets_or_a_target_both_org_and_household_is_a_400_on_targets(world: World) -> None:
    assert list(_bad(world, targets=[])) == ["targets"]
    both = {"org": world.org("huilong").code, "household": household(world).pk}
    assert list(_bad(world, targets=[both])) == ["targets"]


def test_a_post_that_ended_cannot_take_responsibility(world: World) -> None:
    post_ = executive(world)
    people_services.post_end(actor=world.user("city_admin"), post=post_, on=datetime.date(2022, 12, 31))
    errors = _bad(world, post=post_.pk)
    assert list(errors) == ["post"]
    assert "ended on 2022-12-31" in errors["post"][0]


def test_an_overlapping_assignment_is_a_400_and_writes_nothing(world: World) -> None:
    post_ = executive(world)
    group = world.org("huilong_group1")
    assign(world, post_, group, start_date=datetime.date(2023, 1, 1))
    response = _create(
        _api(world, "xinshi_staff"),
        post=post_.pk,
        targets=[{"household": household(world, "huilong", "周二").pk}, {"org": group.code}],
        mode=Mode.CIRCUIT,
        start_date="2023-03-01",
    )
    assert response.status_code == 400
    errors = conforms(response, ASSIGNMENTS, "post")
    assert list(errors) == ["targets"]
    assert "already responsible" in errors["targets"][0]
    assert Assignment.objects.count() == 1


def test_a_target_of_another_level_is_a_400_on_targets(world: World) -> None:
    errors = _bad(world, targets=[{"org": world.org("xinshi").code}])
    assert "a village executive member takes her own village" in errors["targets"][0]


def test_out_of_scope_ids_in_the_body_get_the_words_of_ids_that_do_not_exist(world: World) -> None:
    outside_household = household(world, "shucai", "钟建华")
    outside_post = executive(world, "shucai", "钟桂兰")

    def message(**changes: Any) -> list[str]:
        [(field, messages)] = _bad(world, **changes).items()
        return [field, *messages]

    assert message(targets=[{"household": outside_household.pk}]) == [
        "targets",
        f"No household with id {outside_household.pk} in your area.",
    ]
    assert message(targets=[{"household": 99999999}]) == ["targets", "No household with id 99999999 in your area."]
    outside, missing = message(targets=[{"org": "430225100215"}]), message(targets=[{"org": "430225100999"}])
    assert outside == ["targets", "[0] [org] No organisation with code 430225100215 in your area."]
    assert missing == ["targets", "[0] [org] No organisation with code 430225100999 in your area."]
    assert message(post=outside_post.pk) == ["post", f"No post with id {outside_post.pk} in your area."]
    assert message(post=99999999) == ["post", "No post with id 99999999 in your area."]


@pytest.mark.parametrize("username", ["huilong_zhiwei", "leader"])
def test_a_member_or_a_leader_reads_assignments_but_cannot_make_end_or_change_one(world: World, username: str) -> None:
    (made,) = assign(world, executive(world), world.org("huilong_group1"))
    api = _api(world, username)
    listed = api.get(reverse("api:grid-assignment-list"))
    assert [row["id"] for row in conforms(listed, ASSIGNMENTS)["results"]] == [made.pk]
    body = {"post": made.post_id, "targets": [{"org": "430223123215"}], "mode": "circuit", "start_date": "2023-01-01"}
    refused = _create(api, **body)
    assert refused.status_code == 403
    conforms(refused, ASSIGNMENTS, "post")
    end = api.post(reverse("api:grid-assignment-end", args=[made.pk]), {"end_date": "2023-01-01"}, format="json")
    assert end.status_code == 403
    change = api.post(reverse("api:grid-assignment-change", args=[made.pk]), {"on": "2023-01-01"}, format="json")
    assert change.status_code == 403
    assert Assignment.objects.get().end_date is None


def test_end_and_change_keep_the_history(world: World) -> None:
    first, second = executive(world, name="周桂姣"), executive(world, name="李秀英")
    (made,) = assign(world, first, world.org("huilong_group1"))
    api = _api(world, "xinshi_staff")
    changed = api.post(
        reverse("api:grid-assignment-change", args=[made.pk]),
        {"on": "2024-01-01", "post": second.pk, "mode": Mode.NEARBY},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    new = conforms(changed, "/api/v1/grid/assignments/{id}/change/", "post")
    assert (new["person"], new["previous"], new["start_date"], new["mode"]) == (
        second.person_id,
        made.pk,
        "2024-01-01",
        "nearby",
    )
    made.refresh_from_db()
    assert made.end_date == datetime.date(2023, 12, 31)
    ended = api.post(
        reverse("api:grid-assignment-end", args=[new["id"]]),
        {"end_date": "2024-06-30", "reason": "调走"},
        format="json",
    )
    assert ended.status_code == 200, ended.json()
    body = conforms(ended, "/api/v1/grid/assignments/{id}/end/", "post")
    assert (body["end_date"], body["end_reason"]) == ("2024-06-30", "调走")
    # Ended already: the service's message, as a 400.
    again = api.post(reverse("api:grid-assignment-end", args=[new["id"]]), {"end_date": "2024-06-30"}, format="json")
    assert again.status_code == 400
    assert conforms(again, "/api/v1/grid/assignments/{id}/end/", "post") == {
        "detail": "This assignment has already ended."
    }


def test_end_and_change_name_the_field_of_a_bad_date(world: World) -> None:
    (made,) = assign(world, executive(world), world.org("huilong_group1"))
    api = _api(world, "xinshi_staff")
    early = api.post(reverse("api:grid-assignment-end", args=[made.pk]), {"end_date": "2021-01-01"}, format="json")
    assert early.status_code == 400
    assert list(early.json()) == ["end_date"]
    before = api.post(reverse("api:grid-assignment-change", args=[made.pk]), {"on": "2021-01-01"}, format="json")
    assert before.status_code == 400
    assert list(before.json()) == ["on"]
    outside = executive(world, "shucai", "钟桂兰")
    other = api.post(
        reverse("api:grid-assignment-change", args=[made.pk]), {"on": "2024-01-01", "post": outside.pk}, format="json"
    )
    assert other.status_code == 400
    assert other.json() == {"post": [f"No post with id {outside.pk} in your area."]}
    assert Assignment.objects.count() == 1


# --- coverage ---------------------------------------------------------------------------------


def test_coverage_figures_per_child_match_a_direct_count(world: World) -> None:
    group = world.org("huilong_group1")
    for name in ("周一", "周二"):
        household(world, "huilong_group1", name)
    loose = [household(world, "huilong", n) for n in ("周三", "周四", "周五")]
    post_ = executive(world)
    assign(world, post_, group)
    assign(world, post_, loose[0])
    api = _api(world, "xinshi_staff")
    for ref in ("430223123215", str(world.org("huilong").pk)):
        response = api.get(reverse("api:grid-coverage-detail", args=[ref]))
        body = conforms(response, COVERAGE)
        assert body["org"]["code"] == "430223123215"
        village = Household.objects.filter(village=world.org("huilong"), archived_at__isnull=True)
        assert (body["households"], body["covered"], body["uncovered"]) == (
            village.count(),
            village.filter(covered=True).count(),
            village.filter(covered=False).count(),
        )
        assert body["share"] == pytest.approx(3 / 5)
        assert body["uncontacted"] == 5
        assert [(c["org"] and c["org"]["code"], c["households"], c["covered"]) for c in body["children"]] == [
            (group.code, 2, 2),
            (None, 3, 1),
        ]
    township = conforms(api.get(reverse("api:grid-coverage-detail", args=["430223123"])), COVERAGE)
    assert [(c["org"]["name"], c["households"], c["covered"]) for c in township["children"]] == [
        (world.org("daqiaotou").display_name, 0, 0),
        (world.org("huilong").display_name, 5, 3),
    ]
    assert township["children"][0]["share"] is None


def test_coverage_as_of_a_past_day_has_no_uncontacted_figure(world: World) -> None:
    household(world, "huilong_group1", "周一")
    Household.objects.update(created_at=datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC))
    assign(world, executive(world), world.org("huilong_group1"), end_date=TODAY() - datetime.timedelta(days=10))
    api = _api(world, "xinshi_staff")
    url = reverse("api:grid-coverage-detail", args=["430223123215"])
    now = conforms(api.get(url), COVERAGE)
    assert (now["covered"], now["uncontacted"], now["on"]) == (0, 1, TODAY().isoformat())
    day = (TODAY() - datetime.timedelta(days=20)).isoformat()
    then = conforms(api.get(url, {"on": day}), COVERAGE)
    assert (then["covered"], then["households"], then["uncontacted"], then["on"]) == (1, 1, None, day)


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "20260101", "9999-01-01"])
def test_a_bad_or_future_day_is_a_400_on_on(world: World, value: str) -> None:
    response = _api(world, "xinshi_staff").get(reverse("api:grid-coverage-detail", args=["430223123"]), {"on": value})
    assert response.status_code == 400
    assert list(conforms(response, COVERAGE)) == ["on"]


@pytest.mark.parametrize("name", ["api:grid-coverage-detail", "api:grid-coverage-uncovered", "api:grid-coverage-gaps"])
def test_coverage_of_an_organisation_outside_the_scope_is_a_404_like_one_that_does_not_exist(
    world: World, name: str
) -> None:
    shucai = world.org("shucai")
    household(world, "shucai", "钟建华")
    outsider, insider = _api(world, "xinshi_staff"), _api(world, "yanling_admin")
    for ref in (shucai.code, str(shucai.pk), "430225100999", "abc", "0"):
        assert outsider.get(reverse(name, args=[ref])).status_code == 404
    assert insider.get(reverse(name, args=[shucai.code])).status_code == 200
    assert insider.get(reverse(name, args=[str(shucai.pk)])).status_code == 200


def test_uncovered_households_are_listed_masked_and_narrowed_to_the_long_uncontacted(world: World) -> None:
    covered = household(world, "huilong_group1", "周一")
    called = household(world, "huilong", "周二", mobile="13907331215")
    never = household(world, "huilong", "周三")
    household(world, "shucai", "钟建华")
    post_ = executive(world)
    assign(world, post_, world.org("huilong_group1"))
    services.contact_record(
        actor=world.user("city_admin"),
        person=post_.person,
        mode="call",
        happened_on=TODAY() - datetime.timedelta(days=3),
        households=[called],
    )
    api = _api(world, "xinshi_staff")

    def rows(org: str, **params: Any) -> list[dict[str, Any]]:
        response = api.get(reverse("api:grid-coverage-uncovered", args=[org]), params)
        assert response.status_code == 200, response.content[:300]
        body = conforms(response, UNCOVERED)
        assert "count" not in body
        return body["results"]  # type: ignore[no-any-return]

    listed = rows("430223123")
    assert [r["id"] for r in listed] == [called.pk, never.pk]
    assert listed[0]["mobile"] == "139****1215"
    assert listed[0]["last_contact_on"] == (TODAY() - datetime.timedelta(days=3)).isoformat()
    assert [r["id"] for r in rows("430223123", uncontacted="true")] == [never.pk]
    assert [r["id"] for r in rows("430223123", uncontacted="false")] == [called.pk]
    assert rows("430223123215001") == []
    assert covered.pk not in [r["id"] for r in rows("430223123")]
    assert api.get(reverse("api:grid-coverage-uncovered", args=["430223"])).status_code == 404  # 攸县: above her
    bad = api.get(reverse("api:grid-coverage-uncovered", args=["430223123"]), {"uncontacted": "maybe"})
    assert bad.status_code == 400
    assert list(conforms(bad, UNCOVERED)) == ["uncontacted"]


def test_uncovered_households_page_by_cursor_in_a_constant_number_of_queries(world: World) -> None:
    api = _api(world, "xinshi_staff")
    url = reverse("api:grid-coverage-uncovered", args=["430223123215"])
    made = [household(world, "huilong", f"周{n}") for n in range(3)]
    few = _count_queries(lambda: api.get(url, {"page_size": 2}))
    made += [household(world, "huilong", f"李{n}") for n in range(5)]
    assert _count_queries(lambda: api.get(url, {"page_size": 2})) == few
    seen, page = [], api.get(url, {"page_size": 3}).json()
    while True:
        seen += [r["id"] for r in page["results"]]
        if not page["next"]:
            break
        page = api.get(page["next"]).json()
    assert seen == [h.pk for h in made]


def test_gaps_are_the_villages_without_a_township_executive(world: World) -> None:
    api = _api(world, "xinshi_staff")

    def codes() -> list[str]:
        response = api.get(reverse("api:grid-coverage-gaps", args=["430223123"]))
        assert response.status_code == 200
        return [row["code"] for row in conforms(response, GAPS)["results"]]

    assert codes() == ["430223123202", "430223123215"]
    township = executive(world, "xinshi", "刘春梅")
    assign(world, township, world.org("huilong"))
    assert codes() == ["430223123202"]
    row = api.get(reverse("api:grid-coverage-gaps", args=["430223123"])).json()["results"][0]
    assert (row["level"], row["parent"]) == ("village", "430223123")
    past = api.get(reverse("api:grid-coverage-gaps", args=["430223123"]), {"on": "2021-01-01"}).json()
    assert [r["code"] for r in past["results"]] == ["430223123202", "430223123215"]


def test_the_gaps_list_reads_a_constant_number_of_queries(world: World) -> None:
    api = _api(world, "youxian_admin")
    url = reverse("api:grid-coverage-gaps", args=["430223"])
    many = _count_queries(lambda: api.get(url))
    assert len(api.get(url).json()["results"]) == 5  # 新市镇, 江桥街道 and their three villages
    assign(world, executive(world, "xinshi", "刘春梅"), world.org("huilong"))
    assign(world, post(world, person(world, "youxian", "罗秀英"), "youxian"), world.org("xinshi"))
    assert len(api.get(url).json()["results"]) == 3
    assert _count_queries(lambda: api.get(url)) == many


# --- contacts ---------------------------------------------------------------------------------


def _zhiwei(world: World) -> Person:
    """The 执委 behind the ``huilong_zhiwei`` account."""
    herself = executive(world, "huilong", "周桂姣").person
    Person.objects.filter(pk=herself.pk).update(account=world.user("huilong_zhiwei"))
    herself.refresh_from_db()
    return herself


def _work_mode() -> int:
    return WorkMode.objects.get(name="入户走访").pk


def _record(api: Any, **body: Any) -> Any:
    body.setdefault("work_mode", _work_mode())
    return api.post(reverse("api:grid-contact-list"), body, format="json")


def test_an_executive_member_records_her_own_contact(world: World) -> None:
    herself = _zhiwei(world)
    target = household(world, "huilong", "周建国")
    api = _api(world, "huilong_zhiwei")
    day = (TODAY() - datetime.timedelta(days=1)).isoformat()
    response = _record(api, mode="visit", happened_on=day, households=[target.pk], note="入户走访")
    assert response.status_code == 201, response.json()
    body = conforms(response, CONTACTS, "post")
    assert (body["person"], body["households"], body["org"], body["photos"]) == (
        herself.pk,
        [{"id": target.pk, "head_name": "周建国"}],
        "430223123215",
        [],
    )
    target.refresh_from_db()
    assert target.last_contact_on == TODAY() - datetime.timedelta(days=1)
    other = executive(world, "huilong", "李秀英").person
    refused = _record(api, person=other.pk, mode="visit", happened_on=day, households=[target.pk])
    assert refused.status_code == 400
    assert conforms(refused, CONTACTS, "post") == {"person": ["You can record only your own contacts."]}
    as_herself = _record(api, person=herself.pk, mode="call", happened_on=day, whom="村民")
    assert as_herself.status_code == 201, as_herself.json()
    assert Contact.objects.filter(person=herself).count() == 2


def test_staff_record_on_behalf_of_an_executive_member_with_photos(world: World) -> None:
    member = executive(world).person
    target = household(world, "huilong", "周建国")
    response = _api(world, "xinshi_staff").post(
        reverse("api:grid-contact-list"),
        {
            "person": member.pk,
            "work_mode": _work_mode(),
            "mode": "visit",
            "happened_on": TODAY().isoformat(),
            "households": [target.pk],
            "photos": [SimpleUploadedFile("a.jpg", jpeg()), SimpleUploadedFile("b.jpg", jpeg())],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = conforms(response, CONTACTS, "post")
    photos = list(Contact.objects.get().photos.order_by("id"))
    assert body["photos"] == [f"http://testserver/grid/contacts/photos/{p.pk}/" for p in photos]
    shown = _api(world, "xinshi_staff").get(reverse("api:grid-contact-detail", args=[body["id"]]))
    assert conforms(shown, CONTACT)["photos"] == body["photos"]


def test_staff_without_a_person_named_and_without_one_of_their_own_get_a_400_on_person(world: World) -> None:
    response = _record(
        _api(world, "xinshi_staff"), mode="visit", happened_on=TODAY().isoformat(), households=[household(world).pk]
    )
    assert response.status_code == 400
    assert list(conforms(response, CONTACTS, "post")) == ["person"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mode": "telepathy"}, "mode"),
        ({"happened_on": "2999-01-01"}, "happened_on"),
        ({"households": [], "whom": ""}, "households"),
        ({"households": [99999999]}, "households"),
        ({"person": 99999999}, "person"),
    ],
)
def test_a_bad_contact_is_a_400_naming_the_field(world: World, changes: dict[str, Any], field: str) -> None:
    member = executive(world).person
    body = {"person": member.pk, "mode": "visit", "happened_on": TODAY().isoformat()}
    body["households"] = [household(world).pk]
    response = _record(_api(world, "xinshi_staff"), **{**body, **changes})
    assert response.status_code == 400, response.content[:300]
    assert list(conforms(response, CONTACTS, "post")) == [field]
    assert not Contact.objects.exists()


def test_a_household_outside_the_area_gets_the_words_of_one_that_does_not_exist(world: World) -> None:
    outside = household(world, "shucai", "钟建华")
    body = {"person": executive(world).person.pk, "mode": "visit", "happened_on": TODAY().isoformat()}
    response = _record(_api(world, "xinshi_staff"), **body, households=[outside.pk])
    assert response.json() == {"households": [f"No household with id {outside.pk} in your area."]}


def test_a_leader_reads_contacts_but_records_none(world: World) -> None:
    member = executive(world).person
    made = services.contact_record(
        actor=world.user("city_admin"), person=member, mode="visit", happened_on=TODAY(), households=[household(world)]
    )
    api = _api(world, "leader")
    listed = api.get(reverse("api:grid-contact-list"))
    assert [row["id"] for row in conforms(listed, CONTACTS)["results"]] == [made.pk]
    refused = _record(api, person=member.pk, mode="visit", happened_on=TODAY().isoformat(), whom="村民")
    assert refused.status_code == 403


def test_contacts_filter_by_household_person_mode_and_days(world: World) -> None:
    first, second = executive(world, name="周桂姣").person, executive(world, name="李秀英").person
    one, two = household(world, "huilong", "周一"), household(world, "huilong", "周二")
    admin = world.user("city_admin")

    def record(who: Person, days: int, mode: str, *households: Household) -> Contact:
        happened = TODAY() - datetime.timedelta(days=days)
        return services.contact_record(
            actor=admin, person=who, mode=mode, happened_on=happened, households=list(households)
        )

    old = record(first, 30, "visit", one)
    recent = record(second, 2, "call", one, two)
    api = _api(world, "xinshi_staff")

    def ids(**params: Any) -> list[int]:
        response = api.get(reverse("api:grid-contact-list"), params)
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in conforms(response, CONTACTS)["results"]]

    assert ids() == [recent.pk, old.pk]  # newest first
    assert ids(household=two.pk) == [recent.pk]
    assert ids(person=first.pk) == [old.pk]
    assert ids(mode="call") == [recent.pk]
    assert ids(search="lxy") == [recent.pk]  # 李秀英
    assert ids(since=(TODAY() - datetime.timedelta(days=10)).isoformat()) == [recent.pk]
    assert ids(until=(TODAY() - datetime.timedelta(days=10)).isoformat()) == [old.pk]
    assert ids(org="430223123215") == [recent.pk, old.pk]
    for params, field in [({"household": "abc"}, "household"), ({"since": "x"}, "since"), ({"mode": "y"}, "mode")]:
        response = api.get(reverse("api:grid-contact-list"), params)
        assert response.status_code == 400
        assert list(response.json()) == [field]


def test_contacts_page_by_cursor_newest_first_in_a_constant_number_of_queries(world: World) -> None:
    member = executive(world).person
    admin = world.user("city_admin")
    api = _api(world, "xinshi_staff")
    url = reverse("api:grid-contact-list")
    made = []

    def record(n: int) -> None:
        target = household(world, "huilong", f"周{n}")
        made.append(
            services.contact_record(
                actor=admin,
                person=member,
                mode="visit",
                happened_on=TODAY() - datetime.timedelta(days=n % 3),
                households=[target],
                photos=[SimpleUploadedFile("a.jpg", jpeg())],
            )
        )

    for n in range(3):
        record(n)
    few = _count_queries(lambda: api.get(url, {"page_size": 2}))
    for n in range(3, 9):
        record(n)
    assert _count_queries(lambda: api.get(url, {"page_size": 2})) == few
    seen, page = [], api.get(url, {"page_size": 4}).json()
    while True:
        seen += [r["id"] for r in page["results"]]
        if not page["next"]:
            break
        page = api.get(page["next"]).json()
    expected = sorted(made, key=lambda c: (c.happened_on, c.pk), reverse=True)
    assert seen == [c.pk for c in expected]
    bad = api.get(url, {"cursor": "cD1hYmM="})  # p=abc: not a day
    assert bad.status_code == 400
    assert list(bad.json()) == ["cursor"]


def test_a_contact_lists_only_the_households_the_reader_may_see(world: World) -> None:
    # A township 执委's visit to households of two villages is placed at her township: a reader of
    # one village does not see it at all; the township's staff see both households.
    township_member = post(world, person(world, "xinshi", "刘春梅"), "xinshi").person
    one, two = household(world, "huilong", "周一"), household(world, "daqiaotou", "李二")
    made = services.contact_record(
        actor=world.user("city_admin"),
        person=township_member,
        mode="activity",
        happened_on=TODAY(),
        households=[one, two],
    )
    staff = _api(world, "xinshi_staff").get(reverse("api:grid-contact-detail", args=[made.pk]))
    assert {h["id"] for h in conforms(staff, CONTACT)["households"]} == {one.pk, two.pk}
    assert _api(world, "huilong_zhiwei").get(reverse("api:grid-contact-detail", args=[made.pk])).status_code == 404


def test_an_assignment_seen_but_given_by_a_level_above_is_a_403_to_end_and_a_404_outside(world: World) -> None:
    # A county 执委 taking 新市镇 (包乡镇): the township's staff see it (it is placed at the
    # township) but only the county may end it; 炎陵县's administrator does not see it at all.
    county_member = post(world, person(world, "youxian", "罗秀英"), "youxian")
    (made,) = assign(world, county_member, world.org("xinshi"))
    body = {"end_date": "2024-01-01"}
    url = reverse("api:grid-assignment-end", args=[made.pk])
    assert _api(world, "xinshi_staff").get(reverse("api:grid-assignment-detail", args=[made.pk])).status_code == 200
    refused = _api(world, "xinshi_staff").post(url, body, format="json")
    assert refused.status_code == 403
    conforms(refused, "/api/v1/grid/assignments/{id}/end/", "post")
    assert _api(world, "yanling_admin").post(url, body, format="json").status_code == 404
    assert _api(world, "youxian_admin").post(url, body, format="json").status_code == 200
