"""Every bad value of every field of the roster — a person, a post, a term, a change-over, a
reveal — typed on a page or sent to the API: the message stands beside that field (or, in
the API, under its name) and says what is wrong, and nothing is written."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fulian.audit.models import AuditEvent
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post, Term
from fulian.people.tests.helpers import START, person, post
from fulian.testing import html
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

GOOD_ID = id_number("430223", "19750302", "F", "51")
WRONG_CHECK = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
NOT_A_DAY = id_number("430223", "19751302", "F", "51")  # month 13, with a right check digit
TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
SHUCAI = "430225100215"  # 炎陵县's 蔬菜村: outside 新市镇's staff's area

LENGTH = "An ID number has 18 characters (17 digits and a final digit or X); this one has 17. "
LENGTH += "Check for missing or extra digits."
CHECK_DIGIT = (
    "The last character of this ID number does not match the other 17 (GB 11643 check digit). "
    "Check the number for a mistyped or swapped digit."
)
SCIENTIFIC = (
    "Excel has turned this ID number into a number in scientific notation (4.30223E+17), which has lost its "
    "last digits. Set the ID number column to Text (Format Cells → Text) and type the ID numbers again."
)
BIRTH_DIGITS = (
    "Digits 7 to 14 of an ID number are the birth date (YYYYMMDD); 19751302 is not a possible birth date. "
    "Check those digits for a typo."
)
MOBILE = "Enter an 11-digit mainland mobile number starting with 1, such as 13812345678."
FUTURE = "This date is in the future."
NOT_HERE = "No organisation with code {} in your area."
CONTROL = "Remove the control character U+{}: only printable text is accepted here."


def _choice(value: str) -> tuple[str, str]:
    """A bad choice: the page's message, the API's."""
    return f"Select a valid choice. {value} is not one of the available choices.", f'"{value}" is not a valid choice.'


def _control(code: str) -> tuple[str, str]:
    return CONTROL.format(code), CONTROL.format(code)


def _longer(n: int) -> tuple[str, str]:
    return (
        f"Ensure this value has at most {n} characters (it has {n + 1}).",
        f"Ensure this field has no more than {n} characters.",
    )


# (id, values changed from a good record, field, the page's message, the API's message)
PERSON_CASES: list[tuple[str, dict[str, str], str, str, str]] = [
    ("org-missing", {"org": ""}, "org", "This field is required.", "This field may not be blank."),
    ("org-unknown", {"org": "999999"}, "org", NOT_HERE.format("999999"), NOT_HERE.format("999999")),
    ("org-outside", {"org": SHUCAI}, "org", NOT_HERE.format(SHUCAI), NOT_HERE.format(SHUCAI)),
    ("name-missing", {"name": ""}, "name", "This field is required.", "This field may not be blank."),
    ("name-spaces", {"name": " \u3000 "}, "name", "This field is required.", "This field may not be blank."),
    ("name-too-long", {"name": "周" * 51}, "name", *_longer(50)),
    ("id-short", {"id_number": GOOD_ID[:-1]}, "id_number", LENGTH, LENGTH),
    ("id-check-digit", {"id_number": WRONG_CHECK}, "id_number", CHECK_DIGIT, CHECK_DIGIT),
    ("id-excel", {"id_number": "4.30223E+17"}, "id_number", SCIENTIFIC, SCIENTIFIC),
    ("id-birth-date", {"id_number": NOT_A_DAY}, "id_number", BIRTH_DIGITS, BIRTH_DIGITS),
    ("gender-unknown", {"gender": "X"}, "gender", *_choice("X")),
    (
        "gender-contradicts-id",
        {"id_number": GOOD_ID, "gender": "M"},
        "gender",
        "The gender contradicts the ID number (its 17th digit).",
        "The gender contradicts the ID number (its 17th digit).",
    ),
    (
        "birth-date-impossible",
        {"birth_date": "1975-02-30"},
        "birth_date",
        "Enter a valid date.",
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    ),
    ("birth-date-future", {"birth_date": TOMORROW}, "birth_date", FUTURE, FUTURE),
    (
        "birth-date-contradicts-id",
        {"id_number": GOOD_ID, "birth_date": "1975-03-03"},
        "birth_date",
        "The date of birth 1975-03-03 contradicts the ID number, which says 1975-03-02.",
        "The date of birth 1975-03-03 contradicts the ID number, which says 1975-03-02.",
    ),
    ("mobile-short", {"mobile": "1390733"}, "mobile", MOBILE, MOBILE),
    ("mobile-landline", {"mobile": "07338888888"}, "mobile", MOBILE, MOBILE),
    ("mobile-letters", {"mobile": "1390733abcd"}, "mobile", MOBILE, MOBILE),
    ("ethnicity-too-long", {"ethnicity": "族" * 21}, "ethnicity", *_longer(20)),
    ("political-status-unknown", {"political_status": "x"}, "political_status", *_choice("x")),
    ("education-unknown", {"education": "x"}, "education", *_choice("x")),
    ("occupation-too-long", {"occupation": "业" * 101}, "occupation", *_longer(100)),
    ("address-too-long", {"address": "址" * 201}, "address", *_longer(200)),
    ("skills-too-long", {"skills": "技" * 201}, "skills", *_longer(200)),
    (
        "backbone-since-not-a-date",
        {"backbone_since": "last spring"},
        "backbone_since",
        "Enter a valid date.",
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    ),
    ("backbone-since-future", {"backbone_since": TOMORROW}, "backbone_since", FUTURE, FUTURE),
    ("volunteer-since-future", {"volunteer_since": TOMORROW}, "volunteer_since", FUTURE, FUTURE),
    # Typed text is printable; one-line fields take no line break, notes take lines but no escapes.
    ("name-control-character", {"name": "周\x07桂姣"}, "name", *_control("0007")),
    ("address-line-break", {"address": "新市镇\n回龙村"}, "address", *_control("000A")),
    ("occupation-c1-control", {"occupation": "农\x85民"}, "occupation", *_control("0085")),
    ("notes-escape", {"notes": "第一行\n\x1b[31m"}, "notes", *_control("001B")),
]
IDS = [case[0] for case in PERSON_CASES]


def _good(world: World) -> dict[str, str]:
    return {"org": world.org("huilong").code, "name": "周桂姣"}


def _page(world: World) -> Any:
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _api(world: World) -> Any:
    client = world.api_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _all_errors(response: Any) -> list[str]:
    return html.texts(response, "main form .invalid-feedback") + html.alerts(response, "danger")


@pytest.mark.parametrize(("case", "change", "field", "message", "_api_message"), PERSON_CASES, ids=IDS)
def test_a_bad_value_on_the_add_person_page_is_named_beside_its_field(
    world: World, case: str, change: dict[str, str], field: str, message: str, _api_message: str
) -> None:
    response = _page(world).post(reverse("people:create"), {**_good(world), **change})
    assert response.status_code == 400
    assert html.field_errors(response, field) == [message]
    assert _all_errors(response) == [message]  # nowhere else
    for name, value in change.items():  # what was typed is kept
        control = html.select_one(response, f"#id_{name}")
        if control.tag == "input" and value.strip():
            assert control.get("value") == value
    assert not Person.objects.exists()


@pytest.mark.parametrize(("case", "change", "field", "_page_message", "message"), PERSON_CASES, ids=IDS)
def test_a_bad_value_sent_to_the_api_is_a_400_naming_its_field(
    world: World, case: str, change: dict[str, str], field: str, _page_message: str, message: str
) -> None:
    response = _api(world).post(reverse("api:person-list"), {**_good(world), **change}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Person.objects.exists()


@pytest.mark.parametrize(("case", "change", "field", "message", "_api_message"), PERSON_CASES, ids=IDS)
def test_a_bad_value_on_the_edit_page_changes_nothing(
    world: World, case: str, change: dict[str, str], field: str, message: str, _api_message: str
) -> None:
    someone = person(world, "huilong", "周桂姣", mobile="13907331215")
    before = Person.objects.filter(pk=someone.pk).values().get()
    response = _page(world).post(reverse("people:edit", args=[someone.pk]), {**_good(world), **change})
    assert response.status_code == 400
    assert html.field_errors(response, field) == [message]
    assert Person.objects.filter(pk=someone.pk).values().get() == before


@pytest.mark.parametrize(("case", "change", "field", "_page_message", "message"), PERSON_CASES, ids=IDS)
def test_a_bad_value_in_an_api_update_changes_nothing(
    world: World, case: str, change: dict[str, str], field: str, _page_message: str, message: str
) -> None:
    someone = person(world, "huilong", "周桂姣", mobile="13907331215")
    before = Person.objects.filter(pk=someone.pk).values().get()
    response = _api(world).patch(reverse("api:person-detail", args=[someone.pk]), change, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert Person.objects.filter(pk=someone.pk).values().get() == before


def test_typed_text_is_trimmed_and_notes_keep_their_lines(world: World) -> None:
    typed = {"name": " 周桂姣\n", "address": "\u3000新市镇回龙村 ", "notes": " 第一行\r\n\t第二行\n"}
    page = _page(world).post(reverse("people:create"), {**_good(world), **typed})
    assert page.status_code == 302, _all_errors(page)
    api = _api(world).post(reverse("api:person-list"), {**_good(world), **typed}, format="json")
    assert api.status_code == 201, api.json()
    stored = list(Person.objects.values_list("name", "address", "notes"))
    assert stored == [("周桂姣", "新市镇回龙村", "第一行\r\n\t第二行")] * 2


def test_a_second_person_with_the_same_id_number_is_refused_beside_the_field(world: World) -> None:
    person(world, "daqiaotou", "李秀英", id_number=GOOD_ID)
    message = "A person with this ID number is already on the roster."
    page = _page(world).post(reverse("people:create"), {**_good(world), "id_number": GOOD_ID.lower()})
    assert (page.status_code, html.field_errors(page, "id_number")) == (400, [message])
    api = _api(world).post(reverse("api:person-list"), {**_good(world), "id_number": GOOD_ID}, format="json")
    assert (api.status_code, api.json()) == (400, {"id_number": [message]})
    assert list(Person.objects.values_list("name", flat=True)) == ["李秀英"]


def test_every_bad_field_of_the_record_is_named_at_once(world: World) -> None:
    bad = {"mobile": "123", "id_number": GOOD_ID[:-1], "volunteer_since": TOMORROW}
    expected = {"mobile": [MOBILE], "id_number": [LENGTH], "volunteer_since": [FUTURE]}
    page = _page(world).post(reverse("people:create"), {**_good(world), **bad})
    assert {name: html.field_errors(page, name) for name in bad} == expected
    api = _api(world).post(reverse("api:person-list"), {**_good(world), **bad}, format="json")
    assert api.json() == expected
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("p.jpg", b"GIF89a not a photo"),
            "This file is not a photo (JPEG, PNG, HEIC saved as JPEG, WebP).",
        ),
        (
            SimpleUploadedFile("big.jpg", b"\xff" * (16 * 1024 * 1024)),
            "The photo is 16.0 MB; photos of up to 15 MB can be uploaded.",
        ),
    ],
    ids=["not-a-photo", "too-big"],
)
def test_a_bad_photo_is_named_beside_its_field_and_the_person_is_not_added(
    world: World, upload: SimpleUploadedFile, message: str
) -> None:
    response = _page(world).post(reverse("people:create"), {**_good(world), "photo": upload})
    assert response.status_code == 400
    assert html.field_errors(response, "photo") == [message]
    assert not Person.objects.exists()


# --- posts -------------------------------------------------------------------------------------


def _post_on_page(world: World, who: Person, **change: str) -> Any:
    data = {"org": world.org("huilong").code, "kind": "member", "start_date": "2021-09-01", **change}
    return _page(world).post(reverse("people:post_create", args=[who.pk]), data, follow=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"org": ""}, "At organisation: This field is required."),
        ({"org": SHUCAI}, f"At organisation: {NOT_HERE.format(SHUCAI)}"),
        ({"org": "430223123215001"}, "At organisation: 第一村民小组 cannot keep this record."),
        ({"kind": "boss"}, "Post: Select a valid choice. boss is not one of the available choices."),
        ({"start_date": ""}, "Start date: This field is required."),
        ({"start_date": "2021-02-30"}, "Start date: Enter a valid date."),
    ],
    ids=["org-missing", "org-outside", "org-a-group", "kind-unknown", "start-missing", "start-impossible"],
)
def test_a_bad_post_on_the_person_page_is_named_and_nothing_is_written(
    world: World, change: dict[str, str], message: str
) -> None:
    who = person(world, "huilong", "周桂姣")
    response = _post_on_page(world, who, **change)
    assert response.redirect_chain == [(reverse("people:detail", args=[who.pk]), 302)]
    assert html.alerts(response, "danger") == [message]
    assert not Post.objects.exists()
    assert not Term.objects.exists()


def test_a_post_breaking_the_terms_rules_is_named_and_nothing_is_written(world: World) -> None:
    chair = person(world, "huilong", "周桂姣")
    post(world, chair, "huilong", PostKind.CHAIR)  # opens term 1 on 2021-09-01
    other = person(world, "huilong", "李秀英")
    cases = [
        ({"kind": "chair"}, "Post: This federation already has a chair in this term."),
        ({"start_date": "2021-08-31"}, "Start date: The post cannot start before the term (2021-09-01)."),
    ]
    for change, message in cases:
        assert html.alerts(_post_on_page(world, other, **change), "danger") == [message]
    assert html.alerts(_post_on_page(world, chair), "danger") == ["周桂姣 already holds a post in this term."]
    assert list(Post.objects.values_list("person__name", flat=True)) == ["周桂姣"]


@pytest.mark.parametrize(
    ("change", "body"),
    [
        ({"org": SHUCAI}, {"org": [NOT_HERE.format(SHUCAI)]}),
        ({"kind": "boss"}, {"kind": ['"boss" is not a valid choice.']}),
        (
            {"start_date": "01/09/2021"},
            {"start_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        ({"person": "abc"}, {"person": ["A valid integer is required."]}),
        ({"is_representative": "perhaps"}, {"is_representative": ["Must be a valid boolean."]}),
    ],
    ids=["org-outside", "kind-unknown", "start-format", "person-not-a-number", "representative-not-a-boolean"],
)
def test_a_bad_post_sent_to_the_api_is_a_400_naming_its_field(
    world: World, change: dict[str, str], body: dict[str, list[str]]
) -> None:
    who = person(world, "huilong", "周桂姣")
    data = {"person": who.pk, "org": world.org("huilong").code, "kind": "member", "start_date": "2021-09-01"}
    response = _api(world).post(reverse("api:post-list"), {**data, **change}, format="json")
    assert (response.status_code, response.json()) == (400, body)
    assert not Post.objects.exists()


@pytest.mark.parametrize("who", ["missing", "outside"])
def test_a_post_for_a_person_missing_or_outside_the_area_is_refused_alike(world: World, who: str) -> None:
    pk = 999_999 if who == "missing" else person(world, "shucai", "钟桃华").pk
    data = {"person": pk, "org": world.org("huilong").code, "kind": "member", "start_date": "2021-09-01"}
    response = _api(world).post(reverse("api:post-list"), data, format="json")
    assert (response.status_code, response.json()) == (400, {"person": [f"No person with id {pk} in your area."]})
    assert not Post.objects.exists()


def test_a_bad_end_of_a_post_is_named_and_the_post_goes_on(world: World) -> None:
    held = post(world, person(world, "huilong", "周桂姣"))
    url = reverse("people:post_end", args=[held.pk])
    assert html.alerts(_page(world).post(url, {"end_date": ""}, follow=True), "danger") == ["Enter the end date."]
    before = _page(world).post(url, {"end_date": "2021-08-31"}, follow=True)
    assert html.alerts(before, "danger") == ["A post cannot end before it started."]
    api = _api(world).post(reverse("api:post-end", args=[held.pk]), {"end_date": "2021-08-31"}, format="json")
    assert (api.status_code, api.json()) == (400, {"end_date": ["A post cannot end before it started."]})
    api = _api(world).post(reverse("api:post-end", args=[held.pk]), {}, format="json")
    assert (api.status_code, api.json()) == (400, {"end_date": ["This field is required."]})
    held.refresh_from_db()
    assert held.end_date is None


# --- terms and the change-over -----------------------------------------------------------------


def test_a_bad_first_term_is_named_and_none_is_opened(world: World) -> None:
    huilong = world.org("huilong")
    url = reverse("people:term_create", args=[huilong.pk])
    missing = _page(world).post(url, {"start_date": ""}, follow=True)
    assert html.alerts(missing, "danger") == ["Enter the start date."]
    backwards = _page(world).post(url, {"start_date": "2021-09-01", "end_date": "2021-09-01"}, follow=True)
    assert html.alerts(backwards, "danger") == ["The end date must be after the start date."]
    api = _api(world).post(
        reverse("api:term-list"), {"org": huilong.code, "start_date": "2021-09-01", "end_date": "2020-01-01"}
    )
    assert (api.status_code, api.json()) == (400, {"end_date": ["The end date must be after the start date."]})
    group = _api(world).post(reverse("api:term-list"), {"org": "430223123215001", "start_date": "2021-09-01"})
    assert (group.status_code, group.json()) == (400, {"org": ["第一村民小组 cannot keep this record."]})
    assert not Term.objects.exists()


def test_a_second_open_term_is_refused(world: World) -> None:
    post(world, person(world, "huilong", "周桂姣"))
    huilong = world.org("huilong")
    message = "回龙村 Women's Federation already has an open term; change over to start the next."
    page = _page(world).post(
        reverse("people:term_create", args=[huilong.pk]), {"start_date": "2022-01-01"}, follow=True
    )
    assert html.alerts(page, "danger") == [message]
    api = _api(world).post(reverse("api:term-list"), {"org": huilong.code, "start_date": "2022-01-01"})
    assert (api.status_code, api.json()) == (400, {"detail": message})
    assert list(Term.objects.values_list("number", flat=True)) == [1]


def test_a_bad_change_over_is_named_and_the_term_goes_on(world: World) -> None:
    huilong = world.org("huilong")
    url = reverse("people:changeover", args=[huilong.pk])
    none_open = _page(world).post(url, {"on": "2026-09-01"}, follow=True)
    assert html.alerts(none_open, "danger") == ["回龙村 Women's Federation has no open term to change over."]
    chair = post(world, person(world, "huilong", "周桂姣"), "huilong", PostKind.CHAIR)
    missing = _page(world).post(url, {"on": ""}, follow=True)
    assert html.alerts(missing, "danger") == ["Enter the date the new term starts."]
    early = _page(world).post(url, {"on": "2021-09-01"}, follow=True)
    assert html.alerts(early, "danger") == ["The change-over must be after the term began (2021-09-01)."]
    api = _api(world).post(
        reverse("api:term-changeover"),
        {"org": huilong.code, "on": "2020-01-01", "carry_over": [chair.pk]},
        format="json",
    )
    assert (api.status_code, api.json()) == (
        400,
        {"on": ["The change-over must be after the term began (2021-09-01)."]},
    )
    bad_list = _api(world).post(
        reverse("api:term-changeover"), {"org": huilong.code, "on": "2026-09-01", "carry_over": ["x"]}, format="json"
    )
    assert (bad_list.status_code, bad_list.json()) == (400, {"carry_over": ["[0] A valid integer is required."]})
    assert list(Term.objects.values_list("number", "ended_on")) == [(1, None)]
    chair.refresh_from_db()
    assert chair.end_date is None


def test_a_change_over_carries_over_no_post_outside_the_callers_area(world: World) -> None:
    """carry_over names posts by id: one of 炎陵县 is ignored as if it did not exist."""
    post(world, person(world, "huilong", "周桂姣"), "huilong", PostKind.CHAIR)
    foreign = post(world, person(world, "shucai", "钟桃华"), "shucai", PostKind.CHAIR)
    response = _api(world).post(
        reverse("api:term-changeover"),
        {"org": world.org("huilong").code, "on": "2026-09-01", "carry_over": [foreign.pk]},
        format="json",
    )
    assert response.status_code == 201
    assert not Post.objects.filter(term__org=world.org("huilong"), term__number=2).exists()
    foreign.refresh_from_db()
    assert (foreign.end_date, foreign.term.number) == (None, 1)


# --- reveal ------------------------------------------------------------------------------------


def test_a_reveal_of_an_unknown_field_is_refused_and_not_recorded(world: World) -> None:
    someone = person(world, "huilong", "周桂姣", mobile="13907331215", notes="秘密")
    before = AuditEvent.objects.count()
    page = _page(world).post(reverse("people:reveal", args=[someone.pk]), {"field": "notes"})
    assert (page.status_code, page.content) == (400, b"")
    api = _api(world).post(reverse("api:person-reveal", args=[someone.pk]), {"field": "notes"}, format="json")
    assert (api.status_code, api.json()) == (400, {"field": ['"notes" is not a valid choice.']})
    assert AuditEvent.objects.count() == before


def test_the_first_post_given_opens_term_1_on_its_start_date(world: World) -> None:
    """Not bad input, but what the refused posts above would otherwise have done."""
    who = person(world, "huilong", "周桂姣")
    response = _post_on_page(world, who)
    assert html.alerts(response, "success") == ["Post added."]
    assert list(Term.objects.values_list("org__code", "number", "start_date")) == [("430223123215", 1, START)]
