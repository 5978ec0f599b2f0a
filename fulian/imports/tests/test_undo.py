"""Undoing an import: within 7 days, when none of its rows changed since; otherwise the rows that
block it are listed. Through the service, the page and the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fulian.audit.models import AuditEvent
from fulian.core.personal import mask_id_number
from fulian.households import services as households
from fulian.households.models import Household, HouseholdMember
from fulian.households.tests.helpers import household
from fulian.imports import services
from fulian.imports.models import ImportBatch
from fulian.imports.problems import shown
from fulian.imports.tests.files import xlsx
from fulian.people import services as people
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post, Term
from fulian.people.tests.helpers import person, post
from fulian.testing.clock import Clock
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def households_file(*names: str) -> bytes:
    # A title row, the header on row 2: the households are on rows 3, 4, …
    return xlsx([["村（社区）", "户主姓名"], *[["回龙村", name] for name in names]], title="回龙村户情台账")


def roster_file() -> bytes:
    return xlsx(
        [
            ["姓名", "所在村", "职务", "任职时间"],
            ["周桂姣", "回龙村", "主席", "2021-09-01"],
            ["李秀英", "回龙村", "执委", "2021-09-01"],
            ["刘红", "大桥头村", "骨干", ""],
        ]
    )


def imported(world: World, kind: str, data: bytes, org: str = "xinshi", by: str = "xinshi_staff") -> ImportBatch:
    """An upload previewed and imported (the tests' task backend runs the tasks at once)."""
    batch = services.batch_upload(
        actor=world.user(by), kind=kind, org=world.org(org), upload=SimpleUploadedFile("台账.xlsx", data)
    )
    batch.refresh_from_db()
    services.batch_commit(actor=world.user(by), batch=batch, sha256=batch.sha256, valid_rows=batch.report["valid_rows"])
    batch.refresh_from_db()
    assert batch.status == "imported", batch.message
    return batch


def undo(world: World, batch: ImportBatch, by: str = "xinshi_staff") -> ImportBatch:
    return services.batch_undo(actor=world.user(by), batch=batch)


# --- undone ------------------------------------------------------------------------------------


def test_a_household_import_is_undone_with_one_audit_event(world: World) -> None:
    earlier = household(world, "huilong", "王老户")
    batch = imported(world, "households", households_file("周建国", "李德福"))
    assert batch.finished_at is not None
    rows = Household.objects.filter(import_batch=batch.pk).order_by("import_row").values_list("import_row", flat=True)
    assert list(rows) == [3, 4]
    before = AuditEvent.objects.count()
    done = undo(world, batch)
    assert (done.status, done.undone_by, done.undone_at is not None) == ("undone", world.user("xinshi_staff"), True)
    assert list(Household.objects.with_archived().values_list("pk", flat=True)) == [earlier.pk]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action="import_undone")
    assert (event.object_type, event.object_id, event.actor_name) == (
        "imports.importbatch",
        str(batch.pk),
        "xinshi_staff",
    )
    assert event.changes == {"batch": batch.pk, "rows": 2, "source": "台账.xlsx"}
    assert event.org_path == world.org("xinshi").path


def test_a_roster_import_is_undone_with_its_posts_and_the_term_it_opened(world: World) -> None:
    batch = imported(world, "people", roster_file())
    assert Person.objects.filter(import_batch=batch.pk).count() == 3
    assert Post.objects.filter(import_batch=batch.pk).count() == 2
    term = Term.objects.get(org=world.org("huilong"))
    assert term.import_batch == batch.pk
    undo(world, batch)
    assert not Person.objects.with_archived().exists()
    assert not Post.objects.exists()
    assert not Term.objects.exists()
    assert AuditEvent.objects.get(action="import_undone").changes["rows"] == 3


def test_an_undo_keeps_a_term_that_others_sit_in(world: World) -> None:
    batch = imported(world, "people", roster_file())
    term = Term.objects.get(org=world.org("huilong"))
    # Someone registered by hand joins the committee the import opened: not a row of the file.
    post(world, person(world, "huilong", "王芳"), "huilong")
    undo(world, batch)
    assert list(Person.objects.values_list("name", flat=True)) == ["王芳"]
    assert list(Post.objects.values_list("term_id", flat=True)) == [term.pk]


def test_an_undo_removes_only_its_own_rows(world: World) -> None:
    first = imported(world, "households", households_file("周建国"))
    second = imported(world, "households", households_file("李德福"))
    undo(world, first)
    assert list(Household.objects.values_list("head_name", "import_batch")) == [("李德福", second.pk)]


# --- blocked: rows changed since ---------------------------------------------------------------


