"""The organisation API at /api/v1/orgs/: filters, paging, errors, detail, adding groups."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from fulian.orgs.models import Organisation
from fulian.orgs.services import group_create_as_system
from fulian.testing.world import World

LIST = "/api/v1/orgs/"


def api(world: World, username: str) -> APIClient:
    client: APIClient = world.api_for(username)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def detail(org: Organisation) -> str:
    return f"{LIST}{org.pk}/"


def groups(org: Organisation) -> str:
    return f"{LIST}{org.pk}/groups/"


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def add_groups(village: Organisation, n: int) -> None:
    for i in range(n):
        group_create_as_system(village=village, name=f"加组{i:02d}")


# --- list and filters ------------------------------------------------------------------


def test_the_list_is_the_callers_subtree_in_tree_order(world: World) -> None:
    response = api(world, "xinshi_staff").get(LIST)
    assert codes(response) == ["430223123", "430223123202", "430223123215", "430223123215001"]
    row = response.json()["results"][2]
    assert row == {
        "id": world.org("huilong").pk,
        "code": "430223123215",
        "name": "回龙村",
        "display_name": "回龙村",
        "federation_name": "回龙村 Women's Federation",
        "level": "village",
        "parent": world.org("xinshi").pk,
        "path": "/430200/430223/430223123/430223123215/",
        "depth": 4,
    }


def test_filter_by_parent(world: World) -> None:
    response = api(world, "xinshi_staff").get(LIST, {"parent": world.org("xinshi").pk})
    assert codes(response) == ["430223123202", "430223123215"]


def test_filter_by_level(world: World) -> None:
    assert codes(api(world, "city_admin").get(LIST, {"level": "township"})) == ["430223002", "430223123", "430225100"]
    assert codes(api(world, "yanling_staff").get(LIST, {"level": "village"})) == ["430225100001", "430225100215"]


def test_filter_by_code_prefix(world: World) -> None:
    response = api(world, "city_admin").get(LIST, {"code_prefix": "430223123215"})
    assert codes(response) == ["430223123215", "430223123215001"]


@pytest.mark.parametrize(
    ("text", "expected"), [("hlc", ["430223123215"]), ("回龙", ["430223123215"]), ("huilong", ["430223123215"])]
)
def test_filter_by_search(world: World, text: str, expected: list[str]) -> None:
    assert codes(api(world, "city_admin").get(LIST, {"search": text})) == expected


def test_search_is_scoped(world: World) -> None:
    assert codes(api(world, "xinshi_staff").get(LIST, {"search": "蔬菜"})) == []


def test_filters_combine(world: World) -> None:
    response = api(world, "city_admin").get(LIST, {"level": "village", "code_prefix": "430223", "search": "村"})
    assert codes(response) == ["430223123202", "430223123215"]


def test_the_list_is_paged_with_count_and_links(world: World) -> None:
    add_groups(world.org("huilong"), 60)
    client = api(world, "xinshi_staff")
    first = client.get(LIST).json()
    assert first["count"] == 64
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 14
    assert second["next"] is None
    assert second["previous"] is not None
    small = client.get(LIST, {"page_size": 10}).json()
    assert len(small["results"]) == 10


def test_page_size_is_capped(world: World) -> None:
    add_groups(world.org("huilong"), 210)
    assert len(api(world, "xinshi_staff").get(LIST, {"page_size": 1000}).json()["results"]) == 200


@pytest.mark.parametrize(
    ("param", "value"), [("level", "planet"), ("parent", "abc"), ("parent", "999999"), ("parent", "-1")]
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(world: World, param: str, value: str) -> None:
    response = api(world, "xinshi_staff").get(LIST, {param: value})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == [param]
    assert body[param][0].startswith("Select a valid choice.")


def test_a_parent_outside_the_scope_is_refused_like_one_that_does_not_exist(world: World) -> None:
    client = api(world, "xinshi_staff")
    outside = client.get(LIST, {"parent": world.org("xiayang").pk})
    missing = client.get(LIST, {"parent": 999999})
    assert outside.status_code == missing.status_code == 400
    assert outside.json() == missing.json()
    assert codes(api(world, "yanling_staff").get(LIST, {"parent": world.org("xiayang").pk})) == [
        "430225100001",
        "430225100215",
    ]


# --- one organisation ------------------------------------------------------------------


def test_the_detail_has_ancestors_with_ids_only_where_visible_and_counts(world: World) -> None:
    body = api(world, "xinshi_staff").get(detail(world.org("huilong"))).json()
    assert body["ancestors"] == [
        {"id": None, "code": "430200", "display_name": "株洲市", "level": "city"},
        {"id": None, "code": "430223", "display_name": "攸县", "level": "county"},
        {"id": world.org("xinshi").pk, "code": "430223123", "display_name": "新市镇", "level": "township"},
    ]
    assert body["counts"] == {"group": 1}
    assert body["code"] == "430223123215"


def test_the_detail_of_a_county_counts_every_level_below(world: World) -> None:
    body = api(world, "youxian_admin").get(detail(world.org("youxian"))).json()
    assert body["counts"] == {"township": 2, "village": 3, "group": 1}
    assert body["ancestors"] == [{"id": None, "code": "430200", "display_name": "株洲市", "level": "city"}]


def test_the_root_has_no_ancestors(world: World) -> None:
    body = api(world, "city_admin").get(detail(world.org("city"))).json()
    assert body["ancestors"] == []
    assert body["parent"] is None
    assert body["counts"] == {"county": 2, "township": 3, "village": 5, "group": 1}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_organisations_are_read_only(world: World, method: str) -> None:
    response = getattr(api(world, "city_admin"), method)(detail(world.org("huilong")), {"name": "x"}, format="json")
    assert response.status_code == 405
    assert world.org("huilong").name == "回龙村"


# --- adding a group --------------------------------------------------------------------


def test_staff_add_a_group_through_the_api(world: World) -> None:
    response = api(world, "xinshi_staff").post(groups(world.org("huilong")), {"name": "第二村民小组"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["code"], body["name"], body["level"], body["parent"]) == (
        "430223123215002",
        "第二村民小组",
        "group",
        world.org("huilong").pk,
    )
    assert Organisation.objects.get(pk=body["id"]).path.endswith("/430223123215/430223123215002/")


@pytest.mark.parametrize("username", ["leader", "huilong_zhiwei", "security"])
def test_viewers_and_members_get_403_when_adding_a_group(world: World, username: str) -> None:
    count = Organisation.objects.count()
    response = api(world, username).post(groups(world.org("huilong")), {"name": "第二村民小组"}, format="json")
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Organisation.objects.count() == count


@pytest.mark.parametrize(
    ("key", "payload", "message"),
    [
        ("huilong", {"name": ""}, "This field may not be blank."),
        ("huilong", {"name": "   "}, "This field may not be blank."),
        ("huilong", {}, "This field is required."),
        ("huilong", {"name": "第一村民小组"}, "This village already has a group called 第一村民小组."),
        ("huilong", {"name": "组" * 101}, "Ensure this field has no more than 100 characters."),
        ("xinshi", {"name": "第二村民小组"}, "Groups can only be added under a village or community."),
    ],
)
def test_a_refused_group_is_a_400_naming_the_field(
    world: World, key: str, payload: dict[str, str], message: str
) -> None:
    count = Organisation.objects.count()
    response = api(world, "xinshi_staff").post(groups(world.org(key)), payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": [message]}
    assert Organisation.objects.count() == count


# --- authentication --------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [("get", "list"), ("get", "detail"), ("post", "groups")])
def test_an_anonymous_caller_gets_a_json_refusal_not_a_login_page(world: World, method: str, path: str) -> None:
    huilong = world.org("huilong")
    url = {"list": LIST, "detail": detail(huilong), "groups": groups(huilong)}[path]
    count = Organisation.objects.count()
    response = getattr(APIClient(), method)(url, {"name": "第二村民小组"} if method == "post" else None, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert Organisation.objects.count() == count


# --- queries ---------------------------------------------------------------------------


def _count(client: APIClient, url: str, params: dict[str, Any] | None = None) -> int:
    client.get(url, params)  # warm up: the caller's grants are then cached on the user
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    client = api(world, "xinshi_staff")
    before = _count(client, LIST)
    assert before <= 2  # count, page
    add_groups(world.org("huilong"), 20)
    with django_assert_num_queries(before):
        response = client.get(LIST)
    assert response.json()["count"] == 24


def test_the_filtered_list_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    client = api(world, "xinshi_staff")
    params: dict[str, Any] = {"parent": world.org("huilong").pk, "search": "组"}
    before = _count(client, LIST, params)
    add_groups(world.org("huilong"), 20)
    with django_assert_num_queries(before):
        response = client.get(LIST, params)
    assert response.json()["count"] == 21


def test_the_detail_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    client = api(world, "xinshi_staff")
    url = detail(world.org("huilong"))
    before = _count(client, url)
    add_groups(world.org("huilong"), 20)
    with django_assert_num_queries(before):
        assert client.get(url).json()["counts"] == {"group": 21}


def test_a_code_prefix_that_is_not_digits_is_a_400_naming_the_parameter(world: World) -> None:
    response = world.api_for("city_admin").get("/api/v1/orgs/", {"code_prefix": "abc"})
    assert response.status_code == 400
    assert "code_prefix" in response.json()


def test_an_invalid_page_says_so(world: World) -> None:
    response = world.api_for("city_admin").get("/api/v1/orgs/", {"page": 999})
    assert response.status_code == 404
    assert response.json()["detail"] != "Not found."
