"""她代表 requests through the pages: recorded on the form, listed with the overdue flagged,
followed step by step on the request's page to her satisfaction; bad input refused with a
message beside its field, nothing half-written."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fulian.duties.choices import RequestStatus, Satisfaction, StepKind
from fulian.duties.models import Request, RequestPhoto
from fulian.duties.tests import helpers as h
from fulian.grid import coverage
from fulian.grid.tests.helpers import assign, page_queries
from fulian.households.tests.helpers import household, member
from fulian.people.models import Person
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def rep(world: World) -> Person:
    """周桂姣, a 执委 of 回龙村 and a 她代表, linked to huilong_zhiwei's account."""
    return h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))


def _post(world: World, username: str, name: str, pk: int, data: dict[str, Any] | None = None) -> Any:
    return world.client_for(username).post(reverse(name, args=[pk]), data or {})


def _form(**values: Any) -> dict[str, Any]:
    data = {
        "kind": "need",
        "category": "jobs",
        "urgency": "normal",
        "description": "想找一份离家近的工作",
        "client_key": str(uuid.uuid4()),
    }
    return data | values


def test_she_records_a_request_for_one_of_her_households_with_a_photo(world: World, rep: Person) -> None:
    home = household(world, "huilong", "周建国")
    client = world.client_for("huilong_zhiwei")
    page = client.get(reverse("duties:request_create"), {"household": home.pk})
    assert page.status_code == 200
    assert "周建国" in page.content.decode()
    photo = SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(
        reverse("duties:request_create"), _form(target=f"h{home.pk}", photos=[photo], urgency="urgent")
    )
    made = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("duties:request_detail", args=[made.pk])
    assert (made.representative, made.household, made.holder) == (rep, home, world.org("huilong"))
    assert made.org == world.org("huilong")
    assert RequestPhoto.objects.filter(request=made).count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "周建国" in detail
    assert reverse("duties:request_photo", args=[made.photos.get().pk]) in detail


def test_her_households_come_first_and_the_search_finds_a_person_by_pinyin(world: World, rep: Person) -> None:
    from fulian.people.models import Post

    mine = household(world, "huilong", "李德福")
    assign(world, Post.objects.get(person=rep), mine)
    other = household(world, "huilong", "王建华")
    daughter = member(world, other, "钟桃华")
    client = world.client_for("huilong_zhiwei")
    page = client.get(reverse("duties:request_create")).content.decode()
    assert f'value="h{mine.pk}"' in page
    assert f'value="h{other.pk}"' not in page
    found = client.get(reverse("duties:request_whom"), {"find": "zth"}).content.decode()
    assert f'value="m{daughter.pk}"' in found
    response = client.post(reverse("duties:request_create"), _form(target=f"m{daughter.pk}"))
    assert response.status_code == 302
    made = Request.objects.get()
    assert (made.member, made.household) == (daughter, other)


def test_a_household_of_another_area_is_not_found_and_nothing_is_written(world: World, rep: Person) -> None:
    elsewhere = household(world, "shucai", "钟建华")
    client = world.client_for("huilong_zhiwei")
    assert client.get(reverse("duties:request_create"), {"household": elsewhere.pk}).status_code == 404
    response = client.post(reverse("duties:request_create"), _form(target=f"h{elsewhere.pk}"))
    assert response.status_code == 400
    assert "in your area" in response.context["form"].errors["target"][0]
    assert not Request.objects.exists()


def test_a_double_submission_makes_one_request(world: World, rep: Person) -> None:
    client = world.client_for("huilong_zhiwei")
    data = _form(whom="张大姐")
    first = client.post(reverse("duties:request_create"), data)
    second = client.post(reverse("duties:request_create"), data)
    assert Request.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_photo_that_is_not_an_image_is_refused_beside_the_field(world: World, rep: Person) -> None:
    client = world.client_for("huilong_zhiwei")
    fake = SimpleUploadedFile("p.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(reverse("duties:request_create"), _form(photos=[fake]))
    assert response.status_code == 400
    assert response.context["form"].errors["photos"]
    assert not Request.objects.exists()


def test_missing_category_and_description_are_named(world: World, rep: Person) -> None:
    response = world.client_for("huilong_zhiwei").post(
        reverse("duties:request_create"), _form(category="", description="")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"category", "description"}


def test_staff_record_for_a_representative_of_their_subtree(world: World, rep: Person) -> None:
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("duties:request_create")).content.decode()
    assert "周桂姣" in page
    response = client.post(reverse("duties:request_create"), _form(representative=rep.pk, whom="张大姐"))
    assert response.status_code == 302
    assert Request.objects.get().representative == rep


def test_an_account_without_a_person_is_told_to_get_linked(world: World) -> None:
    page = world.client_for("huilong_zhiwei").get(reverse("duties:request_create"))
    assert 'data-testid="request-no-person"' in page.content.decode()