def test_an_edited_household_blocks_the_undo_and_is_listed(world: World) -> None:
    batch = imported(world, "households", households_file("周建国", "李德福", "王芳"))
    edited = Household.objects.get(head_name="李德福")
    households.household_update(actor=world.user("xinshi_staff"), household=edited, values={"address": "县城"})
    with_member = Household.objects.get(head_name="王芳")
    households.member_add(
        actor=world.user("xinshi_staff"), household=with_member, values={"name": "王小红", "relation": "child"}
    )
    with pytest.raises(services.UndoBlocked) as blocked:
        undo(world, batch)
    assert [(b.row, b.name) for b in blocked.value.blockers] == [(4, "李德福"), (5, "王芳")]
    assert blocked.value.blockers[0].changes[0].startswith("changed on ")
    assert "members added since" in blocked.value.blockers[1].changes
    assert Household.objects.filter(import_batch=batch.pk).count() == 3
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert not AuditEvent.objects.filter(action="import_undone").exists()


def test_an_archived_or_erased_household_blocks_the_undo(world: World) -> None:
    batch = imported(world, "households", households_file("周建国", "李德福"))
    households.household_archive(
        actor=world.user("xinshi_staff"), household=Household.objects.get(head_name="周建国"), reason="迁出"
    )
    households.household_erase(
        actor=world.user("city_admin"), household=Household.objects.get(head_name="李德福"), reason="申请删除"
    )
    with pytest.raises(services.UndoBlocked) as blocked:
        undo(world, batch)
    assert [(b.row, b.name, b.changes[0][:12]) for b in blocked.value.blockers] == [
        (3, "周建国", "archived on "),
        (4, "(erased)", "erased"),
    ]


def test_people_changed_since_block_the_undo(world: World) -> None:
    batch = imported(world, "people", roster_file())
    staff = world.user("xinshi_staff")
    zhou, li, liu = (Person.objects.get(name=n) for n in ("周桂姣", "李秀英", "刘红"))
    people.post_assign(
        actor=staff, person=liu, org=world.org("daqiaotou"), kind=PostKind.MEMBER, start_date=datetime.date(2025, 1, 1)
    )
    people.post_end(actor=staff, post=Post.objects.get(person=li), on=datetime.date(2025, 1, 1))
    people.person_update(actor=staff, person=zhou, values={"address": "回龙村3组"})
    with pytest.raises(services.UndoBlocked) as blocked:
        undo(world, batch)
    found = {b.name: (b.row, b.changes) for b in blocked.value.blockers}
    assert found["周桂姣"][0] == 2
    assert found["周桂姣"][1][0].startswith("changed on ")
    assert found["李秀英"] == (3, ("a post from this file was ended or changed",))
    assert found["刘红"] == (4, ("given a post since",))
    assert Person.objects.count() == 3


# --- refused -----------------------------------------------------------------------------------


def test_an_import_older_than_seven_days_cannot_be_undone(world: World, clock: Clock) -> None:
    batch = imported(world, "households", households_file("周建国"))
    clock.advance(minutes=7 * 24 * 60 - 1)
    assert ImportBatch.objects.get(pk=batch.pk).undoable
    clock.advance(minutes=2)
    with pytest.raises(ValidationError, match="can be undone for 7 days"):
        undo(world, batch)
    assert Household.objects.count() == 1


def test_only_an_import_that_ran_can_be_undone_and_only_once(world: World) -> None:
    previewed = services.batch_upload(
        actor=world.user("xinshi_staff"),
        kind="households",
        org=world.org("xinshi"),
        upload=SimpleUploadedFile("x.xlsx", households_file("周建国")),
    )
    previewed.refresh_from_db()
    with pytest.raises(ValidationError, match="Only an import that has run can be undone"):
        undo(world, previewed)
    batch = imported(world, "households", households_file("李德福"))
    undo(world, batch)
    with pytest.raises(ValidationError, match="already been undone"):
        undo(world, batch)
    assert AuditEvent.objects.filter(action="import_undone").count() == 1


def test_an_import_from_before_undo_existed_cannot_be_undone(world: World) -> None:
    batch = imported(world, "households", households_file("周建国"))
    ImportBatch.objects.filter(pk=batch.pk).update(finished_at=None)
    batch.refresh_from_db()
    with pytest.raises(ValidationError, match="ran before imports could be undone"):
        undo(world, batch)


def test_an_import_whose_rows_were_not_marked_cannot_be_undone(world: World) -> None:
    # Imported before the rows carried their upload: nothing to tell them from others.
    batch = imported(world, "households", households_file("周建国"))
    Household.objects.update(import_batch=None)
    with pytest.raises(ValidationError, match="ran before imports could be undone"):
        undo(world, batch)
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert Household.objects.count() == 1


@pytest.mark.parametrize("username", ["huilong_zhiwei", "leader", "yanling_admin"])
def test_who_may_not_undo(world: World, username: str) -> None:
    batch = imported(world, "households", households_file("周建国"))
    with pytest.raises(PermissionDenied):
        undo(world, batch, by=username)
    assert world.client_for(username).post(reverse("imports:undo", args=[batch.pk])).status_code == 404
    assert world.api_for(username).post(reverse("api:import-undo", args=[batch.pk])).status_code == 404
    assert Household.objects.count() == 1


def test_the_uploaders_superior_may_undo(world: World) -> None:
    batch = imported(world, "households", households_file("周建国"))
    undo(world, batch, by="youxian_admin")
    assert not Household.objects.exists()


