"""A person's posts at organisations outside the reader's scope are not shown, on the pages, in
the API or in exports, and no link or button on a page leads to a 404 or a refusal."""

from typing import Any

import pytest
from django.urls import reverse

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post
from fulian.people.tests.helpers import person, post
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(world: World) -> Person:
    """The chair of 回龙村 who is also an executive member of 新市镇 (the township above)."""
    who = person(world, "huilong", "周桂姣")
    post(world, who, "huilong", PostKind.CHAIR)
    post(world, who, "xinshi", PostKind.MEMBER)
    return who


def township_post(chair: Person) -> Post:
    return Post.objects.get(person=chair, org__code="430223123")


def test_a_village_reader_sees_her_village_post_only(world: World, chair: Person) -> None:
    page = world.client_for("huilong_zhiwei").get(reverse("people:detail", args=[chair.pk])).content.decode()
    assert reverse("people:roster", args=[world.org("huilong").pk]) in page
    assert reverse("people:roster", args=[world.org("xinshi").pk]) not in page
    assert "新市镇" not in page
    assert reverse("people:post_end", args=[township_post(chair).pk]) not in page
    # The insider, at the township, sees both.
    staff = world.client_for("xinshi_staff").get(reverse("people:detail", args=[chair.pk])).content.decode()
    assert reverse("people:roster", args=[world.org("xinshi").pk]) in staff
    assert reverse("people:post_end", args=[township_post(chair).pk]) in staff


def test_every_link_on_her_page_opens(world: World, chair: Person) -> None:
    client = world.client_for("huilong_zhiwei")
    page = client.get(reverse("people:detail", args=[chair.pk])).content.decode()
    roster = reverse("people:roster", args=[world.org("huilong").pk])
    assert client.get(roster).status_code == 200
    assert client.get(reverse("people:roster", args=[world.org("xinshi").pk])).status_code == 404
    assert roster in page


def test_the_api_and_the_list_show_only_the_posts_in_scope(world: World, chair: Person) -> None:
    api = world.api_for("huilong_zhiwei")
    detail = api.get(reverse("api:person-detail", args=[chair.pk])).json()
    assert [p["org"] for p in detail["current_posts"]] == [world.org("huilong").code]
    [row] = api.get(reverse("api:person-list"), {"q": "周桂姣"}).json()["results"]
    assert [p["org"] for p in row["current_posts"]] == [world.org("huilong").code]
    inside = world.api_for("xinshi_staff").get(reverse("api:person-detail", args=[chair.pk])).json()
    assert sorted(p["org"] for p in inside["current_posts"]) == sorted(
        [world.org("huilong").code, world.org("xinshi").code]
    )
    listed = world.client_for("huilong_zhiwei").get(reverse("people:list"), {"q": "周桂姣"}).content.decode()
    assert "新市镇" not in listed
    assert "回龙村" in listed
    export = (
        world.client_for("huilong_zhiwei").get(reverse("people:export"), {"format": "csv"}).content.decode("utf-8-sig")
    )
    assert "回龙村主席" in export
    assert "新市镇" not in export


def test_a_post_seen_but_not_changeable_has_no_end_button(world: World) -> None:
    # Reads the whole county, changes only 新市镇: a county post of a 回龙村 member is seen, not ended.
    mixed = User.objects.create(username="mixed", full_name="Mixed", org=world.org("youxian"))
    RoleGrant.objects.create(user=mixed, org=world.org("youxian"), role=Role.VIEWER)
    RoleGrant.objects.create(user=mixed, org=world.org("xinshi"), role=Role.STAFF)
    who = person(world, "huilong", "周桂姣")
    village = post(world, who, "huilong", PostKind.CHAIR)
    county = post(world, who, "youxian", PostKind.MEMBER)
    client = world.client_for("mixed")
    page = client.get(reverse("people:detail", args=[who.pk])).content.decode()
    assert reverse("people:roster", args=[world.org("youxian").pk]) in page
    assert reverse("people:post_end", args=[village.pk]) in page
    assert reverse("people:post_end", args=[county.pk]) not in page
    assert client.post(reverse("people:post_end", args=[county.pk]), {"end_date": "2025-01-01"}).status_code == 403


def test_a_roster_names_but_does_not_link_a_member_kept_outside_the_readers_scope(world: World) -> None:
    # A city cadre sits on 回龙村's committee: her record is kept at the city.
    cadre = person(world, "city", "王市干")
    post(world, cadre, "huilong", PostKind.MEMBER)
    local = person(world, "huilong", "周桂姣")
    post(world, local, "huilong", PostKind.CHAIR)
    roster = reverse("people:roster", args=[world.org("huilong").pk])
    page = world.client_for("xinshi_staff").get(roster).content.decode()
    assert "王市干" in page
    assert reverse("people:detail", args=[cadre.pk]) not in page
    assert reverse("people:detail", args=[local.pk]) in page
    assert world.client_for("xinshi_staff").get(reverse("people:detail", args=[cadre.pk])).status_code == 404
    city = world.client_for("city_admin").get(roster).content.decode()
    assert reverse("people:detail", args=[cadre.pk]) in city


def test_a_roster_runs_the_same_queries_for_3_or_20_members(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client_for("xinshi_staff")
    roster = reverse("people:roster", args=[world.org("huilong").pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(roster).status_code == 200
        return len(captured)

    post(world, person(world, "huilong", "周桂姣"), "huilong", PostKind.CHAIR)
    for n in range(2):
        post(world, person(world, "city" if n else "huilong", f"李{n}"), "huilong")
    queries()
    few = queries()
    for n in range(17):
        post(world, person(world, "city" if n % 2 else "huilong", f"王{n}"), "huilong")
    assert queries() == few
    assert client.get(roster).content.decode().count('href="/people/') >= 10


def test_filters_by_post_and_term_count_only_the_posts_in_scope(world: World, chair: Person) -> None:
    """The village reader cannot find the chair through her township post (nor learn of it)."""
    from fulian.people.models import Term

    Term.objects.filter(org=world.org("xinshi")).update(number=7)
    Term.objects.filter(org=world.org("huilong")).update(number=3)
    village, township = world.api_for("huilong_zhiwei"), world.api_for("xinshi_staff")

    def names(api: Any, **params: str) -> list[str]:
        return [row["name"] for row in api.get(reverse("api:person-list"), params).json()["results"]]

    assert names(village, post=PostKind.MEMBER, q="周桂姣") == []
    assert names(township, post=PostKind.MEMBER, q="周桂姣") == ["周桂姣"]
    assert names(village, post=PostKind.CHAIR, q="周桂姣") == ["周桂姣"]
    assert names(village, term="7", q="周桂姣") == []
    assert names(township, term="7", q="周桂姣") == ["周桂姣"]
    assert names(village, term="3", q="周桂姣") == ["周桂姣"]
