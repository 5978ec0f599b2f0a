"""The review pages: the records waiting for the user's review, filtered; bulk confirm with the
skipped ones said; confirm or return one in place (htmx) or as a plain form; the review buttons
on a record's own page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from fulian.duties.services import review
from fulian.duties.tests import helpers as h
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.grid.tests.helpers import page_queries
from fulian.households.tests.helpers import household
from fulian.people.choices import PostKind
from fulian.people.tests.helpers import jpeg
from fulian.testing import html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

REVIEW = "/duties/review/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def confirm_url(record: Contact) -> str:
    return reverse("duties:record_confirm", kwargs={"pk": record.pk})


def return_url(record: Contact) -> str:
    return reverse("duties:record_return", kwargs={"pk": record.pk})


@pytest.fixture
def member(world: Any) -> Any:
    """周桂姣, a 执委 of 回龙村 with the huilong_zhiwei account."""
    return h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))


def shown(page: Any) -> list[int]:
    return [int(e.get("data-record") or 0) for e in html.select(page, "li.fl-review-row")]


def notes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_list_shows_the_records_waiting_for_me_newest_first_with_their_photos(world, member) -> None:
    today = coverage.today()
    older = h.record(world, member, on=today - datetime.timedelta(days=3), note="走访周建国家")
    newer = h.record(
        world, member, on=today, note="政策宣讲", work_mode="政策宣讲", photos=[SimpleUploadedFile("p.jpg", jpeg())]
    )
    confirmed = h.record(world, member, on=today - datetime.timedelta(days=1))
    review.record_confirm(actor=world.user("youxian_admin"), record=confirmed)
    page = world.client_for("xinshi_staff").get(REVIEW)
    assert page.status_code == 200
    assert shown(page) == [newer.pk, older.pk]
    content = page.content.decode()
    assert "周桂姣" in content
    assert "走访周建国家" in content
    assert "政策宣讲" in content
    photo = newer.photos.get()
    assert reverse("grid:contact_photo", kwargs={"pk": photo.pk}) in content
    # Each row can be ticked for the bulk form.
    assert [b.get("value") for b in html.select(page, 'input[name="record"]')] == [str(newer.pk), str(older.pk)]


def test_nobody_sees_her_own_record_to_review_and_a_chair_sees_her_villages_members(world, member) -> None:
    chair = h.zhiwei(world, "huilong", "刘春花", username="liu_chunhua", kind=PostKind.CHAIR)
    theirs = h.record(world, member)
    hers = h.record(world, chair)
    assert shown(world.client_for("liu_chunhua").get(REVIEW)) == [theirs.pk]
    assert set(shown(world.client_for("xinshi_staff").get(REVIEW))) == {theirs.pk, hers.pk}
    # 周桂姣 reviews nobody: her page says nothing waits.
    mine = world.client_for("huilong_zhiwei").get(REVIEW)
    assert shown(mine) == []
    assert html.select(mine, '[data-testid="review-empty"]')


def test_the_filters_narrow_by_work_mode_month_person_and_organisation(world, member) -> None:
    today = coverage.today()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    other = h.zhiwei(world, "daqiaotou", "李秀英")
    visit = h.record(world, member, on=today)
    talk = h.record(world, member, on=last_month, work_mode="政策宣讲")
    theirs = h.record(world, other, on=today)
    client = world.client_for("xinshi_staff")
    talk_mode = talk.work_mode_id
    assert shown(client.get(REVIEW, {"work_mode": talk_mode})) == [talk.pk]
    assert shown(client.get(REVIEW, {"month": last_month.strftime("%Y-%m")})) == [talk.pk]
    assert set(shown(client.get(REVIEW, {"month": today.strftime("%Y-%m")}))) == {visit.pk, theirs.pk}
    assert shown(client.get(REVIEW, {"person": other.pk})) == [theirs.pk]
    assert set(shown(client.get(REVIEW, {"org": world.org("huilong").code}))) == {visit.pk, talk.pk}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "May"}, "month"),
        ({"org": "430225"}, "org"),
        ({"person": "x"}, "person"),
    ],
)
def test_a_bad_filter_is_shown_beside_it_over_no_rows(world, member, params, field) -> None:
    h.record(world, member)
    page = world.client_for("xinshi_staff").get(REVIEW, params)
    assert page.status_code == 200
    assert shown(page) == []
    assert [e for e in html.select(page, "div.invalid-feedback") if e.text.strip()]
    assert f'name="{field}"' in page.content.decode()


def test_bulk_confirm_confirms_the_ticked_and_says_each_one_skipped(world, member) -> None:
    first, second, third = (h.record(world, member, half_hours=1) for _ in range(3))
    # Another reviewer took the second meanwhile.
    review.record_confirm(actor=world.user("youxian_admin"), record=second)
    client = world.client_for("xinshi_staff")
    response = client.post(
        reverse("duties:records_confirm"),
        {"record": [first.pk, second.pk, third.pk, "abc"], "query": "month=2026-01&evil=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{REVIEW}?month=2026-01"
    said = notes(response)
    assert "2 records confirmed." in said
    assert "2 records skipped:" in said
    # Taken by another reviewer first: said with who did it.
    assert any("already confirmed by Youxian Admin" in line for line in said), said
    assert "Record abc is not waiting for your review." in said
    statuses = dict(Contact.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[third.pk] == RecordStatus.CONFIRMED
    assert Contact.objects.get(pk=second.pk).reviewed_by == world.user("youxian_admin")


def test_bulk_confirm_with_nothing_ticked_says_so(world, member) -> None:
    response = world.client_for("xinshi_staff").post(reverse("duties:records_confirm"), {})
    assert response.status_code == 302
    assert notes(response) == ["Tick the records to confirm first."]


def test_confirm_in_place_answers_the_row_with_what_happened(world, member) -> None:
    record = h.record(world, member)
    response = world.client_for("xinshi_staff").post(confirm_url(record), {"query": ""}, **HTMX)
    assert response.status_code == 200
    [row] = html.select(response, "li.fl-review-row")
    assert "Confirmed: 周桂姣" in row.text
    assert not html.select(response, "button[data-testid=confirm]")
    record.refresh_from_db()
    assert record.status == RecordStatus.CONFIRMED


def test_confirming_a_record_already_confirmed_says_who_did_and_changes_nothing(world, member) -> None:
    record = h.record(world, member)
    review.record_confirm(actor=world.user("youxian_admin"), record=record)
    client = world.client_for("xinshi_staff")
    response = client.post(confirm_url(record), {}, **HTMX)
    assert response.status_code == 200
    assert "already confirmed by Youxian Admin" in response.content.decode()
    plain = client.post(confirm_url(record), {"next": REVIEW})
    assert plain.status_code == 302
    assert plain["Location"] == REVIEW
    assert "already confirmed" in notes(plain)[0]


def test_return_in_place_needs_a_reason_and_keeps_the_row_until_given(world, member) -> None:
    record = h.record(world, member)
    client = world.client_for("xinshi_staff")
    empty = client.post(return_url(record), {"reason": "  "}, **HTMX)
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    assert html.select(empty, "details[open]")
    record.refresh_from_db()
    assert record.status == RecordStatus.PENDING
    done = client.post(return_url(record), {"reason": "照片看不清，请补拍"}, **HTMX)
    assert "Returned to 周桂姣" in done.content.decode()
    record.refresh_from_db()
    assert (record.status, record.return_reason) == (RecordStatus.RETURNED, "照片看不清，请补拍")


def test_return_without_scripts_is_the_reason_page_and_goes_back(world, member) -> None:
    record = h.record(world, member)
    client = world.client_for("xinshi_staff")
    url = return_url(record) + f"?next={REVIEW}"
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"reason": "时长不对"})
    assert response.status_code == 302
    assert response["Location"] == REVIEW
    # Another site is never where it goes back to.
    other = h.record(world, member)
    away = client.post(return_url(other) + "?next=https://evil.example/", {"reason": "时长不对"})
    assert away["Location"] == reverse("grid:contact_detail", kwargs={"pk": other.pk})


def test_a_record_in_scope_but_not_mine_to_review_gets_the_services_message(world, member) -> None:
    chair = h.zhiwei(world, "xinshi", "王秀兰", username="wang_xiulan", kind=PostKind.CHAIR)
    # The chair of 新市镇: the county reviews her, not the township's staff.
    hers = h.record(world, chair, households=[household(world, "huilong", "周建国")])
    client = world.client_for("xinshi_staff")
    response = client.post(confirm_url(hers), {"next": REVIEW})
    assert response.status_code == 302
    assert notes(response) == ["This record is reviewed by the level above her, not by you."]
    assert client.post(return_url(hers), {"reason": "不对"}).status_code == 400
    hers.refresh_from_db()
    assert hers.status == RecordStatus.PENDING


def test_her_own_record_cannot_be_confirmed_by_her(world, member) -> None:
    own = h.record(world, member)
    response = world.client_for("huilong_zhiwei").post(confirm_url(own), {})
    assert response.status_code == 302
    assert "her own" in notes(response)[0]


def test_the_record_page_shows_the_review_buttons_to_her_reviewer_only(world, member) -> None:
    record = h.record(world, member)
    factory = RequestFactory()

    def buttons(username: str) -> str:
        request = factory.get(f"/grid/contacts/{record.pk}/")
        request.user = world.user(username)
        return render_to_string("duties/_record_review.html", {"contact": record, "request": request}, request=request)

    staff = buttons("xinshi_staff")
    assert confirm_url(record) in staff
    assert return_url(record) in staff
    assert "record-review" not in buttons("huilong_zhiwei")
    review.record_confirm(actor=world.user("xinshi_staff"), record=record)
    record.refresh_from_db()
    assert "record-review" not in buttons("xinshi_staff")


def test_the_review_list_takes_a_constant_number_of_queries(world, member) -> None:
    client = world.client_for("xinshi_staff")
    h.record(world, member, photos=[SimpleUploadedFile("p.jpg", jpeg())])
    client.get(REVIEW)  # a warm session
    before = page_queries(client, REVIEW)
    other = h.zhiwei(world, "daqiaotou", "李秀英")
    for _ in range(4):
        h.record(world, other, half_hours=1, photos=[SimpleUploadedFile("p.jpg", jpeg())])
    h.record(world, member, households=[], whom="村民大会")
    assert len(shown(client.get(REVIEW))) == 6
    assert page_queries(client, REVIEW) == before
