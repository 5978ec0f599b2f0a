"""A 执委's duty record pages: the one form on her phone (work mode, hours, households from her
list or found by pinyin, people, place, photos, one record per submission), her records by
month, a record changed while it waits or was returned, a confirmed one corrected; the staff's
list filtered as the figures link to it; bad input named, nothing half-written."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fulian.duties.services.review import record_confirm, record_return
from fulian.duties.tests import helpers as h
from fulian.grid import coverage
from fulian.grid.choices import ContactMode, RecordStatus
from fulian.grid.models import Contact, ContactPhoto, WorkMode
from fulian.grid.tests.helpers import assign, page_queries
from fulian.households.tests.helpers import household, member
from fulian.people.models import Post
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

TODAY = coverage.today()
CREATE = reverse("grid:contact_create")
MINE = reverse("duties:records_mine")


def english(world: World, username: str) -> Any:
    client = world.client_for(username)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def her(world: World) -> dict[str, Any]:
    """huilong_zhiwei, a 执委 of 回龙村 with two households of her own (包干) and a third
    household of the village that is not hers, with a daughter."""
    who = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"), representative=False)
    home, other = household(world, "huilong", "周建国"), household(world, "huilong", "李德福")
    assign(world, Post.objects.get(person=who), home, other)
    third = household(world, "huilong", "王桂英")
    daughter = member(world, third, "王小红")
    return {
        "person": who,
        "home": home,
        "other": other,
        "third": third,
        "daughter": daughter,
        "client": english(world, "huilong_zhiwei"),
    }


def duty(**values: Any) -> dict[str, Any]:
    return {
        "work_mode": h.mode("入户走访").pk,
        "half_hours": 3,
        "mode": ContactMode.VISIT,
        "happened_on": TODAY.isoformat(),
        "note": "了解家里的困难",
        "client_key": str(uuid.uuid4()),
        **values,
    }


def photo(name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(64, 48), "image/jpeg")


def test_the_form_offers_the_work_modes_her_households_the_hours_and_a_key(world: World, her: dict[str, Any]) -> None:
    html = her["client"].get(CREATE).content.decode()
    for name in ("Home visits", "Policy outreach", "Advice and proposals"):
        assert name in html
    assert 'name="work_mode"' in html
    assert "周建国" in html
    assert "李德福" in html
    assert "王桂英" not in html  # not hers: found by the search
    options = " ".join(html.split())
    assert '<option value="24" > 12 h </option>' in options or '<option value="24">12 h</option>' in options
    assert re.search(r'<option value="2"\s+selected>\s*1 h\s*</option>', html)
    assert 'name="client_key"' in html
    assert f'max="{TODAY.isoformat()}"' in html
    WorkMode.objects.filter(name="建言献策").update(active=False)
    assert "Advice and proposals" not in her["client"].get(CREATE).content.decode()


def test_she_records_a_duty_with_a_household_a_person_found_a_place_and_photos(
    world: World, her: dict[str, Any]
) -> None:
    data = duty(
        household=[her["home"].pk],
        member=[her["daughter"].pk],
        place=world.org("huilong").pk,
        photos=[photo("a.jpg"), photo("b.jpg")],
    )
    response = her["client"].post(CREATE, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == MINE
    record = Contact.objects.get()
    assert (record.work_mode_id, record.half_hours, record.status) == (h.mode("入户走访").pk, 3, RecordStatus.PENDING)
    assert list(record.households.all()) == [her["home"]]
    assert list(record.members.all()) == [her["daughter"]]
    assert record.org == world.org("huilong")
    assert record.photos.count() == 2
    assert str(record.client_key) == data["client_key"]
    page = her["client"].get(MINE).content.decode()
    assert "Recorded: Home visits · 周建国." in page
    assert "This month: 1 records, 1.5 h (0 confirmed)." in page
    assert "Waiting for review" in page
    assert reverse("grid:contact_detail", args=[record.pk]) in page


def test_a_double_tap_or_a_resend_makes_one_record(world: World, her: dict[str, Any]) -> None:
    data = duty(household=[her["home"].pk])
    first = her["client"].post(CREATE, data)
    again = her["client"].post(CREATE, data)
    assert first.status_code == again.status_code == 302
    assert Contact.objects.count() == 1
    assert "Recorded:" in her["client"].get(MINE).content.decode()  # shown as saved
    her["client"].post(CREATE, duty(household=[her["home"].pk]))  # a new key: a new record
    assert Contact.objects.count() == 2


def test_the_pinyin_search_finds_households_and_people_of_her_area_only(world: World, her: dict[str, Any]) -> None:
    far = household(world, "shucai", "周建华")
    find = reverse("grid:contact_find")
    html = her["client"].get(find, {"q": "zjg"}).content.decode()
    assert f'name="household" value="{her["home"].pk}"' in html
    assert "周建华" not in html
    assert str(far.pk) not in html
    people = her["client"].get(find, {"q": "wxh"}).content.decode()
    assert f'name="member" value="{her["daughter"].pk}"' in people
    assert "Nobody of your area matches." in her["client"].get(find, {"q": "xyz"}).content.decode()
    assert english(world, "leader").get(find, {"q": "zjg"}).status_code == 403


def test_without_script_the_find_button_adds_what_it_found_to_the_form(world: World, her: dict[str, Any]) -> None:
    response = her["client"].post(CREATE, duty(find="1", find_text="wgy"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{her["third"].pk}"' in html
    assert "This field is required" not in html
    assert not Contact.objects.exists()


def test_a_work_mode_is_required(world: World, her: dict[str, Any]) -> None:
    response = her["client"].post(CREATE, duty(work_mode="", household=[her["home"].pk]))
    assert response.status_code == 400
    assert "Choose the work mode." in response.content.decode()
    assert not Contact.objects.exists()


def test_a_date_in_the_future_is_refused(world: World, her: dict[str, Any]) -> None:
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = her["client"].post(CREATE, duty(household=[her["home"].pk], happened_on=tomorrow))
    assert response.status_code == 400
    assert "This date is in the future." in response.content.decode()
    assert not Contact.objects.exists()


def test_more_than_24_hours_in_a_day_is_refused_next_to_the_time(world: World, her: dict[str, Any]) -> None:
    for _ in range(2):
        assert her["client"].post(CREATE, duty(household=[her["home"].pk], half_hours=24)).status_code == 302
    response = her["client"].post(CREATE, duty(household=[her["home"].pk], half_hours=1))
    assert response.status_code == 400
    html = response.content.decode()
    assert "More than 24 hours in one day: 24 hours are already recorded" in html
    assert "了解家里的困难" in html  # what she typed is kept
    assert Contact.objects.count() == 2
    assert her["client"].post(CREATE, duty(household=[her["home"].pk], half_hours=25)).status_code == 400


def test_a_household_or_a_person_outside_her_area_is_not_found_and_nothing_is_written(
    world: World, her: dict[str, Any]
) -> None:
    far = household(world, "shucai", "钟建华")
    far_daughter = member(world, far, "钟小红")
    response = her["client"].post(CREATE, duty(household=[her["home"].pk, far.pk]))
    assert response.status_code == 400
    assert f"No household with id {far.pk} in your area." in response.content.decode()
    response = her["client"].post(CREATE, duty(household=[her["home"].pk], member=[far_daughter.pk]))
    assert response.status_code == 400
    assert f"No person with id {far_daughter.pk} in your area." in response.content.decode()
    response = her["client"].post(CREATE, duty(household=[her["home"].pk], place=world.org("shucai").pk))
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_a_file_that_is_not_a_photo_and_a_30_mb_photo_are_named(world: World, her: dict[str, Any]) -> None:
    bad = SimpleUploadedFile("会议记录.txt", b"not a photo", "image/jpeg")
    response = her["client"].post(CREATE, duty(household=[her["home"].pk], photos=[photo(), bad]))
    assert response.status_code == 400
    assert "Photo 2 (会议记录.txt): This file is not a photo" in response.content.decode()
    huge = SimpleUploadedFile("huge.jpg", b"x" * (30 * 1024 * 1024), "image/jpeg")
    response = her["client"].post(CREATE, duty(household=[her["home"].pk], photos=[huge]))
    assert response.status_code == 400
    assert "Photo 1 (huge.jpg): The photo is 30.0 MB" in response.content.decode()
    assert not Contact.objects.exists()
    assert not ContactPhoto.objects.exists()


def test_seven_photos_are_too_many(world: World, her: dict[str, Any]) -> None:
    photos = [photo(f"{n}.jpg") for n in range(7)]
    response = her["client"].post(CREATE, duty(household=[her["home"].pk], photos=photos))
    assert response.status_code == 400
    assert "At most 6 photos." in response.content.decode()
    six = [photo(f"{n}.jpg") for n in range(6)]
    assert her["client"].post(CREATE, duty(household=[her["home"].pk], photos=six)).status_code == 302


def test_her_records_by_month_with_their_review_and_a_constant_number_of_queries(
    world: World, her: dict[str, Any]
) -> None:
    who = her["person"]
    first = h.record(world, who, households=[her["home"]], half_hours=4)
    returned = h.record(world, who, households=[her["home"]], on=TODAY - datetime.timedelta(days=40))
    record_return(actor=world.user("xinshi_staff"), record=returned, reason="照片看不清")
    record_confirm(actor=world.user("xinshi_staff"), record=first)
    html = her["client"].get(MINE).content.decode()
    assert "This month: 1 records, 2 h (1 confirmed)." in html
    assert "Confirmed" in html
    assert "Returned: 照片看不清" in html
    assert TODAY.strftime("%Y-%m") in html
    assert (TODAY - datetime.timedelta(days=40)).strftime("%Y-%m") in html
    few = page_queries(her["client"], MINE)
    for n in range(12):
        h.record(world, who, households=[her["other"]], half_hours=1, on=TODAY - datetime.timedelta(days=n))
    assert page_queries(her["client"], MINE) == few
    # Another 执委's records are not hers.
    h.record(world, h.zhiwei(world, "huilong", "李秀英"), households=[her["other"]])
    assert her["client"].get(MINE).content.decode().count('class="fl-record"') == 14


def test_her_records_are_paged(world: World, her: dict[str, Any], monkeypatch: Any) -> None:
    from fulian.duties.views import records

    monkeypatch.setattr(records, "MINE_PER_PAGE", 2)
    for n in range(3):
        h.record(world, her["person"], households=[her["home"]], half_hours=1, on=TODAY - datetime.timedelta(days=n))
    assert her["client"].get(MINE).content.decode().count('class="fl-record"') == 2
    assert her["client"].get(MINE, {"page": 2}).content.decode().count('class="fl-record"') == 1


def test_an_account_without_a_person_is_told_why(world: World) -> None:
    html = english(world, "huilong_zhiwei").get(MINE).content.decode()
    assert "not linked to an executive member" in html
    assert english(world, "leader").get(MINE).status_code == 403


def test_she_changes_a_returned_record_and_it_goes_back_to_review(world: World, her: dict[str, Any]) -> None:
    record = h.record(world, her["person"], households=[her["home"]])
    record_return(actor=world.user("xinshi_staff"), record=record, reason="时长写错了")
    detail = her["client"].get(reverse("grid:contact_detail", args=[record.pk])).content.decode()
    assert "Returned: 时长写错了" in detail
    assert "xinshi_staff" in detail or "reviewed by" in detail
    edit = reverse("duties:record_edit", args=[record.pk])
    assert edit in detail
    form = her["client"].get(edit).content.decode()
    assert "时长写错了" in form
    assert 'value="4" selected' in form.replace("\n", "").replace("  ", "") or "2 h" in form
    data = duty(household=[her["home"].pk], half_hours=5, work_mode=h.mode("政策宣讲").pk)
    response = her["client"].post(edit, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("grid:contact_detail", args=[record.pk])
    record.refresh_from_db()
    assert (record.status, record.half_hours, record.work_mode_id) == (RecordStatus.PENDING, 5, h.mode("政策宣讲").pk)
    assert Contact.objects.count() == 1


def test_a_colleagues_record_is_not_hers_to_change(world: World, her: dict[str, Any]) -> None:
    record = h.record(world, h.zhiwei(world, "huilong", "李秀英"), households=[her["other"]])
    assert her["client"].get(reverse("duties:record_edit", args=[record.pk])).status_code == 403
    assert her["client"].post(reverse("duties:record_edit", args=[record.pk]), duty()).status_code == 403


def test_a_confirmed_record_is_locked_and_corrected_by_a_new_one_with_a_reason(
    world: World, her: dict[str, Any]
) -> None:
    record = h.record(world, her["person"], households=[her["home"]], half_hours=2)
    record_confirm(actor=world.user("xinshi_staff"), record=record)
    detail_url = reverse("grid:contact_detail", args=[record.pk])
    detail = her["client"].get(detail_url).content.decode()
    correct = reverse("duties:record_correct", args=[record.pk])
    assert correct in detail
    assert reverse("duties:record_edit", args=[record.pk]) not in detail
    edit = her["client"].get(reverse("duties:record_edit", args=[record.pk]))
    assert edit.status_code == 302
    assert edit["Location"] == detail_url
    form = her["client"].get(correct).content.decode()
    assert 'name="correction_reason"' in form
    assert f'value="{her["home"].pk}"' in form
    assert "checked" in form
    refused = her["client"].post(correct, duty(household=[her["home"].pk], half_hours=3))
    assert refused.status_code == 400
    assert "Say why the record is corrected." in refused.content.decode()
    data = duty(household=[her["home"].pk], half_hours=3, correction_reason="实际用了一个半小时")
    response = her["client"].post(correct, data)
    assert response.status_code == 302
    correction = Contact.objects.get(supersedes=record)
    assert response["Location"] == reverse("grid:contact_detail", args=[correction.pk])
    assert (correction.status, correction.half_hours) == (RecordStatus.PENDING, 3)
    old = her["client"].get(detail_url).content.decode()
    assert f'Corrected by <a href="{reverse("grid:contact_detail", args=[correction.pk])}">#{correction.pk}</a>' in old
    assert correct not in old  # one correction at a time
    new = her["client"].get(response["Location"]).content.decode()
    assert f'corrects <a href="{detail_url}">#{record.pk}</a>. Reason: 实际用了一个半小时' in new
    record_confirm(actor=world.user("xinshi_staff"), record=correction)
    record.refresh_from_db()
    assert record.status == RecordStatus.SUPERSEDED
    assert "Superseded" in her["client"].get(detail_url).content.decode()


def test_a_record_waiting_for_review_is_changed_not_corrected(world: World, her: dict[str, Any]) -> None:
    record = h.record(world, her["person"], households=[her["home"]])
    response = her["client"].get(reverse("duties:record_correct", args=[record.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("grid:contact_detail", args=[record.pk])


def test_the_staff_list_filters_as_the_figures_link_to_it(world: World, her: dict[str, Any]) -> None:
    who = her["person"]
    visits = [h.record(world, who, households=[her["home"]], on=TODAY - datetime.timedelta(days=n)) for n in (0, 1)]
    talk = h.record(world, who, households=[her["other"]], work_mode="政策宣讲", half_hours=5, on=TODAY)
    record_confirm(actor=world.user("xinshi_staff"), record=visits[0])
    client = english(world, "xinshi_staff")
    url = reverse("grid:contact_list")
    html = client.get(url).content.decode()
    assert "Duty records" in html
    assert "2.5 h" in html
    assert "Waiting for review" in html
    assert "Policy outreach" in html

    def rows(**params: Any) -> int:
        response = client.get(url, params)
        assert response.status_code == 200
        return max(0, response.content.decode().count("<tr>") - 1)

    assert rows(work_mode=talk.work_mode_id) == 1
    assert rows(status=RecordStatus.CONFIRMED) == 1
    assert rows(status=RecordStatus.PENDING) == 2
    assert rows(month=TODAY.strftime("%Y-%m")) == sum(1 for r in [*visits, talk] if r.happened_on.month == TODAY.month)
    assert rows(month="2001-01") == 0
    assert rows(person=who.pk, org=world.org("huilong").pk) == 3
    assert "Give a month as YYYY-MM" in client.get(url, {"month": "2026-13"}).content.decode()
    assert rows(work_mode=999999) == 0


def test_the_staff_list_reads_a_constant_number_of_queries(world: World, her: dict[str, Any]) -> None:
    client = english(world, "xinshi_staff")
    url = reverse("grid:contact_list")
    h.record(world, her["person"], households=[her["home"]], half_hours=1)
    client.get(url)
    few = page_queries(client, url, {"status": "pending"})
    for n in range(10):
        h.record(world, her["person"], households=[her["other"]], half_hours=1, on=TODAY - datetime.timedelta(days=n))
    assert page_queries(client, url, {"status": "pending"}) == few
