"""The edit form of a person never holds her full ID or phone number: the stored values are
shown masked with the audited Show button, and a form saved untouched keeps them."""

import datetime

import pytest
from django.urls import reverse

from fulian.audit.models import AuditEvent
from fulian.people.models import Person
from fulian.people.tests.helpers import person
from fulian.testing.html import form_data
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

NUMBER = id_number("430223", "19690815")
MOBILE = "13907331215"


@pytest.fixture
def stored(world: World) -> Person:
    return person(
        world, "huilong", "周桂姣", id_number=NUMBER, mobile=MOBILE, address="回龙村3组", notes="第一行\n第二行"
    )


def edit_page(world: World, who: Person, username: str = "xinshi_staff") -> str:
    response = world.client_for(username).get(reverse("people:edit", args=[who.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_edit_page_holds_neither_number(world: World, stored: Person) -> None:
    page = edit_page(world, stored)
    assert NUMBER not in page
    assert MOBILE not in page
    assert stored.id_number_masked in page
    assert "139****1215" in page
    values = form_data(page, having="name")
    assert values["id_number"] == [""]
    assert values["mobile"] == [""]
    # The same audited Show button as the detail page, for each number.
    reveal = reverse("people:reveal", args=[stored.pk])
    assert page.count(f'hx-post="{reveal}"') == 2
    assert '"field": "id_number"' in page
    assert '"field": "mobile"' in page


def test_saving_the_form_untouched_keeps_everything(world: World, stored: Person) -> None:
    client = world.client_for("xinshi_staff")
    values = form_data(edit_page(world, stored), having="name")
    response = client.post(reverse("people:edit", args=[stored.pk]), values)
    assert response.status_code == 302, response.content.decode()[-2000:]
    after = Person.objects.get(pk=stored.pk)
    assert (after.id_number, after.mobile, after.birth_date, after.gender) == (
        NUMBER,
        MOBILE,
        datetime.date(1969, 8, 15),
        stored.gender,
    )
    assert (after.name, after.address, after.notes, after.org_id) == (
        "周桂姣",
        "回龙村3组",
        "第一行\n第二行",
        stored.org_id,
    )
    assert not AuditEvent.objects.filter(action="update", object_id=str(stored.pk)).exists()


def test_a_typed_number_replaces_and_the_box_removes(world: World, stored: Person) -> None:
    client = world.client_for("xinshi_staff")
    values = form_data(edit_page(world, stored), having="name")
    client.post(reverse("people:edit", args=[stored.pk]), {**values, "mobile": "13907331216"})
    stored.refresh_from_db()
    assert stored.mobile == "13907331216"
    client.post(reverse("people:edit", args=[stored.pk]), {**values, "clear_mobile": "on"})
    stored.refresh_from_db()
    assert stored.mobile is None
    assert stored.id_number == NUMBER
    client.post(reverse("people:edit", args=[stored.pk]), {**values, "clear_id_number": "on"})
    stored.refresh_from_db()
    assert stored.id_number is None
    # The birth date and gender read from the number stay as they were shown in the form.
    assert stored.birth_date == datetime.date(1969, 8, 15)


def test_showing_a_number_from_the_edit_page_is_audited(world: World, stored: Person) -> None:
    client = world.client_for("xinshi_staff")
    edit_page(world, stored)
    assert not AuditEvent.objects.filter(action="reveal").exists()
    shown = client.post(reverse("people:reveal", args=[stored.pk]), {"field": "mobile"})
    assert MOBILE in shown.content.decode()
    event = AuditEvent.objects.get(action="reveal")
    assert (event.object_id, event.changes, event.actor_name) == (str(stored.pk), {"field": "mobile"}, "xinshi_staff")


def test_a_form_error_does_not_put_the_number_back(world: World, stored: Person) -> None:
    values = form_data(edit_page(world, stored), having="name")
    response = world.client_for("xinshi_staff").post(reverse("people:edit", args=[stored.pk]), {**values, "name": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert NUMBER not in page
    assert MOBILE not in page
    assert "139****1215" in page


def test_a_record_without_numbers_gets_plain_inputs(world: World) -> None:
    plain = person(world, "huilong", "李秀英")
    page = edit_page(world, plain)
    assert "clear_mobile" not in page
    assert reverse("people:reveal", args=[plain.pk]) not in page
    values = form_data(page, having="name")
    response = world.client_for("xinshi_staff").post(
        reverse("people:edit", args=[plain.pk]), {**values, "mobile": MOBILE}
    )
    assert response.status_code == 302
    plain.refresh_from_db()
    assert plain.mobile == MOBILE
