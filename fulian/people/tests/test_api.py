import pytest
from django.urls import reverse

from fulian.people.models import Person
from fulian.people.tests.helpers import person, post
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def test_list_is_masked_filtered_and_paged_without_a_count(world: World) -> None:
    p = person(world, "shucai", "钟桃华", mobile="13907331215")
    post(world, p, "shucai", "chair")
    body = world.api_for("yanling_admin").get(reverse("api:person-list"), {"q": "zth"}).json()
    assert "count" not in body
    assert body["next"] is None
    [row] = body["results"]
    assert row["mobile"] == "139****1215"
    assert row["current_posts"][0]["kind"] == "chair"


def test_a_filter_outside_the_scope_is_a_400(world: World) -> None:
    response = world.api_for("xinshi_staff").get(reverse("api:person-list"), {"org": world.org("shucai").code})
    assert response.status_code == 400
    assert "org" in response.json()


def test_create_update_reveal(world: World) -> None:
    api = world.api_for("xinshi_staff")
    number = id_number("430223", "19690815")
    created = api.post(
        reverse("api:person-list"),
        {"org": world.org("huilong").code, "name": "周桂姣", "id_number": number},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["birth_date"] == "1969-08-15"
    assert created.json()["id_number"] == f"430223********{number[-4:]}"
    changed = api.patch(reverse("api:person-detail", args=[pk]), {"mobile": "13907331215"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["mobile"] == "139****1215"
    revealed = api.post(reverse("api:person-reveal", args=[pk]), {"field": "id_number"}, format="json")
    assert revealed.json() == {"field": "id_number", "value": number}


def test_bad_input_names_the_fields(world: World) -> None:
    api = world.api_for("xinshi_staff")
    response = api.post(
        reverse("api:person-list"),
        {"org": world.org("shucai").code, "name": "", "mobile": "123"},
        format="json",
    )
    assert response.status_code == 400
    assert {"org", "name"} <= set(response.json())
    response = api.post(
        reverse("api:person-list"), {"org": world.org("huilong").code, "name": "周", "mobile": "123"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"mobile"}
    assert not Person.objects.exists()


def test_posts_and_changeover(world: World) -> None:
    api = world.api_for("xinshi_staff")
    p = person(world, "huilong", "周桂姣")
    created = api.post(
        reverse("api:post-list"),
        {"person": p.pk, "org": world.org("huilong").code, "kind": "chair", "start_date": "2021-09-01"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    changeover = api.post(
        reverse("api:term-changeover"),
        {"org": world.org("huilong").code, "on": "2026-09-01", "carry_over": [created.json()["id"]]},
        format="json",
    )
    assert changeover.status_code == 201
    assert changeover.json()["number"] == 2
    current = api.get(reverse("api:post-list"), {"current": "1"}).json()["results"]
    assert [(r["person_name"], r["term"]) for r in current] == [("周桂姣", 2)]
    ended = api.post(reverse("api:post-end", args=[current[0]["id"]]), {"end_date": "2026-10-01"}, format="json")
    assert ended.json()["end_date"] == "2026-10-01"


def test_the_api_lists_run_the_same_queries_for_few_or_many(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = world.api_for("xinshi_staff")
    for n in range(3):
        post(world, person(world, "huilong", f"周{n}"), "huilong")
    urls = [reverse("api:person-list"), reverse("api:post-list"), reverse("api:term-list")]
    api.get(reverse("api:me"))  # the grants are loaded once per user object

    def listed() -> list[int]:
        return [len(api.get(url).json()["results"]) for url in urls]

    with CaptureQueriesContext(connection) as few:
        assert listed() == [3, 3, 1]
    for n in range(30):
        post(world, person(world, "daqiaotou", f"李{n}"), "daqiaotou" if n % 2 else "xinshi")
    with CaptureQueriesContext(connection) as many:
        assert listed() == [33, 33, 3]
    assert len(many) == len(few)
