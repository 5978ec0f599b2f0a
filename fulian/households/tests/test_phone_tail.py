"""Searching by the last four digits of a phone (what a 执委 remembers, what the mask shows):
found by the keyed hash of the four digits, within the searcher's area only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.core.personal import fill_mobile_tail_hashes, keyed_hash, mobile_tail_hash
from fulian.households import services
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.people.tests.helpers import person
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def heads(response: object) -> list[str]:
    return html.texts(response, "#household-results td:first-child > a")


def names(response: object) -> list[str]:
    return html.texts(response, "#person-results td:first-child > a")


def test_four_digits_find_the_household_whose_phone_ends_so_in_the_area_only(world: World) -> None:
    household(world, "huilong", "周建国", mobile="13907335678")
    household(world, "daqiaotou", "李德福", mobile="13907331234")
    household(world, "shucai", "王秀英", mobile="13807335678")  # 炎陵县: another county
    xinshi = world.client_for("xinshi_staff")
    assert heads(xinshi.get(reverse("households:list"), {"search": "5678"})) == ["周建国"]
    assert heads(xinshi.get(reverse("households:list"), {"search": " 1234 "})) == ["李德福"]
    assert heads(xinshi.get(reverse("households:list"), {"search": "0000"})) == []
    # The city sees both households whose phone ends in 5678; the village only its own.
    city = world.client_for("city_admin")
    assert sorted(heads(city.get(reverse("households:list"), {"search": "5678"}))) == ["周建国", "王秀英"]
    assert heads(world.client_for("huilong_zhiwei").get(reverse("households:list"), {"search": "1234"})) == []


def test_four_digits_find_people_and_the_api_answers_the_same(world: World) -> None:
    person(world, "shucai", "钟桃华", mobile="13907331215")
    person(world, "huilong", "周桂姣", mobile="13907331215")
    person(world, "shucai", "李秀英", mobile="13907339999")
    client = world.client_for("yanling_admin")
    assert names(client.get(reverse("people:list"), {"search": "1215"})) == ["钟桃华"]
    rows = client.get("/api/v1/people/", {"search": "1215"}).json()["results"]
    assert [r["name"] for r in rows] == ["钟桃华"]


def test_the_suffix_is_a_keyed_hash_never_the_digits_and_follows_edits_and_erasure(world: World) -> None:
    h = household(world, "huilong", "周建国", mobile="13907335678")
    stored = Household.objects.values_list("mobile_tail_hash", flat=True).get(pk=h.pk)
    assert stored == mobile_tail_hash("5678")
    assert "5678" not in stored
    # Not the hash a whole value of four characters would have (nothing else can be matched by it).
    assert stored != keyed_hash("5678")
    services.household_update(actor=world.user("city_admin"), household=h, values={"mobile": "13907330001"})
    assert Household.objects.get(pk=h.pk).mobile_tail_hash == mobile_tail_hash("0001")
    services.household_erase(actor=world.user("city_admin"), household=Household.objects.get(pk=h.pk), reason="x")
    assert Household.objects.get(pk=h.pk).mobile_tail_hash is None


def test_other_searches_are_unchanged_by_the_suffix_rule(world: World) -> None:
    household(world, "huilong", "周建国", mobile="13907335678")
    client = world.client_for("xinshi_staff")
    # Three or five digits are not a suffix: they match no name and find nobody, as before.
    assert heads(client.get(reverse("households:list"), {"search": "678"})) == []
    assert heads(client.get(reverse("households:list"), {"search": "35678"})) == []
    # The whole number and the name still find her.
    assert heads(client.get(reverse("households:list"), {"search": "13907335678"})) == ["周建国"]
    assert heads(client.get(reverse("households:list"), {"search": "zjg"})) == ["周建国"]


def test_a_suffix_search_reads_the_hash_column_and_never_decrypts_phones(world: World) -> None:
    household(world, "huilong", "周建国", mobile="13907335678")
    client = world.client_for("xinshi_staff")
    client.get(reverse("households:list"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("households:list"), {"search": "5678"})
    listed = [q["sql"] for q in queries.captured_queries if "households_household" in q["sql"]]
    assert any(mobile_tail_hash("5678") in sql for sql in listed)


def test_the_migration_backfill_fills_rows_written_before_the_column(world: World) -> None:
    h = household(world, "huilong", "周建国", mobile="13907335678")
    p = person(world, "huilong", "周桂姣", mobile="13907331215")
    person(world, "huilong", "李秀英")  # no phone: stays empty
    Household.objects.update(mobile_tail_hash=None)
    Person.objects.update(mobile_tail_hash=None)
    assert fill_mobile_tail_hashes(Household, batch=1) == 1
    assert fill_mobile_tail_hashes(Person, batch=1) == 1
    assert Household.objects.get(pk=h.pk).mobile_tail_hash == mobile_tail_hash("5678")
    assert dict(Person.objects.values_list("pk", "mobile_tail_hash")) == {
        p.pk: mobile_tail_hash("1215"),
        p.pk + 1: None,
    }
