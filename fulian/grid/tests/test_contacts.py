"""Recording what a 执委 did: as herself for the households in her reach, by staff on her behalf;
photos stripped of EXIF, bad input named, nothing half-written; the list, one contact, its photos."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.grid import coverage, services
from fulian.grid.choices import ContactMode
from fulian.grid.models import Contact, ContactPhoto, CoverageCount, WorkMode
from fulian.grid.tests.helpers import assign, executive
from fulian.grid.views import contacts as contacts_views
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World

TODAY = coverage.today()
CREATE = reverse("grid:contact_create")
# EXIF with a GPS position (tag 0x8825 → a latitude), as a phone writes it.
GPS_EXIF = Image.Exif()
GPS_EXIF[0x010F] = "PhoneMaker"
GPS_EXIF.get_ifd(0x8825)[2] = (27.0, 30.0, 0.0)


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def english(world: World, username: str) -> Any:
    """A logged-in client reading the pages in English (the messages are checked in English)."""
    client = world.client_for(username)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def linked(world: World, username: str = "huilong_zhiwei", org: str = "huilong", name: str = "周桂姣") -> Any:
    post = executive(world, org, name)
    Person.objects.filter(pk=post.person_id).update(account=world.user(username))
    return post


def photo(name: str = "IMG_0001.jpg", *, exif: bool = True) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(64, 48, exif=GPS_EXIF.tobytes() if exif else None), "image/jpeg")


def visit(**values: Any) -> dict[str, Any]:
    return {
        "work_mode": WorkMode.objects.get(name="入户走访").pk,
        "half_hours": 2,
        "mode": ContactMode.VISIT,
        "happened_on": days_ago(1).isoformat(),
        "note": "入户走访，了解需求",
        **values,
    }


@pytest.fixture
def zhiwei(world: World) -> dict[str, Any]:
    """huilong_zhiwei as a 执委 of 回龙村 responsible for two of its households."""
    post = linked(world)
    home, other = household(world, "huilong", "周建国"), household(world, "huilong", "李德福")
    assign(world, post, home, other)
    return {"post": post, "home": home, "other": other, "client": english(world, "huilong_zhiwei")}


def test_she_records_a_visit_with_two_photos_stripped_of_exif(world: World, zhiwei: dict[str, Any]) -> None:
    home = zhiwei["home"]
    before = CoverageCount.objects.get(org=world.org("huilong")).uncontacted
    form = zhiwei["client"].get(CREATE, {"household": home.pk}).content.decode()
    assert 'value="周建国"' in form  # whom: the head, filled in
    assert 'type="file"' in form
    assert "multiple" in form
    response = zhiwei["client"].post(
        f"{CREATE}?household={home.pk}",
        visit(household=[home.pk], whom="周建国", location="家中", photos=[photo("a.jpg"), photo("b.jpg")]),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("grid:mine")
    contact = Contact.objects.get()
    assert contact.person_id == zhiwei["post"].person_id
    assert contact.created_by == world.user("huilong_zhiwei")
    assert list(contact.households.all()) == [home]
    assert (contact.mode, contact.happened_on, contact.location) == (ContactMode.VISIT, days_ago(1), "家中")
    photos = list(contact.photos.all())
    assert len(photos) == 2
    for stored in photos:
        with stored.image.open("rb") as f, Image.open(f) as image:
            assert not image.getexif()
            assert "exif" not in image.info
    assert Household.objects.get(pk=home.pk).last_contact_on == days_ago(1)
    assert CoverageCount.objects.get(org=world.org("huilong")).uncontacted == before - 1
    page = zhiwei["client"].get(reverse("grid:mine")).content.decode()
    assert "Recorded: Home visits · 周建国." in page
    assert "data-draft-saved=" in page  # the script forgets the draft kept while typing


def test_the_uploaded_photo_really_had_exif(world: World) -> None:
    with Image.open(io.BytesIO(photo().read())) as image:
        assert image.getexif()


def test_a_file_that_is_not_a_photo_is_named_and_nothing_is_written(world: World, zhiwei: dict[str, Any]) -> None:
    home = zhiwei["home"]
    bad = SimpleUploadedFile("会议记录.txt", b"not a photo", "image/jpeg")
    response = zhiwei["client"].post(
        f"{CREATE}?household={home.pk}", visit(household=[home.pk], whom="周建国", photos=[photo(), bad])
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Photo 2 (会议记录.txt): This file is not a photo" in html
    assert "入户走访，了解需求" in html  # what she typed is kept
    assert not Contact.objects.exists()
    assert not ContactPhoto.objects.exists()
    assert Household.objects.get(pk=home.pk).last_contact_on is None


def test_an_oversized_photo_is_named(world: World, zhiwei: dict[str, Any], settings: Any) -> None:
    big = SimpleUploadedFile("huge.jpg", b"x" * (16 * 1024 * 1024), "image/jpeg")
    response = zhiwei["client"].post(CREATE, visit(whom="村民", photos=[big]))
    assert response.status_code == 400
    assert "Photo 1 (huge.jpg): The photo is 16.0 MB" in response.content.decode()
    assert not Contact.objects.exists()


def test_seven_photos_are_too_many(world: World, zhiwei: dict[str, Any]) -> None:
    response = zhiwei["client"].post(CREATE, visit(whom="村民", photos=[photo(f"{n}.jpg") for n in range(7)]))
    assert response.status_code == 400
    assert "At most 6 photos." in response.content.decode()
    assert not Contact.objects.exists()


def test_a_date_in_the_future_is_refused_next_to_the_field(world: World, zhiwei: dict[str, Any]) -> None:
    home = zhiwei["home"]
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = zhiwei["client"].post(CREATE, visit(household=[home.pk], happened_on=tomorrow))
    assert response.status_code == 400
    assert "This date is in the future." in response.content.decode()
    assert not Contact.objects.exists()
    with pytest.raises(ValidationError, match="future"):
        services.contact_record(
            actor=world.user("city_admin"),
            person=zhiwei["post"].person,
            mode=ContactMode.CALL,
            happened_on=TODAY + datetime.timedelta(days=1),
            households=[home],
        )


def test_a_date_more_than_a_year_back_is_refused_next_to_the_field(world: World, zhiwei: dict[str, Any]) -> None:
    home = zhiwei["home"]
    long_ago = (TODAY - datetime.timedelta(days=367)).isoformat()
    response = zhiwei["client"].post(CREATE, visit(household=[home.pk], happened_on=long_ago))
    assert response.status_code == 400
    assert "A contact is recorded within a year of it: check the year." in response.content.decode()
    assert not Contact.objects.exists()
    a_year_ago = (TODAY - datetime.timedelta(days=366)).isoformat()
    assert zhiwei["client"].post(CREATE, visit(household=[home.pk], happened_on=a_year_ago)).status_code == 302


def test_neither_household_nor_whom_is_refused(world: World, zhiwei: dict[str, Any]) -> None:
    response = zhiwei["client"].post(CREATE, visit())
    assert response.status_code == 400
    assert "Choose the households, or say whom you met." in response.content.decode()


def test_a_household_of_another_village_is_not_found_and_nothing_is_written(
    world: World, zhiwei: dict[str, Any]
) -> None:
    far = household(world, "shucai", "钟建华")
    client = zhiwei["client"]
    assert client.get(CREATE, {"household": far.pk}).status_code == 404
    assert client.get(CREATE, {"household": "abc"}).status_code == 404
    response = client.post(CREATE, visit(household=[zhiwei["home"].pk, far.pk]))
    assert response.status_code == 400
    assert f"No household with id {far.pk} in your area." in response.content.decode()
    assert not Contact.objects.exists()


def test_another_zhiwei_cannot_record_for_households_outside_her_reach(world: World, zhiwei: dict[str, Any]) -> None:
    other = User.objects.create(username="daqiaotou_zhiwei", org=world.org("daqiaotou"))
    RoleGrant.objects.create(user=other, org=world.org("daqiaotou"), role=Role.MEMBER)
    linked(world, "daqiaotou_zhiwei", "daqiaotou", "李秀英")
    client = english(world, "daqiaotou_zhiwei")
    home = zhiwei["home"]
    assert client.get(CREATE, {"household": home.pk}).status_code == 404
    assert client.post(CREATE, visit(household=[home.pk])).status_code == 400
    assert not Contact.objects.exists()
    mine = client.get(reverse("grid:mine")).content.decode()
    assert "周建国" not in mine


def test_she_records_as_herself_only(world: World, zhiwei: dict[str, Any]) -> None:
    colleague = executive(world, "huilong", "李秀英")
    response = zhiwei["client"].post(CREATE, visit(whom="村民", person=colleague.person_id))
    assert response.status_code == 302
    assert Contact.objects.get().person_id == zhiwei["post"].person_id
    with pytest.raises(ValidationError, match="only your own"):
        services.contact_record(
            actor=world.user("huilong_zhiwei"),
            person=colleague.person,
            mode=ContactMode.CALL,
            happened_on=TODAY,
            households=[zhiwei["home"]],
        )


def test_staff_record_on_behalf_of_an_executive_member_they_choose(world: World, zhiwei: dict[str, Any]) -> None:
    home, post = zhiwei["home"], zhiwei["post"]
    far = executive(world, "shucai", "钟桂兰")
    client = english(world, "xinshi_staff")
    form = client.get(CREATE, {"household": home.pk}).content.decode()
    assert 'name="person"' in form
    assert "周桂姣" in form
    assert "钟桂兰" not in form
    refused = client.post(f"{CREATE}?household={home.pk}", visit(household=[home.pk], person=far.person_id))
    assert refused.status_code == 400
    response = client.post(f"{CREATE}?household={home.pk}", visit(household=[home.pk], person=post.person_id))
    assert response.status_code == 302
    assert response["Location"] == reverse("households:detail", args=[home.pk])
    contact = Contact.objects.get()
    assert contact.person_id == post.person_id
    assert contact.created_by == world.user("xinshi_staff")
    page = client.get(response["Location"]).content.decode()
    assert "Responsible executive members and contacts" in page
    assert reverse("grid:contact_detail", args=[contact.pk]) in page
    assert "周桂姣" in page


def test_staff_must_choose_and_a_long_list_of_people_says_how_to_narrow_it(
    world: World, zhiwei: dict[str, Any], monkeypatch: Any
) -> None:
    executive(world, "daqiaotou", "李秀英")
    client = english(world, "xinshi_staff")
    response = client.post(CREATE, visit(whom="村民"))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    monkeypatch.setattr(contacts_views, "PEOPLE_MAX", 1)
    form = client.get(CREATE).content.decode()
    assert "Only the first 1 by name are listed" in form
    people = form.split('name="person"')[1].split("</select>")[0]
    assert people.count("<option") == 2  # the "choose" line and one person


def test_an_account_without_a_person_cannot_record_and_is_told_why(world: World) -> None:
    response = english(world, "huilong_zhiwei").get(CREATE)
    assert response.status_code == 200
    assert "not linked to an executive member" in response.content.decode()
    assert english(world, "leader").get(CREATE).status_code == 403


def test_several_households_at_once(world: World, zhiwei: dict[str, Any]) -> None:
    home, other = zhiwei["home"], zhiwei["other"]
    url = f"{CREATE}?household={home.pk}&household={other.pk}"
    assert "周建国, 李德福" in zhiwei["client"].get(url).content.decode()
    response = zhiwei["client"].post(url, visit(mode=ContactMode.ACTIVITY, household=[home.pk, other.pk]))
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert set(contact.households.all()) == {home, other}
    assert contact.org == world.org("huilong")
    assert Household.objects.filter(pk__in=[home.pk, other.pk], last_contact_on=days_ago(1)).count() == 2


def _record(world: World, post: Any, home: Household, n: int) -> Contact:
    return services.contact_record(
        actor=world.user("city_admin"),
        person=post.person,
        mode=ContactMode.CALL if n % 2 else ContactMode.VISIT,
        happened_on=days_ago(n),
        households=[home],
        note=f"第{n}次",
    )


def test_the_list_filters_and_reads_a_constant_number_of_queries(world: World, zhiwei: dict[str, Any]) -> None:
    client = english(world, "xinshi_staff")
    post, home = zhiwei["post"], zhiwei["home"]
    for n in range(2):
        _record(world, post, home, n + 1)
    client.get(reverse("grid:contact_list"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("grid:contact_list")).status_code == 200
    for n in range(20):
        _record(world, post, zhiwei["other"], n + 3)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("grid:contact_list")).content.decode()
    assert html.count("<tr>") == 23  # the header and 22 contacts
    assert len(many) == len(few)
    by_household = client.get(reverse("grid:contact_list"), {"household": home.pk}).content.decode()
    assert by_household.count("<tr>") == 3
    calls = client.get(reverse("grid:contact_list"), {"mode": ContactMode.CALL}).content.decode()
    assert calls.count("<tr>") == 12
    window = {"since": days_ago(5).isoformat(), "until": days_ago(3).isoformat()}
    assert client.get(reverse("grid:contact_list"), window).content.decode().count("<tr>") == 4
    assert client.get(reverse("grid:contact_list"), {"person": post.person_id}).status_code == 200
    refused = client.get(reverse("grid:contact_list"), {"household": household(world, "shucai", "钟建华").pk})
    assert "in your area" in refused.content.decode()


def test_the_detail_shows_the_photos_through_a_scoped_view(world: World, zhiwei: dict[str, Any]) -> None:
    contact = services.contact_record(
        actor=world.user("city_admin"),
        person=zhiwei["post"].person,
        mode=ContactMode.VISIT,
        happened_on=days_ago(2),
        households=[zhiwei["home"]],
        photos=[photo()],
    )
    stored = contact.photos.get()
    detail = zhiwei["client"].get(reverse("grid:contact_detail", args=[contact.pk])).content.decode()
    url = reverse("grid:contact_photo", args=[stored.pk])
    assert f'src="{url}"' in detail
    assert "/media/" not in detail
    response = zhiwei["client"].get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert english(world, "yanling_admin").get(url).status_code == 404
    assert zhiwei["client"].get(reverse("grid:contact_photo", args=[stored.pk + 1000])).status_code == 404


def test_an_older_contact_recorded_later_keeps_the_latest_as_the_last_contact(
    world: World, zhiwei: dict[str, Any]
) -> None:
    home = zhiwei["home"]
    for days in (10, 30):
        services.contact_record(
            actor=world.user("city_admin"),
            person=zhiwei["post"].person,
            mode=ContactMode.CALL,
            happened_on=TODAY - datetime.timedelta(days=days),
            households=[home],
        )
    home.refresh_from_db()
    assert home.last_contact_on == TODAY - datetime.timedelta(days=10)
