"""API errors have the published shape: each field maps to a list of strings (or a string),
whatever the nesting of the serializer's own errors."""

from typing import Any

import pytest
from rest_framework import exceptions

from fulian.core.drf import exception_handler
from fulian.testing.world import World


def test_nested_field_errors_are_flattened_with_the_item_index() -> None:
    error = exceptions.ValidationError({"categories": {"0": ["bad"], "2": ["worse"]}, "name": ["missing"]})
    response = exception_handler(error, {})
    assert response is not None
    assert response.data == {"categories": ["[0] bad", "[2] worse"], "name": ["missing"]}


def test_a_wrong_item_of_a_list_field_is_named_by_its_place(world: World, db: Any) -> None:
    household = world.org("huilong")
    response = world.api_for("xinshi_staff").post(
        "/api/v1/households/",
        {"org": household.code, "head_name": "王芳", "categories": [1, "bogus"]},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["categories"]
    assert isinstance(errors, list)
    assert len(errors) == 1
    assert errors[0].startswith("[1] ")
    assert "bogus" in errors[0]


@pytest.mark.parametrize(
    ("url", "username"),
    [
        ("/api/v1/orgs/", "xinshi_staff"),  # counted pages
        ("/api/v1/households/", "xinshi_staff"),  # a cursor along the id
        ("/api/v1/audit/", "auditor"),  # a cursor
    ],
)
@pytest.mark.parametrize("value", ["null", "0", "-3", "2.5", "十"])
def test_a_page_size_that_is_not_a_positive_number_is_a_400(world: World, url: str, username: str, value: str) -> None:
    response = world.api_for(username).get(url, {"page_size": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"page_size": [f"Enter a whole number of rows per page, 1 or more (not “{value}”)."]}


def test_a_page_size_past_the_maximum_gives_the_maximum() -> None:
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from fulian.core.drf import strict_page_size

    def asked(query: str) -> int:
        return strict_page_size(Request(APIRequestFactory().get(f"/x/?{query}")), default=50, maximum=200)

    assert (asked(""), asked("page_size=7"), asked("page_size=200"), asked("page_size=5000")) == (50, 7, 200, 200)


@pytest.mark.parametrize(
    ("url", "username", "param", "value", "message"),
    [
        ("/api/v1/accounts/", "security", "is_active", "null", "Enter true or false."),
        ("/api/v1/accounts/", "security", "is_active", "yes please", "Enter true or false."),
        ("/api/v1/posts/", "xinshi_staff", "current", "true", "Use 1 for the posts held now, or leave it out."),
    ],
)
def test_a_filter_value_that_is_not_understood_is_a_400_naming_it(
    world: World, url: str, username: str, param: str, value: str, message: str
) -> None:
    response = world.api_for(username).get(url, {param: value}, headers={"accept-language": "en"})
    assert (response.status_code, response.json()) == (400, {param: [message]})


@pytest.mark.parametrize(
    ("url", "username", "param", "value"),
    [
        ("/api/v1/accounts/", "security", "is_active", "false"),
        ("/api/v1/accounts/", "security", "is_active", ""),
        ("/api/v1/posts/", "xinshi_staff", "current", "1"),
        ("/api/v1/posts/", "xinshi_staff", "current", ""),
    ],
)
def test_a_filter_value_it_understands_or_an_empty_one_is_accepted(
    world: World, url: str, username: str, param: str, value: str
) -> None:
    assert world.api_for(username).get(url, {param: value}).status_code == 200


@pytest.mark.parametrize("value", [0, -1, 2**63, -(2**65)])
def test_an_id_in_a_body_that_no_record_can_have_is_a_400_naming_the_field(world: World, value: int) -> None:
    # Found by fuzzing: a 66-bit number among the posts to carry over overflowed the driver (a 500).
    response = world.api_for("xinshi_staff").post(
        "/api/v1/terms/changeover/",
        {"org": world.org("huilong").code, "on": "2026-12-01", "carry_over": [value]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"carry_over"}


@pytest.mark.parametrize("value", [0, 12.5, True, ["周"], {"a": 1}])
def test_text_in_a_json_body_must_be_text(world: World, value: object) -> None:
    # Found by fuzzing: DRF stored a JSON number as text ("name": 0 made a member named "0").
    home = world.api_for("xinshi_staff").post(
        "/api/v1/households/", {"org": world.org("huilong").code, "head_name": "周建国"}, format="json"
    )
    assert home.status_code == 201, home.json()
    response = world.api_for("xinshi_staff").post(
        "/api/v1/household-members/",
        {"household": home.json()["id"], "name": value, "relation": "spouse"},
        format="json",
        headers={"accept-language": "en"},
    )
    assert (response.status_code, response.json()) == (400, {"name": ["Enter text, not a number or a list."]})


@pytest.mark.parametrize("value", [0, 1, "true", None])
def test_a_yes_or_no_in_a_json_body_is_true_or_false(world: World, value: object) -> None:
    # Found by fuzzing: {"active": 0} deactivated the account, though the schema says a boolean.
    target = world.user("nobody")
    response = world.api_for("security").post(
        f"/api/v1/accounts/{target.pk}/active/", {"active": value}, format="json", headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"active"}
    target.refresh_from_db()
    assert target.is_active
