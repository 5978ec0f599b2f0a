"""The duties API: a duty record recorded from a phone, reviewed, returned, edited, confirmed and
corrected; a 她代表 request followed from the village to the county and closed; the review queue
and its bulk confirmation; the work modes — with the services' rules and every answer as the
published schema says."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.duties.api.urls import router
from fulian.duties.choices import RequestStatus
from fulian.duties.models import Request
from fulian.duties.tests import helpers as h
from fulian.duties.tests.scope_cases import CASES
from fulian.grid import coverage
from fulian.grid.models import Contact, WorkMode
from fulian.grid.tests.test_api import conforms
from fulian.households.tests.helpers import household, member
from fulian.people.models import Person
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/grid/contacts/"
CONTACT = "/api/v1/grid/contacts/{id}/"
QUEUE = "/api/v1/duties/review-queue/"
REQUESTS = "/api/v1/duties/requests/"
REQUEST = "/api/v1/duties/requests/{id}/"
MODES = "/api/v1/duties/work-modes/"
TODAY = coverage.today


def _api(world: World, username: str) -> Any:
    """The API as ``username``, answering in English (the messages are checked in English)."""
    client = world.api_for(username)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def _herself(world: World) -> Person:
    """周桂姣, a 执委 (她代表) of 回龙村 whose account is ``huilong_zhiwei``."""
    return h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))


# --- every route is in the scope tests ---------------------------------------------------------

# The work modes are the city's one list, the same for everyone: no scope to test.
UNSCOPED = {"duty-work-mode"}


def test_every_method_of_every_duties_api_detail_route_has_a_scope_case() -> None:
    # The core meta-test reads the main router; these routes are registered on their own.
    detail_actions = {"retrieve": "get", "update": "put", "partial_update": "patch", "destroy": "delete"}
    served: set[tuple[str, str]] = set()
    for _prefix, viewset, basename in router.registry:
        if basename in UNSCOPED:
            continue
        for name, method in detail_actions.items():
            if hasattr(viewset, name):
                served.add((f"api:{basename}-detail", method))
        extras: list[Any] = viewset.get_extra_actions()  # functions carrying DRF's @action attributes
        for extra in extras:
            if extra.detail:
                served |= {(f"api:{basename}-{extra.url_name}", method) for method in extra.mapping}
    covered = {(name, method) for case in CASES for name, method, _status in case.detail_checks()}
    assert served
    assert served - covered == set()


# --- duty records --------------------------------------------------------------------------


def _post_record(api: Any, **body: Any) -> Any:
    body.setdefault("work_mode", WorkMode.objects.get(name="入户走访").pk)
    body.setdefault("mode", "visit")
    body.setdefault("happened_on", TODAY().isoformat())
    return api.post(reverse("api:grid-contact-list"), body, format="multipart")


def test_a_duty_record_is_recorded_reviewed_returned_edited_confirmed_and_corrected(world: World) -> None:
    herself = _herself(world)
    home = household(world, "huilong", "周建国")
    daughter = member(world, home, "周小红")
    mine = _api(world, "huilong_zhiwei")
    key = str(uuid.uuid4())
    body = {
        "households": [home.pk],
        "members": [daughter.pk],
        "half_hours": 3,
        "place": world.org("huilong_group1").code,
        "note": "入户走访，了解就业意向",
        "client_key": key,
        "photos": [SimpleUploadedFile("a.jpg", jpeg())],
    }
    made = _post_record(mine, **body)
    assert made.status_code == 201, made.content[:500]
    record = conforms(made, CONTACTS, "post")
    assert (record["person"], record["work_mode"]["name"], record["half_hours"], record["hours"]) == (
        herself.pk,
        "Home visits",  # the reader's language
        3,
        1.5,
    )
    assert (record["status"], record["members"], record["org"]) == (
        "pending",
        [{"id": daughter.pk, "name": "周小红"}],
        world.org("huilong_group1").code,
    )
    assert len(record["photos"]) == 1
    # The same key again (a double tap on a weak network): the record already made, 200, once.
    again = _post_record(mine, **{**body, "photos": [SimpleUploadedFile("a.jpg", jpeg())]})
    assert again.status_code == 200
    assert conforms(again, CONTACTS, "post")["id"] == record["id"]
    assert Contact.objects.filter(person=herself).count() == 1
    # Nobody confirms her own record.
    own = mine.post(reverse("api:grid-contact-confirm", args=[record["id"]]))
    assert own.status_code == 400
    assert conforms(own, CONTACT + "confirm/", "post") == {
        "detail": "Nobody reviews her own record: the level above does."
    }
    # The township's staff find it in their queue and return it with a reason.
    staff = _api(world, "xinshi_staff")
    queue = conforms(staff.get(reverse("api:duty-review-queue-list")), QUEUE)
    assert [r["id"] for r in queue["results"]] == [record["id"]]
    assert conforms(mine.get(reverse("api:duty-review-queue-list")), QUEUE)["results"] == []
    returned = staff.post(reverse("api:grid-contact-return", args=[record["id"]]), {"reason": "请补充走访内容"})
    assert returned.status_code == 200, returned.content[:300]
    assert conforms(returned, CONTACT + "return/", "post")["return_reason"] == "请补充走访内容"
    assert staff.get(reverse("api:duty-review-queue-list")).json()["results"] == []
    # She changes it: it goes back to review.
    edited = mine.patch(
        reverse("api:grid-contact-detail", args=[record["id"]]), {"half_hours": 4, "note": "补充"}, format="json"
    )
    assert edited.status_code == 200, edited.content[:300]
    assert (conforms(edited, CONTACT, "patch")["status"], edited.json()["hours"]) == ("pending", 2.0)
    # Bulk confirmation from the queue: the record, and an id that is not waiting for her.
    bulk = staff.post(reverse("api:duty-review-queue-confirm"), {"ids": [record["id"], 99999]}, format="json")
    assert bulk.status_code == 200
    assert conforms(bulk, QUEUE + "confirm/", "post") == {
        "confirmed": 1,
        "problems": ["Record 99999 is not waiting for your review."],
    }
    # Confirmed: locked, and not confirmed twice.
    twice = staff.post(reverse("api:grid-contact-confirm", args=[record["id"]]))
    assert twice.status_code == 400
    assert "already confirmed" in conforms(twice, CONTACT + "confirm/", "post")["detail"]
    locked = mine.patch(reverse("api:grid-contact-detail", args=[record["id"]]), {"note": "改"}, format="json")
    assert locked.status_code == 400
    assert "make a correction" in locked.json()["detail"]
    # A correction is a new record; once confirmed, the old one is superseded (both kept).
    correction = _post_record(
        mine, households=[home.pk], half_hours=2, supersedes=record["id"], correction_reason="时长记错了"
    )
    assert correction.status_code == 201, correction.content[:300]
    fixed = conforms(correction, CONTACTS, "post")
    assert (fixed["supersedes"], fixed["correction_reason"]) == (record["id"], "时长记错了")
    assert staff.post(reverse("api:grid-contact-confirm", args=[fixed["id"]])).status_code == 200
    old = conforms(staff.get(reverse("api:grid-contact-detail", args=[record["id"]])), CONTACT)
    assert (old["status"], old["reviewed_by"]["name"]) == ("superseded", "Xinshi Staff")
    listed = staff.get(reverse("api:grid-contact-list"), {"status": "superseded"})
    assert [r["id"] for r in conforms(listed, CONTACTS)["results"]] == [record["id"]]


def test_bad_duty_records_are_400s_naming_the_field_and_write_nothing(world: World) -> None:
    _herself(world)
    home = household(world, "huilong", "周建国")
    outside = household(world, "shucai", "钟建华")
    stranger = member(world, outside, "钟小芳")
    mine = _api(world, "huilong_zhiwei")
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    retired = WorkMode.objects.create(name="旧模式", active=False)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"happened_on": tomorrow}, "happened_on"),
        ({"half_hours": 49}, "half_hours"),
        ({"households": [outside.pk]}, "households"),
        ({"members": [stranger.pk]}, "members"),
        ({"work_mode": 99999}, "work_mode"),
        ({"work_mode": retired.pk}, "work_mode"),
        ({"place": world.org("shucai").code}, "place"),
        ({"photos": [SimpleUploadedFile("note.jpg", b"not an image at all")]}, "photos"),
        ({"supersedes": 99999, "correction_reason": "x"}, "supersedes"),
    ]
    for changes, field in cases:
        response = _post_record(mine, **{"households": [home.pk], **changes})
        assert response.status_code == 400, (changes, response.content[:300])
        assert list(conforms(response, CONTACTS, "post")) == [field], changes
    assert not Contact.objects.exists()
    # More than 24 hours in one day for one person, over two records.
    assert _post_record(mine, households=[home.pk], half_hours=40).status_code == 201
    over = _post_record(mine, households=[home.pk], half_hours=10)
    assert over.status_code == 400
    assert conforms(over, CONTACTS, "post") == {
        "half_hours": [f"More than 24 hours in one day: 20 hours are already recorded for {TODAY().isoformat()}."]
    }
    assert Contact.objects.count() == 1


def test_records_filter_by_work_mode_status_month_person_and_org(world: World) -> None:
    herself = _herself(world)
    other = h.zhiwei(world, "huilong", "李秀英")
    now = TODAY()
    earlier = now.replace(day=1) - datetime.timedelta(days=1)
    first = h.record(world, herself, on=now)
    second = h.record(world, other, on=earlier, work_mode="政策宣讲")
    api = _api(world, "xinshi_staff")

    def ids(**params: Any) -> list[int]:
        response = api.get(reverse("api:grid-contact-list"), params)
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in conforms(response, CONTACTS)["results"]]

    assert ids(work_mode=h.mode("政策宣讲").pk) == [second.pk]
    assert ids(month=now.strftime("%Y-%m")) == [first.pk]
    assert ids(month=earlier.strftime("%Y-%m")) == [second.pk]
    assert ids(status="pending") == [first.pk, second.pk]
    assert ids(status="confirmed") == []
    assert ids(person=other.pk) == [second.pk]
    assert ids(org=world.org("huilong").code) == [first.pk, second.pk]
    for params, field in [
        ({"month": "2026-13"}, "month"),
        ({"work_mode": "x"}, "work_mode"),
        ({"status": "y"}, "status"),
    ]:
        response = api.get(reverse("api:grid-contact-list"), params)
        assert response.status_code == 400
        assert list(response.json()) == [field]


def test_the_review_queue_reads_a_constant_number_of_queries(world: World) -> None:
    herself = _herself(world)
    api = _api(world, "xinshi_staff")
    url = reverse("api:duty-review-queue-list")

    def count() -> int:
        api.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        return len(captured)

    h.record(world, herself, half_hours=1)
    few = count()
    for n in range(4):
        h.record(world, h.zhiwei(world, "huilong", f"李{n}"), half_hours=1)
    assert count() == few
    assert len(api.get(url).json()["results"]) == 5


# --- 她代表 requests ------------------------------------------------------------------------


def _action(api: Any, name: str, pk: int, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return api.post(reverse(f"api:duty-request-{name}", args=[pk]), body or {}, **kwargs)


def test_a_request_goes_from_the_village_to_the_county_and_is_closed(world: World) -> None:
    herself = _herself(world)
    home = household(world, "huilong", "周建国")
    mine = _api(world, "huilong_zhiwei")
    key = str(uuid.uuid4())
    body = {
        "category": "jobs",
        "urgency": "urgent",
        "household": home.pk,
        "description": "想在家附近找一份工作",
        "client_key": key,
        "photos": [SimpleUploadedFile("a.jpg", jpeg())],
    }
    made = mine.post(reverse("api:duty-request-list"), body, format="multipart")
    assert made.status_code == 201, made.content[:500]
    request = conforms(made, REQUESTS, "post")
    assert (request["representative"], request["holder"], request["status"]) == (
        herself.pk,
        world.org("huilong").code,
        "recorded",
    )
    assert len(request["photos"]) == 1
    pk = request["id"]
    again = mine.post(reverse("api:duty-request-list"), {**body, "photos": []}, format="multipart")
    assert (again.status_code, again.json()["id"]) == (200, pk)
    assert Request.objects.count() == 1
    # A 执委 does not handle requests: the services' permission.
    assert _action(mine, "accept", pk).status_code == 403
    township = _api(world, "xinshi_staff")
    assert _action(township, "accept", pk).status_code == 200
    # Closing without an answer is refused.
    refused = _action(township, "close", pk, {"note": "她搬走了"})
    assert refused.status_code == 400
    assert conforms(refused, REQUEST + "close/", "post") == {
        "detail": "A request is closed only once it has an answer."
    }
    up = _action(township, "escalate", pk, {"reason": "需要镇里协调"})
    assert conforms(up, REQUEST + "escalate/", "post")["holder"] == world.org("xinshi").code
    assert _action(township, "accept", pk).status_code == 200
    county_bound = _action(township, "escalate", pk, {"reason": "涉及县里的招聘会"})
    assert (county_bound.json()["holder"], county_bound.json()["status"]) == (world.org("youxian").code, "recorded")
    county = _api(world, "youxian_admin")
    assert _action(county, "accept", pk).status_code == 200
    assigned = _action(county, "assign", pk, {"assignee": world.user("youxian_admin").pk, "note": "我来跟进"})
    assert conforms(assigned, REQUEST + "assign/", "post")["assignee"]["id"] == world.user("youxian_admin").pk
    progress = _action(
        county,
        "update",
        pk,
        {"note": "已联系县人社局", "photos": [SimpleUploadedFile("b.jpg", jpeg())]},
        format="multipart",
    )
    assert conforms(progress, REQUEST + "update/", "post")["status"] == "in_progress"
    answered = _action(county, "answer", pk, {"answer": "下周县招聘会有合适岗位"})
    assert conforms(answered, REQUEST + "answer/", "post")["status"] == "answered"
    rated = _action(mine, "rate", pk, {"satisfaction": "satisfied"})
    assert rated.status_code == 200, rated.content[:300]
    assert (conforms(rated, REQUEST + "rate/", "post")["status"], rated.json()["satisfaction"]) == (
        "closed",
        "satisfied",
    )
    steps = mine.get(reverse("api:duty-request-steps", args=[pk]))
    assert [s["kind"] for s in conforms(steps, REQUEST + "steps/")] == [
        "record",
        "accept",
        "escalate",
        "accept",
        "escalate",
        "accept",
        "assign",
        "update",
        "answer",
        "rate",
        "close",
    ]
    assert len(steps.json()[7]["photos"]) == 1
    assert steps.json()[4]["to_org"] == world.org("youxian").code


def test_a_request_is_not_escalated_above_the_city(world: World) -> None:
    made = h.request(world, _herself(world))
    city = _api(world, "city_admin")
    for _level in ("township", "county", "city"):
        assert _action(city, "escalate", made.pk, {"reason": "上报"}).status_code == 200
    top = _action(city, "escalate", made.pk, {"reason": "再上报"})
    assert top.status_code == 400
    assert list(conforms(top, REQUEST + "escalate/", "post")) == ["reason"]
    assert Request.objects.get().holder == world.org("city")


def test_bad_requests_are_400s_naming_the_field(world: World) -> None:
    _herself(world)
    outside = household(world, "shucai", "钟建华")
    mine = _api(world, "huilong_zhiwei")
    base: dict[str, Any] = {"category": "jobs", "description": "想找工作"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"category": "weather"}, "category"),
        ({"description": ""}, "description"),
        ({"household": outside.pk}, "household"),
        ({"urgency": "whenever"}, "urgency"),
    ]
    # An empty key in a form body is no key (a parser may drop an empty part): the request is
    # taken without one. A key that is not a UUID is refused.
    bad_key = mine.post(reverse("api:duty-request-list"), {**base, "client_key": "tap-1"}, format="multipart")
    assert bad_key.status_code == 400
    assert list(conforms(bad_key, REQUESTS, "post")) == ["client_key"]
    for changes, field in cases:
        response = mine.post(reverse("api:duty-request-list"), {**base, **changes}, format="json")
        assert response.status_code == 400, response.content[:300]
        assert list(conforms(response, REQUESTS, "post")) == [field]
    assert not Request.objects.exists()
    empty_key = mine.post(reverse("api:duty-request-list"), {**base, "client_key": ""}, format="multipart")
    assert empty_key.status_code == 201, empty_key.content[:300]
    assert Request.objects.get().client_key is None


def test_requests_filter_and_page_in_a_constant_number_of_queries(world: World) -> None:
    herself = _herself(world)
    first = h.request(world, herself, category="law", urgency="critical")
    second = h.request(world, herself)
    Request.objects.filter(pk=first.pk).update(due_on=TODAY() - datetime.timedelta(days=1))
    staff = _api(world, "xinshi_staff")
    h.requests.request_accept(actor=world.user("xinshi_staff"), request=second)
    h.requests.request_assign(actor=world.user("xinshi_staff"), request=second, assignee=world.user("huilong_zhiwei"))

    def ids(api: Any = staff, **params: Any) -> list[int]:
        response = api.get(reverse("api:duty-request-list"), params)
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in conforms(response, REQUESTS)["results"]]

    assert ids() == [second.pk, first.pk]  # newest first
    assert ids(status="assigned") == [second.pk]
    assert ids(category="law") == [first.pk]
    assert ids(urgency="critical") == [first.pk]
    assert ids(overdue="true") == [first.pk]
    assert ids(overdue="false") == [second.pk]
    assert ids(holder=world.org("huilong").code) == [second.pk, first.pk]
    assert ids(holder=world.org("xinshi").code) == []
    assert ids(_api(world, "huilong_zhiwei"), assignee="me") == [second.pk]
    assert ids(assignee=str(world.user("huilong_zhiwei").pk)) == [second.pk]
    for params, field in [
        ({"overdue": "maybe"}, "overdue"),
        ({"assignee": "x"}, "assignee"),
        ({"status": "z"}, "status"),
    ]:
        response = staff.get(reverse("api:duty-request-list"), params)
        assert response.status_code == 400
        assert list(response.json()) == [field]
    url = reverse("api:duty-request-list")

    def count() -> int:
        staff.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(url).status_code == 200
        return len(captured)

    few = count()
    for n in range(4):
        h.request(world, herself, description=f"诉求{n}")
    assert count() == few
    assert RequestStatus.ASSIGNED in Request.objects.values_list("status", flat=True)


# --- work modes ----------------------------------------------------------------------------


def test_everyone_reads_the_work_modes_and_the_city_keeps_them(world: World) -> None:
    listed = _api(world, "huilong_zhiwei").get(reverse("api:duty-work-mode-list"))
    names = [m["name"] for m in conforms(listed, MODES)]
    assert names[:3] == ["入户走访", "政策宣讲", "矛盾调解"]
    assert len(names) == 7
    county = _api(world, "youxian_admin")
    assert county.post(reverse("api:duty-work-mode-list"), {"name": "普法宣传"}, format="json").status_code == 403
    city = _api(world, "city_admin")
    made = city.post(
        reverse("api:duty-work-mode-list"), {"name": "普法宣传", "name_en": "Legal outreach"}, format="json"
    )
    assert made.status_code == 201, made.content[:300]
    mode = conforms(made, MODES, "post")
    twice = city.post(reverse("api:duty-work-mode-list"), {"name": "普法宣传"}, format="json")
    assert twice.status_code == 400
    assert list(conforms(twice, MODES, "post")) == ["name"]
    url = reverse("api:duty-work-mode-detail", args=[mode["id"]])
    retired = city.patch(url, {"active": False}, format="json")
    assert retired.status_code == 200
    assert conforms(retired, MODES + "{id}/", "patch")["active"] is False
    assert county.patch(url, {"active": True}, format="json").status_code == 403
    assert WorkMode.objects.get(pk=mode["id"]).active is False