def test_the_loop_through_the_pages_escalated_to_the_county_answered_rated_and_closed(
    world: World, rep: Person
) -> None:
    made = h.request(world, rep)
    pk = made.pk
    # 新市镇 escalates 回龙村's request twice over: to itself, then to 攸县.
    assert (
        _post(world, "xinshi_staff", "duties:request_escalate", pk, {"escalate-reason": "村里解决不了"}).status_code
        == 302
    )
    assert (
        _post(world, "xinshi_staff", "duties:request_escalate", pk, {"escalate-reason": "镇里也解决不了"}).status_code
        == 302
    )
    made.refresh_from_db()
    assert made.holder == world.org("youxian")
    # 攸县 accepts, assigns, updates with a photo, answers.
    youxian = world.client_for("youxian_admin")
    detail = youxian.get(reverse("duties:request_detail", args=[pk])).content.decode()
    assert 'data-action="accept"' in detail
    assert _post(world, "youxian_admin", "duties:request_accept", pk).status_code == 302
    admin = world.user("youxian_admin")
    response = _post(world, "youxian_admin", "duties:request_assign", pk, {"assign-assignee": admin.pk})
    assert response.status_code == 302
    photo = SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
    response = youxian.post(
        reverse("duties:request_update", args=[pk]), {"update-note": "已联系就业中心", "update-photos": [photo]}
    )
    assert response.status_code == 302
    response = _post(world, "youxian_admin", "duties:request_answer", pk, {"answer-answer": "已安排面试"})
    assert response.status_code == 302
    # Her 她代表 enters 满意 on her phone; it is closed.
    detail = world.client_for("huilong_zhiwei").get(reverse("duties:request_detail", args=[pk])).content.decode()
    assert 'data-action="rate"' in detail
    assert 'data-action="accept"' not in detail
    rated = _post(world, "huilong_zhiwei", "duties:request_rate", pk, {"rate-satisfaction": Satisfaction.SATISFIED})
    assert rated.status_code == 302
    made.refresh_from_db()
    assert made.status == RequestStatus.CLOSED
    kinds = list(made.steps.values_list("kind", flat=True))
    assert kinds == [
        StepKind.RECORD,
        StepKind.ESCALATE,
        StepKind.ESCALATE,
        StepKind.ACCEPT,
        StepKind.ASSIGN,
        StepKind.UPDATE,
        StepKind.ANSWER,
        StepKind.RATE,
        StepKind.CLOSE,
    ]
    page = world.client_for("xinshi_staff").get(reverse("duties:request_detail", args=[pk])).content.decode()
    for seen in ("攸县", "已安排面试", "已联系就业中心"):
        assert seen in page


def test_closing_without_an_answer_is_refused_with_the_services_message(world: World, rep: Person) -> None:
    made = h.request(world, rep)
    response = _post(world, "xinshi_staff", "duties:request_close", made.pk, {"close-note": "她搬走了"})
    assert response.status_code == 400
    assert "answer" in " ".join(response.context["forms"]["close"].non_field_errors())
    made.refresh_from_db()
    assert made.status == RequestStatus.RECORDED


def test_escalating_above_the_city_is_refused(world: World, rep: Person) -> None:
    made = h.request(world, rep)
    for _level in range(3):
        assert (
            _post(world, "city_admin", "duties:request_escalate", made.pk, {"escalate-reason": "上报"}).status_code
            == 302
        )
    made.refresh_from_db()
    assert made.holder == world.org("city")
    detail = world.client_for("city_admin").get(reverse("duties:request_detail", args=[made.pk])).content.decode()
    assert 'data-action="escalate"' not in detail
    response = _post(world, "city_admin", "duties:request_escalate", made.pk, {"escalate-reason": "上报"})
    assert response.status_code == 400
    assert "top level" in str(response.context["forms"]["escalate"].errors)


def test_rating_an_unanswered_request_is_refused(world: World, rep: Person) -> None:
    made = h.request(world, rep)
    response = _post(world, "huilong_zhiwei", "duties:request_rate", made.pk, {"rate-satisfaction": "satisfied"})
    assert response.status_code == 400
    assert "answered" in " ".join(response.context["forms"]["rate"].non_field_errors())
    made.refresh_from_db()
    assert made.satisfaction == ""


def test_a_stale_form_is_refused_when_the_request_has_moved_on(world: World, rep: Person) -> None:
    made = h.request(world, rep)
    assert _post(world, "xinshi_staff", "duties:request_accept", made.pk).status_code == 302
    again = _post(world, "xinshi_staff", "duties:request_accept", made.pk)
    assert again.status_code == 400
    assert "now:" in " ".join(again.context["forms"]["accept"].non_field_errors())
    assert made.steps.filter(kind=StepKind.ACCEPT).count() == 1


def test_a_member_cannot_take_the_federations_steps(world: World, rep: Person) -> None:
    made = h.request(world, rep)
    assert _post(world, "huilong_zhiwei", "duties:request_accept", made.pk).status_code == 403
    detail = world.client_for("huilong_zhiwei").get(reverse("duties:request_detail", args=[made.pk])).content.decode()
    assert "data-action=" not in detail


