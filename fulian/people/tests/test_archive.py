"""Archiving, restoring and erasing people: through the services, the pages and the API."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.people import services
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post
from fulian.people.tests.helpers import person, post, with_photo
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

NUMBER = id_number("430223", "19690815")


def archive(world: World, who: Person, by: str = "xinshi_staff", reason: str = "迁往长沙") -> Person:
    return services.person_archive(actor=world.user(by), person=who, reason=reason)


def listed(client, url: str, params: dict | None = None) -> str:
    return client.get(url, params or {}).content.decode()


# --- archive: gone from lists, kept in history --------------------------------------------------


def test_an_archived_person_leaves_every_list_search_export_and_picker(world: World) -> None:
    gone = person(world, "huilong", "周桂姣", mobile="13907331215", id_number=NUMBER)
    person(world, "huilong", "李秀英")
    archive(world, gone)
    client, api = world.client_for("xinshi_staff"), world.api_for("xinshi_staff")
    for params in ({}, {"q": "周桂姣"}, {"q": "zgj"}, {"q": "13907331215"}, {"q": NUMBER}):
        page = listed(client, reverse("people:list"), params)
        assert f"/people/{gone.pk}/" not in page, params
        assert gone.pk not in [r["id"] for r in api.get(reverse("api:person-list"), params).json()["results"]]
    assert "李秀英" in listed(client, reverse("people:list"))
    export = client.get(reverse("people:export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "李秀英" in export
    assert "周桂姣" not in export
    picked = api.post(
        reverse("api:post-list"),
        {"person": gone.pk, "org": world.org("huilong").code, "kind": "member", "start_date": "2025-01-01"},
        format="json",
    )
    assert picked.status_code == 400
    assert set(picked.json()) == {"person"}


def test_the_archived_list_shows_only_the_archived(world: World) -> None:
    gone = archive(world, person(world, "huilong", "周桂姣"))
    stays = person(world, "huilong", "李秀英")
    page = listed(world.client_for("xinshi_staff"), reverse("people:list"), {"archived": "1"})
    assert f"/people/{gone.pk}/" in page
    assert f"/people/{stays.pk}/" not in page
    rows = world.api_for("xinshi_staff").get(reverse("api:person-list"), {"archived": "1"}).json()["results"]
    assert [(r["id"], r["archive_reason"], r["archived_by"]) for r in rows] == [(gone.pk, "迁往长沙", "xinshi_staff")]


def test_her_page_stays_and_says_who_archived_her_when_and_why(world: World) -> None:
    gone = archive(world, person(world, "huilong", "周桂姣"))
    page = (
        world.client_for("xinshi_staff")
        .get(reverse("people:detail", args=[gone.pk]), headers={"accept-language": "en"})
        .content.decode()
    )
    assert "周桂姣" in page
    assert "Archived" in page
    assert "迁往长沙" in page
    assert world.user("xinshi_staff").full_name in page
    assert reverse("people:restore", args=[gone.pk]) in page
    assert reverse("people:edit", args=[gone.pk]) not in page
    assert reverse("people:archive", args=[gone.pk]) not in page
    assert reverse("people:post_create", args=[gone.pk]) not in page
    # A reader who may not restore sees the record and no button that would be refused.
    member = listed(world.client_for("huilong_zhiwei"), reverse("people:detail", args=[gone.pk]))
    assert "迁往长沙" in member
    assert reverse("people:restore", args=[gone.pk]) not in member
    detail = world.api_for("huilong_zhiwei").get(reverse("api:person-detail", args=[gone.pk])).json()
    assert detail["archived_at"] is not None
    assert detail["archive_reason"] == "迁往长沙"


def test_archiving_ends_her_current_posts_and_restoring_leaves_them_ended(world: World) -> None:
    chair = person(world, "huilong", "周桂姣")
    current = post(world, chair, "huilong", PostKind.CHAIR)
    gone = archive(world, chair)
    current.refresh_from_db()
    assert current.end_date == timezone.localdate()
    event = AuditEvent.objects.filter(action="archive").get()
    assert (event.object_id, event.changes, event.actor_name) == (
        str(chair.pk),
        {"reason": "迁往长沙", "posts_ended": 1},
        "xinshi_staff",
    )
    back = services.person_restore(actor=world.user("xinshi_staff"), person=gone, reason="返乡")
    assert back.archived_at is None
    assert back.archived_by is None
    assert back.archive_reason == ""
    current.refresh_from_db()
    assert current.end_date == timezone.localdate()
    assert AuditEvent.objects.filter(action="restore").get().changes == {"reason": "返乡"}
    assert f"/people/{chair.pk}/" in listed(world.client_for("xinshi_staff"), reverse("people:list"))


def test_a_post_that_starts_later_ends_on_its_own_start(world: World) -> None:
    who = person(world, "huilong", "周桂姣")
    later = post(world, who, "huilong", start_date=timezone.localdate() + datetime.timedelta(days=10))
    archive(world, who)
    later.refresh_from_db()
    assert later.end_date == later.start_date


def test_archiving_is_refused_while_she_holds_a_post_outside_the_actors_reach(world: World) -> None:
    # A village chair who is also a county 执委: the township's staff cannot end the county post.
    chair = person(world, "huilong", "周桂姣")
    post(world, chair, "huilong", PostKind.CHAIR)
    county = post(world, chair, "youxian")
    with pytest.raises(ValidationError) as refused:
        archive(world, chair)
    assert "outside your area" in refused.value.messages[0]
    chair.refresh_from_db()
    assert chair.archived_at is None
    assert Post.objects.filter(person=chair, end_date__isnull=True).count() == 2
    archive(world, chair, by="youxian_admin")
    county.refresh_from_db()
    assert county.end_date is not None


def test_an_archived_record_is_read_only_until_restored(world: World) -> None:
    gone = archive(world, person(world, "huilong", "周桂姣"))
    staff = world.user("xinshi_staff")
    with pytest.raises(ValidationError, match="archived"):
        services.person_update(actor=staff, person=gone, values={"address": "长沙"})
    with pytest.raises(ValidationError, match="archived"):
        services.post_assign(
            actor=staff,
            person=gone,
            org=world.org("huilong"),
            kind=PostKind.MEMBER,
            start_date=datetime.date(2025, 1, 1),
        )
    with pytest.raises(ValidationError, match="archived"):
        services.person_set_photo(actor=staff, person=gone, upload=None)
    client = world.client_for("xinshi_staff")
    edit = client.get(reverse("people:edit", args=[gone.pk]), follow=True, headers={"accept-language": "en"})
    assert edit.redirect_chain == [(reverse("people:detail", args=[gone.pk]), 302)]
    assert "restore the record before changing it" in edit.content.decode()
    patched = world.api_for("xinshi_staff").patch(
        reverse("api:person-detail", args=[gone.pk]),
        {"address": "长沙"},
        format="json",
        headers={"accept-language": "en"},
    )
    assert patched.status_code == 400
    assert "archived" in patched.json()["detail"]
    gone.refresh_from_db()
    assert gone.address == ""


def test_a_returning_person_is_pointed_to_her_archived_record(world: World) -> None:
    archive(world, person(world, "huilong", "周桂姣", id_number=NUMBER))
    with pytest.raises(ValidationError) as refused:
        person(world, "huilong", "周桂姣", id_number=NUMBER)
    assert refused.value.message_dict["id_number"] == [
        "A person with this ID number is in the archive: restore her record instead."
    ]


# --- bad input and refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give the reason."),
        ("   \n ", "Give the reason."),
        ("长" * 201, "A reason has at most 200 characters (this one has 201)."),
    ],
)
def test_a_reason_is_required_and_short(world: World, reason: str, message: str) -> None:
    who = person(world, "huilong", "周桂姣")
    for change in (services.person_archive, services.person_erase):
        actor = world.user("xinshi_staff" if change is services.person_archive else "city_admin")
        with pytest.raises(ValidationError) as refused:
            change(actor=actor, person=who, reason=reason)
        assert refused.value.message_dict == {"reason": [message]}
    who.refresh_from_db()
    assert (who.archived_at, who.erased_at) == (None, None)


def test_a_reason_is_kept_on_one_line(world: World) -> None:
    gone = archive(world, person(world, "huilong", "周桂姣"), reason="  迁往\n长沙  ")
    assert gone.archive_reason == "迁往 长沙"


def test_state_changes_that_make_no_sense_are_refused(world: World) -> None:
    staff, admin = world.user("xinshi_staff"), world.user("city_admin")
    current = person(world, "huilong", "周桂姣")
    with pytest.raises(ValidationError, match="is not archived"):
        services.person_restore(actor=staff, person=current, reason="x")
    gone = archive(world, current)
    with pytest.raises(ValidationError, match="restore the record before changing it"):
        archive(world, gone)
    erased = services.person_erase(actor=admin, person=gone, reason="本人申请删除")
    with pytest.raises(ValidationError, match="cannot be restored"):
        services.person_restore(actor=staff, person=erased, reason="x")
    with pytest.raises(ValidationError, match="was erased"):
        services.person_erase(actor=admin, person=erased, reason="again")
    assert AuditEvent.objects.filter(action__in=["archive", "restore", "erase"]).count() == 2


def test_the_pages_ask_for_the_reason_and_name_the_field(world: World) -> None:
    who = person(world, "huilong", "周桂姣")
    post(world, who, "huilong", PostKind.CHAIR)
    client = world.client_for("xinshi_staff")
    url = reverse("people:archive", args=[who.pk])
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "Her post Chair at 回龙村 Women&#x27;s Federation ends today" in page
    refused = client.post(url, {"reason": ""}, headers={"accept-language": "en"})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    done = client.post(url, {"reason": "迁往长沙"})
    assert done.status_code == 302
    assert done["Location"] == reverse("people:detail", args=[who.pk])
    again = client.post(url, {"reason": "迁往长沙"}, headers={"accept-language": "en"})
    assert again.status_code == 400
    assert "restore the record before changing it" in again.content.decode()
    restored = client.post(reverse("people:restore", args=[who.pk]), {"reason": "返乡"})
    assert restored.status_code == 302
    who.refresh_from_db()
    assert who.archived_at is None


def test_the_api_names_the_reason_field(world: World) -> None:
    who = person(world, "huilong", "周桂姣")
    api = world.api_for("xinshi_staff")
    missing = api.post(reverse("api:person-archive", args=[who.pk]), {}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"reason"}
    blank = api.post(reverse("api:person-archive", args=[who.pk]), {"reason": "  "}, format="json")
    assert blank.status_code == 400
    assert set(blank.json()) == {"reason"}
    done = api.post(reverse("api:person-archive", args=[who.pk]), {"reason": "迁往长沙"}, format="json")
    assert done.status_code == 200
    assert done.json()["archived_by"] == "xinshi_staff"
    restored = api.post(reverse("api:person-restore", args=[who.pk]), {"reason": "返乡"}, format="json")
    assert restored.status_code == 200
    assert restored.json()["archived_at"] is None
    twice = api.post(reverse("api:person-restore", args=[who.pk]), {"reason": "返乡"}, format="json")
    assert twice.status_code == 400


@pytest.mark.parametrize("username", ["huilong_zhiwei", "leader"])
def test_readers_may_not_archive(world: World, username: str) -> None:
    who = person(world, "huilong", "周桂姣")
    client = world.client_for(username)
    assert client.get(reverse("people:archive", args=[who.pk])).status_code == 403
    assert client.post(reverse("people:archive", args=[who.pk]), {"reason": "x"}).status_code == 403
    api = world.api_for(username).post(reverse("api:person-archive", args=[who.pk]), {"reason": "x"}, format="json")
    assert api.status_code == 403
    with pytest.raises(PermissionDenied):
        services.person_archive(actor=world.user(username), person=who, reason="x")
    who.refresh_from_db()
    assert who.archived_at is None


# --- erase ---------------------------------------------------------------------------------------


def test_erasing_destroys_every_personal_field_and_keeps_her_posts_anonymous(
    world: World, django_capture_on_commit_callbacks
) -> None:
    who = with_photo(
        world,
        person(
            world,
            "huilong",
            "周桂姣",
            id_number=NUMBER,
            mobile="13907331215",
            address="回龙村3组",
            occupation="村医",
            skills="种植",
            notes="腿脚不便",
            backbone_since=datetime.date(2020, 1, 1),
        ),
    )
    photo = str(who.photo.name)
    storage = who.photo.storage
    ended = post(world, who, "huilong", PostKind.MEMBER)
    services.post_end(actor=world.user("city_admin"), post=ended, on=datetime.date(2022, 1, 1))
    current = post(world, who, "xinshi", PostKind.MEMBER)
    with pytest.raises(PermissionDenied):
        services.person_erase(actor=world.user("xinshi_staff"), person=who, reason="本人申请删除")
    with django_capture_on_commit_callbacks(execute=True):
        erased = services.person_erase(actor=world.user("youxian_admin"), person=who, reason="2025-03-01 来函申请删除")
    row: dict[str, Any] = dict(Person.objects.with_archived().values().get(pk=who.pk))
    for field in ("name", "search_keys", "ethnicity", "occupation", "address", "skills", "notes", "photo"):
        assert row[field] == "", field
    for field in ("id_number", "id_hash", "mobile", "mobile_hash", "birth_date", "backbone_since", "account_id"):
        assert row[field] is None, field
    assert row["erased_at"] is not None
    assert row["archived_at"] is not None
    assert not storage.exists(photo)
    assert str(erased) == "(erased)"
    # Her posts stay in the terms' history, pointing at the anonymous record; the current one ended.
    assert Post.objects.filter(person=who).count() == 2
    current.refresh_from_db()
    assert current.end_date == timezone.localdate()
    # The audit log keeps the fact, her masked name and the reason, nothing that names her.
    event = AuditEvent.objects.filter(action="erase").get()
    assert event.object_repr == "周**"
    assert event.changes == {"reason": "2025-03-01 来函申请删除", "posts_ended": 1, "posts_kept": 2}
    assert event.actor_name == "youxian_admin"
    after = AuditEvent.objects.filter(id__gte=event.pk)
    assert not any("周桂姣" in f"{e.object_repr}{e.changes}" for e in after)
    # Earlier events are append-only and stay as they were (docs/decisions.md).
    assert AuditEvent.objects.filter(action="create", object_type="people.person", object_repr="周桂姣").exists()


def test_an_erased_person_is_found_by_nothing(world: World) -> None:
    who = person(world, "huilong", "周桂姣", id_number=NUMBER, mobile="13907331215")
    services.person_erase(actor=world.user("city_admin"), person=who, reason="本人申请删除")
    client = world.client_for("city_admin")
    for q in ("周桂姣", "zgj", NUMBER, "13907331215"):
        for archived in ("", "1"):
            assert f"/people/{who.pk}/" not in listed(client, reverse("people:list"), {"q": q, "archived": archived})
    page = client.get(reverse("people:detail", args=[who.pk]), headers={"accept-language": "en"}).content.decode()
    assert "Erased on" in page
    assert "周桂姣" not in page
    assert reverse("people:reveal", args=[who.pk]) not in page
    assert reverse("people:erase", args=[who.pk]) not in page
    assert reverse("people:restore", args=[who.pk]) not in page
    # Her ID number is free: she may be registered again as a new person.
    assert person(world, "huilong", "周桂姣", id_number=NUMBER).pk != who.pk


def test_erase_through_the_page_and_the_api_is_for_administrators(world: World) -> None:
    first, second = person(world, "huilong", "周桂姣"), person(world, "huilong", "李秀英")
    staff = world.client_for("xinshi_staff")
    assert staff.get(reverse("people:erase", args=[first.pk])).status_code == 403
    assert reverse("people:erase", args=[first.pk]) not in listed(staff, reverse("people:detail", args=[first.pk]))
    refused = world.api_for("xinshi_staff").post(
        reverse("api:person-erase", args=[first.pk]), {"reason": "本人申请删除"}, format="json"
    )
    assert refused.status_code == 403
    admin = world.client_for("youxian_admin")
    assert reverse("people:erase", args=[first.pk]) in listed(admin, reverse("people:detail", args=[first.pk]))
    assert admin.post(reverse("people:erase", args=[first.pk]), {"reason": ""}).status_code == 400
    assert admin.post(reverse("people:erase", args=[first.pk]), {"reason": "本人申请删除"}).status_code == 302
    answer = world.api_for("youxian_admin").post(
        reverse("api:person-erase", args=[second.pk]), {"reason": "本人申请删除"}, format="json"
    )
    assert answer.status_code == 200
    assert (answer.json()["name"], answer.json()["mobile"]) == ("", "")
    assert answer.json()["erased_at"] is not None
    assert Person.objects.with_archived().filter(erased_at__isnull=False).count() == 2


# --- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("archived", ["", "1"])
def test_the_lists_run_the_same_queries_for_5_or_50_people(world: World, archived: str) -> None:
    client, api = world.client_for("xinshi_staff"), world.api_for("xinshi_staff")

    def make(n: int, prefix: str) -> None:
        for i in range(n):
            who = person(world, "huilong", f"{prefix}{i}")
            post(world, who, "huilong" if i % 2 else "xinshi")
            if archived:
                archive(world, who, by="city_admin")

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            client.get(reverse("people:list"), {"archived": archived})
        with CaptureQueriesContext(connection) as rest:
            body = api.get(reverse("api:person-list"), {"archived": archived}).json()
        assert len(body["results"]) == (50 if body["next"] else len(body["results"]))
        return len(page), len(rest)

    make(5, "周")
    client.get(reverse("people:list"))
    few = queries()
    make(50, "李")
    many = queries()
    assert many == few
    page = listed(client, reverse("people:list"), {"archived": archived})
    assert page.count('href="/people/') >= 50


def test_an_archived_record_is_still_revealed_through_its_own_page(world: World) -> None:
    gone = archive(world, person(world, "huilong", "周桂姣", mobile="13907331215"))
    shown = world.client_for("xinshi_staff").post(reverse("people:reveal", args=[gone.pk]), {"field": "mobile"})
    assert shown.status_code == 200
    assert "13907331215" in shown.content.decode()
    api = world.api_for("xinshi_staff").post(reverse("api:person-reveal", args=[gone.pk]), {"field": "mobile"})
    assert api.json() == {"field": "mobile", "value": "13907331215"}
    assert AuditEvent.objects.filter(action="reveal", object_id=str(gone.pk)).count() == 2


def test_an_erased_person_is_listed_among_the_archived_without_a_name(world: World) -> None:
    who = person(world, "huilong", "周桂姣")
    services.person_erase(actor=world.user("city_admin"), person=who, reason="本人申请删除")
    page = (
        world.client_for("xinshi_staff")
        .get(reverse("people:list"), {"archived": "1"}, headers={"accept-language": "en"})
        .content.decode()
    )
    assert f'<a href="/people/{who.pk}/">(erased)</a>' in page


def test_her_posts_stay_readable_through_the_api_after_archiving(world: World) -> None:
    who = person(world, "huilong", "周桂姣")
    chair = post(world, who, "huilong", PostKind.CHAIR)
    archive(world, who)
    rows = world.api_for("xinshi_staff").get(reverse("api:post-list"), {"person": str(who.pk)}).json()["results"]
    assert [(r["id"], r["end_date"]) for r in rows] == [(chair.pk, timezone.localdate().isoformat())]
