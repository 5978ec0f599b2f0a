"""A list filtered by a row's id (``?person=``, ``?household=``): the row must be one the caller
may see; anything else is a 400 naming the parameter — never an ignored filter, never a 500."""

from typing import Any

import pytest

from fulian.households.tests.helpers import household, member
from fulian.people import services as people_services
from fulian.testing.world import World

BAD = ["abc", "-1", "0", "１２", "99999999999999999999999999", str(2**63)]


def _get(world: World, username: str, url: str) -> Any:
    return world.api_for(username).get(url, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("value", BAD)
def test_members_filtered_by_a_bad_household_id_is_a_400(world: World, value: str) -> None:
    response = _get(world, "xinshi_staff", f"/api/v1/household-members/?household={value}")
    assert response.status_code == 400
    assert response.json()["household"] == [f"No household with id {value} in your area."]


def test_members_of_a_household_outside_the_area_is_a_400(world: World) -> None:
    outside = household(world, org="shucai")
    member(world, outside)
    response = _get(world, "xinshi_staff", f"/api/v1/household-members/?household={outside.pk}")
    assert response.status_code == 400
    inside = _get(world, "yanling_admin", f"/api/v1/household-members/?household={outside.pk}")
    assert inside.status_code == 200
    assert [row["name"] for row in inside.json()["results"]] == ["周小红"]


@pytest.mark.parametrize("value", BAD)
def test_posts_filtered_by_a_bad_person_id_is_a_400(world: World, value: str) -> None:
    response = _get(world, "xinshi_staff", f"/api/v1/posts/?person={value}")
    assert response.status_code == 400
    assert response.json()["person"] == [f"No person with id {value} in your area."]


def test_posts_of_a_person_outside_the_area_is_a_400(world: World) -> None:
    person = people_services.person_create(
        actor=world.user("city_admin"), org=world.org("shucai"), values={"name": "罗秀英", "gender": "F"}
    )
    assert _get(world, "xinshi_staff", f"/api/v1/posts/?person={person.pk}").status_code == 400
    assert _get(world, "yanling_admin", f"/api/v1/posts/?person={person.pk}").status_code == 200


def test_a_post_for_a_person_outside_the_area_is_a_400_on_that_field(world: World) -> None:
    person = people_services.person_create(
        actor=world.user("city_admin"), org=world.org("shucai"), values={"name": "罗秀英", "gender": "F"}
    )
    response = world.api_for("xinshi_staff").post(
        "/api/v1/posts/",
        {"person": person.pk, "org": "430223123215", "kind": "member", "start_date": "2026-01-01"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"person": [f"No person with id {person.pk} in your area."]}