# --- the page and the API ---------------------------------------------------------------------


def test_the_import_page_offers_the_undo_and_the_undo_page_does_it(world: World) -> None:
    batch = imported(world, "households", households_file("周建国"))
    client = world.client_for("xinshi_staff")
    detail = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert reverse("imports:undo", args=[batch.pk]) in detail
    page = client.get(reverse("imports:undo", args=[batch.pk]), headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "The 1 row this file added is deleted." in page.content.decode()
    done = client.post(reverse("imports:undo", args=[batch.pk]))
    assert done.status_code == 302
    assert not Household.objects.exists()
    after = client.get(reverse("imports:detail", args=[batch.pk]), headers={"accept-language": "en"}).content.decode()
    assert "the rows this file added were removed" in after
    assert reverse("imports:undo", args=[batch.pk]) not in after


def test_the_undo_page_lists_the_rows_that_block_it(world: World) -> None:
    batch = imported(world, "households", households_file("周建国", "李德福"))
    households.household_update(
        actor=world.user("xinshi_staff"),
        household=Household.objects.get(head_name="李德福"),
        values={"address": "县城"},
    )
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("imports:undo", args=[batch.pk]), headers={"accept-language": "en"}).content.decode()
    assert "1 row from this file changed since the import" in page
    assert '<td data-label="Row">4</td>' in page
    assert "李德福" in page
    assert "周建国" not in page
    assert 'action="/imports/' not in page
    refused = client.post(reverse("imports:undo", args=[batch.pk]), headers={"accept-language": "en"})
    assert refused.status_code == 409
    assert Household.objects.count() == 2


def test_the_page_says_why_an_old_import_cannot_be_undone(world: World, clock: Clock) -> None:
    batch = imported(world, "households", households_file("周建国"))
    clock.advance(minutes=8 * 24 * 60)
    client = world.client_for("xinshi_staff")
    assert (
        reverse("imports:undo", args=[batch.pk])
        not in client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    )
    page = client.get(reverse("imports:undo", args=[batch.pk]), headers={"accept-language": "en"}).content.decode()
    assert "can be undone for 7 days" in page
    assert client.post(reverse("imports:undo", args=[batch.pk])).status_code == 400


def test_undo_through_the_api(world: World) -> None:
    api = world.api_for("xinshi_staff")
    blocked = imported(world, "households", households_file("周建国", "李德福"))
    households.household_update(
        actor=world.user("xinshi_staff"),
        household=Household.objects.get(head_name="周建国"),
        values={"address": "县城"},
    )
    answer = api.post(reverse("api:import-undo", args=[blocked.pk]), headers={"accept-language": "en"})
    assert answer.status_code == 409
    body = answer.json()
    assert body["more"] is False
    assert [(b["row"], b["name"]) for b in body["blockers"]] == [(3, "周建国")]
    assert body["blockers"][0]["changes"][0].startswith("changed on ")
    batch = imported(world, "households", households_file("王芳"))
    done = api.post(reverse("api:import-undo", args=[batch.pk]))
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["undone_by"]) == ("undone", "xinshi_staff")
    again = api.post(reverse("api:import-undo", args=[batch.pk]), headers={"accept-language": "en"})
    assert again.status_code == 400
    assert "already been undone" in again.json()["detail"]
    assert list(Household.objects.order_by("id").values_list("head_name", flat=True)) == ["周建国", "李德福"]
    assert not HouseholdMember.objects.exists()


def test_a_row_of_an_archived_record_is_pointed_to_the_archive(world: World) -> None:
    from fulian.testing.ids import id_number

    number = id_number("430223", "19650101")
    households.household_archive(
        actor=world.user("xinshi_staff"),
        household=household(world, "huilong", "周建国", id_number=number),
        reason="迁出",
    )
    data = xlsx([["村（社区）", "户主姓名", "户主身份证号"], ["回龙村", "周建国", number]])
    batch = services.batch_upload(
        actor=world.user("xinshi_staff"),
        kind="households",
        org=world.org("xinshi"),
        upload=SimpleUploadedFile("x.xlsx", data),
    )
    batch.refresh_from_db()
    assert [shown(p)["message"] for p in batch.report["problems"]] == [
        f"The ID number {mask_id_number(number)} belongs to an archived household: restore that household instead."
    ]


def test_the_import_lists_run_the_same_queries_for_2_or_12_uploads(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, api = world.client_for("xinshi_staff"), world.api_for("xinshi_staff")

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("imports:list")).status_code == 200
        with CaptureQueriesContext(connection) as rest:
            assert api.get(reverse("api:import-list")).status_code == 200
        return len(page), len(rest)

    undo(world, imported(world, "households", households_file("周建国")))
    imported(world, "households", households_file("李德福"))
    queries()  # the first request of a client loads its session and grants
    few = queries()
    for n in range(10):
        batch = imported(world, "households", households_file(f"王{n}"))
        if n % 2:
            undo(world, batch)
    assert queries() == few
