"""A household's size follows its member list (the head counts as one unless listed among them)
unless someone writes it by hand; emptying the number makes it follow the list again."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from fulian.households import services
from fulian.households.choices import Relation
from fulian.households.models import Household
from fulian.households.tests.helpers import household, member
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def size(home: Household) -> tuple[int, bool]:
    home.refresh_from_db()
    return home.members_count, home.members_count_manual


def test_a_size_not_written_follows_the_members_added_and_removed(world: World) -> None:
    home = household(world)
    assert size(home) == (1, False)  # the head alone
    spouse = member(world, home, "李秀英", relation=Relation.SPOUSE)
    member(world, home, "周小红")
    assert size(home) == (3, False)
    # The head listed among the members is not counted twice.
    head = member(world, home, "周建国", relation=Relation.HEAD)
    assert size(home) == (3, False)
    services.member_update(actor=world.user("city_admin"), member=head, values={"relation": Relation.PARENT})
    assert size(home) == (4, False)
    services.member_remove(actor=world.user("city_admin"), member=spouse)
    assert size(home) == (3, False)


def test_a_size_written_by_hand_stays_until_it_is_emptied(world: World) -> None:
    home = household(world, members_count=5)
    member(world, home)
    assert size(home) == (5, True)
    services.household_update(actor=world.user("city_admin"), household=home, values={"notes": "搬到县城"})
    assert size(home) == (5, True)
    services.household_update(actor=world.user("city_admin"), household=home, values={"members_count": None})
    assert size(home) == (2, False)


def test_the_page_says_where_the_size_comes_from_and_the_form_empties_it(world: World) -> None:
    home = household(world, members_count=5)
    member(world, home)
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "(written by hand)" in client.get(reverse("households:detail", args=[home.pk])).content.decode()
    zh = world.client_for("xinshi_staff")
    assert "（手动填写）" in zh.get(reverse("households:detail", args=[home.pk])).content.decode()
    form = client.get(reverse("households:edit", args=[home.pk])).content.decode()
    assert 'name="members_count" value="5"' in form
    posted = client.post(
        reverse("households:edit", args=[home.pk]),
        {"org": world.org("huilong").code, "head_name": "周建国", "members_count": ""},
    )
    assert posted.status_code == 302
    assert size(home) == (2, False)
    page = client.get(reverse("households:detail", args=[home.pk])).content.decode()
    assert "(counted from the members)" in page
    assert "（按成员计算）" in zh.get(reverse("households:detail", args=[home.pk])).content.decode()
    form = client.get(reverse("households:edit", args=[home.pk])).content.decode()
    assert 'name="members_count" value=' not in form  # empty: it keeps following the list
    assert 'placeholder="2"' in form


def test_the_api_sets_a_size_by_hand_and_null_makes_it_follow_the_members(world: World) -> None:
    home = household(world)
    member(world, home)
    api = world.api_for("xinshi_staff")
    url = reverse("api:household-detail", args=[home.pk])
    body = api.patch(url, {"members_count": 6}, format="json").json()
    assert (body["members_count"], body["members_count_manual"]) == (6, True)
    body = api.patch(url, {"members_count": None}, format="json").json()
    assert (body["members_count"], body["members_count_manual"]) == (2, False)


def test_sizes_written_before_are_kept_by_hand_where_the_list_gives_another(world: World) -> None:
    follows = household(world, head="周建国")
    member(world, follows)
    written = household(world, head="李德福", members_count=4)
    Household.objects.update(members_count_manual=False)
    Household.objects.filter(pk=follows.pk).update(members_count=2)
    migration = importlib.import_module("fulian.households.migrations.0004_members_count_manual")
    migration.keep_written_sizes(apps, None)
    assert size(follows) == (2, False)
    assert size(written) == (4, True)
