"""Every bad value of every field of a household and of a member — typed on a page or sent to
the API: the message stands beside that field (or, in the API, under its name) and says what
is wrong, and nothing is written."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from fulian.audit.models import AuditEvent
from fulian.households.models import Household, HouseholdMember
from fulian.households.tests.helpers import household, member
from fulian.testing import html
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

HEAD_ID = id_number("430223", "19600101", "M", "61")
CHILD_ID = id_number("430223", "20150601", "F", "62")
TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
SHUCAI = "430225100215"  # 炎陵县's 蔬菜村: outside 新市镇's staff's area
MOBILE = "Enter an 11-digit mainland mobile number starting with 1, such as 13812345678."
CHECK_DIGIT = (
    "The last character of this ID number does not match the other 17 (GB 11643 check digit). "
    "Check the number for a mistyped or swapped digit."
)
NOT_HERE = "No organisation with code {} in your area."
NOT_A_PLACE = "A household belongs to a village or village group, not to 新市镇 Women's Federation."


def _wrong_check(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def _longer(n: int) -> tuple[str, str]:
    return (
        f"Ensure this value has at most {n} characters (it has {n + 1}).",
        f"Ensure this field has no more than {n} characters.",
    )


# (id, values changed from a good household, field, the page's message, the API's message)
HOUSEHOLD_CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    ("org-missing", {"org": ""}, "org", "This field is required.", "This field may not be blank."),
    ("org-outside", {"org": SHUCAI}, "org", NOT_HERE.format(SHUCAI), NOT_HERE.format(SHUCAI)),
    ("org-a-township", {"org": "430223123"}, "org", NOT_A_PLACE, NOT_A_PLACE),
    ("head-missing", {"head_name": " "}, "head_name", "This field is required.", "This field may not be blank."),
    ("head-too-long", {"head_name": "周" * 51}, "head_name", *_longer(50)),
    ("id-check-digit", {"id_number": _wrong_check(HEAD_ID)}, "id_number", CHECK_DIGIT, CHECK_DIGIT),
    ("mobile-short", {"mobile": "1390733"}, "mobile", MOBILE, MOBILE),
    ("address-too-long", {"address": "址" * 201}, "address", *_longer(200)),
    (
        "members-none",
        {"members_count": 0},
        "members_count",
        "Ensure this value is greater than or equal to 1.",
        "Ensure this value is greater than or equal to 1.",
    ),
    (
        "members-too-many",
        {"members_count": 100},
        "members_count",
        "Ensure this value is less than or equal to 99.",
        "Ensure this value is less than or equal to 99.",
    ),
    (
        "members-not-a-number",
        {"members_count": "four"},
        "members_count",
        "Enter a whole number.",
        "A valid integer is required.",
    ),
]
HOUSEHOLD_IDS = [case[0] for case in HOUSEHOLD_CASES]


def _household(world: World, **change: Any) -> dict[str, Any]:
    return {"org": world.org("huilong").code, "head_name": "周建国", "members_count": 3, **change}


def _page(world: World) -> Any:
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _api(world: World) -> Any:
    client = world.api_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _stored(model: Any) -> list[dict[str, Any]]:
    return list(model.objects.order_by("id").values())


@pytest.mark.parametrize(("case", "change", "field", "message", "_api"), HOUSEHOLD_CASES, ids=HOUSEHOLD_IDS)
def test_a_bad_value_on_the_household_page_is_named_beside_its_field(
    world: World, case: str, change: dict[str, Any], field: str, message: str, _api: str
) -> None:
    response = _page(world).post(reverse("households:create"), _household(world, **change))
    assert response.status_code == 400
    assert html.field_errors(response, field) == [message]
    assert html.texts(response, "main form .invalid-feedback") == [message]  # nowhere else
    assert not Household.objects.exists()


@pytest.mark.parametrize(("case", "change", "field", "_page", "message"), HOUSEHOLD_CASES, ids=HOUSEHOLD_IDS)
def test_a_bad_household_value_sent_to_the_api_is_a_400_naming_its_field(
    world: World, case: str, change: dict[str, Any], field: str, _page: str, message: str
) -> None:
    response = _api(world).post(reverse("api:household-list"), _household(world, **change), format="json")
    assert (response.status_code, response.json()) == (400, {field: [message]})
    assert not Household.objects.exists()


@pytest.mark.parametrize(("case", "change", "field", "message", "_api"), HOUSEHOLD_CASES, ids=HOUSEHOLD_IDS)
def test_a_bad_value_on_the_household_edit_page_changes_nothing(
    world: World, case: str, change: dict[str, Any], field: str, message: str, _api: str
) -> None:
    home = household(world, "huilong", "周建国", mobile="13907339999", members_count=3)
    before = _stored(Household)
    response = _page(world).post(reverse("households:edit", args=[home.pk]), _household(world, **change))
    assert response.status_code == 400
    assert html.field_errors(response, field) == [message]
    assert _stored(Household) == before


@pytest.mark.parametrize(("case", "change", "field", "_page", "message"), HOUSEHOLD_CASES, ids=HOUSEHOLD_IDS)
def test_a_bad_household_value_in_an_api_update_changes_nothing(
    world: World, case: str, change: dict[str, Any], field: str, _page: str, message: str
) -> None:
    home = household(world, "huilong", "周建国", mobile="13907339999", members_count=3)
    before = _stored(Household)
    response = _api(world).patch(reverse("api:household-detail", args=[home.pk]), change, format="json")
    assert (response.status_code, response.json()) == (400, {field: [message]})
    assert _stored(Household) == before


def test_unknown_categories_are_refused_by_name(world: World) -> None:
    page = _page(world).post(reverse("households:create"), _household(world, categories=["3"]))
    assert html.field_errors(page, "categories") == ["Select a valid choice. 3 is not one of the available choices."]
    api = _api(world).post(reverse("api:household-list"), _household(world, categories=[3, 16]), format="json")
    assert (api.status_code, api.json()) == (400, {"categories": ['[0] "3" is not a valid choice.']})
    assert not Household.objects.exists()


def test_a_second_household_with_the_same_head_id_number_is_refused(world: World) -> None:
    household(world, "daqiaotou", "李德福", id_number=HEAD_ID)
    message = "This ID number is already registered."
    page = _page(world).post(reverse("households:create"), _household(world, id_number=HEAD_ID))
    assert (page.status_code, html.field_errors(page, "id_number")) == (400, [message])
    api = _api(world).post(reverse("api:household-list"), _household(world, id_number=HEAD_ID), format="json")
    assert (api.status_code, api.json()) == (400, {"id_number": [message]})
    assert list(Household.objects.values_list("head_name", flat=True)) == ["李德福"]


def test_every_bad_field_of_a_household_is_named_at_once(world: World) -> None:
    bad = {"id_number": _wrong_check(HEAD_ID), "mobile": "123"}
    page = _page(world).post(reverse("households:create"), _household(world, **bad))
    assert {name: html.field_errors(page, name) for name in bad} == {"id_number": [CHECK_DIGIT], "mobile": [MOBILE]}
    api = _api(world).post(reverse("api:household-list"), _household(world, **bad), format="json")
    assert api.json() == {"id_number": [CHECK_DIGIT], "mobile": [MOBILE]}
    assert not Household.objects.exists()


# --- members -----------------------------------------------------------------------------------

# (id, values changed from a good member, field, the page's message, the API's message)
MEMBER_CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    ("name-missing", {"name": ""}, "name", "This field is required.", "This field may not be blank."),
    ("name-too-long", {"name": "红" * 51}, "name", *_longer(50)),
    ("relation-missing", {"relation": ""}, "relation", "This field is required.", '"" is not a valid choice.'),
    (
        "relation-unknown",
        {"relation": "cousin"},
        "relation",
        "Select a valid choice. cousin is not one of the available choices.",
        '"cousin" is not a valid choice.',
    ),
    ("id-check-digit", {"id_number": _wrong_check(CHILD_ID)}, "id_number", CHECK_DIGIT, CHECK_DIGIT),
    (
        "gender-unknown",
        {"gender": "X"},
        "gender",
        "Select a valid choice. X is not one of the available choices.",
        '"X" is not a valid choice.',
    ),
    (
        "gender-contradicts-id",
        {"id_number": CHILD_ID, "gender": "M"},
        "gender",
        "The gender contradicts the ID number (its 17th digit).",
        "The gender contradicts the ID number (its 17th digit).",
    ),
    (
        "birth-date-impossible",
        {"birth_date": "2015-02-30"},
        "birth_date",
        "Enter a valid date.",
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    ),
    (
        "birth-date-future",
        {"birth_date": TOMORROW},
        "birth_date",
        "This date is in the future.",
        "This date is in the future.",
    ),
    (
        "birth-date-contradicts-id",
        {"id_number": CHILD_ID, "birth_date": "2015-06-02"},
        "birth_date",
        "The date of birth 2015-06-02 contradicts the ID number, which says 2015-06-01.",
        "The date of birth 2015-06-02 contradicts the ID number, which says 2015-06-01.",
    ),
]
MEMBER_IDS = [case[0] for case in MEMBER_CASES]


def _member(**change: Any) -> dict[str, Any]:
    return {"name": "周小红", "relation": "child", **change}


@pytest.mark.parametrize(("case", "change", "field", "message", "_api"), MEMBER_CASES, ids=MEMBER_IDS)
def test_a_bad_member_on_the_household_page_is_named_beside_its_field(
    world: World, case: str, change: dict[str, Any], field: str, message: str, _api: str
) -> None:
    home = household(world)
    response = _page(world).post(reverse("households:member_create", args=[home.pk]), _member(**change))
    assert response.status_code == 400
    assert html.field_errors(response, field) == [message]
    assert html.texts(response, "main form .invalid-feedback") == [message]  # nowhere else
    assert not HouseholdMember.objects.exists()


@pytest.mark.parametrize(("case", "change", "field", "_page", "message"), MEMBER_CASES, ids=MEMBER_IDS)
def test_a_bad_member_sent_to_the_api_is_a_400_naming_its_field(
    world: World, case: str, change: dict[str, Any], field: str, _page: str, message: str
) -> None:
    home = household(world)
    response = _api(world).post(
        reverse("api:household-member-list"), {"household": home.pk, **_member(**change)}, format="json"
    )
    assert (response.status_code, response.json()) == (400, {field: [message]})
    assert not HouseholdMember.objects.exists()


@pytest.mark.parametrize(("case", "change", "field", "message", "_api"), MEMBER_CASES, ids=MEMBER_IDS)
def test_a_bad_value_on_the_member_edit_page_changes_nothing(
    world: World, case: str, change: dict[str, Any], field: str, message: str, _api: str
) -> None:
    someone = member(world, household(world), "周小红", birth_date=datetime.date(2015, 6, 1))
    before = _stored(HouseholdMember)
    response = _page(world).post(reverse("households:member_edit", args=[someone.pk]), _member(**change))
    assert response.status_code == 400
    assert html.field_errors(response, field) == [message]
    assert _stored(HouseholdMember) == before


@pytest.mark.parametrize(("case", "change", "field", "_page", "message"), MEMBER_CASES, ids=MEMBER_IDS)
def test_a_bad_member_value_in_an_api_update_changes_nothing(
    world: World, case: str, change: dict[str, Any], field: str, _page: str, message: str
) -> None:
    someone = member(world, household(world), "周小红", birth_date=datetime.date(2015, 6, 1))
    before = _stored(HouseholdMember)
    url = reverse("api:household-member-detail", args=[someone.pk])
    response = _api(world).patch(url, change, format="json")
    assert (response.status_code, response.json()) == (400, {field: [message]})
    assert _stored(HouseholdMember) == before


@pytest.mark.parametrize("which", ["missing", "outside", "not-a-number"])
def test_a_member_for_a_household_missing_or_outside_the_area_is_refused_alike(world: World, which: str) -> None:
    pk: Any = {"missing": 999_999, "not-a-number": "abc"}.get(which) or household(world, "shucai", "钟建华").pk
    response = _api(world).post(reverse("api:household-member-list"), {"household": pk, **_member()}, format="json")
    message = "A valid integer is required." if which == "not-a-number" else f"No household with id {pk} in your area."
    assert (response.status_code, response.json()) == (400, {"household": [message]})
    assert not HouseholdMember.objects.exists()


def test_a_reveal_of_an_unknown_field_is_refused_and_not_recorded(world: World) -> None:
    home = household(world, mobile="13907339999", notes="秘密")
    before = AuditEvent.objects.count()
    page = _page(world).post(reverse("households:reveal", args=[home.pk]), {"field": "notes"})
    assert (page.status_code, page.content) == (400, b"")
    api = _api(world).post(reverse("api:household-reveal", args=[home.pk]), {"field": "notes"}, format="json")
    assert (api.status_code, api.json()) == (400, {"field": ['"notes" is not a valid choice.']})
    assert AuditEvent.objects.count() == before


def test_a_new_id_number_brings_its_own_birth_date_and_gender_unless_they_were_given(world: World) -> None:
    someone = member(world, household(world), "周小红", id_number=CHILD_ID)  # a girl born 2015-06-01
    boy = id_number("430223", "20160704", "M", "63")
    url = reverse("api:household-member-detail", args=[someone.pk])
    # With the date it says, the gender follows the new number too (it was not given).
    response = _api(world).patch(url, {"id_number": boy, "birth_date": "2016-07-04"}, format="json")
    assert response.status_code == 200, response.json()
    someone.refresh_from_db()
    assert (someone.birth_date, someone.gender) == (datetime.date(2016, 7, 4), "M")
    # A gender given with it is checked against it, not replaced.
    refused = _api(world).patch(url, {"id_number": CHILD_ID, "gender": "M"}, format="json")
    assert (refused.status_code, refused.json()) == (
        400,
        {"gender": ["The gender contradicts the ID number (its 17th digit)."]},
    )
    someone.refresh_from_db()
    assert (someone.id_number, someone.gender) == (boy, "M")
