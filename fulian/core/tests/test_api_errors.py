"""API errors have the published shape: each field maps to a list of strings (or a string),
whatever the nesting of the serializer's own errors."""

from typing import Any

from rest_framework import exceptions

from fulian.core.drf import exception_handler
from fulian.core.testing.world import World


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
