"""Archiving, restoring and erasing households (and their members): services, pages, API."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.audit.models import AuditEvent
from fulian.households import services
from fulian.households.choices import HouseholdCategory
from fulian.households.models import Household, HouseholdMember
from fulian.households.tests.helpers import household, member
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

HEAD = id_number("430223", "19650101")
CHILD = id_number("430223", "20150601")


def archive(world: World, h: Household, by: str = "xinshi_staff", reason: str = "全家迁往县城") -> Household:
    return services.household_archive(actor=world.user(by), household=h, reason=reason)


def english(client, url: str, params: dict | None = None) -> str:
    return client.get(url, params or {}, headers={"accept-language": "en"}).content.decode()


def test_an_archived_household_and_its_members_leave_every_list_search_and_export(world: World) -> None:
    gone = household(world, "huilong", "周建国", mobile="13907331215", id_number=HEAD)
    child = member(world, gone, "周小红", id_number=CHILD)
    stays = household(world, "huilong", "李德福")
    archive(world, gone)
    client, api = world.client_for("xinshi_staff"), world.api_for("xinshi_staff")
    for params in ({}, {"q": "周建国"}, {"q": "zjg"}, {"q": "13907331215"}, {"q": HEAD}):
        assert f"/households/{gone.pk}/" not in english(client, reverse("households:list"), params), params
        assert gone.pk not in [r["id"] for r in api.get(reverse("api:household-list"), params).json()["results"]]
    assert f"/households/{stays.pk}/" in english(client, reverse("households:list"))
    members = api.get(reverse("api:household-member-list")).json()["results"]
    assert child.pk not in [r["id"] for r in members]
    export = client.get(reverse("households:export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "李德福" in export
    assert "周建国" not in export
    # Its page and its members stay, for those in scope.
    page = english(client, reverse("households:detail", args=[gone.pk]))
    assert "周小红" in page
    assert "全家迁往县城" in page
    assert reverse("households:restore", args=[gone.pk]) in page
    assert reverse("households:edit", args=[gone.pk]) not in page
    assert reverse("households:member_edit", args=[child.pk]) not in page
    assert api.get(reverse("api:household-member-detail", args=[child.pk])).status_code == 200
    archived = api.get(reverse("api:household-list"), {"archived": "1"}).json()["results"]
    assert [(r["id"], r["archived_by"]) for r in archived] == [(gone.pk, "xinshi_staff")]
    assert f"/households/{gone.pk}/" in english(client, reverse("households:list"), {"archived": "1"})


def test_archive_and_restore_take_the_members_along_and_are_audited(world: World) -> None:
    h = household(world, "huilong", "周建国")
    member(world, h, "周小红")
    member(world, h, "周小明")
    gone = archive(world, h)
    assert list(HouseholdMember.objects.with_archived().filter(household=h).values_list("archived_at", flat=True)) == [
        gone.archived_at,
        gone.archived_at,
    ]
    assert AuditEvent.objects.filter(action="archive").get().changes == {"reason": "全家迁往县城", "members": 2}
    back = services.household_restore(actor=world.user("xinshi_staff"), household=gone, reason="搬回")
    assert back.archived_at is None
    assert not HouseholdMember.objects.with_archived().filter(household=h, archived_at__isnull=False).exists()
    assert HouseholdMember.objects.visible_to(world.user("xinshi_staff")).filter(household=h).count() == 2
    event = AuditEvent.objects.filter(action="restore").get()
    assert (event.changes, event.actor_name, event.object_id) == ({"reason": "搬回"}, "xinshi_staff", str(h.pk))


def test_an_archived_household_is_read_only(world: World) -> None:
    h = household(world, "huilong", "周建国")
    child = member(world, h, "周小红")
    archive(world, h)
    h.refresh_from_db()
    child.refresh_from_db()
    staff = world.user("xinshi_staff")
    with pytest.raises(ValidationError, match="archived"):
        services.household_update(actor=staff, household=h, values={"address": "县城"})
    with pytest.raises(ValidationError, match="archived"):
        services.member_add(actor=staff, household=h, values={"name": "周小明", "relation": "child"})
    with pytest.raises(ValidationError, match="archived"):
        services.member_update(actor=staff, member=child, values={"name": "周小明"})
    with pytest.raises(ValidationError, match="archived"):
        services.member_remove(actor=staff, member=child)
    client = world.client_for("xinshi_staff")
    edit = client.get(reverse("households:member_edit", args=[child.pk]))
    assert edit.status_code == 302
    removed = client.post(reverse("households:member_remove", args=[child.pk]))
    assert removed.status_code == 302
    assert HouseholdMember.objects.with_archived().filter(pk=child.pk).exists()
    api = world.api_for("xinshi_staff")
    added = api.post(
        reverse("api:household-member-list"), {"household": h.pk, "name": "周小明", "relation": "child"}, format="json"
    )
    assert added.status_code == 400
    assert api.delete(reverse("api:household-member-detail", args=[child.pk])).status_code == 400


def test_a_household_coming_back_is_pointed_to_its_archived_record(world: World) -> None:
    archive(world, household(world, "huilong", "周建国", id_number=HEAD))
    with pytest.raises(ValidationError) as refused:
        household(world, "huilong", "周建国", id_number=HEAD)
    assert "archived household" in refused.value.message_dict["id_number"][0]


@pytest.mark.parametrize("reason", ["", " ", "户" * 201])
def test_bad_reasons_change_nothing(world: World, reason: str) -> None:
    h = household(world, "huilong", "周建国")
    with pytest.raises(ValidationError) as refused:
        archive(world, h, reason=reason)
    assert set(refused.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError):
        services.household_erase(actor=world.user("city_admin"), household=h, reason=reason)
    h.refresh_from_db()
    assert (h.archived_at, h.erased_at, h.head_name) == (None, None, "周建国")
    response = world.api_for("xinshi_staff").post(
        reverse("api:household-archive", args=[h.pk]), {"reason": reason}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"reason"}


def test_state_changes_that_make_no_sense_are_refused(world: World) -> None:
    staff, admin = world.user("xinshi_staff"), world.user("city_admin")
    h = household(world, "huilong", "周建国")
    with pytest.raises(ValidationError, match="is not archived"):
        services.household_restore(actor=staff, household=h, reason="x")
    archive(world, h)
    with pytest.raises(ValidationError, match="restore the record before changing it"):
        archive(world, h)
    services.household_erase(actor=admin, household=h, reason="户主来函申请删除")
    with pytest.raises(ValidationError, match="cannot be restored"):
        services.household_restore(actor=staff, household=h, reason="x")
    with pytest.raises(ValidationError, match="was erased"):
        services.household_erase(actor=admin, household=h, reason="x")


@pytest.mark.parametrize("username", ["huilong_zhiwei", "leader"])
def test_readers_may_not_archive(world: World, username: str) -> None:
    h = household(world, "huilong", "周建国")
    assert world.client_for(username).get(reverse("households:archive", args=[h.pk])).status_code == 403
    api = world.api_for(username).post(reverse("api:household-archive", args=[h.pk]), {"reason": "x"}, format="json")
    assert api.status_code == 403
    with pytest.raises(PermissionDenied):
        archive(world, h, by=username)


def test_erasing_deletes_the_members_and_destroys_the_heads_data(world: World) -> None:
    h = household(
        world,
        "huilong",
        "周建国",
        id_number=HEAD,
        mobile="13907331215",
        address="回龙村1组12号",
        notes="低保",
        categories=HouseholdCategory.SUBSISTENCE_ALLOWANCE,
    )
    member(world, h, "周小红", id_number=CHILD)
    member(world, h, "周小明")
    with pytest.raises(PermissionDenied):
        services.household_erase(actor=world.user("xinshi_staff"), household=h, reason="户主来函申请删除")
    before = AuditEvent.objects.count()
    services.household_erase(actor=world.user("youxian_admin"), household=h, reason="户主来函申请删除")
    row: dict[str, Any] = dict(Household.objects.with_archived().values().get(pk=h.pk))
    for field in ("head_name", "search_keys", "address", "notes"):
        assert row[field] == "", field
    for field in ("id_number", "id_hash", "mobile", "mobile_hash"):
        assert row[field] is None, field
    assert row["categories"] == 0
    assert row["erased_at"] is not None
    assert not HouseholdMember.objects.with_archived().filter(household_id=h.pk).exists()
    # One event, with the masked name and the reason: no row-by-row events naming the members.
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action="erase")
    assert (event.object_repr, event.changes, event.actor_name) == (
        "周**",
        {"reason": "户主来函申请删除", "members_removed": 2},
        "youxian_admin",
    )
    # The ID numbers are free again.
    fresh = household(world, "huilong", "周建国", id_number=HEAD)
    assert member(world, fresh, "周小红", id_number=CHILD).household_id == fresh.pk


def test_erase_through_the_page_and_the_api_is_for_administrators(world: World) -> None:
    first, second = household(world, "huilong", "周建国"), household(world, "huilong", "李德福")
    member(world, second, "李小红")
    staff = world.client_for("xinshi_staff")
    assert staff.get(reverse("households:erase", args=[first.pk])).status_code == 403
    assert reverse("households:erase", args=[first.pk]) not in english(
        staff, reverse("households:detail", args=[first.pk])
    )
    assert (
        world.api_for("xinshi_staff")
        .post(reverse("api:household-erase", args=[first.pk]), {"reason": "申请删除"}, format="json")
        .status_code
        == 403
    )
    admin = world.client_for("city_admin")
    assert reverse("households:erase", args=[first.pk]) in english(admin, reverse("households:detail", args=[first.pk]))
    assert admin.post(reverse("households:erase", args=[first.pk]), {"reason": "申请删除"}).status_code == 302
    page = english(admin, reverse("households:detail", args=[first.pk]))
    assert "Erased on" in page
    assert "周建国" not in page
    answer = world.api_for("city_admin").post(
        reverse("api:household-erase", args=[second.pk]), {"reason": "申请删除"}, format="json"
    )
    assert answer.status_code == 200
    assert (answer.json()["head_name"], answer.json()["members"]) == ("", [])
    assert answer.json()["erased_at"] is not None


@pytest.mark.parametrize("archived", ["", "1"])
def test_the_lists_run_the_same_queries_for_5_or_50_households(world: World, archived: str) -> None:
    client, api = world.client_for("xinshi_staff"), world.api_for("xinshi_staff")

    def make(n: int, prefix: str) -> None:
        for i in range(n):
            h = household(world, "huilong", f"{prefix}{i}", mobile=f"139073{i:05d}")
            member(world, h, f"{prefix}子{i}")
            if archived:
                archive(world, h, by="city_admin")

    def queries() -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as page:
            client.get(reverse("households:list"), {"archived": archived})
        with CaptureQueriesContext(connection) as rest:
            api.get(reverse("api:household-list"), {"archived": archived})
        with CaptureQueriesContext(connection) as members:
            api.get(reverse("api:household-member-list"))
        return len(page), len(rest), len(members)

    make(5, "周")
    client.get(reverse("households:list"))
    few = queries()
    make(50, "李")
    assert queries() == few
    shown = english(client, reverse("households:list"), {"archived": archived}).count('href="/households/')
    assert shown >= 50


def test_an_erased_household_is_listed_among_the_archived_without_a_name(world: World) -> None:
    h = household(world, "huilong", "周建国")
    services.household_erase(actor=world.user("city_admin"), household=h, reason="申请删除")
    page = english(world.client_for("xinshi_staff"), reverse("households:list"), {"archived": "1"})
    assert f'<a href="/households/{h.pk}/">(erased)</a>' in page
