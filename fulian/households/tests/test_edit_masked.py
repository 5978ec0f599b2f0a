"""The edit forms of a household and of its members never hold a full ID or phone number: the
stored values are shown masked with the audited Show button, and a form saved untouched keeps
them."""

import datetime

import pytest
from django.urls import reverse

from fulian.audit.models import AuditEvent
from fulian.households.choices import HouseholdCategory, MemberCategory
from fulian.households.models import Household, HouseholdMember
from fulian.households.tests.helpers import household, member
from fulian.testing.html import form_data
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

HEAD = id_number("430223", "19650101")
CHILD = id_number("430223", "20150601")
MOBILE = "13907331215"


@pytest.fixture
def stored(world: World) -> Household:
    return household(
        world,
        "huilong",
        "周建国",
        id_number=HEAD,
        mobile=MOBILE,
        address="回龙村1组12号",
        members_count=4,
        categories=HouseholdCategory.MILITARY | HouseholdCategory.LEFT_BEHIND,
        notes="备注",
    )


def page_of(world: World, url: str) -> str:
    response = world.client_for("xinshi_staff").get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_household_edit_page_holds_neither_number_and_saves_untouched(world: World, stored: Household) -> None:
    url = reverse("households:edit", args=[stored.pk])
    page = page_of(world, url)
    assert HEAD not in page
    assert MOBILE not in page
    assert stored.id_number_masked in page
    assert "139****1215" in page
    assert page.count(f'hx-post="{reverse("households:reveal", args=[stored.pk])}"') == 2
    values = form_data(page, having="head_name")
    assert (values["id_number"], values["mobile"]) == ([""], [""])
    assert world.client_for("xinshi_staff").post(url, values).status_code == 302
    after = Household.objects.get(pk=stored.pk)
    assert (after.id_number, after.mobile, after.address, after.members_count, after.categories, after.notes) == (
        HEAD,
        MOBILE,
        "回龙村1组12号",
        4,
        HouseholdCategory.MILITARY | HouseholdCategory.LEFT_BEHIND,
        "备注",
    )
    assert not AuditEvent.objects.filter(action="update", object_id=str(stored.pk)).exists()


def test_the_household_phone_is_replaced_or_removed_only_when_asked(world: World, stored: Household) -> None:
    url = reverse("households:edit", args=[stored.pk])
    client = world.client_for("xinshi_staff")
    values = form_data(page_of(world, url), having="head_name")
    client.post(url, {**values, "mobile": "13907331216"})
    stored.refresh_from_db()
    assert stored.mobile == "13907331216"
    client.post(url, {**values, "clear_mobile": "on"})
    stored.refresh_from_db()
    assert (stored.mobile, stored.mobile_hash, stored.id_number) == (None, None, HEAD)


def test_the_member_edit_page_holds_no_id_number_and_saves_untouched(world: World, stored: Household) -> None:
    child = member(world, stored, "周小红", id_number=CHILD, categories=MemberCategory.LEFT_BEHIND_CHILD)
    url = reverse("households:member_edit", args=[child.pk])
    page = page_of(world, url)
    assert CHILD not in page
    assert child.id_number_masked in page
    assert f'hx-post="{reverse("households:member_reveal", args=[child.pk])}"' in page
    values = form_data(page, having="relation")
    assert values["id_number"] == [""]
    assert world.client_for("xinshi_staff").post(url, values).status_code == 302
    after = HouseholdMember.objects.get(pk=child.pk)
    assert (after.id_number, after.birth_date, after.gender, after.categories) == (
        CHILD,
        datetime.date(2015, 6, 1),
        child.gender,
        MemberCategory.LEFT_BEHIND_CHILD,
    )
    shown = world.client_for("xinshi_staff").post(reverse("households:member_reveal", args=[child.pk]))
    assert CHILD in shown.content.decode()
    event = AuditEvent.objects.get(action="reveal")
    assert (event.object_type, event.object_id, event.changes) == (
        "households.householdmember",
        str(child.pk),
        {"field": "id_number"},
    )


def test_revealing_from_the_household_edit_page_is_audited(world: World, stored: Household) -> None:
    page_of(world, reverse("households:edit", args=[stored.pk]))
    assert not AuditEvent.objects.filter(action="reveal").exists()
    shown = world.client_for("xinshi_staff").post(
        reverse("households:reveal", args=[stored.pk]), {"field": "id_number"}
    )
    assert HEAD in shown.content.decode()
    assert AuditEvent.objects.get(action="reveal").changes == {"field": "id_number"}
