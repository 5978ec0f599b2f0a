"""The roster's state changes through the pages and the API: a post ends and stays in the
history; a first term opens; a change-over (换届) ends a term and its posts and opens the next
with the re-elected; a person moves to another village."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from fulian.people.choices import PostKind
from fulian.people.models import Person, Post, Term
from fulian.people.tests.helpers import START, person, post
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

CHANGEOVER = datetime.date(2026, 9, 1)


def _page(world: World) -> Any:
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _api(world: World) -> Any:
    client = world.api_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _history(response: Any) -> list[tuple[str, str, str, str, str]]:
    """The person page's posts: (organisation, post, term, from, until)."""
    return [
        tuple(cell.text for cell in row.select("td")[:5])  # type: ignore[misc]
        for row in html.select(response, "main section table tbody tr")
    ]


def _roster(response: Any) -> list[tuple[str, str]]:
    """The roster page's current committee: (post, name)."""
    return [
        (row.select_one("td:first-child").text, row.select("td")[1].text)
        for row in html.select(response, "main table tbody tr")
    ]


def test_a_post_ended_on_the_page_stays_in_the_history(world: World) -> None:
    chair = person(world, "huilong", "周桂姣")
    held = post(world, chair, "huilong", PostKind.CHAIR)
    client = _page(world)
    assert _history(client.get(reverse("people:detail", args=[chair.pk]))) == [
        ("回龙村 Women's Federation", "Chair", "Term 1", "2021-09-01", "Current")
    ]
    ended = client.post(reverse("people:post_end", args=[held.pk]), {"end_date": "2025-01-01"}, follow=True)
    assert html.alerts(ended, "success") == ["The post has ended; it stays in the history."]
    assert _history(ended) == [("回龙村 Women's Federation", "Chair", "Term 1", "2021-09-01", "2025-01-01")]
    held.refresh_from_db()
    assert held.end_date == datetime.date(2025, 1, 1)
    assert html.select(ended, f"form[action='{reverse('people:post_end', args=[held.pk])}']") == []
    # Gone from the committee and the current posts, not from the record.
    assert _roster(client.get(reverse("people:roster", args=[world.org("huilong").pk]))) == []
    assert _api(world).get(reverse("api:post-list"), {"current": "1"}).json()["results"] == []
    again = client.post(reverse("people:post_end", args=[held.pk]), {"end_date": "2025-02-01"}, follow=True)
    assert html.alerts(again, "danger") == ["This post has already ended."]
    held.refresh_from_db()
    assert held.end_date == datetime.date(2025, 1, 1)


def test_a_post_ended_through_the_api_once(world: World) -> None:
    held = post(world, person(world, "huilong", "周桂姣"))
    url = reverse("api:post-end", args=[held.pk])
    ended = _api(world).post(url, {"end_date": "2025-01-01"}, format="json")
    assert (ended.status_code, ended.json()["end_date"]) == (200, "2025-01-01")
    again = _api(world).post(url, {"end_date": "2025-02-01"}, format="json")
    assert (again.status_code, again.json()) == (400, {"detail": "This post has already ended."})
    assert Post.objects.get(pk=held.pk).end_date == datetime.date(2025, 1, 1)


def test_the_first_term_is_opened_on_the_roster_page_and_through_the_api(world: World) -> None:
    huilong, daqiaotou = world.org("huilong"), world.org("daqiaotou")
    page = _page(world).post(
        reverse("people:term_create", args=[huilong.pk]), {"start_date": "2021-09-01"}, follow=True
    )
    assert html.alerts(page, "success") == ["The term has been opened."]
    api = _api(world).post(reverse("api:term-list"), {"org": daqiaotou.code, "start_date": "2021-10-01"})
    assert (api.status_code, api.json()["number"], api.json()["ended_on"]) == (201, 1, None)
    assert sorted(Term.objects.values_list("org__code", "number", "start_date", "ended_on")) == [
        ("430223123202", 1, datetime.date(2021, 10, 1), None),
        ("430223123215", 1, START, None),
    ]


def test_a_change_over_on_the_page_ends_the_term_and_opens_the_next_with_the_re_elected(world: World) -> None:
    huilong = world.org("huilong")
    chair = post(world, person(world, "huilong", "周桂姣"), "huilong", PostKind.CHAIR, is_representative=True)
    leaving = post(world, person(world, "huilong", "李秀英"), "huilong", PostKind.VICE_CHAIR)
    client = _page(world)
    response = client.post(
        reverse("people:changeover", args=[huilong.pk]),
        {"on": CHANGEOVER.isoformat(), "end_date": "2031-08-31", "carry_over": [str(chair.pk)]},
        follow=True,
    )
    assert html.alerts(response, "success") == ["Term 2 has begun."]
    assert list(Term.objects.order_by("number").values_list("number", "start_date", "ended_on", "end_date")) == [
        (1, START, CHANGEOVER, None),
        (2, CHANGEOVER, None, datetime.date(2031, 8, 31)),
    ]
    # Every post of term 1 ended on the day; the re-elected chair holds the same post in term 2.
    assert sorted(Post.objects.filter(term__number=1).values_list("pk", "end_date")) == [
        (chair.pk, CHANGEOVER),
        (leaving.pk, CHANGEOVER),
    ]
    carried = Post.objects.get(term__number=2)
    assert (carried.person_id, carried.kind, carried.is_representative, carried.start_date, carried.end_date) == (
        chair.person_id,
        PostKind.CHAIR,
        True,
        CHANGEOVER,
        None,
    )
    assert _roster(response) == [("Chair Her representative", "周桂姣")]
    assert _history(client.get(reverse("people:detail", args=[leaving.person_id]))) == [
        ("回龙村 Women's Federation", "Vice-chair", "Term 1", "2021-09-01", "2026-09-01")
    ]


def test_a_change_over_through_the_api_and_the_next_one(world: World) -> None:
    huilong = world.org("huilong")
    chair = post(world, person(world, "huilong", "周桂姣"), "huilong", PostKind.CHAIR)
    second = _api(world).post(
        reverse("api:term-changeover"),
        {"org": huilong.code, "on": CHANGEOVER.isoformat(), "carry_over": [chair.pk]},
        format="json",
    )
    assert (second.status_code, second.json()["number"], second.json()["start_date"]) == (201, 2, "2026-09-01")
    third = _api(world).post(reverse("api:term-changeover"), {"org": huilong.code, "on": "2031-09-01"}, format="json")
    assert (third.status_code, third.json()["number"]) == (201, 3)
    assert list(Term.objects.filter(ended_on__isnull=True).values_list("number", flat=True)) == [3]
    assert not Post.objects.filter(end_date__isnull=True).exists()  # nobody carried into term 3


def test_a_person_moved_to_another_village_is_seen_there_and_keeps_her_posts(world: World) -> None:
    someone = person(world, "huilong", "周桂姣")
    held = post(world, someone, "huilong", PostKind.MEMBER)
    response = _api(world).patch(
        reverse("api:person-detail", args=[someone.pk]), {"org": world.org("daqiaotou").code}, format="json"
    )
    assert (response.status_code, response.json()["org"]) == (200, "430223123202")
    someone.refresh_from_db()
    assert (someone.org_id, someone.village_id) == (world.org("daqiaotou").pk, world.org("daqiaotou").pk)
    assert list(Person.objects.visible_to(world.user("huilong_zhiwei"))) == []  # no longer in 回龙村
    held.refresh_from_db()
    assert (held.org_id, held.end_date) == (world.org("huilong").pk, None)  # her post is 回龙村's still
