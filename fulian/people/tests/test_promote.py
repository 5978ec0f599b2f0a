"""骨干 → 执委: the promotion has its page (from the person's page) and its API action, for
those who may change the roster where she is; it is audited and cannot happen twice."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post
from fulian.people.tests.helpers import person, post
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

SINCE = datetime.date(2024, 3, 1)


@pytest.fixture
def backbone(world: World) -> Person:
    return person(world, "huilong_group1", "周桂姣", backbone_since=SINCE)


def _promote_page(client: Any, who: Person, **data: str) -> Any:
    return client.post(reverse("people:promote", args=[who.pk]), data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_button_shows_for_a_backbone_activist_to_those_who_may_change_the_roster(
    world: World, backbone: Person
) -> None:
    url = reverse("people:detail", args=[backbone.pk])
    promote = reverse("people:promote", args=[backbone.pk])
    assert promote in world.client_for("xinshi_staff").get(url).content.decode()
    # She may read the record, not change the roster: no button.
    assert promote not in world.client_for("huilong_zhiwei").get(url).content.decode()
    assert promote not in world.client_for("leader").get(url).content.decode()


def test_no_button_for_someone_who_is_not_a_backbone_activist_or_already_an_executive(world: World) -> None:
    client = world.client_for("xinshi_staff")
    plain = person(world, "huilong", "李芳")
    executive = person(world, "huilong", "王芳", backbone_since=SINCE)
    post(world, executive, "huilong")
    for who in (plain, executive):
        page = client.get(reverse("people:detail", args=[who.pk])).content.decode()
        assert reverse("people:promote", args=[who.pk]) not in page
        # Sent there anyway (an old link): back to her page, saying why.
        response = client.get(reverse("people:promote", args=[who.pk]), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302
        assert html.alerts(client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")) == [
            f"{who.name} is not a backbone activist waiting to be promoted."
        ]


def test_the_page_promotes_her_into_her_villages_committee_asking_first(world: World, backbone: Person) -> None:
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("people:promote", args=[backbone.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    [form] = html.select(page, "form[data-confirm]")
    assert form.attrs["data-confirm"] == "Promote 周桂姣 to executive member?"
    # Her group has no committee: her village's is offered.
    picked = html.select_one(page, 'select[name="org"] option[selected]')
    assert picked.attrs["value"] == str(world.org("huilong").pk)
    response = _promote_page(
        client, backbone, org=world.org("huilong").code, kind=PostKind.MEMBER, start_date="2026-09-01"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[backbone.pk])
    [new] = Post.objects.filter(person=backbone)
    assert (new.org, new.kind, new.start_date) == (world.org("huilong"), PostKind.MEMBER, datetime.date(2026, 9, 1))
    backbone.refresh_from_db()
    assert backbone.backbone_since == SINCE
    assert Person.objects.of_kind("executive").filter(pk=backbone.pk).exists()
    event = AuditEvent.objects.get(action=Action.PROMOTE)
    assert (event.actor, event.object_id, event.org) == (world.user("xinshi_staff"), str(backbone.pk), backbone.org)
    assert event.changes["federation"] == world.org("huilong").code
    done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert html.alerts(done, "success") == [
        f"周桂姣 is now Executive member of {world.org('huilong').federation_name}."
    ]
    assert reverse("people:promote", args=[backbone.pk]) not in done.content.decode()


def test_promoting_twice_is_refused_with_a_message_and_no_second_post(world: World, backbone: Person) -> None:
    # Two staff open the page; the first promotes her, then the second sends the form.
    first, second = world.client_for("xinshi_staff"), world.client_for("youxian_admin")
    data = {"org": world.org("huilong").code, "kind": PostKind.MEMBER, "start_date": "2026-09-01"}
    assert _promote_page(first, backbone, **data).status_code == 302
    late = _promote_page(second, backbone, **{**data, "org": world.org("xinshi").code})
    assert late.status_code == 400
    assert html.alerts(late, "danger") == ["周桂姣 already holds a current post: she is an executive member already."]
    api = world.api_for("youxian_admin").post(
        reverse("api:person-promote", args=[backbone.pk]), {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert api.status_code == 400
    assert api.json() == {"detail": "周桂姣 already holds a current post: she is an executive member already."}
    assert Post.objects.filter(person=backbone).count() == 1
    assert AuditEvent.objects.filter(action=Action.PROMOTE).count() == 1


def test_the_api_promotes_with_defaults_or_the_post_asked_for(world: World, backbone: Person) -> None:
    api = world.api_for("xinshi_staff")
    response = api.post(reverse("api:person-promote", args=[backbone.pk]), {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["org"], body["kind"], body["person"]) == (world.org("huilong").code, "member", backbone.pk)
    other = person(world, "daqiaotou", "李秀英", backbone_since=SINCE)
    response = api.post(
        reverse("api:person-promote", args=[other.pk]),
        {"org": world.org("xinshi").code, "kind": "vice_chair", "start_date": "2026-09-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["org"], response.json()["kind"]) == (world.org("xinshi").code, "vice_chair")


def test_the_api_refuses_someone_who_is_not_a_backbone_activist(world: World) -> None:
    plain = person(world, "huilong", "李芳")
    response = world.api_for("xinshi_staff").post(
        reverse("api:person-promote", args=[plain.pk]), {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "李芳 is not a backbone activist."}
    assert not Post.objects.filter(person=plain).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"org": "430225"}, "org"), ({"kind": "queen"}, "kind"), ({"start_date": "yesterday"}, "start_date")],
)
def test_bad_api_input_is_a_400_naming_the_field(
    world: World, backbone: Person, body: dict[str, str], field: str
) -> None:
    response = world.api_for("xinshi_staff").post(
        reverse("api:person-promote", args=[backbone.pk]), body, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Post.objects.filter(person=backbone).exists()


def test_someone_from_another_subtree_finds_nothing(world: World, backbone: Person) -> None:
    page = _promote_page(world.client_for("yanling_admin"), backbone, org="430225", kind="member")
    assert page.status_code == 404
    assert world.client_for("yanling_admin").get(reverse("people:promote", args=[backbone.pk])).status_code == 404
    api = world.api_for("yanling_admin").post(reverse("api:person-promote", args=[backbone.pk]), {}, format="json")
    assert api.status_code == 404
    assert not Post.objects.filter(person=backbone).exists()


@pytest.mark.parametrize("username", ["huilong_zhiwei", "leader"])
def test_who_may_read_but_not_change_the_roster_is_refused(world: World, backbone: Person, username: str) -> None:
    assert world.client_for(username).get(reverse("people:promote", args=[backbone.pk])).status_code == 403
    data = {"org": world.org("huilong").code, "kind": "member", "start_date": "2026-09-01"}
    assert _promote_page(world.client_for(username), backbone, **data).status_code == 403
    api = world.api_for(username).post(reverse("api:person-promote", args=[backbone.pk]), {}, format="json")
    assert api.status_code == 403
    assert not Post.objects.filter(person=backbone).exists()


def test_an_archived_backbone_activist_is_not_promoted(world: World, backbone: Person) -> None:
    from fulian.people import services

    services.person_archive(actor=world.user("xinshi_staff"), person=backbone, reason="moved to Changsha")
    client = world.client_for("xinshi_staff")
    assert (
        reverse("people:promote", args=[backbone.pk])
        not in client.get(reverse("people:detail", args=[backbone.pk])).content.decode()
    )
    api = world.api_for("xinshi_staff").post(
        reverse("api:person-promote", args=[backbone.pk]), {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert api.status_code == 400
    assert not Post.objects.filter(person=backbone).exists()