def test_not_satisfied_reopens_it_once(world: World, rep: Person) -> None:
    made = h.request(world, rep)
    _post(world, "xinshi_staff", "duties:request_accept", made.pk)
    _post(world, "xinshi_staff", "duties:request_answer", made.pk, {"answer-answer": "已转告村委"})
    _post(world, "huilong_zhiwei", "duties:request_rate", made.pk, {"rate-satisfaction": "unsatisfied"})
    made.refresh_from_db()
    assert (made.status, made.reopened) == (RequestStatus.IN_PROGRESS, True)


def test_another_subtrees_request_is_not_found(world: World, rep: Person) -> None:
    made = h.request(world, h.zhiwei(world, "shucai", "钟桂兰"))
    client = world.client_for("xinshi_staff")
    assert client.get(reverse("duties:request_detail", args=[made.pk])).status_code == 404
    for verb in ("accept", "assign", "escalate", "update", "answer", "rate", "close"):
        assert client.post(reverse(f"duties:request_{verb}", args=[made.pk]), {}).status_code == 404


def test_the_list_flags_the_overdue_to_the_holder_and_the_level_above(world: World, rep: Person) -> None:
    late = h.request(world, rep, whom="张大姐")
    Request.objects.filter(pk=late.pk).update(due_on=coverage.today() - datetime.timedelta(days=3))
    fresh = h.request(world, rep, whom="李大姐")
    for username in ("huilong_zhiwei", "xinshi_staff", "youxian_admin"):
        page = world.client_for(username).get(reverse("duties:request_list")).content.decode()
        assert 'data-overdue="3"' in page, username
        assert reverse("duties:request_detail", args=[fresh.pk]) in page
    overdue = world.client_for("xinshi_staff").get(reverse("duties:request_list"), {"overdue": "1"})
    assert [r.pk for r in overdue.context["page"].items] == [late.pk]


def test_the_list_filters(world: World, rep: Person) -> None:
    one = h.request(world, rep, category="health", whom="张大姐")
    two = h.request(world, rep, category="law", urgency="urgent", whom="李大姐")
    h.requests.request_escalate(actor=world.user("xinshi_staff"), request=two, reason="镇里处理")
    client = world.client_for("xinshi_staff")

    def ids(**params: str) -> list[int]:
        response = client.get(reverse("duties:request_list"), params)
        assert response.status_code == 200
        return [r.pk for r in response.context["page"].items]

    assert ids(category="health") == [one.pk]
    assert ids(urgency="urgent") == [two.pk]
    assert ids(holder=str(world.org("xinshi").pk)) == [two.pk]
    assert ids(status="open") == [two.pk, one.pk]
    assert ids(representative=str(rep.pk)) == [two.pk, one.pk]
    month = coverage.today().strftime("%Y-%m")
    assert ids(month=month) == [two.pk, one.pk]
    assert ids(assignee="me") == []
    assert ids(mine="1") == []  # xinshi_staff represents nobody
    mine = world.client_for("huilong_zhiwei").get(reverse("duties:request_list"), {"mine": "1"})
    assert [r.pk for r in mine.context["page"].items] == [two.pk, one.pk]
    bad = client.get(reverse("duties:request_list"), {"month": "2026-13"})
    assert "month" in bad.context["form"].errors


def test_the_list_runs_the_same_queries_for_two_rows_or_twenty(world: World, rep: Person) -> None:
    client = world.client_for("xinshi_staff")
    url = reverse("duties:request_list")
    for index in range(2):
        h.request(world, rep, household=household(world, "huilong", f"周{index}"))
    page_queries(client, url)
    few = page_queries(client, url)
    for index in range(18):
        made = h.request(world, rep, household=household(world, "huilong", f"李{index}"))
        h.requests.request_accept(actor=world.user("xinshi_staff"), request=made)
        h.requests.request_assign(actor=world.user("xinshi_staff"), request=made, assignee=world.user("huilong_zhiwei"))
    assert page_queries(client, url) == few


def test_the_request_page_runs_the_same_queries_for_few_steps_or_many(world: World, rep: Person) -> None:
    made = h.request(world, rep)
    staff = world.user("xinshi_staff")
    client = world.client_for("xinshi_staff")
    url = reverse("duties:request_detail", args=[made.pk])
    h.requests.request_accept(actor=staff, request=made)
    page_queries(client, url)
    few = page_queries(client, url)
    for index in range(6):
        h.requests.request_update(
            actor=staff,
            request=made,
            note=f"第{index}次跟进",
            photos=[SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")],
        )
    assert page_queries(client, url) == few


def test_the_export_holds_exactly_the_filtered_rows(world: World, rep: Person) -> None:
    import io

    from openpyxl import load_workbook

    one = h.request(world, rep, category="health", whom="张大姐")
    h.request(world, rep, category="law", whom="李大姐")
    h.request(world, h.zhiwei(world, "shucai", "钟桂兰"), category="health")  # 炎陵县's: not 新市镇's
    response = world.client_for("xinshi_staff").get(reverse("duties:request_export"), {"category": "health"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    ids = [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert ids == [one.pk]
